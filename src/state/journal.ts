/**
 * The journal: every sample, event and blocker as JSON lines in the user's state folder, one file per
 * config, so a restart (or kill -9) keeps the hour's history and the open blockers.
 *
 * Line formats (samples are >99% of lines, so they are compact positional arrays):
 *   ["shopify-admin",1760364000000,0,123.4]                 id, at (ms), status 0 up/1 degraded/2 down, latency
 *   ["shopify-admin",1760364015000,2,null,"timeout","no answer…",[["throttle",40,1000]],{…evidence}]
 *   {"journal":1,"config":"/abs/pitwall.yaml"}              header, first line
 *   {"ev":{…EngineEvent}}   {"bo":{…Blocker}}   {"br":{"id","targetId","at","note"?}}   {"rp":{…ReportSummary}}
 * Trailing optional fields are omitted. A typical up sample is ~40 bytes: 72 h of 15 targets every 15 s
 * (259,200 samples) is ~11 MB and loads in a few hundred milliseconds.
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
  statSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import type { ErrorKind, Headroom, ProbeError, ProbeResult, Status, SubCheck } from '../probes/types.js';
import type { Config, TileId } from './config.js';
import { createRedactor, type Redactor } from './redact.js';
import type { ReportSummary } from './report.js';
import type { Sample } from './stats.js';
import { EVENT_CAPACITY, SAMPLE_CAPACITY, type Blocker, type EngineEvent, type State, type Store, type TargetState } from './store.js';

/** A sample as the journal keeps it: what the screen needs, plus the error message and headroom. */
export interface JournalSample extends Sample {
  message?: string;
  headroom?: Headroom[];
}

/** What a failing check showed, kept so a later `pitwall escalate` can cite it. */
export interface Evidence {
  httpStatus?: number;
  code?: string | number;
  /** Body excerpt that shows the failure (ProbeError.evidence). */
  evidence?: string;
  bodyExcerpt?: string;
  stderrTail?: string;
  retryAfterMs?: number;
  /** Why a check was degraded. */
  reason?: string;
  subChecks?: { name: string; status: Status; tile?: TileId; kind?: ErrorKind; message?: string }[];
}

export interface ResolvedRecord {
  id: string;
  targetId: string;
  at: number;
  note?: string;
}

/** What load() returns: enough to rebuild the screen, the report and open blockers. */
export interface JournalHistory {
  /** Per target, oldest first. */
  samples: Record<string, JournalSample[]>;
  events: EngineEvent[];
  /** Blockers opened and not resolved, whatever their age. */
  blockers: Blocker[];
  /** The latest evidence per target (from its latest failing check). */
  evidence: Record<string, { at: number; evidence: Evidence }>;
  /** Hourly report summaries, oldest first, whatever their age (compaction keeps the retention's worth). */
  reports: ReportSummary[];
  /** Lines that could not be parsed (a torn last line after a crash). */
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
  /** Compact when the file grows past this many bytes (at least 1.5× its last compacted size). Default 32 MiB. */
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
  /** Reads the whole journal: samples and events at or after `sinceMs`, open blockers of any age. */
  load(sinceMs?: number): JournalHistory;
  /** Drops what is older than the retention, atomically (temp file + rename). Returns false if another process holds the lock. */
  compact(): boolean;
  close(): void;
}

export const DEFAULT_RETENTION_MS = 72 * 3_600_000;
const STATUS_CODE: Record<Status, number> = { up: 0, degraded: 1, down: 2 };
const CODE_STATUS: readonly Status[] = ['up', 'degraded', 'down'];
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

type Rec =
  | { kind: 'sample'; id: string; sample: JournalSample; evidence?: Evidence }
  | { kind: 'event'; event: EngineEvent }
  | { kind: 'opened'; blocker: Blocker }
  | { kind: 'resolved'; resolved: ResolvedRecord }
  | { kind: 'report'; summary: ReportSummary }
  | { kind: 'header' };

function parseLine(line: string): Rec | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (Array.isArray(v)) {
    const [id, at, st, lat, kind, msg, head, ev] = v as unknown[];
    if (typeof id !== 'string' || typeof at !== 'number' || typeof st !== 'number' || !CODE_STATUS[st]) return null;
    const sample: JournalSample = { at, status: CODE_STATUS[st], latencyMs: typeof lat === 'number' ? lat : null };
    if (typeof kind === 'string') sample.errorKind = kind as ErrorKind;
    if (typeof msg === 'string') sample.message = msg;
    if (Array.isArray(head)) sample.headroom = (head as [string, number, number][]).map(([name, remaining, limit]) => ({ name, remaining, limit }));
    return ev && typeof ev === 'object' ? { kind: 'sample', id, sample, evidence: ev as Evidence } : { kind: 'sample', id, sample };
  }
  if (v === null || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (o.ev && typeof o.ev === 'object') return { kind: 'event', event: o.ev as EngineEvent };
  if (o.bo && typeof o.bo === 'object') return { kind: 'opened', blocker: o.bo as Blocker };
  if (o.br && typeof o.br === 'object') return { kind: 'resolved', resolved: o.br as ResolvedRecord };
  if (o.rp && typeof o.rp === 'object') return { kind: 'report', summary: o.rp as ReportSummary };
  if (o.journal !== undefined) return { kind: 'header' };
  return null;
}

function recordAt(r: Rec): number | null {
  switch (r.kind) {
    case 'sample':
      return r.sample.at;
    case 'event':
      return r.event.at;
    case 'opened':
      return r.blocker.openedAt;
    case 'resolved':
      return r.resolved.at;
    case 'report':
      return r.summary.at;
    case 'header':
      return null;
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;

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
  let oldestAt: number | null = null;
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

  function readOldest(): number | null {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    for (const line of buf.subarray(0, n).toString('utf8').split('\n').slice(0, -1)) {
      const r = parseLine(line);
      const at = r ? recordAt(r) : null;
      if (at !== null) return at;
    }
    return null;
  }

  openFile();
  oldestAt = readOldest();

  let lastErrorAt = -Infinity;
  function write(line: string): void {
    if (fd < 0) return;
    try {
      // Another process may have compacted (renamed a new file over ours): follow the path.
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st || st.ino !== ino) {
        closeSync(fd);
        openFile();
      }
      writeSync(fd, `${line}\n`);
      dirty = true;
      if (++appends % CHECK_EVERY === 0) maybeCompact();
    } catch (err) {
      if (!opts.onError) throw err;
      if (now() - lastErrorAt >= 60_000) {
        lastErrorAt = now();
        opts.onError(err as Error);
      }
    }
  }

  function maybeCompact(): void {
    const size = fstatSync(fd).size;
    const tooOld = oldestAt !== null && oldestAt < now() - retentionMs - AGE_SLACK_MS;
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

  function readAll(): { text: string; size: number } {
    const rfd = openSync(path, 'r');
    try {
      const size = fstatSync(rfd).size;
      const buf = Buffer.alloc(size);
      let off = 0;
      while (off < size) {
        const n = readSync(rfd, buf, off, size - off, off);
        if (n === 0) break;
        off += n;
      }
      return { text: buf.subarray(0, off).toString('utf8'), size: off };
    } finally {
      closeSync(rfd);
    }
  }

  const journal: Journal = {
    path,
    appendSample(targetId, sample, extra = {}) {
      write(sampleLine(targetId, sample, extra));
    },
    appendResult(targetId, r, at) {
      const sample: Sample = { at, status: r.status, latencyMs: r.status === 'down' ? null : r.latencyMs, ...(r.error ? { errorKind: r.error.kind } : {}) };
      const message = r.error?.message ?? (r.status === 'degraded' ? r.reason : undefined);
      const evidence = evidenceOf(r);
      write(
        sampleLine(targetId, sample, {
          ...(message !== undefined ? { message } : {}),
          ...(r.headroom ? { headroom: r.headroom } : {}),
          ...(evidence ? { evidence } : {}),
        }),
      );
    },
    appendEvent(event) {
      write(JSON.stringify({ ev: redactor.value(event) }));
    },
    appendBlocker(record) {
      if ('opened' in record) write(JSON.stringify({ bo: redactor.value(record.opened) }));
      else write(JSON.stringify({ br: redactor.value(record.resolved) }));
    },
    appendReport(summary) {
      write(JSON.stringify({ rp: summary }));
    },
    load(sinceMs = -Infinity) {
      const { text } = readAll();
      const out: JournalHistory = { samples: {}, events: [], blockers: [], evidence: {}, reports: [], skipped: 0 };
      const open = new Map<string, Blocker>();
      const lines = text.split('\n');
      // The last element is '' after a final newline, or a torn line that has not been finished.
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (line === '') continue;
        // Most lines are samples older than asked for: read their time without parsing them (ids
        // are [a-z0-9-], so `",` ends the id). Lines carrying evidence (`…}]`) are parsed anyway.
        if (sinceMs > -Infinity && line.charCodeAt(0) === 0x5b && !line.endsWith('}]')) {
          const q = line.indexOf('",', 2);
          const at = q > 0 ? Number(line.slice(q + 2, line.indexOf(',', q + 2))) : NaN;
          if (at < sinceMs) continue;
        }
        const r = parseLine(line);
        if (!r) {
          out.skipped++;
          continue;
        }
        switch (r.kind) {
          case 'sample': {
            if (r.evidence) out.evidence[r.id] = { at: r.sample.at, evidence: r.evidence };
            if (r.sample.at < sinceMs) break;
            (out.samples[r.id] ??= []).push(r.sample);
            break;
          }
          case 'event':
            if (r.event.at >= sinceMs) out.events.push(r.event);
            break;
          case 'opened':
            open.set(r.blocker.id, r.blocker);
            break;
          case 'resolved':
            open.delete(r.resolved.id);
            break;
          case 'report':
            out.reports.push(r.summary);
            break;
          case 'header':
            break;
        }
      }
      // Appends from two processes can interleave by a few milliseconds.
      for (const list of Object.values(out.samples)) {
        for (let i = 1; i < list.length; i++) {
          if (list[i]!.at < list[i - 1]!.at) {
            list.sort((a, b) => a.at - b.at);
            break;
          }
        }
      }
      out.events.sort((a, b) => a.at - b.at);
      out.reports.sort((a, b) => a.at - b.at);
      out.blockers = [...open.values()].sort((a, b) => a.openedAt - b.openedAt);
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
        const { text, size } = readAll();
        const lines = text.split('\n');
        const tail = lines.pop() ?? ''; // '' or a torn line
        const keep: string[] = [JSON.stringify({ journal: 1, config: opts.configPath })];
        const open = new Map<string, string>();
        const evidenceLine = new Map<string, { index: number; line: string }>();
        let oldest: number | null = null;
        const kept: (string | null)[] = [];
        for (const line of lines) {
          const r = parseLine(line);
          if (!r || r.kind === 'header') continue;
          if (r.kind === 'opened') open.set(r.blocker.id, line);
          if (r.kind === 'resolved') open.delete(r.resolved.id);
          if (r.kind === 'sample' && r.evidence) evidenceLine.set(r.id, { index: kept.length, line });
          const at = recordAt(r)!;
          if (at >= cutoff && r.kind !== 'opened') {
            kept.push(line);
            oldest = oldest === null ? at : Math.min(oldest, at);
          } else kept.push(null);
        }
        // Old but still needed: blockers that are open, and each target's latest evidence.
        for (const line of open.values()) keep.push(line);
        for (const { index, line } of evidenceLine.values()) if (kept[index] === null) keep.push(line);
        for (const line of kept) if (line !== null) keep.push(line);
        if (tail && parseLine(tail)) keep.push(tail);
        const tmp = `${path}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
        const wfd = openSync(tmp, 'w', 0o600);
        try {
          writeSync(wfd, `${keep.join('\n')}\n`);
          fsyncSync(wfd);
        } finally {
          closeSync(wfd);
        }
        // Records another process appended to the old file while we worked must not be lost.
        const oldFd = openSync(path, 'r');
        renameSync(tmp, path);
        try {
          const end = fstatSync(oldFd).size;
          if (end > size) {
            const extra = Buffer.alloc(end - size);
            readSync(oldFd, extra, 0, extra.length, size);
            const add = extra.toString('utf8');
            const cut = add.lastIndexOf('\n');
            if (cut >= 0) {
              const afd = openSync(path, 'a');
              writeSync(afd, add.slice(0, cut + 1));
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
        oldestAt = oldest;
        threshold = Math.max(compactAtBytes, Math.round(fstatSync(fd).size * 1.5));
        return true;
      } finally {
        release();
      }
    },
    close() {
      clearInterval(syncTimer);
      if (fd < 0) return;
      try {
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
        fd = -1;
      }
    },
  };
  if (fstatSync(fd).size > threshold) journal.compact();
  return journal;
}

/** Counts the trailing streak of a target's samples: failures in a row, when non-up began, when the status began. */
function streaks(samples: readonly Sample[]): { consecutiveFailures: number; failingSince: number | null; statusSince: number | null } {
  let consecutiveFailures = 0;
  let failingSince: number | null = null;
  let statusSince: number | null = null;
  const last = samples[samples.length - 1];
  if (!last) return { consecutiveFailures, failingSince, statusSince };
  let countingDown = true;
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i]!;
    if (countingDown && s.status === 'down') consecutiveFailures++;
    else countingDown = false;
    if (s.status === last.status) statusSince = s.at;
    else break;
  }
  if (last.status !== 'up') {
    for (let i = samples.length - 1; i >= 0 && samples[i]!.status !== 'up'; i--) failingSince = samples[i]!.at;
  }
  // statusSince stops at the first change; consecutiveFailures must too (already does, down is one status).
  return { consecutiveFailures, failingSince, statusSince };
}

/**
 * The state as the journal remembers it: samples, the latest result (with its evidence), failure
 * streaks, open blockers and events. For headless commands, and for showing last-known status at start.
 */
export function stateFromHistory(state: State, history: JournalHistory): State {
  const targets: Record<string, TargetState> = { ...state.targets };
  for (const [id, t] of Object.entries(state.targets)) {
    const samples = history.samples[id];
    const last = samples?.[samples.length - 1];
    if (!samples || !last) continue;
    const s = streaks(samples);
    const ev = history.evidence[id];
    const evidence = ev && last.status !== 'up' && ev.at >= (s.failingSince ?? Infinity) ? ev.evidence : undefined;
    targets[id] = {
      ...t,
      samples: samples.slice(-SAMPLE_CAPACITY),
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
