/**
 * The hourly report rendered: one markdown entry a manager reads in thirty seconds — three summary lines (the hour's
 * worst moment, what is not up now, open blockers), then only what needs attention, green targets folded into one
 * line. The figures come from report-data.ts.
 */
import { formatDuration, formatLatency, statusLabel } from '../text/format.js';
import { inline, isoUtc } from './escalation.js';
import type { Status } from '../probes/types.js';
import type { WindowStats } from '../state/stats.js';
import type { EngineEvent } from '../state/store.js';
import type { ReportSummary } from '../journal/records.js';
import { HOUR_MS } from '../shared/time.js';
import { computeHourlyReport, resolvedEvent, type HourlyReportData, type Incident, type ReportInput, type ReportRow, type SelfHealth } from './report-data.js';

export { HOUR_MS } from '../shared/time.js';
export type { ReportSummary, TargetSummary } from '../journal/records.js';
export { computeHourlyReport, eraLabel, hourWindow, previousReport, reportTargets } from './report-data.js';
export type { HourlyReportData, ReportInput, ReportTarget, SelfHealth } from './report-data.js';

/** More incidents than this on one target fold into one row: a count, the span, the time lost, the longest. */
export const FOLD_INCIDENTS_OVER = 3;
/** Headroom is shown only when its lowest point came this near its limit (remaining / limit). */
export const HEADROOM_NEAR = 0.2;
/** "Since the previous report" lists at most this many changes. */
const MAX_CHANGES = 10;

/** A markdown table cell: no pipes or newlines from upstream text. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

const pct = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)}%`);
const hhmm = (at: number) => isoUtc(at).slice(11, 16);
const code = (id: string) => `\`${id}\``;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

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

const headroomText = (h: { remaining: number; limit: number }) =>
  `${h.remaining} / ${h.limit}${h.limit > 0 ? ` (${((100 * h.remaining) / h.limit).toFixed(1)}%)` : ''}`;

function halfCell(st: WindowStats): string {
  if (st.checks === 0) return '—';
  const failed = st.failures ? ` · ${st.failures} failed` : '';
  return `${pct(st.uptimePct)} · ${plural(st.checks, 'check')}${failed} · p95 ${formatLatency(st.p95)}`;
}

/** A round ceiling for "p95 under …": 42 → 50 ms, 250 → 300 ms, 1234 → 1.5 s. */
function under(ms: number): string {
  const step = ms < 100 ? 10 : ms < 1000 ? 100 : 500;
  return formatLatency(Math.floor(ms / step + 1) * step);
}

/** Builds the hourly report entry and its summary. Pure: everything comes from the arguments. */
export function buildHourlyReport(input: ReportInput): { markdown: string; summary: ReportSummary } {
  const { hourStart, hourEnd, now, targets } = input;
  const data = computeHourlyReport(input);
  const { windowEnd, partial, rows, summary } = data;
  const clock = (at: number) => {
    const iso = isoUtc(at);
    return iso.slice(0, 10) === isoUtc(hourStart).slice(0, 10) ? iso.slice(11, 19) : `${iso.slice(5, 10)} ${iso.slice(11, 19)}`;
  };
  const span = (i: Incident) =>
    i.end === null ? `${clock(i.start)}–now (${formatDuration(now - i.start)} so far)` : `${clock(i.start)}–${clock(i.end)} (${formatDuration(i.end - i.start)})`;

  const out: string[] = [];
  const range = `${isoUtc(hourStart).slice(0, 10)} ${hhmm(hourStart)}–${hhmm(partial ? windowEnd : hourEnd)} UTC`;
  const local = localRange(hourStart, partial ? windowEnd : hourEnd, input.timeZone);
  out.push(`## Hourly report — ${range}${partial ? ', partial hour' : ''}${local ? ` (${local})` : ''}`, '');

  // The three lines a manager reads first.
  out.push(`- **Worst:** ${worstMoment(data, span)}`, `- **Now:** ${nowLine(rows)}`, `- **Open blockers:** ${blockersLine(input, now)}`, '');

  const meta = [`- Generated ${isoUtc(now)} by pitwall${input.store ? ` · ${input.store}` : ''} · ${plural(targets.length, 'target')}`];
  if (input.ranFreshRound) {
    meta.push(
      `- **Note:** the journal had nothing for this hour, so pitwall ran one round of checks at ${isoUtc(now).slice(11, 19)} UTC for this report; each figure comes from that single check.`,
    );
  } else {
    if (input.checkedNow?.length) {
      const ids = input.checkedNow.map(code).join(', ');
      const one = input.checkedNow.length === 1;
      meta.push(
        `- **Note:** the journal had nothing this hour for ${ids}, so pitwall checked ${one ? 'it' : 'them'} once at ${isoUtc(now).slice(11, 19)} UTC for this report: ${one ? 'its figures come' : 'their figures come'} from that single check.`,
      );
    }
    if (data.offline) {
      const o = data.offline;
      meta.push(
        `- **pitwall offline:** ${plural(o.checks, 'check')} ${o.from === o.to ? `at ${clock(o.from)}` : `${clock(o.from)}–${clock(o.to)}`} UTC failed to connect while pitwall's own network was down: held as unknown, not counted against the vendors`,
      );
    }
    if (data.gaps.length) meta.push(`- **Gaps:** no checks ${data.gaps.map(([a, b]) => `${clock(a)}–${clock(b)} (${formatDuration(b - a)})`).join(', ')} UTC (pitwall was not running?)`);
  }
  // Notices the latest check of a target carried while up (a vendor's next scheduled maintenance).
  const notices = rows.flatMap((r) => {
    const latest = r.samples.filter((s) => s.at >= hourStart && s.at < windowEnd).at(-1);
    return latest?.status === 'up' && latest.message ? [`${code(r.t.id)}: ${inline(latest.message, 160)}`] : [];
  });
  if (notices.length) meta.push(`- **Notices:** ${notices.join(' · ')}`);
  const self = selfHealthLine(data.self);
  if (self) meta.push(`- **pitwall itself:** ${self}`);
  out.push(...meta, '');

  const attention = rows.filter((r) => !r.green);
  if (attention.length) {
    out.push('### Needs attention', '');
    out.push(
      table(
        ['Target', 'Now', 'Worst', 'When (UTC)', 'Not up for', 'Uptime', 'p95', 'First error'],
        attention.map((r) => attentionRow(r, span, clock)),
      ),
      '',
    );
  }
  const green = rows.filter((r) => r.green);
  if (green.length) {
    const top = green.filter((r) => r.st.p95 !== null).sort((a, b) => b.st.p95! - a.st.p95!)[0];
    const who = attention.length ? `${green.length} other${green.length === 1 ? '' : 's'}` : green.length === 1 ? `${code(green[0]!.t.id)}` : `All ${green.length} targets`;
    const p95 = top ? `, p95 under ${under(top.st.p95!)}${green.length > 1 ? ` (highest: ${code(top.t.id)} ${formatLatency(top.st.p95)})` : ''}` : '';
    out.push(`${who} up at every check${p95}.`, '');
  }

  const mcp = mcpLines(data, rows, clock);
  if (mcp.length) out.push('### MCP servers', '', ...mcp, '');

  const near = data.headroom.filter(({ mark: m }) => (m.limit > 0 ? m.remaining / m.limit : 1) <= HEADROOM_NEAR);
  if (near.length) {
    out.push('### Headroom near its limit', '');
    for (const { id, name, mark } of near) out.push(`- ${code(id)} ${inline(name, 60)}: lowest ${headroomText(mark)} at ${clock(mark.at)} UTC, latest ${headroomText(mark.latest)}`);
    out.push('');
  }

  const prev = input.previous;
  if (!prev && input.previousHeading) {
    out.push(
      '### Since the previous report',
      '',
      `- The last report in this file (${inline(input.previousHeading, 100)}) came from a pitwall with another state folder: its figures are not in this journal, so nothing is compared.`,
    );
  }
  if (prev) {
    const prevRange = `${isoUtc(prev.hourStart).slice(0, 10)} ${hhmm(prev.hourStart)}–${hhmm(prev.partial ? Math.min(prev.at, prev.hourEnd) : prev.hourEnd)} UTC`;
    out.push(`### Since the previous report (${prevRange}${prev.partial ? ', partial' : ''}, written ${isoUtc(prev.at).slice(11, 19)})`, '');
    const changes = diff(prev, summary, input.events, Math.min(prev.at, hourStart), windowEnd);
    const shown = changes.length > MAX_CHANGES ? [...changes.slice(0, MAX_CHANGES - 1), `… and ${changes.length - MAX_CHANGES + 1} more changes`] : changes;
    out.push(shown.length ? shown.map((c) => `- ${c}`).join('\n') : '- No change.');
  }

  return { markdown: `${out.join('\n').trimEnd()}\n`, summary };
}

/**
 * The hour's worst moment: its longest outage (down before degraded) — or, when one target flapped so often that its
 * incidents fold and their total is longer than any single outage, that target's flapping — with how much else went
 * wrong.
 */
function worstMoment(data: HourlyReportData, span: (i: Incident) => string): string {
  const list = data.incidents;
  if (list.length) {
    const rank = (worst: Status) => (worst === 'down' ? 1 : 0);
    const single = list.reduce((a, b) => (rank(b.worst) > rank(a.worst) || (rank(b.worst) === rank(a.worst) && b.lostMs > a.lostMs) ? b : a));
    const flapping = data.rows
      .filter((r) => r.incidents.length > FOLD_INCIDENTS_OVER)
      .map((r) => ({ r, worst: (r.incidents.some((i) => i.worst === 'down') ? 'down' : 'degraded') as Status }))
      .filter(({ r, worst }) => rank(worst) > rank(single.worst) || (rank(worst) === rank(single.worst) && r.lostMs > single.lostMs))
      .sort((a, b) => rank(b.worst) - rank(a.worst) || b.r.lostMs - a.r.lostMs)[0];
    const targets = new Set(list.map((i) => i.targetId)).size;
    const more = list.length > 1 ? ` · ${plural(list.length, 'incident')} on ${plural(targets, 'target')} this hour` : '';
    if (flapping) {
      const { r, worst } = flapping;
      const first = r.incidents[0]!;
      const last = r.incidents.at(-1)!;
      const longest = r.incidents.reduce((a, b) => (b.lostMs > a.lostMs ? b : a));
      const err = first.firstError ? ` — ${inline(first.firstError, 120)}` : '';
      const until = last.end === null ? 'now' : hhmm(last.end);
      return `${code(r.t.id)} ${statusLabel(worst)} ${r.incidents.length} times ${hhmm(first.start)}–${until} (${formatDuration(r.lostMs)} in all, longest ${formatDuration(longest.lostMs)})${err}${more}`;
    }
    const err = single.firstError ? ` — ${inline(single.firstError, 120)}` : '';
    return `${code(single.targetId)} ${statusLabel(single.worst)} ${span(single)}${err}${more}`;
  }
  if (data.silent.length) return `… no data this hour for ${data.silent.map(code).join(', ')}: nothing is known about ${data.silent.length === 1 ? 'it' : 'them'}`;
  if (data.gaps.length) return `no incident, but no checks for ${formatDuration(data.gaps.reduce((n, [a, b]) => n + b - a, 0))} of the hour (see Gaps)`;
  return 'nothing — every target up at every check';
}

/** What is not up now (the latest check, after the hour too when the report is written later), and since when. */
function nowLine(rows: readonly ReportRow[]): string {
  const order = (r: ReportRow) => (r.current.status === 'down' ? 0 : 1);
  const bad = rows.filter((r) => r.current.status === 'down' || r.current.status === 'degraded').sort((a, b) => order(a) - order(b));
  const up = rows.filter((r) => r.current.status === 'up').length;
  const silent = rows.filter((r) => r.current.status === null).map((r) => code(r.t.id));
  if (!bad.length && !silent.length) return `✔ all ${rows.length} up`;
  const parts = bad.map((r) => `${code(r.t.id)} ${statusLabel(r.current.status)}${r.current.notUpSince !== null ? ` since ${isoUtc(r.current.notUpSince).slice(11, 19)}` : ''}`);
  if (up) parts.push(`${up} up`);
  if (silent.length) parts.push(silent.length <= 3 ? `… ${silent.join(', ')} without data` : `${silent.length} without data`);
  return parts.join(' · ');
}

function blockersLine(input: ReportInput, now: number): string {
  const list = input.blockers;
  if (!list.length) return 'none';
  const one = (b: (typeof list)[number], withNote: boolean) => {
    const note = withNote ? b.note.trim().split('\n')[0] : '';
    return `${b.id} on ${code(b.targetId)}, open ${formatDuration(now - b.openedAt)}${note ? ` (“${inline(note, 80)}”)` : ''}`;
  };
  return `${list.length} — ${list.map((b) => one(b, list.length <= 2)).join('; ')}`;
}

function attentionRow(r: ReportRow, span: (i: Incident) => string, clock: (at: number) => string): string[] {
  const now = r.current.status ? statusLabel(r.current.status) : '… no data';
  if (r.st.checks === 0) return [code(r.t.id), now, '—', 'no check this hour', '—', '—', '—', '—'];
  const list = r.incidents;
  const worst = list.some((i) => i.worst === 'down') ? 'down' : 'degraded';
  let when: string;
  if (list.length > FOLD_INCIDENTS_OVER) {
    const longest = list.reduce((a, b) => (b.lostMs > a.lostMs ? b : a));
    const last = list.at(-1)!;
    when = `${list.length} incidents ${clock(list[0]!.start)}–${last.end === null ? 'now' : clock(last.end)}, longest ${formatDuration(longest.lostMs)} at ${clock(longest.start)}`;
  } else when = list.map(span).join(', ');
  const first = list[0]?.firstError ?? '';
  const others = new Set(list.map((i) => i.firstError).filter((e) => e && e !== first)).size;
  const err = first ? `${inline(first, 90)}${others ? ` (+${plural(others, 'other error')})` : ''}` : '—';
  return [code(r.t.id), now, statusLabel(worst), when, formatDuration(r.lostMs), `${pct(r.st.uptimePct)} of ${r.st.checks}`, formatLatency(r.st.p95), err];
}

/** Server deaths, schema and era changes, and the two half-hours of an MCP server that needed attention. */
function mcpLines(data: HourlyReportData, rows: readonly ReportRow[], clock: (at: number) => string): string[] {
  const lines: string[] = [];
  const mid = data.rows.length ? hhmm(data.summary.hourStart + HOUR_MS / 2) : '';
  const start = hhmm(data.summary.hourStart);
  const end = hhmm(data.summary.hourEnd);
  for (const m of data.mcp) {
    const r = rows.find((x) => x.t.id === m.id);
    const ev = data.mcpEvents.find((e) => e.id === m.id);
    if (r?.green && !ev) continue;
    const facts: string[] = [];
    if (ev?.exits.length) {
      const last = ev.exits.at(-1)!;
      facts.push(`the server died ${ev.exits.length === 1 ? 'once' : `${ev.exits.length}×`} (last at ${clock(last.at)}: ${inline(last.message, 140)})`);
    }
    if (ev?.schemaChanges.length) {
      const what = inline(ev.schemaChanges.at(-1)!.message, 100);
      facts.push(ev.schemaChanges.length === 1 ? `tool schemas changed (${what})` : `tool schemas changed ${ev.schemaChanges.length}× (last: ${what})`);
    }
    if (ev?.eraChanges.length) {
      const last = ev.eraChanges.at(-1)!;
      const change = `${inline(last.from, 40)} → ${inline(last.to, 40)} at ${clock(last.at)}`;
      facts.push(ev.eraChanges.length === 1 ? `era changed ${change}` : `era changed ${ev.eraChanges.length}× (last ${change})`);
    }
    if (!r?.green) facts.push(`${start}–${mid} ${halfCell(m.first)}; ${mid}–${end} ${halfCell(m.second)}`);
    lines.push(`- ${code(m.id)}: ${facts.join('; ')}`);
  }
  return lines;
}

/** Samples kept out of p50/p95 this hour and checks pitwall measured again because it stalled; '' if none. */
function selfHealthLine(h: SelfHealth): string {
  const apart = [h.cold ? plural(h.cold, 'cold start') : '', h.stalled ? plural(h.stalled, 'stalled sample') : ''].filter(Boolean);
  const kept = apart.length ? `${apart.join(', ')} kept out of p50/p95` : '';
  const again = h.remeasured ? `${plural(h.remeasured, 'check')} measured again because pitwall stalled` : '';
  return [kept, again].filter(Boolean).join('; ');
}

/** What changed between two summaries, one line per fact. */
function diff(prev: ReportSummary, cur: ReportSummary, events: readonly EngineEvent[], from: number, to: number): string[] {
  const lines: string[] = [];
  if (prev.overall !== cur.overall) lines.push(`Overall: ${statusLabel(prev.overall)} → ${statusLabel(cur.overall)}`);
  for (const [id, c] of Object.entries(cur.targets)) {
    const p = prev.targets[id];
    if (!p) {
      lines.push(`${code(id)}: new target`);
      continue;
    }
    if (p.status !== c.status) lines.push(`${code(id)}: ${statusLabel(p.status)} → ${statusLabel(c.status)}`);
    if (p.uptimePct !== null && c.uptimePct !== null && Math.abs(p.uptimePct - c.uptimePct) >= 0.05) {
      lines.push(`${code(id)}: uptime ${pct(p.uptimePct)} → ${pct(c.uptimePct)}`);
    }
    if (p.p95 !== null && c.p95 !== null && Math.abs(c.p95 - p.p95) >= 20 && (c.p95 >= p.p95 * 1.25 || c.p95 <= p.p95 / 1.25)) {
      lines.push(`${code(id)}: p95 ${formatLatency(p.p95)} → ${formatLatency(c.p95)}`);
    }
  }
  for (const id of Object.keys(prev.targets)) if (!cur.targets[id]) lines.push(`${code(id)}: no longer configured`);
  const opened = cur.openBlockers.filter((b) => !prev.openBlockers.includes(b));
  const closed = prev.openBlockers.filter((b) => !cur.openBlockers.includes(b));
  for (const id of opened) lines.push(`Blocker ${id} opened`);
  for (const id of closed) {
    const ev = resolvedEvent(events, id, from, to);
    lines.push(`Blocker ${id} resolved${ev ? ` at ${isoUtc(ev.at)}` : ''}`);
  }
  return lines;
}
