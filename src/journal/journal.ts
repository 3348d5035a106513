/**
 * The journal: every sample, event and blocker as JSON lines in the user's state folder, one file per
 * config, so a restart (or kill -9) keeps the hour's history and the open blockers.
 *
 * Line formats (samples are >99% of lines, so they are compact positional arrays):
 *   ["shopify-admin",1760364000000,0,123.4]                 id, at (ms), status 0 up/1 degraded/2 down, latency
 *   ["shopify-admin",1760364015000,2,null,"timeout","no answer…",[["throttle",40,1000]],{…evidence}]
 *   {"journal":1,"config":"/abs/pitwall.yaml"}              header, first line
 *   ["shopify-admin",1760364000000,0,700.2,null,null,null,null,"cold"]   kept out of p50/p95: "cold" or "stalled",
 *                                                           then attempts re-measured (since 2026-12; older lines have neither)
 *   {"ev":{…EngineEvent}}   {"bo":{…Blocker}}   {"br":{"id","targetId","at","note"?}}   {"rp":{…ReportSummary}}
 *   {"er":{"targetId","at","era","protocolVersion"?}}       an MCP server's protocol era, when it is not the last one journaled
 * Trailing optional fields are omitted. A typical up sample is ~40 bytes: 72 h of 15 targets every 5 s
 * (777,600 samples) is ~38 MB.
 *
 * This module owns the open file: appends, the fsync timer and when to compact. The rest is in its own module:
 * state-dir.ts (where), convert.ts (results ↔ lines), reader.ts (incremental loads), compact.ts,
 * journal-state.ts (the store's side).
 *
 * Writes are synchronous appends (one small write(2) per record, O_APPEND): a process crash or kill -9
 * loses nothing that was appended, and the cost is microseconds. fdatasync runs once a second when
 * something was written, so a machine crash loses at most the last second.
 */
import { closeSync, fdatasyncSync, fstatSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRedactor } from '../text/redact.js';
import { compactJournal, headerLine } from './compact.js';
import { eraOf, sampleLineWriter, sampleOfResult } from './convert.js';
import { parseLine, recordAt } from './journal-lines.js';
import { JournalReader } from './reader.js';
import { ensureStateDir, journalPath } from './state-dir.js';
import type { Journal, JournalOptions } from './types.js';

export type { Evidence, JournalSample, ReportSummary, ResolvedRecord } from './records.js';
export type { Journal, JournalHistory, JournalOptions } from './types.js';
export { defaultStateDir, ensureStateDir, journalPath, makeDirs, resolveStateDir, stateDirKey } from './state-dir.js';
export { evidenceOf, resultFromSample } from './convert.js';
export { attachJournal, stateFromHistory } from './journal-state.js';

export const DEFAULT_RETENTION_MS = 72 * 3_600_000;
/** How often (in appends) to check whether compaction is due. */
const CHECK_EVERY = 1_000;
/** Compaction runs once the oldest record is this much older than the retention. */
const AGE_SLACK_MS = 12 * 3_600_000;

/**
 * Opens (or creates) the journal of a config for appending and loading. A state folder that cannot work (a file,
 * /dev/null, a dangling link, /proc) is a UsageError naming stateDir; a full disk throws its own error.
 */
export function openJournal(opts: JournalOptions): Journal {
  const now = opts.now ?? Date.now;
  const redactor = opts.redactor ?? createRedactor();
  const retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_MS;
  const compactAtBytes = opts.compactAtBytes ?? 32 * 1024 * 1024;
  const dir = resolve(opts.dir);
  const path = journalPath(dir, opts.configPath);
  ensureStateDir(dir);
  const reader = new JournalReader(path);
  const sampleLine = sampleLineWriter(redactor);
  /** Per MCP target, the era last journaled (by this process, or read by a load): a record only when it changes. */
  const lastEra = new Map<string, string>();
  const eraKey = (e: { era: string; protocolVersion?: string }) => `${e.era}\n${e.protocolVersion ?? ''}`;

  let fd = -1;
  let ino = 0;
  let dirty = false;
  let appends = 0;
  let threshold = compactAtBytes;
  /** The oldest record's time, from the start of the file (open blockers and kept evidence aside: compaction keeps those whatever their age). */
  let oldestAt: number | null = null;
  /** Whether the start of the file told: false if it held nothing but blockers and evidence. */
  let oldestKnown = false;
  /** The time of the first record appended to a file that had none. */
  let firstAppendedAt: number | null = null;

  function openFile(): void {
    fd = openSync(path, 'a+', 0o600);
    const st = fstatSync(fd);
    ino = st.ino;
    if (st.size === 0) {
      writeSync(fd, `${headerLine(opts.configPath)}\n`);
      return;
    }
    // A torn last line (power loss, a full disk) must not swallow the next record: start a fresh line.
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, st.size - 1);
    if (last[0] !== 0x0a) writeSync(fd, '\n');
  }

  /** The time of the first record that compaction could drop, from the start of the file. */
  function readOldest(): void {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    oldestAt = null;
    firstAppendedAt = null;
    oldestKnown = n < buf.length;
    for (const line of buf.subarray(0, n).toString('utf8').split('\n').slice(0, -1)) {
      const r = parseLine(line);
      // What compaction keeps whatever its age (blockers, evidence, eras) is not what makes it due.
      if (!r || r.kind === 'header' || r.kind === 'opened' || r.kind === 'era' || (r.kind === 'sample' && r.evidence)) continue;
      oldestAt = recordAt(r);
      oldestKnown = true;
      return;
    }
  }

  try {
    openFile();
    readOldest();
  } catch (err) {
    // A full disk refuses the header: no half-open journal (its descriptor would pin the disk).
    if (fd >= 0) closeSync(fd);
    throw err;
  }

  let lastErrorAt = -Infinity;
  function failed(err: unknown): void {
    if (!opts.onError) throw err;
    if (now() - lastErrorAt >= 60_000) {
      lastErrorAt = now();
      opts.onError(err as Error);
    }
  }

  /** Appends a line; `at` is its record's time (none for blockers opened: kept whatever their age). */
  function write(line: string, at?: number): void {
    if (fd < 0) return;
    try {
      // Another process may have compacted (renamed a new file over ours): follow the path.
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st || st.ino !== ino) {
        closeSync(fd);
        openFile();
        readOldest();
      }
      writeSync(fd, `${line}\n`);
      dirty = true;
      if (oldestAt === null && oldestKnown && firstAppendedAt === null && at !== undefined) firstAppendedAt = at;
      if (++appends % CHECK_EVERY === 0) maybeCompact();
    } catch (err) {
      failed(err);
    }
  }

  function maybeCompact(): void {
    const size = fstatSync(fd).size;
    const cutoff = now() - retentionMs;
    // Nothing is older than the retention: rewriting the file would drop nothing, so let it grow first.
    const oldest = oldestAt ?? firstAppendedAt;
    if (oldestKnown && (oldest === null || oldest >= cutoff)) {
      if (size > threshold) threshold = Math.round(size * 1.5);
      return;
    }
    const tooOld = oldestAt !== null && oldestAt < cutoff - AGE_SLACK_MS;
    if (size > threshold || tooOld) journal.compact();
  }

  const syncTimer = setInterval(() => {
    if (!dirty || fd < 0) return;
    dirty = false;
    try {
      fdatasyncSync(fd);
    } catch {
      dirty = true;
    }
  }, opts.syncIntervalMs ?? 1_000);
  syncTimer.unref();

  const journal: Journal = {
    path,
    appendSample(targetId, sample, extra = {}) {
      write(sampleLine(targetId, sample, extra), sample.at);
    },
    appendResult(targetId, r, at, run) {
      const { sample, extra } = sampleOfResult(r, at, run);
      write(sampleLine(targetId, sample, extra), at);
      const era = eraOf(r);
      if (!era) return;
      let known = lastEra.get(targetId);
      if (known === undefined) {
        const read = reader.latestEra(targetId);
        if (read) known = eraKey(read);
      }
      const key = eraKey(era);
      lastEra.set(targetId, key);
      if (key !== known) write(JSON.stringify({ er: redactor.value({ targetId, at, ...era }) }), at);
    },
    appendEvent(event) {
      write(JSON.stringify({ ev: redactor.value(event) }), event.at);
    },
    appendBlocker(record) {
      if ('opened' in record) write(JSON.stringify({ bo: redactor.value(record.opened) }));
      else write(JSON.stringify({ br: redactor.value(record.resolved) }), record.resolved.at);
    },
    appendReport(summary) {
      write(JSON.stringify({ rp: summary }), summary.at);
    },
    load(sinceMs = -Infinity) {
      return reader.load(sinceMs);
    },
    compact() {
      const done = compactJournal(path, opts.configPath, now() - retentionMs, reader);
      if (!done) return false;
      if (fd >= 0) closeSync(fd);
      openFile();
      oldestAt = done.oldestAt;
      oldestKnown = true;
      firstAppendedAt = null;
      threshold = Math.max(compactAtBytes, Math.round(fstatSync(fd).size * 1.5));
      return true;
    },
    close() {
      clearInterval(syncTimer);
      if (fd < 0) return;
      // A process that wrote tidies up if compaction is due; not at open, which is before the console's first frame.
      // Never a reason for close() to fail (a full disk): the records are all appended already.
      if (appends > 0) {
        try {
          maybeCompact();
        } catch (err) {
          try {
            opts.onError?.(err as Error);
          } catch {
            // the console may be gone
          }
        }
      }
      try {
        fdatasyncSync(fd);
      } catch (err) {
        // A full or failing disk at the last sync: told like a failed append, never a crash on the way out.
        if (!opts.onError) throw err;
        opts.onError(err as Error);
      } finally {
        closeSync(fd);
        fd = -1;
      }
    },
  };
  return journal;
}

/**
 * A journal that keeps nothing: what a command writes to when the state folder cannot take the journal (a full
 * disk), so the feedback entry is still written. Loads are empty.
 */
export function nullJournal(path: string): Journal {
  const none = () => undefined;
  return {
    path,
    appendSample: none,
    appendResult: none,
    appendEvent: none,
    appendBlocker: none,
    appendReport: none,
    load: () => ({ samples: {}, events: [], blockers: [], evidence: {}, reports: [], eras: [], skipped: 0 }),
    compact: () => false,
    close: none,
  };
}
