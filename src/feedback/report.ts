/**
 * The hourly report rendered: one markdown entry summarising an hour of the journal (the figures come from
 * report-data.ts), and the summary to diff against next time.
 */
import { formatDuration, formatLatency, statusLabel, truncate } from '../text/format.js';
import { isoUtc } from './escalation.js';
import type { WindowStats } from '../state/stats.js';
import type { EngineEvent } from '../state/store.js';
import type { ReportSummary } from '../journal/records.js';
import { HOUR_MS } from '../shared/time.js';
import { computeHourlyReport, resolvedEvent, type ReportInput } from './report-data.js';

export { HOUR_MS } from '../shared/time.js';
export type { ReportSummary, TargetSummary } from '../journal/records.js';
export { computeHourlyReport, hourWindow, previousReport, reportTargets } from './report-data.js';
export type { HourlyReportData, ReportInput, ReportTarget } from './report-data.js';

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

const headroomText = (h: { remaining: number; limit: number }) =>
  `${h.remaining} / ${h.limit}${h.limit > 0 ? ` (${((100 * h.remaining) / h.limit).toFixed(1)}%)` : ''}`;

function halfCell(st: WindowStats): string {
  if (st.checks === 0) return '—';
  const failed = st.failures ? ` · ${st.failures} failed` : '';
  return `${pct(st.uptimePct)} · ${st.checks} ${st.checks === 1 ? 'check' : 'checks'}${failed} · p95 ${formatLatency(st.p95)}`;
}

/** Builds the hourly report entry and its summary. Pure: everything comes from the arguments. */
export function buildHourlyReport(input: ReportInput): { markdown: string; summary: ReportSummary } {
  const { hourStart, hourEnd, now, targets } = input;
  const data = computeHourlyReport(input);
  const { windowEnd, partial, rows, summary, counts } = data;
  const clock = (at: number) => {
    const iso = isoUtc(at);
    return iso.slice(0, 10) === isoUtc(hourStart).slice(0, 10) ? iso.slice(11, 19) : `${iso.slice(5, 10)} ${iso.slice(11, 19)}`;
  };

  const out: string[] = [];
  const range = `${isoUtc(hourStart).slice(0, 10)} ${hhmm(hourStart)}–${hhmm(partial ? windowEnd : hourEnd)} UTC`;
  const local = localRange(hourStart, partial ? windowEnd : hourEnd, input.timeZone);
  out.push(
    `## Hourly report — ${range}${partial ? ', partial hour' : ''}${local ? ` (${local})` : ''}`,
    '',
  );

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
    if (data.gaps.length) {
      out.push(`- **Gaps:** no checks ${data.gaps.map(([a, b]) => `${clock(a)}–${clock(b)} (${formatDuration(b - a)})`).join(', ')} UTC (pitwall was not running?)`);
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
  const mid = hourStart + HOUR_MS / 2;
  out.push('### MCP servers', '');
  if (data.mcp.length === 0) out.push('No MCP servers configured.', '');
  else {
    out.push(
      table(
        ['Server', `${hhmm(hourStart)}–${hhmm(mid)}`, `${hhmm(mid)}–${hhmm(hourEnd)}`],
        data.mcp.map((m) => [`\`${m.id}\``, halfCell(m.first), halfCell(m.second)]),
      ),
      '',
    );
  }

  out.push('### Rate-limit and quota headroom (low-water marks)', '');
  const headRows = data.headroom.map(({ id, name, mark: m }) => [`\`${id}\``, name, headroomText(m), clock(m.at), headroomText(m.latest)]);
  if (headRows.length === 0) out.push('No target reported rate-limit or quota headroom this hour.', '');
  else out.push(table(['Target', 'Headroom', 'Lowest', 'At (UTC)', 'Latest'], headRows), '');

  out.push('### Incidents', '');
  const list = data.incidents;
  const silent = data.silent.map((id) => `\`${id}\``);
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
    const ev = resolvedEvent(events, id, from, to);
    lines.push(`Blocker ${id} resolved${ev ? ` at ${isoUtc(ev.at)}` : ''}`);
  }
  return lines;
}
