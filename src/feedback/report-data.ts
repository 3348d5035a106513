/**
 * The hourly report's figures, computed from an hour of the journal: per-target stats, the summary kept for
 * next time, coverage gaps, MCP half-hours, headroom low-water marks, incidents. No markdown here (report.ts
 * renders these).
 */
import type { Status } from '../probes/types.js';
import type { Config, TargetKind, TileId } from '../config/config.js';
import type { JournalSample, ReportSummary } from '../journal/records.js';
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
  /** True when there was no journal for the hour and one round of checks was run for this report. */
  ranFreshRound?: boolean;
  /** Targets the journal had nothing on for a partial hour, checked once for this report (the others come from it). */
  checkedNow?: readonly string[];
  now: number;
  /** IANA zone for the local-time part of the heading; default: this machine's. */
  timeZone?: string;
  store?: string;
}

/** The last full hour before `now`, or the current (partial) one. */
export function hourWindow(now: number, which: 'last' | 'current'): { hourStart: number; hourEnd: number } {
  const current = Math.floor(now / HOUR_MS) * HOUR_MS;
  return which === 'current' ? { hourStart: current, hourEnd: current + HOUR_MS } : { hourStart: current - HOUR_MS, hourEnd: current };
}

/** The latest report about an hour before `hourStart`: what "since the previous report" compares with. */
export function previousReport(reports: readonly ReportSummary[], hourStart: number): ReportSummary | null {
  let best: ReportSummary | null = null;
  for (const r of reports) if (r.hourStart < hourStart && (!best || r.at >= best.at)) best = r;
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
  firstError: string;
}

/** Maximal runs of non-up samples per target that overlap [from, to). */
function incidents(targetId: string, samples: JournalSampleList, from: number, to: number): Incident[] {
  const out: Incident[] = [];
  let cur: Incident | null = null;
  for (const s of samples) {
    if (s.status !== 'up') {
      if (!cur) cur = { targetId, start: s.at, end: null, worst: s.status, firstError: '' };
      if (s.status === 'down') cur.worst = 'down';
      if (!cur.firstError && (s.errorKind || s.message)) cur.firstError = s.errorKind ? `${s.errorKind}: ${s.message ?? ''}`.trim() : (s.message ?? '');
    } else if (cur) {
      cur.end = s.at;
      out.push(cur);
      cur = null;
    }
  }
  if (cur) out.push(cur);
  return out.filter((i) => i.start < to && (i.end === null || i.end > from));
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
}

/** Computes the hourly report's figures. Pure: everything comes from the arguments. */
export function computeHourlyReport(input: ReportInput): HourlyReportData {
  const { hourStart, hourEnd, now, targets } = input;
  // A partial hour ends at now, and includes it: a check finished in the report's own millisecond is in it.
  const windowEnd = Math.min(hourEnd, now + 1);
  const partial = now < hourEnd;

  const rows: ReportRow[] = targets.map((t) => {
    // Read five times below: as objects once (the journal's columns build a fresh object on every read).
    const samples = Array.from(input.samples[t.id] ?? []);
    const inHour = samples.filter((s) => s.at >= hourStart && s.at < windowEnd);
    const st = windowStats(inHour);
    const last = inHour[inHour.length - 1];
    const lastErr = [...inHour].reverse().find((s) => s.errorKind || (s.status !== 'up' && s.message));
    return { t, samples, st, status: last?.status ?? null, lastErr };
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
    const allTimes = rows.flatMap((r) => r.samples.map((s) => s.at));
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

  const list = rows.flatMap((r) => incidents(r.t.id, r.samples, hourStart, windowEnd)).sort((a, b) => a.start - b.start);
  const silent = rows.filter((r) => r.st.checks === 0).map((r) => r.t.id);
  return { windowEnd, partial, rows, summary, counts, gaps, mcp, headroom, incidents: list, silent };
}

/** The event that resolved blocker `id` within [from, to), if any. */
export function resolvedEvent(events: readonly EngineEvent[], id: string, from: number, to: number): EngineEvent | undefined {
  return events.find((e) => e.type === 'resolved' && e.blockerId === id && e.at >= from && e.at < to);
}
