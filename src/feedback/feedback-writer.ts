/**
 * The only code that writes the team's feedback file (feedback/integrations.md).
 *
 * - Append-only: each entry is one O_APPEND write under an advisory lock (`<file>.lock`, proper-lockfile:
 *   an atomic mkdir with retries and stale detection), fsynced before success is reported. The file is
 *   never truncated, rewritten or reordered.
 * - Refuses the manager's file (`manager.md`) and anything in `protectedFiles`, however the path is spelled.
 * - Never creates the file or its folder unless asked to (`create: true`).
 * - A failed write keeps the entry in an on-disk outbox (JSON lines, fsynced) and retries with backoff.
 *   Nothing is dropped and order is kept. Each writer owns its own outbox file; an outbox left behind by
 *   a process that exited or died is claimed (by an atomic rename) and flushed first.
 * - Every entry passes through the redactor before it is written or put in the outbox.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  constants,
  fsyncSync,
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import type { Redactor } from '../text/redact.js';

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

/** The outcome of one append: on the file (fsynced), or kept in the outbox to be retried. */
export type AppendResult =
  | { status: 'written'; path: string }
  | { status: 'queued'; pending: number; error: FeedbackError; outboxPath: string };

/** The two timer functions the retry backoff uses. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface FeedbackWriterOptions {
  /** The feedback file (config.feedbackFile). Relative paths resolve against the working directory. */
  path: string;
  /** Files never to write to (config.protectedFiles); `manager.md` is always refused. */
  protectedFiles?: readonly string[];
  redactor: Redactor;
  /** Where the outbox lives (e.g. `<state dir>/outbox`); created when first needed. */
  outboxDir: string;
  /** Create the file (and its folder) if missing: only when the user said so (--create-feedback). */
  create?: boolean;
  /**
   * A missing file is no error at start: entries wait in the outbox until it exists (someone creates it, or the
   * user says so), as they do when it goes missing later. Never created silently; never lost. The console uses
   * this when the user answers N to creating it.
   */
  waitForFile?: boolean;
  now?: () => number;
  /** Told the outbox size on every change (the store's `outbox` action). */
  onOutboxChange?: (size: number) => void;
  /** Retry backoff for outbox entries: base doubles per failure up to max. Defaults 1 s → 60 s. */
  retry?: { baseMs?: number; maxMs?: number };
  /** How long to wait for another writer's lock before giving up (to the outbox). Default 10 s. */
  lockTimeoutMs?: number;
  /** A lock older than this is taken as left by a dead process. proper-lockfile's floor is 2 s. Default 5 s. */
  staleMs?: number;
  /** Injectable timers for the retry backoff (fake clocks in tests). Timers are unref'd when they can be. */
  timers?: Timers;
}

export interface FeedbackWriter {
  /** The file entries go to, as given (absolute). */
  readonly path: string;
  /** Appends one entry (redacted). Resolves once it is fsynced on the file, or safely in the outbox. */
  append(entry: string): Promise<AppendResult>;
  /** Tries to write everything in the outbox now (and claims outboxes other processes left behind). */
  flush(): Promise<void>;
  /** Entries waiting in the outbox. */
  pending(): number;
  /** Stops retrying; entries still pending stay on disk for the next pitwall run to write. */
  close(): Promise<void>;
}

interface OutboxItem {
  at: number;
  entry: string;
  /** Came from disk (another run): it may already be on the file if that run died between the two writes. */
  claimed?: boolean;
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

function statOrNull(p: string): Stats | null {
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
  return null;
}

function errno(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

function toFeedbackError(err: unknown, path: string, lockTimeoutMs: number): FeedbackError {
  if (err instanceof FeedbackError) return err;
  const code = errno(err);
  if (code === 'ELOCKED') {
    return new FeedbackError('io', `${path} is locked by another writer (waited ${lockTimeoutMs} ms for ${path}.lock)`, code);
  }
  if (code === 'ENOENT') return new FeedbackError('missing', `feedback file does not exist: ${path}`, code);
  const message = err instanceof Error ? err.message : String(err);
  return new FeedbackError('io', `cannot write to ${path}: ${message}`, code);
}

/** Trims the entry and ends it with exactly one newline. */
function normalize(entry: string): string {
  return `${entry.replace(/^\s*\n/, '').trimEnd()}\n`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errno(err) === 'EPERM';
  }
}

/** Writes a file whole, or not at all: temp file, fsync, rename, fsync the folder. */
function writeAtomic(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  syncDir(dirname(path));
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic.
  }
}

function readOutbox(file: string): OutboxItem[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const items: OutboxItem[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as Partial<OutboxItem>;
      if (typeof v.entry === 'string') items.push({ at: typeof v.at === 'number' ? v.at : 0, entry: v.entry, claimed: true });
    } catch {
      // A torn line cannot be an entry we promised: it was never fsynced as part of a whole file.
    }
  }
  return items;
}

/**
 * Opens the feedback file for appending. Throws FeedbackError at once when the path is protected, or
 * missing without `create`, so a mistake is caught at startup, not at the first blocker.
 */
export function createFeedbackWriter(opts: FeedbackWriterOptions): FeedbackWriter {
  const path = resolve(opts.path);
  const protectedFiles = opts.protectedFiles ?? [];
  const now = opts.now ?? Date.now;
  const create = opts.create ?? false;
  const lockTimeoutMs = opts.lockTimeoutMs ?? 10_000;
  const staleMs = opts.staleMs ?? 5_000;
  const baseMs = opts.retry?.baseMs ?? 1_000;
  const maxMs = opts.retry?.maxMs ?? 60_000;
  const timers: Timers = opts.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };

  const refuse = (p: string) => {
    const why = protectedReason(p, protectedFiles);
    if (why) throw new FeedbackError('protected', `refusing to write to ${p}: ${why}`);
  };

  refuse(path);
  const real = canonicalPath(path);
  const st = statOrNull(real);
  if (!st && create) {
    try {
      mkdirSync(dirname(real), { recursive: true });
      closeSync(openSync(real, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND, 0o644));
    } catch (err) {
      throw toFeedbackError(err, path, lockTimeoutMs);
    }
  } else if (!st && !opts.waitForFile) {
    throw new FeedbackError('missing', `feedback file does not exist: ${path} (pass --create-feedback to create it)`);
  } else if (st && !st.isFile()) {
    throw new FeedbackError('io', `feedback path is not a file: ${path}`, st.isDirectory() ? 'EISDIR' : undefined);
  }
  // Missing with waitForFile: appends fail with ENOENT (writeEntry never creates) and wait in the outbox.

  // One outbox family per feedback file (by its real path); one file per writer.
  const key = createHash('sha256').update(real).digest('hex').slice(0, 16);
  const outboxDir = resolve(opts.outboxDir);
  const ownName = `${key}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const outboxPath = join(outboxDir, `${ownName}.jsonl`);

  const queue: OutboxItem[] = [];
  let failures = 0;
  let timer: unknown = null;
  let closed = false;
  let chain: Promise<unknown> = Promise.resolve();

  const changed = () => opts.onOutboxChange?.(queue.length);

  /** Runs operations one at a time, in call order, so entries keep their order. */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(fn);
    chain = p.catch(() => undefined);
    return p;
  };

  function saveOutbox(): void {
    if (queue.length === 0) {
      try {
        unlinkSync(outboxPath);
      } catch {
        // Already gone.
      }
      return;
    }
    mkdirSync(outboxDir, { recursive: true });
    writeAtomic(outboxPath, queue.map(({ at, entry }) => `${JSON.stringify({ at, entry })}\n`).join(''));
  }

  /** Takes over outboxes left by writers that closed with entries pending, or whose process is gone. */
  function claimOrphans(): void {
    let names: string[];
    try {
      names = readdirSync(outboxDir);
    } catch {
      return;
    }
    const mine = `${ownName}.jsonl`;
    const claimed: OutboxItem[] = [];
    const claimFiles: string[] = [];
    for (const name of names.sort()) {
      // A temp file left by a process killed while saving its outbox: the outbox itself is intact.
      const tmp = /^([0-9a-f]{16})\..*\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
      if (tmp) {
        if (tmp[1] === key && !pidAlive(Number(tmp[2]))) {
          try {
            unlinkSync(join(outboxDir, name));
          } catch {
            // Someone else cleaned it up.
          }
        }
        continue;
      }
      const m = /^([0-9a-f]{16})\.(orphan|\d+)\.([0-9a-f]+)\.(jsonl|claim)$/.exec(name);
      if (!m || m[1] !== key || name === mine) continue;
      if (m[2] !== 'orphan' && pidAlive(Number(m[2]))) continue;
      const claimPath = join(outboxDir, `${key}.${process.pid}.${randomBytes(4).toString('hex')}.claim`);
      try {
        renameSync(join(outboxDir, name), claimPath); // atomic: only one process wins a given file
      } catch {
        continue;
      }
      claimed.push(...readOutbox(claimPath));
      claimFiles.push(claimPath);
    }
    if (claimFiles.length === 0) return;
    // Older entries first; sort is stable, so each file keeps its own order.
    claimed.sort((a, b) => a.at - b.at);
    queue.unshift(...claimed);
    saveOutbox();
    for (const f of claimFiles) unlinkSync(f);
    changed();
  }

  /** One entry onto the file: lock, one O_APPEND write, fsync, unlock. Throws on any failure. */
  async function writeEntry(text: string, dedupe: boolean): Promise<void> {
    refuse(path); // symlinks can change while we run
    const target = canonicalPath(path);
    // Missing: say so at once, not after the lock's retries give up on a folder that is not there either.
    if (!statOrNull(target)) throw new FeedbackError('missing', `feedback file does not exist: ${path}`, 'ENOENT');
    const release = await lockfile.lock(target, {
      lockfilePath: `${target}.lock`,
      realpath: false,
      stale: staleMs,
      retries: { retries: 10_000, factor: 1.5, minTimeout: 5, maxTimeout: 100, randomize: true, maxRetryTime: lockTimeoutMs },
      // Our hold lasts milliseconds; if the lock is taken from us anyway, the write still lands whole.
      onCompromised: () => undefined,
    });
    try {
      // Never O_CREAT here: a feedback file moved away later must not come back silently (the entry waits instead).
      const flags = constants.O_RDWR | constants.O_APPEND | constants.O_NOFOLLOW;
      const fh = await open(target, flags, 0o644);
      try {
        const st = await fh.stat();
        if (!st.isFile()) throw new FeedbackError('io', `feedback path is not a file: ${path}`);
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
        // One write() in practice; the loop only matters if the kernel takes part of it.
        let offset = 0;
        while (offset < out.length) offset += (await fh.write(out, offset, out.length - offset)).bytesWritten;
        await fh.sync();
      } finally {
        await fh.close();
      }
    } finally {
      await release().catch(() => undefined);
    }
  }

  let lastError: FeedbackError | null = null;

  /** Writes queued entries in order until one fails. */
  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const item = queue[0]!;
      try {
        await writeEntry(item.entry, item.claimed === true);
      } catch (err) {
        lastError = toFeedbackError(err, path, lockTimeoutMs);
        failures++;
        scheduleRetry();
        return;
      }
      queue.shift();
      try {
        saveOutbox();
      } catch {
        // The entry is on the file; a stale outbox line is deduplicated by the tail check next time.
      }
      changed();
    }
    failures = 0;
    lastError = null;
  }

  function scheduleRetry(): void {
    if (closed || timer !== null || queue.length === 0) return;
    const delay = Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
    timer = timers.setTimeout(() => {
      timer = null;
      void serial(drain);
    }, delay);
    (timer as { unref?: () => void } | null)?.unref?.();
  }

  function enqueue(text: string): void {
    queue.push({ at: now(), entry: text });
    try {
      saveOutbox();
    } catch {
      // The outbox folder is unwritable too: the entry stays in memory and pending() still counts it;
      // the next successful drain or save persists the rest.
    }
    changed();
  }

  // Entries an earlier run could not write go first.
  claimOrphans();
  if (queue.length > 0) void serial(drain);

  return {
    path,
    append(entry) {
      if (closed) return Promise.reject(new FeedbackError('io', `the feedback writer for ${path} is closed`));
      const text = normalize(opts.redactor.text(entry));
      return serial(async (): Promise<AppendResult> => {
        if (queue.length === 0) {
          try {
            await writeEntry(text, false);
            return { status: 'written', path };
          } catch (err) {
            lastError = toFeedbackError(err, path, lockTimeoutMs);
            enqueue(text);
            failures++;
            scheduleRetry();
            return { status: 'queued', pending: queue.length, error: lastError, outboxPath };
          }
        }
        // Behind older entries: keep the order, and try them all now (the fault may be fixed).
        enqueue(text);
        await drain();
        if (queue.length === 0) return { status: 'written', path };
        return {
          status: 'queued',
          pending: queue.length,
          error: lastError ?? new FeedbackError('io', `cannot write to ${path} yet`),
          outboxPath,
        };
      });
    },
    flush() {
      return serial(async () => {
        if (timer !== null) {
          timers.clearTimeout(timer);
          timer = null;
        }
        claimOrphans();
        await drain();
      });
    },
    pending: () => queue.length,
    async close() {
      closed = true;
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
      await chain;
      if (queue.length === 0) return;
      // Leave the entries for whichever pitwall runs next (it claims orphans on start).
      try {
        saveOutbox();
        renameSync(outboxPath, join(outboxDir, `${key}.orphan.${randomBytes(4).toString('hex')}.jsonl`));
      } catch {
        // Still on disk under our pid; it is claimed once this process has exited.
      }
    },
  };
}
