/**
 * The hourly report's figures, computed from an hour of the journal: per-target stats, the summary kept for
 * next time, coverage gaps, MCP half-hours, headroom low-water marks, incidents. No markdown here (report.ts
 * renders these).
 */
import type { Status } from '../probes/types.js';
import type { Config, TargetKind, TileId } from '../config/config.js';
import type { EraRecord, JournalSample, ReportSummary } from '../journal/records.js';
import { heldWhyOf } from '../state/derive.js';
import type { JournalSampleList } from '../journal/sample-columns.js';
import { windowStats, worstStatus, type WindowStats } from '../state/stats.js';
import type { Blocker, EngineEvent } from '../state/store.js';
import { HOUR_MS } from '../shared/time.js';

/** What the report needs to know about a target. */
export interface ReportTarget {
  id: string;
  name: string;
  kind: TargetKind;
  tiles: readonly TileId[];
  intervalMs?: number;
}

export interface ReportInput {
  hourStart: number;
  hourEnd: number;
  /** Per target, oldest first; may include samples outside the hour (incidents that began earlier). */
  samples: Readonly<Record<string, JournalSampleList>>;
  events: readonly EngineEvent[];
  targets: readonly ReportTarget[];
  /** Blockers open now. */
  blockers: readonly Blocker[];
  previous?: ReportSummary | null;
  /**
   * The heading of the last hourly report in the feedback file, for when the journal has no summary to compare with
   * (it came from a pitwall with another state folder): the report says so instead of "no earlier report".
   */
  previousHeading?: string | null;
  /** True when there was no journal for the hour and one round of checks was run for this report. */
  ranFreshRound?: boolean;
  /** Targets the journal had nothing on for a partial hour, checked once for this report (the others come from it). */
  checkedNow?: readonly string[];
  now: number;
  /** IANA zone for the local-time part of the heading; default: this machine's. */
  timeZone?: string;
  store?: string;
  /** MCP servers' protocol eras as the journal recorded them (JournalHistory.eras), oldest first. */
  eras?: readonly EraRecord[];
}

/**
 * pitwall's own share of the hour, from the journal's samples (whoever wrote them: the console, `pitwall report`'s
 * round, an agent), so the console and a headless report say the same.
 */
export interface SelfHealth {
  /** First samples after a cold start (new connection, TLS, MCP session): kept out of p50/p95. */
  cold: number;
  /** Samples that overlapped a stall of pitwall's own event loop at every re-measure: kept out of p50/p95. */
  stalled: number;
  /** Attempts measured again because pitwall itself stalled during them. */
  remeasured: number;
}

/** The last full hour before `now`, or the current (partial) one. */
export function hourWindow(now: number, which: 'last' | 'current'): { hourStart: number; hourEnd: number } {
  const current = Math.floor(now / HOUR_MS) * HOUR_MS;
  return which === 'current' ? { hourStart: current, hourEnd: current + HOUR_MS } : { hourStart: current - HOUR_MS, hourEnd: current };
}

/**
 * The report "since the previous report" compares with: the latest one written before `now`, whoever wrote it (the
 * console, `pitwall report`, an agent) and whatever hour it covered — two reports of one hour a few seconds apart
 * compare with each other, not with nothing.
 */
export function previousReport(reports: readonly ReportSummary[], now: number): ReportSummary | null {
  let best: ReportSummary | null = null;
  for (const r of reports) if (r.at <= now && (!best || r.at >= best.at)) best = r;
  return best;
}

export function reportTargets(config: Pick<Config, 'targets'>): ReportTarget[] {
  return config.targets.map((t) => ({ id: t.id, name: t.name ?? t.id, kind: t.kind, tiles: t.tiles, intervalMs: t.intervalSeconds * 1000 }));
}

/** A stretch of non-up samples of one target. */
export interface Incident {
  targetId: string;
  start: number;
  end: number | null;
  worst: Status;
  /** The error that started it: the first sample of its worst status (a slow prelude does not name an outage). */
  firstError: string;
  /** Time it was not up within the report's window (an incident that began earlier counts from the hour's start). */
  lostMs: number;
}

const errorText = (s: JournalSample) => (s.errorKind ? `${s.errorKind}: ${s.message ?? ''}`.trim() : (s.message ?? ''));

/** Maximal runs of non-up samples per target that overlap [from, to). */
function incidents(targetId: string, samples: readonly JournalSample[], from: number, to: number): Incident[] {
  const out: Incident[] = [];
  let cur: (Incident & { firstOfWorst: string; anyError: string }) | null = null;
  const close = (c: NonNullable<typeof cur>) => {
    const { firstOfWorst, anyError, ...inc } = c;
    inc.firstError = firstOfWorst || anyError;
    inc.lostMs = Math.max(0, Math.min(inc.end ?? to, to) - Math.max(inc.start, from));
    out.push(inc);
  };
  for (const s of samples) {
    if (s.status !== 'up') {
      if (!cur) cur = { targetId, start: s.at, end: null, worst: s.status, firstError: '', lostMs: 0, firstOfWorst: '', anyError: '' };
      if (s.status === 'down' && cur.worst !== 'down') {
        cur.worst = 'down';
        cur.firstOfWorst = '';
      }
      const text = errorText(s);
      if (s.status === cur.worst && !cur.firstOfWorst) cur.firstOfWorst = text;
      if (!cur.anyError) cur.anyError = text;
    } else if (cur) {
      cur.end = s.at;
      close(cur);
      cur = null;
    }
  }
  if (cur) close(cur);
  return out.filter((i) => i.start < to && (i.end === null || i.end > from));
}

/**
 * What the MCP servers' probes saw between checks this hour: server deaths and schema changes (journaled as notices),
 * protocol era changes (journaled as era records).
 */
export interface McpEvents {
  id: string;
  exits: { at: number; message: string }[];
  schemaChanges: { at: number; message: string }[];
  /** The era a server answered in changed (eraLabel's words: "legacy", "2026-07-28"). */
  eraChanges: { at: number; from: string; to: string }[];
}

/** An era in a few words: "legacy" for the 2025 initialize handshake, the revision (2026-07-28) for the stateless era. */
export function eraLabel(e: Pick<EraRecord, 'era' | 'protocolVersion'>): string {
  if (e.era.startsWith('legacy')) return 'legacy';
  if (e.era.startsWith('modern')) return e.protocolVersion ?? 'modern';
  return e.era;
}

function mcpEvents(events: readonly EngineEvent[], eras: readonly EraRecord[], ids: ReadonlySet<string>, from: number, to: number): McpEvents[] {
  const byId = new Map<string, McpEvents>();
  const entry = (id: string) => {
    let found = byId.get(id);
    if (!found) byId.set(id, (found = { id, exits: [], schemaChanges: [], eraChanges: [] }));
    return found;
  };
  for (const e of events) {
    if (e.type !== 'notice' || e.at < from || e.at >= to) continue;
    // The prober's wording (src/probes/mcp/prober.ts): "<id>: the server exited (…); restarted", "<id>: tool schemas changed (…)".
    const m = /^(\S+): (the server exited|tool schemas changed)\b(.*)$/s.exec(e.message);
    if (!m || !ids.has(m[1]!)) continue;
    if (m[2] === 'the server exited') entry(m[1]!).exits.push({ at: e.at, message: `${m[2]}${m[3]}` });
    // What changed, without the words the report line says already: "added x; changed y".
    else entry(m[1]!).schemaChanges.push({ at: e.at, message: m[3]!.trim().replace(/^\((.*)\)$/s, '$1') });
  }
  // A record is journaled when the era is not the last one journaled (a restart may repeat it): a change is a record
  // whose era differs from the one before it. The first one known says nothing changed.
  const current = new Map<string, string>();
  for (const e of [...eras].sort((a, b) => a.at - b.at)) {
    if (!ids.has(e.targetId) || e.at >= to) continue;
    const label = eraLabel(e);
    const before = current.get(e.targetId);
    if (e.at >= from && before !== undefined && before !== label) entry(e.targetId).eraChanges.push({ at: e.at, from: before, to: label });
    current.set(e.targetId, label);
  }
  return [...byId.values()];
}

/** A headroom's lowest point in the hour (and its latest reading). */
export interface HeadroomMark {
  remaining: number;
  limit: number;
  at: number;
  latest: { remaining: number; limit: number };
}

/** Headroom low-water marks per target and name within [from, to). */
function lowWater(samples: JournalSampleList, from: number, to: number): Map<string, HeadroomMark> {
  const marks = new Map<string, HeadroomMark>();
  for (const s of samples) {
    if (s.at < from || s.at >= to) continue;
    for (const h of s.headroom ?? []) {
      const ratio = h.limit > 0 ? h.remaining / h.limit : h.remaining;
      const m = marks.get(h.name);
      const mRatio = m ? (m.limit > 0 ? m.remaining / m.limit : m.remaining) : Infinity;
      const latest = { remaining: h.remaining, limit: h.limit };
      if (!m || ratio < mRatio) marks.set(h.name, { remaining: h.remaining, limit: h.limit, at: s.at, latest });
      else m.latest = latest;
    }
  }
  return marks;
}

/** Stretches of the window with no check from any target (pitwall not running, a suspended laptop). */
function coverageGaps(all: number[], from: number, to: number, thresholdMs: number): [number, number][] {
  const times = all.filter((t) => t >= from && t < to).sort((a, b) => a - b);
  const gaps: [number, number][] = [];
  let prev = from;
  for (const t of times) {
    if (t - prev > thresholdMs) gaps.push([prev, t]);
    prev = t;
  }
  if (to - prev > thresholdMs) gaps.push([prev, to]);
  return gaps;
}

/** One target's hour. */
export interface ReportRow {
  t: ReportTarget;
  /** Every sample given for it, as objects, oldest first (incidents may begin before the hour). */
  samples: JournalSample[];
  st: WindowStats;
  /** Its last status this hour; null without data. */
  status: Status | null;
  lastErr: JournalSample | undefined;
  /** Its incidents overlapping the window, oldest first. */
  incidents: Incident[];
  /** Time not up within the window. */
  lostMs: number;
  /** Checked this hour and up at every check: folded into one line. */
  green: boolean;
  /** Its latest check up to the report's `now` (after the hour, for a report written later), and since when it is not up. */
  current: { status: Status | null; notUpSince: number | null };
  /** Its samples this hour kept out of p50/p95, and its attempts measured again because pitwall stalled. */
  self: SelfHealth;
}

/** Everything the report says, computed. */
export interface HourlyReportData {
  /** The end of what the report covers: the hour's end, or just after now for a partial hour. */
  windowEnd: number;
  partial: boolean;
  rows: ReportRow[];
  summary: ReportSummary;
  counts: { down: number; degraded: number; up: number; none: number };
  /** Stretches with no check from any target (none computed for a fresh round: it is one check). */
  gaps: [number, number][];
  /** MCP servers' two half-hours. */
  mcp: { id: string; first: WindowStats; second: WindowStats }[];
  headroom: { id: string; name: string; mark: HeadroomMark }[];
  incidents: Incident[];
  /** Targets without a check this hour. */
  silent: string[];
  /** MCP server deaths, schema changes and era changes this hour, from the journal's notices and era records. */
  mcpEvents: McpEvents[];
  /** pitwall's own share of the hour, all targets together. */
  self: SelfHealth;
  /** Checks held as "unknown: pitwall offline" this hour (its own network was down), first to last; null when none. */
  offline: { from: number; to: number; checks: number } | null;
}

/** A check held while pitwall was offline, as the journal keeps it: a degraded sample whose message is the held reason. */
function heldSample(s: JournalSample): boolean {
  return heldWhyOf(s) !== null;
}

/** Computes the hourly report's figures. Pure: everything comes from the arguments. */
export function computeHourlyReport(input: ReportInput): HourlyReportData {
  const { hourStart, hourEnd, now, targets } = input;
  // A partial hour ends at now, and includes it: a check finished in the report's own millisecond is in it.
  const windowEnd = Math.min(hourEnd, now + 1);
  const partial = now < hourEnd;

  const held: number[] = [];
  const rows: ReportRow[] = targets.map((t) => {
    // Read five times below: as objects once (the journal's columns build a fresh object on every read). A check held
    // while pitwall itself was offline (state/connectivity.ts) is no sample of the target: unknown, not degraded.
    const all = Array.from(input.samples[t.id] ?? []);
    const samples = all.filter((s) => !heldSample(s));
    for (const s of all) if (s.at >= hourStart && s.at < windowEnd && heldSample(s)) held.push(s.at);
    const inHour = samples.filter((s) => s.at >= hourStart && s.at < windowEnd);
    const st = windowStats(inHour);
    const last = inHour[inHour.length - 1];
    const lastErr = [...inHour].reverse().find((s) => s.errorKind || (s.status !== 'up' && s.message));
    const list = incidents(t.id, samples, hourStart, windowEnd);
    const lostMs = list.reduce((n, i) => n + i.lostMs, 0);
    const green = inHour.length > 0 && list.length === 0;
    let k = samples.length - 1;
    while (k >= 0 && samples[k]!.at > now) k--;
    const latest = samples[k];
    let since: number | null = null;
    for (let i = k; i >= 0 && samples[i]!.status !== 'up'; i--) since = samples[i]!.at;
    const current = { status: latest && latest.at >= hourStart ? latest.status : null, notUpSince: since };
    const self: SelfHealth = { cold: 0, stalled: 0, remeasured: 0 };
    for (const s of inHour) {
      if (s.apart) self[s.apart]++;
      self.remeasured += s.remeasured ?? 0;
    }
    return { t, samples, st, status: last?.status ?? null, lastErr, incidents: list, lostMs, green, current, self };
  });

  const summary: ReportSummary = {
    hourStart,
    hourEnd,
    at: now,
    partial,
    // A target without data this hour leaves the hour unknown, never green.
    overall: rows.some((r) => r.status === null) && !rows.some((r) => r.status === 'down' || r.status === 'degraded') ? null : worstStatus(rows.map((r) => r.status)),
    targets: Object.fromEntries(
      rows.map((r) => [r.t.id, { status: r.status, uptimePct: r.st.uptimePct, checks: r.st.checks, failures: r.st.failures, p95: r.st.p95 }]),
    ),
    openBlockers: input.blockers.map((b) => b.id),
  };

  const counts = { down: 0, degraded: 0, up: 0, none: 0 };
  for (const r of rows) counts[r.status ?? 'none']++;

  let gaps: [number, number][] = [];
  if (!input.ranFreshRound) {
    // Held checks ran: the hour is covered while they did.
    const allTimes = [...rows.flatMap((r) => r.samples.map((s) => s.at)), ...held];
    const longest = Math.max(0, ...targets.map((t) => t.intervalMs ?? 0));
    gaps = coverageGaps(allTimes, hourStart, windowEnd, Math.max(120_000, 3 * longest));
  }

  // MCP servers: cold starts and idle-timeouts show up as one bad half hour, so split the hour.
  const mid = hourStart + HOUR_MS / 2;
  const mcp = rows
    .filter((r) => r.t.kind === 'mcp')
    .map((r) => ({ id: r.t.id, first: windowStats(r.samples, hourStart, Math.min(mid, windowEnd)), second: windowStats(r.samples, mid, windowEnd) }));

  const headroom: HourlyReportData['headroom'] = [];
  for (const r of rows) for (const [name, mark] of lowWater(r.samples, hourStart, windowEnd)) headroom.push({ id: r.t.id, name, mark });

  const list = rows.flatMap((r) => r.incidents).sort((a, b) => a.start - b.start);
  const silent = rows.filter((r) => r.st.checks === 0).map((r) => r.t.id);
  const mcpIds = new Set(rows.filter((r) => r.t.kind === 'mcp').map((r) => r.t.id));
  const self: SelfHealth = { cold: 0, stalled: 0, remeasured: 0 };
  for (const r of rows) for (const k of ['cold', 'stalled', 'remeasured'] as const) self[k] += r.self[k];
  const mcpSeen = mcpEvents(input.events, input.eras ?? [], mcpIds, hourStart, windowEnd);
  const offline = held.length ? { from: Math.min(...held), to: Math.max(...held), checks: held.length } : null;
  return { windowEnd, partial, rows, summary, counts, gaps, mcp, headroom, incidents: list, silent, mcpEvents: mcpSeen, self, offline };
}

/** The event that resolved blocker `id` within [from, to), if any. */
export function resolvedEvent(events: readonly EngineEvent[], id: string, from: number, to: number): EngineEvent | undefined {
  return events.find((e) => e.type === 'resolved' && e.blockerId === id && e.at >= from && e.at < to);
}
