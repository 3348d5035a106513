/**
 * The journal: every sample, event and blocker as JSON lines in the user's state folder, one file per
 * config, so a restart (or kill -9) keeps the hour's history and the open blockers.
 *
 * Line formats (samples are >99% of lines, so they are compact positional arrays):
 *   ["shopify-admin",1760364000000,0,123.4]                 id, at (ms), status 0 up/1 degraded/2 down, latency
 *   ["shopify-admin",1760364015000,2,null,"timeout","no answer…",[["throttle",40,1000]],{…evidence}]
 *   {"journal":1,"config":"/abs/pitwall.yaml"}              header, first line
 *   {"ev":{…EngineEvent}}   {"bo":{…Blocker}}   {"br":{"id","targetId","at","note"?}}   {"rp":{…ReportSummary}}
 * Trailing optional fields are omitted. A typical up sample is ~40 bytes: 72 h of 15 targets every 5 s
 * (777,600 samples) is ~38 MB. Reading it (journal-lines.ts) parses sample lines by hand and leaves the
 * rest to JSON.parse; a journal remembers what it has read, so the next load reads only what was appended.
 *
 * Writes are synchronous appends (one small write(2) per record, O_APPEND): a process crash or kill -9
 * loses nothing that was appended, and the cost is microseconds. fdatasync runs once a second when
 * something was written, so a machine crash loses at most the last second.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import type { Headroom, ProbeError, ProbeResult, Status, SubCheck } from '../probes/types.js';
import type { Config } from '../config/config.js';
import { EVENT, EVIDENCE, fast, lineWriter, NOT_SIMPLE, OLDER, parseLine, readChunks, recordAt, scanLine, TAKEN } from './journal-lines.js';
import { createRedactor, type Redactor } from '../text/redact.js';
import type { Evidence, JournalSample, ReportSummary, ResolvedRecord } from './records.js';
import type { Sample } from '../state/history.js';
import { SampleColumnsWriter, type SampleColumns } from './sample-columns.js';
import { EVENT_CAPACITY, historyOf, streaksOf, type Blocker, type EngineEvent, type State, type Store, type TargetState } from '../state/store.js';

export type { Evidence, JournalSample, ReportSummary, ResolvedRecord } from './records.js';

/** What load() returns: enough to rebuild the screen, the report and open blockers. */
export interface JournalHistory {
  /** Per target, oldest first, in columns (a 72-hour load is most of a million samples). */
  samples: Record<string, SampleColumns>;
  events: EngineEvent[];
  /** Blockers opened and not resolved, whatever their age. */
  blockers: Blocker[];
  /** The latest evidence per target (from its latest failing check). */
  evidence: Record<string, { at: number; evidence: Evidence }>;
  /** Hourly report summaries, oldest first, whatever their age (compaction keeps the retention's worth). */
  reports: ReportSummary[];
  /** Lines that could not be parsed (a torn last line after a crash), whatever their time. */
  skipped: number;
}

export interface JournalOptions {
  /** The state folder (see resolveStateDir). Created if missing: it is ours. */
  dir: string;
  /** The config file the journal belongs to; null for a config built in code (the demo). */
  configPath: string | null;
  now?: () => number;
  /** Scrubs messages and evidence before they are written (the journal is a file too). */
  redactor?: Redactor;
  /** Samples and events older than this are dropped at compaction. Default 72 h. */
  retentionMs?: number;
  /**
   * Compact when the file grows past this many bytes (at least 1.5× its last compacted size) and something in
   * it is past the retention; checked every thousand appends and when a writer closes, never at open. Default 32 MiB.
   */
  compactAtBytes?: number;
  /** fdatasync cadence. Default 1000 ms. */
  syncIntervalMs?: number;
  /**
   * Told when an append fails (disk full, I/O error), at most once a minute; the record is dropped and the
   * console keeps running. Without it, a failed append throws.
   */
  onError?: (err: Error) => void;
}

export interface Journal {
  readonly path: string;
  appendSample(targetId: string, sample: Sample, extra?: { message?: string; headroom?: readonly Headroom[]; evidence?: Evidence }): void;
  /** A finished probe run, as the engine's onResult hook hands it over. */
  appendResult(targetId: string, result: ProbeResult, at: number): void;
  appendEvent(event: EngineEvent): void;
  appendBlocker(record: { opened: Blocker } | { resolved: ResolvedRecord }): void;
  appendReport(summary: ReportSummary): void;
  /**
   * Samples and events at or after `sinceMs`, open blockers of any age. The first load reads the whole file;
   * later ones only what was appended (the whole file again if it was replaced or shrank).
   */
  load(sinceMs?: number): JournalHistory;
  /** Drops what is older than the retention, atomically (temp file + rename). Returns false if another process holds the lock. */
  compact(): boolean;
  close(): void;
}

export const DEFAULT_RETENTION_MS = 72 * 3_600_000;
const STATUS_CODE: Record<Status, number> = { up: 0, degraded: 1, down: 2 };
/** How often (in appends) to check whether compaction is due. */
const CHECK_EVERY = 1_000;
/** Compaction runs once the oldest record is this much older than the retention. */
const AGE_SLACK_MS = 12 * 3_600_000;

/** `$XDG_STATE_HOME/pitwall`, else `~/.local/state/pitwall`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const xdg = env.XDG_STATE_HOME;
  return xdg && isAbsolute(xdg) ? join(xdg, 'pitwall') : join(home, '.local', 'state', 'pitwall');
}

/** --state-dir, else the config's stateDir, else the default. */
export function resolveStateDir(opts: { flag?: string | undefined; config?: Pick<Config, 'stateDir'>; env?: NodeJS.ProcessEnv } = {}): string {
  if (opts.flag) return resolve(opts.flag);
  return opts.config?.stateDir ?? defaultStateDir(opts.env);
}

/** The journal file for a config: keyed by a hash of the config's absolute path. */
export function journalPath(dir: string, configPath: string | null): string {
  const key = createHash('sha256').update(configPath ? resolve(configPath) : '(no config file)').digest('hex').slice(0, 12);
  return join(resolve(dir), `journal-${key}.jsonl`);
}

/** The stored evidence of a non-up result; undefined for an up one. */
export function evidenceOf(result: ProbeResult): Evidence | undefined {
  if (result.status === 'up') return undefined;
  const e: Evidence = {};
  const err = result.error;
  const d = result.details;
  const httpStatus = err?.httpStatus ?? (typeof d.httpStatus === 'number' ? d.httpStatus : undefined);
  if (httpStatus !== undefined) e.httpStatus = httpStatus;
  if (err?.code !== undefined) e.code = err.code;
  if (err?.evidence) e.evidence = err.evidence;
  if (typeof d.bodyExcerpt === 'string' && d.bodyExcerpt) e.bodyExcerpt = d.bodyExcerpt;
  if (typeof d.stderrTail === 'string' && d.stderrTail) e.stderrTail = d.stderrTail;
  if (err?.retryAfterMs !== undefined) e.retryAfterMs = err.retryAfterMs;
  if (result.status === 'degraded') e.reason = result.reason;
  const subs = (result.subChecks ?? []).filter((s) => s.status !== 'up');
  if (subs.length) {
    e.subChecks = subs.map((s) => ({
      name: s.name,
      status: s.status,
      ...(s.tile ? { tile: s.tile } : {}),
      ...(s.error ? { kind: s.error.kind, message: s.error.message } : {}),
    }));
  }
  return e;
}

/** Rebuilds a ProbeResult from a journal sample and the evidence stored with its failing streak. */
export function resultFromSample(s: JournalSample, evidence?: Evidence): ProbeResult {
  const details: Record<string, unknown> = {};
  if (evidence?.httpStatus !== undefined) details.httpStatus = evidence.httpStatus;
  if (evidence?.bodyExcerpt) details.bodyExcerpt = evidence.bodyExcerpt;
  if (evidence?.stderrTail) details.stderrTail = evidence.stderrTail;
  const error: ProbeError | null = s.errorKind
    ? {
        kind: s.errorKind,
        message: s.message ?? s.errorKind,
        ...(evidence?.httpStatus !== undefined ? { httpStatus: evidence.httpStatus } : {}),
        ...(evidence?.code !== undefined ? { code: evidence.code } : {}),
        ...(evidence?.evidence ? { evidence: evidence.evidence } : {}),
        ...(evidence?.retryAfterMs !== undefined ? { retryAfterMs: evidence.retryAfterMs } : {}),
      }
    : null;
  const subChecks: SubCheck[] | undefined = evidence?.subChecks?.map((x) => ({
    name: x.name,
    status: x.status,
    latencyMs: null,
    error: x.kind ? { kind: x.kind, message: x.message ?? x.kind } : null,
    ...(x.tile ? { tile: x.tile } : {}),
  }));
  const base = {
    latencyMs: s.latencyMs,
    details,
    ...(s.headroom ? { headroom: s.headroom } : {}),
    ...(subChecks ? { subChecks } : {}),
  };
  if (s.status === 'down') return { ...base, status: 'down', error: error ?? { kind: 'protocol', message: s.message ?? 'down' } };
  if (s.status === 'degraded') return { ...base, status: 'degraded', error, reason: evidence?.reason ?? s.message ?? 'degraded' };
  return { ...base, status: 'up', error: null };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** A span of the file (bytes) whose latest sample or event time is remembered, so a load skips older spans. */
const SPAN_BYTES = 64 * 1024;
/** Bytes just before the end of what was read that must be unchanged for the next load to carry on from there. */
const MARK_BYTES = 64;
const NEWLINE = 0x0a;

/**
 * What the loads so far have read of the file. The next load reads only what was appended since (same
 * file, grown, the bytes before the end unchanged), and re-reads only the spans that hold samples or
 * events as recent as it asks for. A file replaced (compaction) or shrunk is read again from the start.
 */
interface Scanned {
  dev: number;
  ino: number;
  birthtimeMs: number;
  /** Offset just after the last complete line read. */
  end: number;
  mark: Buffer;
  /** Open blockers, id → their line, in the order they were opened. */
  open: Map<unknown, string>;
  /** Each target's latest evidence, as the sample line that carries it. */
  evidence: Map<string, { at: number; line: string }>;
  reports: string[];
  skipped: number;
  /** Per span of the file, flat: start, end, the latest sample or event time in it. */
  spans: number[];
}

/** Where the reader appends a target's samples. */
type Into = (id: string) => SampleColumnsWriter;

const blockerOf = (line: string) => (parseLine(line) as { blocker: Blocker }).blocker;

export function openJournal(opts: JournalOptions): Journal {
  const now = opts.now ?? Date.now;
  const redactor = opts.redactor ?? createRedactor();
  const retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_MS;
  const compactAtBytes = opts.compactAtBytes ?? 32 * 1024 * 1024;
  const dir = resolve(opts.dir);
  const path = journalPath(dir, opts.configPath);
  mkdirSync(dir, { recursive: true });

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
  let scanned: Scanned | null = null;
  /** Last evidence written per target, so an unchanged outage does not repeat it on every sample. */
  const lastEvidence = new Map<string, string>();

  function openFile(): void {
    fd = openSync(path, 'a+', 0o600);
    const st = fstatSync(fd);
    ino = st.ino;
    if (st.size === 0) {
      writeSync(fd, `${JSON.stringify({ journal: 1, config: opts.configPath })}\n`);
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
      if (!r || r.kind === 'header' || r.kind === 'opened' || (r.kind === 'sample' && r.evidence)) continue;
      oldestAt = recordAt(r);
      oldestKnown = true;
      return;
    }
  }

  openFile();
  readOldest();

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

  function sampleLine(id: string, s: Sample, extra: { message?: string; headroom?: readonly Headroom[]; evidence?: Evidence }): string {
    const row: unknown[] = [id, s.at, STATUS_CODE[s.status], s.latencyMs === null ? null : round1(s.latencyMs)];
    const message = extra.message ?? (s as JournalSample).message;
    const headroom = extra.headroom ?? (s as JournalSample).headroom;
    row.push(s.errorKind ?? null, message === undefined ? null : redactor.text(message));
    row.push(headroom?.length ? headroom.map((h) => [h.name, h.remaining, h.limit]) : null);
    if (s.status === 'up') lastEvidence.delete(id);
    else if (extra.evidence) {
      const ev = JSON.stringify(redactor.value(extra.evidence));
      if (lastEvidence.get(id) !== ev) {
        lastEvidence.set(id, ev);
        row.push(JSON.parse(ev));
      }
    }
    while (row.length > 4 && row[row.length - 1] === null) row.pop();
    return JSON.stringify(row);
  }

  /** What was read of the file open as `rfd`, if it is still the same file; else a fresh start. */
  function scannedFor(rfd: number, st: Stats): Scanned {
    const s = scanned;
    if (s && s.dev === st.dev && s.ino === st.ino && s.birthtimeMs === st.birthtimeMs && st.size >= s.end) {
      const mark = Buffer.alloc(s.mark.length);
      if (readSync(rfd, mark, 0, mark.length, s.end - mark.length) === mark.length && mark.equals(s.mark)) return s;
    }
    scanned = { dev: st.dev, ino: st.ino, birthtimeMs: st.birthtimeMs, end: 0, mark: Buffer.alloc(0), open: new Map(), evidence: new Map(), reports: [], skipped: 0, spans: [] };
    return scanned;
  }

  /**
   * Reads the complete lines appended since `s.end` into `s` (blockers, evidence, reports, lines skipped,
   * spans), appending samples at or after `since` to `into(id)` (none without it) and events to `events`.
   */
  function advance(rfd: number, s: Scanned, size: number, since: number, into: Into | null, events: EngineEvent[]): void {
    let spanStart = s.end;
    // Doubles the closure below updates on every line: in a typed array, not boxed anew each time.
    const spanMax = new Float64Array([-Infinity]);
    // Carry on the last span while it is short, so a load every minute does not add a span every minute.
    const n = s.spans.length;
    if (n && s.spans[n - 2]! - s.spans[n - 3]! < SPAN_BYTES) {
      spanStart = s.spans[n - 3]!;
      spanMax[0] = s.spans[n - 1]!;
      s.spans.length = n - 3;
    }
    const end = readChunks(rfd, s.end, size, (b, offset) => {
      for (let start = 0; start < b.length; ) {
        // Samples at or after `since` are in their columns already.
        const k = scanLine(b, start, since, true, into);
        const e = k === NOT_SIMPLE ? b.indexOf(NEWLINE, start) : fast.end;
        const at = fast.at;
        if (k === OLDER || k === TAKEN) {
          if (at > spanMax[0]!) spanMax[0] = at;
        } else if (k === EVIDENCE) {
          const line = b.toString('utf8', start, e);
          s.evidence.set(fast.id, { at, line });
          if (at > spanMax[0]!) spanMax[0] = at;
        } else if (k === EVENT) {
          if (at > spanMax[0]!) spanMax[0] = at;
          if (at >= since) events.push((parseLine(b.toString('utf8', start, e)) as { event: EngineEvent }).event);
        } else if (start < e) {
          const line = b.toString('utf8', start, e);
          const r = parseLine(line);
          if (!r) s.skipped++;
          else if (r.kind === 'sample') {
            if (r.evidence) s.evidence.set(r.id, { at: r.sample.at, line });
            if (r.sample.at > spanMax[0]!) spanMax[0] = r.sample.at;
            if (into && r.sample.at >= since) into(r.id).push(r.sample);
          } else if (r.kind === 'event') {
            // Not a number (a hand-edited line): compared as JSON.parse left it, so its span is always read.
            const t = typeof r.event.at === 'number' ? r.event.at : Infinity;
            if (t > spanMax[0]!) spanMax[0] = t;
            if (r.event.at >= since) events.push(r.event);
          } else if (r.kind === 'opened') s.open.set(r.blocker.id, line);
          else if (r.kind === 'resolved') s.open.delete(r.resolved.id);
          else if (r.kind === 'report') s.reports.push(line);
        }
        start = e + 1;
        if (offset + start - spanStart >= SPAN_BYTES) {
          s.spans.push(spanStart, offset + start, spanMax[0]!);
          spanStart = offset + start;
          spanMax[0] = -Infinity;
        }
      }
    });
    if (end > spanStart) s.spans.push(spanStart, end, spanMax[0]!);
    if (end !== s.end) {
      s.end = end;
      s.mark = Buffer.alloc(Math.min(MARK_BYTES, end));
      readSync(rfd, s.mark, 0, s.mark.length, end - s.mark.length);
    }
  }

  /** Samples and events at or after `since` from the spans already read that may hold any. */
  function reread(rfd: number, s: Scanned, since: number, into: Into, events: EngineEvent[]): void {
    const visit = (b: Buffer) => {
      for (let start = 0; start < b.length; ) {
        // Samples at or after `since` are in their columns already.
        const k = scanLine(b, start, since, false, into);
        const e = k === NOT_SIMPLE || fast.end < 0 ? b.indexOf(NEWLINE, start) : fast.end;
        if (k === EVENT && fast.at >= since) events.push((parseLine(b.toString('utf8', start, e)) as { event: EngineEvent }).event);
        else if (k === NOT_SIMPLE && start < e) {
          const r = parseLine(b.toString('utf8', start, e));
          if (r?.kind === 'sample' && r.sample.at >= since) into(r.id).push(r.sample);
          else if (r?.kind === 'event' && r.event.at >= since) events.push(r.event);
        }
        start = e + 1;
      }
    };
    const spans = s.spans;
    for (let i = 0; i < spans.length; i += 3) {
      if (!(spans[i + 2]! >= since)) continue;
      // Adjacent spans to read are one read.
      let j = i;
      while (j + 3 < spans.length && spans[j + 5]! >= since) j += 3;
      readChunks(rfd, spans[i]!, spans[j + 1]!, visit);
      i = j;
    }
  }

  /** The bytes after the last complete line: a torn line, or one another process is writing right now. */
  function readTail(rfd: number, from: number, size: number): string {
    if (size <= from) return '';
    const buf = Buffer.alloc(size - from);
    return buf.subarray(0, readSync(rfd, buf, 0, buf.length, from)).toString('utf8');
  }

  const journal: Journal = {
    path,
    appendSample(targetId, sample, extra = {}) {
      write(sampleLine(targetId, sample, extra), sample.at);
    },
    appendResult(targetId, r, at) {
      const sample: Sample = { at, status: r.status, latencyMs: r.status === 'down' ? null : r.latencyMs, ...(r.error ? { errorKind: r.error.kind } : {}) };
      // An up result may carry a notice worth the hourly report (a vendor maintenance scheduled within the day).
      const message = r.error?.message ?? (r.status === 'degraded' ? r.reason : typeof r.details.notice === 'string' ? r.details.notice : undefined);
      const evidence = evidenceOf(r);
      write(
        sampleLine(targetId, sample, {
          ...(message !== undefined ? { message } : {}),
          ...(r.headroom ? { headroom: r.headroom } : {}),
          ...(evidence ? { evidence } : {}),
        }),
        at,
      );
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
      const out: JournalHistory = { samples: {}, events: [], blockers: [], evidence: {}, reports: [], skipped: 0 };
      const samples = new Map<string, SampleColumnsWriter>();
      const into = (id: string) => {
        let w = samples.get(id);
        if (!w) samples.set(id, (w = new SampleColumnsWriter()));
        return w;
      };
      const rfd = openSync(path, 'r');
      let tail: string;
      let s: Scanned;
      try {
        const st = fstatSync(rfd);
        s = scannedFor(rfd, st);
        // In file order: what was read before, then what was appended since, then a torn last line.
        reread(rfd, s, sinceMs, into, out.events);
        advance(rfd, s, st.size, sinceMs, into, out.events);
        tail = readTail(rfd, s.end, st.size);
      } finally {
        closeSync(rfd);
      }
      out.skipped = s.skipped;
      for (const [id, { at, line }] of s.evidence) out.evidence[id] = { at, evidence: (parseLine(line) as { evidence: Evidence }).evidence };
      const open = new Map(s.open);
      const reports = [...s.reports];
      // Not part of what was read for good: the line may be finished by the time of the next load.
      const r = tail ? parseLine(tail) : null;
      if (tail && !r) out.skipped++;
      else if (r?.kind === 'sample') {
        if (r.evidence) out.evidence[r.id] = { at: r.sample.at, evidence: r.evidence };
        if (r.sample.at >= sinceMs) into(r.id).push(r.sample);
      } else if (r?.kind === 'event' && r.event.at >= sinceMs) out.events.push(r.event);
      else if (r?.kind === 'opened') open.set(r.blocker.id, tail);
      else if (r?.kind === 'resolved') open.delete(r.resolved.id);
      else if (r?.kind === 'report') reports.push(tail);
      // Sorted by time if appends from two processes interleaved (finish() does, stably).
      for (const [id, w] of samples) out.samples[id] = w.finish();
      out.events.sort((a, b) => a.at - b.at);
      out.reports = reports.map((line) => (parseLine(line) as { summary: ReportSummary }).summary).sort((a, b) => a.at - b.at);
      out.blockers = [...open.values()].map(blockerOf).sort((a, b) => a.openedAt - b.openedAt);
      return out;
    },
    compact() {
      let release: (() => void) | undefined;
      try {
        release = lockfile.lockSync(path, { lockfilePath: `${path}.lock`, realpath: false, stale: 10_000, onCompromised: () => undefined });
      } catch {
        return false;
      }
      try {
        const cutoff = now() - retentionMs;
        const tmp = `${path}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
        // Updated on every line kept: in a typed array, not a double boxed anew each time.
        const oldest = new Float64Array([Infinity]);
        let copyFrom: number;
        // The old file stays open: records another process appends to it while we work are copied over after the rename.
        const oldFd = openSync(path, 'r');
        try {
          const wfd = openSync(tmp, 'w', 0o600);
          try {
            const st = fstatSync(oldFd);
            const s = scannedFor(oldFd, st);
            advance(oldFd, s, st.size, Infinity, null, []);
            const out = lineWriter(wfd);
            out.line(JSON.stringify({ journal: 1, config: opts.configPath }));
            // Old but still needed, first: blockers that are open, and each target's latest evidence.
            for (const line of s.open.values()) out.line(line);
            for (const { at, line } of s.evidence.values()) if (!(at >= cutoff)) out.line(line);
            readChunks(oldFd, 0, s.end, (b) => {
              for (let start = 0; start < b.length; ) {
                const k = scanLine(b, start, Infinity, true, null);
                const e = k === NOT_SIMPLE ? b.indexOf(NEWLINE, start) : fast.end;
                let at: number | null = fast.at;
                if (k === NOT_SIMPLE) {
                  const r = start < e ? parseLine(b.toString('utf8', start, e)) : null;
                  at = !r || r.kind === 'header' || r.kind === 'opened' ? null : recordAt(r);
                }
                if (at !== null && at >= cutoff) {
                  out.bytes(b, start, e + 1);
                  if (at < oldest[0]!) oldest[0] = at;
                }
                start = e + 1;
              }
            });
            copyFrom = s.end;
            const tail = readTail(oldFd, s.end, st.size);
            if (tail && parseLine(tail)) {
              out.line(tail);
              copyFrom = st.size;
            }
            out.flush();
            fsyncSync(wfd);
          } catch (err) {
            // A full disk: leave no partial copy behind to keep it full.
            closeSync(wfd);
            rmSync(tmp, { force: true });
            throw err;
          }
          closeSync(wfd);
          renameSync(tmp, path);
          // Complete lines only: one being written is finished there, or torn for good.
          const end = fstatSync(oldFd).size;
          if (end > copyFrom) {
            const afd = openSync(path, 'a');
            try {
              const out = lineWriter(afd);
              readChunks(oldFd, copyFrom, end, (b) => out.bytes(b, 0, b.length));
              out.flush();
            } finally {
              closeSync(afd);
            }
          }
        } finally {
          closeSync(oldFd);
        }
        const dfd = openSync(dirname(path), 'r');
        try {
          fsyncSync(dfd);
        } catch {
          // Not every file system syncs directories.
        } finally {
          closeSync(dfd);
        }
        if (fd >= 0) closeSync(fd);
        openFile();
        scanned = null;
        oldestAt = oldest[0] === Infinity ? null : oldest[0]!;
        oldestKnown = true;
        firstAppendedAt = null;
        threshold = Math.max(compactAtBytes, Math.round(fstatSync(fd).size * 1.5));
        return true;
      } finally {
        release();
      }
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
      } finally {
        closeSync(fd);
        fd = -1;
      }
    },
  };
  return journal;
}

/**
 * The state as the journal remembers it: samples, the latest result (with its evidence), failure
 * streaks, open blockers and events. For headless commands, and for showing last-known status at start.
 */
export function stateFromHistory(state: State, history: JournalHistory): State {
  const targets: Record<string, TargetState> = { ...state.targets };
  for (const [id, t] of Object.entries(state.targets)) {
    const samples = history.samples[id];
    const last = samples?.at(-1);
    if (!samples || !last) continue;
    const s = streaksOf(samples);
    const ev = history.evidence[id];
    const evidence = ev && last.status !== 'up' && ev.at >= (s.failingSince ?? Infinity) ? ev.evidence : undefined;
    targets[id] = {
      ...t,
      samples: historyOf(samples),
      latest: resultFromSample(last, evidence),
      checkedAt: last.at,
      ...s,
    };
  }
  const blockers = { ...state.blockers };
  for (const b of history.blockers) blockers[b.id] = b;
  return { ...state, targets, blockers, events: [...history.events, ...state.events].slice(-EVENT_CAPACITY) };
}

/**
 * Journals what the store does from now on: new events, blockers opened and resolved. Call it after
 * dispatching `history-loaded`, so loaded history is not journaled twice. Returns the unsubscribe.
 */
export function attachJournal(store: Store, journal: Journal): () => void {
  const seen = new WeakSet<EngineEvent>();
  let last = store.getSnapshot();
  for (const e of last.events) seen.add(e);
  return store.subscribe(() => {
    const next = store.getSnapshot();
    if (next === last) return;
    if (next.events !== last.events) {
      const fresh: EngineEvent[] = [];
      for (let i = next.events.length - 1; i >= 0 && !seen.has(next.events[i]!); i--) fresh.push(next.events[i]!);
      for (const e of fresh.reverse()) {
        seen.add(e);
        journal.appendEvent(e);
      }
    }
    if (next.blockers !== last.blockers) {
      for (const [id, b] of Object.entries(next.blockers)) if (!last.blockers[id]) journal.appendBlocker({ opened: b });
      for (const [id, b] of Object.entries(last.blockers)) {
        if (!next.blockers[id]) {
          const resolved = [...next.events].reverse().find((e) => e.type === 'resolved' && e.blockerId === id);
          journal.appendBlocker({ resolved: { id, targetId: b.targetId, at: resolved?.at ?? Date.now() } });
        }
      }
    }
    last = next;
  });
}
