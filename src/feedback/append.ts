/** One entry onto the feedback file: lock, one O_APPEND write, fsync, unlock; all or nothing. */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import { errnoOf } from '../shared/process.js';
import { canonicalPath, FeedbackError, hardLinked, refuseProtected, statOrNull } from './protect.js';

/** What appendLocked needs besides the entry. */
export interface AppendOptions {
  protectedFiles: readonly string[];
  lockTimeoutMs: number;
  staleMs: number;
  /** Opens the file (tests hand in one whose write or fsync fails). Default: fs/promises open. */
  openFile?: (path: string, flags: number, mode: number) => Promise<AppendHandle>;
}

/** The part of a FileHandle an append uses. */
export interface AppendHandle {
  stat(): Promise<{ size: number; isFile(): boolean; nlink: number }>;
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Appends `text` to the file at `path` (as given, symlinks followed): lock, one O_APPEND write, fsync, unlock.
 * With `dedupe`, an entry already at the file's end is not written again. Throws on any failure, and a failure
 * part-way (a short write then ENOSPC, an fsync error) first cuts the file back to the size it had under the lock,
 * so no torn fragment stays behind for the outbox's later copy to follow.
 */
export async function appendLocked(path: string, text: string, dedupe: boolean, opts: AppendOptions): Promise<void> {
  refuseProtected(path, opts.protectedFiles); // symlinks can change while we run
  const target = canonicalPath(path);
  // Missing: say so at once, not after the lock's retries give up on a folder that is not there either.
  if (!statOrNull(target)) throw new FeedbackError('missing', `feedback file does not exist: ${path}`, 'ENOENT');
  const release = await lockfile.lock(target, {
    lockfilePath: `${target}.lock`,
    realpath: false,
    stale: opts.staleMs,
    retries: { retries: 10_000, factor: 1.5, minTimeout: 5, maxTimeout: 100, randomize: true, maxRetryTime: opts.lockTimeoutMs },
    // Our hold lasts milliseconds; if the lock is taken from us anyway, the write still lands whole.
    onCompromised: () => undefined,
  });
  try {
    // Never O_CREAT here: a feedback file moved away later must not come back silently (the entry waits instead).
    const flags = constants.O_RDWR | constants.O_APPEND | constants.O_NOFOLLOW;
    const fh = await (opts.openFile ?? open)(target, flags, 0o644);
    try {
      // The path may have been re-pointed (at manager.md, say) while we waited for the lock: judge it again now
      // that the file is open, and write only if it still leads to the file we opened.
      refuseProtected(path, opts.protectedFiles);
      if (canonicalPath(path) !== target) throw new FeedbackError('io', `feedback path changed while writing: ${path} now resolves to ${canonicalPath(path)}`);
      const st = await fh.stat();
      if (!st.isFile()) throw new FeedbackError('io', `feedback path is not a file: ${path}`);
      if (st.nlink > 1) throw new FeedbackError('protected', `refusing to write to ${path}: ${hardLinked(st.nlink)}`);
      const data = Buffer.from(text);
      let prefix = '';
      if (st.size > 0) {
        const n = Math.min(st.size, dedupe ? data.length + 2 : 2);
        const tail = Buffer.alloc(n);
        await fh.read(tail, 0, n, st.size - n);
        if (dedupe && tail.subarray(n - data.length).equals(data)) return; // already there
        const last2 = tail.subarray(Math.max(0, n - 2)).toString('latin1');
        prefix = last2.endsWith('\n\n') || (st.size === 1 && last2 === '\n') ? '' : last2.endsWith('\n') ? '\n' : '\n\n';
      }
      const out = prefix ? Buffer.concat([Buffer.from(prefix), data]) : data;
      try {
        // One write() in practice; the loop only matters if the kernel takes part of it (a nearly full disk).
        let offset = 0;
        while (offset < out.length) offset += (await fh.write(out, offset, out.length - offset)).bytesWritten;
        await fh.sync();
      } catch (err) {
        await rollBack(fh, st.size, path, err);
        throw err;
      }
    } finally {
      await fh.close();
    }
  } finally {
    await release().catch(() => undefined);
  }
}

/**
 * Cuts the file back to `size` (its size when the lock was taken) and fsyncs that, after a write or fsync that
 * failed part-way. We hold the lock, so only a hand edit made in these milliseconds could be cut with it.
 */
async function rollBack(fh: AppendHandle, size: number, path: string, cause: unknown): Promise<void> {
  try {
    await fh.truncate(size);
    await fh.sync();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const first = cause instanceof Error ? cause.message : String(cause);
    throw new FeedbackError('io', `cannot write to ${path} (${first}), and cutting back the part written failed too (${why}): the file may end with part of an entry`, errnoOf(cause));
  }
}
