/**
 * The only code that writes the team's feedback file (feedback/integrations.md).
 *
 * - Append-only: each entry is one O_APPEND write under an advisory lock (`<file>.lock`, proper-lockfile:
 *   an atomic mkdir with retries and stale detection), fsynced before success is reported. The file is
 *   never truncated, rewritten or reordered.
 * - Refuses the manager's file (`manager.md`) and anything in `protectedFiles`, however the path is spelled.
 * - Never creates the file or its folder unless asked to (`create: true`).
 * - An append is all or nothing: one that fails part-way (a full disk) cuts the file back to its size before it.
 * - A failed write keeps the entry in an on-disk outbox (JSON lines, fsynced) and retries with backoff.
 *   Nothing is dropped and order is kept. "Kept" is said only once the outbox file and its folder are fsynced;
 *   when the outbox cannot be written either, the result says so and carries the entry for the caller to show. Each writer owns its own outbox file; an outbox left behind by
 *   a process that exited or died is claimed (by an atomic rename) and flushed first.
 * - Every entry passes through the redactor before it is written or put in the outbox.
 *
 * This module is the retry queue; protect.ts judges paths, append.ts writes one entry, outbox.ts keeps the rest.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, mkdirSync, openSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Redactor } from '../text/redact.js';
import { appendLocked, type AppendOptions } from './append.js';
import { Outbox, type OutboxFs, type OutboxItem } from './outbox.js';
import { canonicalPath, FeedbackError, refuseProtected, statOrNull, toFeedbackError } from './protect.js';

export { canonicalPath, FeedbackError, protectedReason, type FeedbackErrorReason } from './protect.js';

/**
 * The outcome of one append: on the file (fsynced), or queued to be retried. `kept`: the queue is fsynced in the
 * outbox file; false when that failed too (the entry lives only in this process: `entry` is it, redacted, to show).
 */
export type AppendResult =
  | { status: 'written'; path: string }
  | { status: 'queued'; pending: number; error: FeedbackError; outboxPath: string; kept: boolean; entry: string };

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
  /** File calls to fail on purpose (tests of a full disk): the feedback file's open, the outbox's writes. */
  io?: { openFile?: AppendOptions['openFile']; outboxFs?: OutboxFs };
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
  /**
   * Stops retrying; entries still pending stay on disk for the next pitwall run to write. Resolves with the entries
   * that are on disk nowhere (the outbox could not keep them either): the caller's last chance to show them.
   */
  close(): Promise<{ unsaved: string[] }>;
}

/** Trims the entry and ends it with exactly one newline. */
function normalize(entry: string): string {
  return `${entry.replace(/^\s*\n/, '').trimEnd()}\n`;
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

  refuseProtected(path, protectedFiles);
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
  const outbox = new Outbox(resolve(opts.outboxDir), createHash('sha256').update(real).digest('hex').slice(0, 16), opts.io?.outboxFs);
  const outboxPath = outbox.path;

  const queue: OutboxItem[] = [];
  let failures = 0;
  let timer: unknown = null;
  let closed = false;
  /** Whether the outbox file holds the queue as it is now (fsynced). */
  let kept = true;
  let chain: Promise<unknown> = Promise.resolve();

  const changed = () => opts.onOutboxChange?.(queue.length);

  /** Runs operations one at a time, in call order, so entries keep their order. */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(fn);
    chain = p.catch(() => undefined);
    return p;
  };

  /** Saves the queue; remembers whether that worked, and throws if not. */
  function saveOutbox(): void {
    try {
      outbox.save(queue);
      kept = true;
    } catch (err) {
      kept = false;
      throw err;
    }
  }

  /** Takes over outboxes left by writers that closed with entries pending, or whose process is gone. */
  function claimOrphans(): void {
    const claimed = outbox.claimOrphans();
    if (claimed.files.length === 0) return;
    queue.unshift(...claimed.items);
    saveOutbox();
    for (const f of claimed.files) unlinkSync(f);
    changed();
  }

  const appendOptions: AppendOptions = { protectedFiles, lockTimeoutMs, staleMs, ...(opts.io?.openFile ? { openFile: opts.io.openFile } : {}) };
  const writeEntry = (text: string, dedupe: boolean) => appendLocked(path, text, dedupe, appendOptions);

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
      // The outbox folder is unwritable too (a full disk): the entry stays in memory, pending() still counts it,
      // the result says it was not kept, and the next successful drain or save persists the rest.
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
            return { status: 'queued', pending: queue.length, error: lastError, outboxPath, kept, entry: text };
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
          kept,
          entry: text,
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
      if (queue.length === 0) return { unsaved: [] };
      // Leave the entries for whichever pitwall runs next (it claims orphans on start).
      try {
        outbox.leave(queue);
        return { unsaved: [] };
      } catch {
        // Saved earlier: still on disk under our pid, claimed once this process has exited. Never saved (a full
        // disk): they exist only here now.
        return { unsaved: kept ? [] : queue.map((q) => q.entry) };
      }
    },
  };
}
