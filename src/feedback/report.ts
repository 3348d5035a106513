/** The hourly report: one markdown entry summarising an hour of the journal, and a summary to diff against next time. */
import type { Status } from '../probes/types.js';
import { formatDuration, formatLatency, statusLabel, truncate } from '../text/format.js';
import type { Config, TargetKind, TileId } from '../config/config.js';
import { isoUtc } from './escalation.js';
import type { JournalSampleList } from '../journal/sample-columns.js';
import { windowStats, worstStatus, type WindowStats } from '../state/stats.js';
import type { Blocker, EngineEvent } from '../state/store.js';
import type { ReportSummary } from '../journal/records.js';
import { HOUR_MS } from '../shared/time.js';

export { HOUR_MS } from '../shared/time.js';
export type { ReportSummary, TargetSummary } from '../journal/records.js';

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

/** A markdown table cell: no pipes or newlines from upstream text. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

const pct = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)}%`);
const hhmm = (at: number) => isoUtc(at).slice(11, 16);

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/** The hour in the local zone, or '' where local time is UTC's (the heading would say the same thing twice). */
function localRange(start: number, end: number, timeZone: string | undefined): string {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const parts = (at: number) => Object.fromEntries(fmt.formatToParts(at).map((p) => [p.type, p.value])) as Record<string, string>;
  const a = parts(start);
  const b = parts(end);
  const zone = fmt.resolvedOptions().timeZone;
  const local = `${a.year}-${a.month}-${a.day} ${a.hour}:${a.minute}–${b.hour}:${b.minute}`;
  if (local === `${isoUtc(start).slice(0, 10)} ${isoUtc(start).slice(11, 16)}–${isoUtc(end).slice(11, 16)}`) return '';
  return `${local} ${zone}`;
}

interface Incident {
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

/** Headroom low-water marks per target and name within [from, to). */
function lowWater(samples: JournalSampleList, from: number, to: number) {
  const marks = new Map<string, { remaining: number; limit: number; at: number; latest: { remaining: number; limit: number } }>();
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

const headroomText = (h: { remaining: number; limit: number }) =>
  `${h.remaining} / ${h.limit}${h.limit > 0 ? ` (${((100 * h.remaining) / h.limit).toFixed(1)}%)` : ''}`;

function halfCell(st: WindowStats): string {
  if (st.checks === 0) return '—';
  const failed = st.failures ? ` · ${st.failures} failed` : '';
  return `${pct(st.uptimePct)} · ${st.checks} ${st.checks === 1 ? 'check' : 'checks'}${failed} · p95 ${formatLatency(st.p95)}`;
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

/** Builds the hourly report entry and its summary. Pure: everything comes from the arguments. */
export function buildHourlyReport(input: ReportInput): { markdown: string; summary: ReportSummary } {
  const { hourStart, hourEnd, now, targets } = input;
  // A partial hour ends at now, and includes it: a check finished in the report's own millisecond is in it.
  const windowEnd = Math.min(hourEnd, now + 1);
  const partial = now < hourEnd;
  const clock = (at: number) => {
    const iso = isoUtc(at);
    return iso.slice(0, 10) === isoUtc(hourStart).slice(0, 10) ? iso.slice(11, 19) : `${iso.slice(5, 10)} ${iso.slice(11, 19)}`;
  };

  const rows = targets.map((t) => {
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

  const out: string[] = [];
  const range = `${isoUtc(hourStart).slice(0, 10)} ${hhmm(hourStart)}–${hhmm(partial ? windowEnd : hourEnd)} UTC`;
  const local = localRange(hourStart, partial ? windowEnd : hourEnd, input.timeZone);
  out.push(
    `## Hourly report — ${range}${partial ? ', partial hour' : ''}${local ? ` (${local})` : ''}`,
    '',
  );

  const counts = { down: 0, degraded: 0, up: 0, none: 0 };
  for (const r of rows) counts[r.status ?? 'none']++;
  const countText = [
    counts.down && `${counts.down} down`,
    counts.degraded && `${counts.degraded} degraded`,
    counts.up && `${counts.up} up`,
    counts.none && `${counts.none} without data`,
  ]
    .filter(Boolean)
    .join(' · ');
  out.push(`- **Overall:** ${statusLabel(summary.overall)} — ${countText} (${targets.length} target${targets.length === 1 ? '' : 's'})${input.store ? ` · ${input.store}` : ''}`);
  out.push(`- **Generated:** ${isoUtc(now)} by pitwall`);
  if (input.ranFreshRound) {
    out.push(
      `- **Note:** the journal had nothing for this hour, so pitwall ran one round of checks at ${isoUtc(now).slice(11, 19)} UTC for this report; each figure below comes from that single check.`,
    );
  } else {
    if (input.checkedNow?.length) {
      const ids = input.checkedNow.map((id) => `\`${id}\``).join(', ');
      out.push(
        `- **Note:** the journal had nothing this hour for ${ids}, so pitwall checked ${input.checkedNow.length === 1 ? 'it' : 'them'} once at ${isoUtc(now).slice(11, 19)} UTC for this report: ${input.checkedNow.length === 1 ? 'its figures come' : 'their figures come'} from that single check.`,
      );
    }
    const allTimes = rows.flatMap((r) => r.samples.map((s) => s.at));
    const longest = Math.max(0, ...targets.map((t) => t.intervalMs ?? 0));
    const gaps = coverageGaps(allTimes, hourStart, windowEnd, Math.max(120_000, 3 * longest));
    if (gaps.length) {
      out.push(`- **Gaps:** no checks ${gaps.map(([a, b]) => `${clock(a)}–${clock(b)} (${formatDuration(b - a)})`).join(', ')} UTC (pitwall was not running?)`);
    }
  }
  // Notices the latest check of a target carried while up (a vendor's next scheduled maintenance).
  const notices = rows.flatMap((r) => {
    const latest = r.samples.filter((s) => s.at >= hourStart && s.at < windowEnd).at(-1);
    return latest?.status === 'up' && latest.message ? [`\`${r.t.id}\`: ${truncate(latest.message, 160)}`] : [];
  });
  if (notices.length) out.push(`- **Notices:** ${notices.join(' · ')}`);
  out.push('');

  out.push(
    table(
      ['Target', 'Status', 'Uptime', 'Checks', 'Failures', 'p50', 'p95', 'Max', 'Last error'],
      rows.map((r) => [
        `\`${r.t.id}\``,
        r.status ? statusLabel(r.status) : '… no data',
        pct(r.st.uptimePct),
        String(r.st.checks),
        String(r.st.failures),
        formatLatency(r.st.p50),
        formatLatency(r.st.p95),
        formatLatency(r.st.max),
        r.lastErr ? truncate(`${clock(r.lastErr.at)} ${r.lastErr.errorKind ? `${r.lastErr.errorKind}: ` : ''}${r.lastErr.message ?? ''}`, 90) : '—',
      ]),
    ),
    '',
  );

  // MCP servers: cold starts and idle-timeouts show up as one bad half hour, so split the hour.
  const mid = hourStart + HOUR_MS / 2;
  out.push('### MCP servers', '');
  const mcp = rows.filter((r) => r.t.kind === 'mcp');
  if (mcp.length === 0) out.push('No MCP servers configured.', '');
  else {
    out.push(
      table(
        ['Server', `${hhmm(hourStart)}–${hhmm(mid)}`, `${hhmm(mid)}–${hhmm(hourEnd)}`],
        mcp.map((r) => [`\`${r.t.id}\``, halfCell(windowStats(r.samples, hourStart, Math.min(mid, windowEnd))), halfCell(windowStats(r.samples, mid, windowEnd))]),
      ),
      '',
    );
  }

  out.push('### Rate-limit and quota headroom (low-water marks)', '');
  const headRows: string[][] = [];
  for (const r of rows) {
    for (const [name, m] of lowWater(r.samples, hourStart, windowEnd)) {
      headRows.push([`\`${r.t.id}\``, name, headroomText(m), clock(m.at), headroomText(m.latest)]);
    }
  }
  if (headRows.length === 0) out.push('No target reported rate-limit or quota headroom this hour.', '');
  else out.push(table(['Target', 'Headroom', 'Lowest', 'At (UTC)', 'Latest'], headRows), '');

  out.push('### Incidents', '');
  const list = rows.flatMap((r) => incidents(r.t.id, r.samples, hourStart, windowEnd)).sort((a, b) => a.start - b.start);
  const silent = rows.filter((r) => r.st.checks === 0).map((r) => `\`${r.t.id}\``);
  if (list.length === 0 && silent.length === 0) out.push('None: every target stayed up all hour.', '');
  else if (list.length === 0) out.push(`None recorded; no data this hour for ${silent.join(', ')}, so nothing is known about them.`, '');
  else {
    out.push(
      table(
        ['Target', 'Worst', 'Start (UTC)', 'End (UTC)', 'Duration', 'First error'],
        list.map((i) => [
          `\`${i.targetId}\``,
          statusLabel(i.worst),
          clock(i.start),
          i.end === null ? 'ongoing' : clock(i.end),
          i.end === null ? `${formatDuration(now - i.start)} so far` : formatDuration(i.end - i.start),
          i.firstError ? truncate(i.firstError, 90) : '—',
        ]),
      ),
      '',
    );
  }

  out.push('### Open blockers', '');
  if (input.blockers.length === 0) out.push('None.', '');
  else {
    for (const b of input.blockers) {
      const note = b.note.trim().split('\n')[0] ?? '';
      out.push(`- **${b.id}** \`${b.targetId}\` — opened ${isoUtc(b.openedAt)} (${formatDuration(now - b.openedAt)} ago)${note ? `: ${truncate(note, 120)}` : ''}`);
    }
    out.push('');
  }

  const prev = input.previous;
  if (!prev) out.push('### Since the previous report', '', 'No earlier report to compare with.');
  else {
    out.push(`### Since the previous report (${isoUtc(prev.hourStart).slice(0, 10)} ${hhmm(prev.hourStart)}–${hhmm(prev.hourEnd)} UTC)`, '');
    const changes = diff(prev, summary, input.events, hourStart, windowEnd);
    out.push(changes.length ? changes.map((c) => `- ${c}`).join('\n') : '- No change.');
  }

  return { markdown: `${out.join('\n').trimEnd()}\n`, summary };
}

/** What changed between two summaries, one line per fact. */
function diff(prev: ReportSummary, cur: ReportSummary, events: readonly EngineEvent[], from: number, to: number): string[] {
  const lines: string[] = [];
  if (prev.overall !== cur.overall) lines.push(`Overall: ${statusLabel(prev.overall)} → ${statusLabel(cur.overall)}`);
  for (const [id, c] of Object.entries(cur.targets)) {
    const p = prev.targets[id];
    if (!p) {
      lines.push(`\`${id}\`: new target`);
      continue;
    }
    if (p.status !== c.status) lines.push(`\`${id}\`: ${statusLabel(p.status)} → ${statusLabel(c.status)}`);
    if (p.uptimePct !== null && c.uptimePct !== null && Math.abs(p.uptimePct - c.uptimePct) >= 0.05) {
      lines.push(`\`${id}\`: uptime ${pct(p.uptimePct)} → ${pct(c.uptimePct)}`);
    }
    if (p.p95 !== null && c.p95 !== null && Math.abs(c.p95 - p.p95) >= 20 && (c.p95 >= p.p95 * 1.25 || c.p95 <= p.p95 / 1.25)) {
      lines.push(`\`${id}\`: p95 ${formatLatency(p.p95)} → ${formatLatency(c.p95)}`);
    }
  }
  for (const id of Object.keys(prev.targets)) if (!cur.targets[id]) lines.push(`\`${id}\`: no longer configured`);
  const opened = cur.openBlockers.filter((b) => !prev.openBlockers.includes(b));
  const closed = prev.openBlockers.filter((b) => !cur.openBlockers.includes(b));
  for (const id of opened) lines.push(`Blocker ${id} opened`);
  for (const id of closed) {
    const ev = events.find((e) => e.type === 'resolved' && e.blockerId === id && e.at >= from && e.at < to);
    lines.push(`Blocker ${id} resolved${ev ? ` at ${isoUtc(ev.at)}` : ''}`);
  }
  return lines;
}
