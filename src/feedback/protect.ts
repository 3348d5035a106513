/**
 * The feedback file's protection: the manager's file (`manager.md`) and anything in `protectedFiles` are
 * refused however the path is spelled (symlinks, `..`, hard links), a file with more than one hard link is refused
 * outright, and the error every feedback failure is.
 */
import { lstatSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { errnoOf } from '../shared/process.js';

/** Why the feedback file could not be used. `protected` and `missing` are the user's to fix (exit 3). */
export type FeedbackErrorReason = 'protected' | 'missing' | 'io';

export class FeedbackError extends Error {
  override name = 'FeedbackError';
  readonly reason: FeedbackErrorReason;
  /** The errno code behind an `io` failure (EACCES, ENOSPC, EISDIR, ELOCKED…), when there was one. */
  readonly code: string | undefined;
  constructor(reason: FeedbackErrorReason, message: string, code?: string) {
    super(message);
    this.reason = reason;
    this.code = code;
  }
}

const MANAGER_FILE = 'manager.md';

/** The path a file would really be written at: symlinks followed (even dangling ones), `..` resolved. */
export function canonicalPath(p: string): string {
  let current = resolve(p);
  for (let hops = 0; hops < 40; hops++) {
    try {
      return realpathSync(current);
    } catch {
      // Not there (yet): a dangling symlink still points somewhere, and writing would land there.
      let st: Stats | undefined;
      try {
        st = lstatSync(current);
      } catch {
        st = undefined;
      }
      if (st?.isSymbolicLink()) {
        current = resolve(dirname(current), readlinkSync(current));
        continue;
      }
      const parent = dirname(current);
      if (parent === current) return current;
      return join(canonicalPath(parent), basename(current));
    }
  }
  throw new FeedbackError('io', `too many symbolic links resolving ${p}`, 'ELOOP');
}

/** The file's stat, or null when it cannot be read. */
export function statOrNull(p: string): Stats | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

/** Says why writing to `path` is refused, or null when it is allowed. */
export function protectedReason(path: string, protectedFiles: readonly string[] = []): string | null {
  const given = resolve(path);
  const real = canonicalPath(given);
  if (basename(given).toLowerCase() === MANAGER_FILE || basename(real).toLowerCase() === MANAGER_FILE) {
    const via = real === given ? '' : ` (it resolves to ${real})`;
    return `${MANAGER_FILE} is the manager's file; integration work is logged in feedback/integrations.md${via}`;
  }
  const realStat = statOrNull(real);
  // The same file reached another way: an entry spelled differently, or a hard link (same inode).
  const candidates = [...protectedFiles, join(dirname(real), MANAGER_FILE)];
  for (const p of candidates) {
    const other = canonicalPath(p);
    const otherStat = realStat ? statOrNull(other) : null;
    const sameInode = realStat && otherStat && realStat.dev === otherStat.dev && realStat.ino === otherStat.ino;
    if (other === real || sameInode) {
      return basename(other).toLowerCase() === MANAGER_FILE
        ? `it is the manager's file ${other} under another name`
        : `it is listed in protectedFiles (${p})`;
    }
  }
  // A hard link from anywhere else (manager.md in another folder, say) shares the inode and can be found from no name.
  if (realStat?.isFile() && realStat.nlink > 1) return hardLinked(realStat.nlink);
  return null;
}

/** The refusal for a file with more than one name. */
export function hardLinked(nlink: number): string {
  return `it is hard-linked (${nlink} names for one file), so it could be the manager's file or another file under a second name; give the feedback file a single name (cp it, then mv the copy over it)`;
}

/** Throws FeedbackError('protected') when writing to `path` is refused. */
export function refuseProtected(path: string, protectedFiles: readonly string[]): void {
  const why = protectedReason(path, protectedFiles);
  if (why) throw new FeedbackError('protected', `refusing to write to ${path}: ${why}`);
}

/** Any failure as a FeedbackError that says what to fix. */
export function toFeedbackError(err: unknown, path: string, lockTimeoutMs: number): FeedbackError {
  if (err instanceof FeedbackError) return err;
  const code = errnoOf(err);
  if (code === 'ELOCKED') {
    return new FeedbackError('io', `${path} is locked by another writer (waited ${lockTimeoutMs} ms for ${path}.lock)`, code);
  }
  if (code === 'ENOENT') return new FeedbackError('missing', `feedback file does not exist: ${path}`, code);
  const message = err instanceof Error ? err.message : String(err);
  return new FeedbackError('io', `cannot write to ${path}: ${message}`, code);
}
