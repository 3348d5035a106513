import { Text } from 'ink';
import { AckNote } from './AckNote.js';
import { memo, useMemo } from 'react';
import { held, shownStatus, unanswered, vendorIncident } from '../state/derive.js';
import { useAppState } from './store-context.js';
import type { SampleList } from '../state/stats.js';
import type { TargetState } from '../state/store.js';
import { useClock, useTimeZone } from './clock-context.js';
import { formatDuration, formatLatency, formatUptime, STATUS_SYMBOL } from '../text/format.js';
import { cell, middle, paintedCell } from './lib/cells.js';
import { paint } from './lib/paint.js';
import { CELL_WIDTH, type Columns } from './lib/columns.js';
import { headroomLabel, hourFrom, problemOf } from './lib/row-stats.js';
import { statsSince } from './lib/sliding-stats.js';
import { sparkline } from '../text/sparkline.js';
import { SINCE_WIDTH, sinceCell } from './lib/when.js';
import { theme } from './theme.js';

interface Props {
  target: TargetState;
  selected: boolean;
  blocker: boolean;
  cols: Columns;
}

/** The problem line starts under the target's id: past the marker and STATUS cells. */
const PROBLEM_INDENT = ' '.repeat(CELL_WIDTH.marker + CELL_WIDTH.status);

/**
 * One target: status word and symbol, latency, p50/p95, sparkline, uptime, headroom; its problem below. The
 * row re-renders when its target changes; the clock re-renders only the parts whose text moves with time.
 */
export const TargetRow = memo(function TargetRow({ target: t, selected, blocker, cols }: Props) {
  const r = t.latest;
  const status = shownStatus(t) ?? 'unknown';
  const spark = useMemo(
    () => (cols.spark ? sparkline(t.samples.slice(-cols.spark).map((s) => s.latencyMs), { width: cols.spark }) : ''),
    [t.samples, cols.spark],
  );
  const headroom = headroomLabel(r);
  const problem = problemOf(r);
  // A row is one Text of padded cells with their styles inside the string, not a nested Text per cell: every
  // node costs Ink work on every frame. The CHECKED cell is drawn by the list, over the row's right end.
  // Cell contents are narrow characters.
  // Long ids cut in the middle: "shopify-stor…kout-eu" keeps the end that tells -eu from -us.
  const id = middle(t.id, blocker ? cols.id - 2 : cols.id);
  const head =
    (selected ? paint('›', { color: theme.selected, bold: true }) + ' ' : '  ') +
    paintedCell(`${STATUS_SYMBOL[status]} ${status}`, CELL_WIDTH.status, (v) => paint(v, { color: theme.status[status], bold: status === 'down' })) +
    (blocker ? paint(id, { bold: selected }) + paintedCell(' ⚑', cols.id + 1 - [...id].length, (v) => paint(v, { color: theme.blocker })) : paintedCell(id, cols.id + 1, (v) => paint(v, { bold: selected }))) +
    (cols.name ? paintedCell(t.name !== t.id ? t.name : '', cols.name, muted) : '') +
    (cols.latency ? cell(formatLatency(r?.latencyMs), CELL_WIDTH.latency) : '');
  return (
    <>
      <Text wrap="truncate-end">
        {head}
        <HourCells samples={t.samples} cols={cols} spark={spark} />
        {cols.headroom ? paintedCell(headroom ?? '', CELL_WIDTH.headroom, muted) : ''}
      </Text>
      {problem ? (
        // SINCE first, in a cell of its own: a long error is cut at the end, never the time it has lasted.
        <Text wrap="truncate-end">
          {PROBLEM_INDENT}
          {paint('↳ ', { color: theme.status[status] })}
          {t.statusSince !== null ? <Since since={t.statusSince} streak={t.consecutiveFailures} wide={cols.name > 0} /> : null}
          {/* The ack before the problem: a long error must not push who is on it off the line. */}
          <AckNote id={t.id} />
          {paint(problem, { color: theme.status[status] })}
          {r && !held(r) ? <VendorNote id={t.id} /> : null}
        </Text>
      ) : hanging(t) ? (
        <Text wrap="truncate-end">
          {PROBLEM_INDENT}
          <NoAnswer since={t.noAnswerSince!} first={r === null} />
        </Text>
      ) : null}
    </>
  );
});

/** "↳ no answer for 12s: the check is still running", moving with the clock. */
function NoAnswer({ since, first }: { since: number; first: boolean }) {
  const text = useClock(
    (now) => `↳ no answer for ${formatDuration(now - since)}: ${first ? 'the first check is still running' : 'the check is still running (it was up before)'}`,
  );
  return paint(text, { color: theme.status[first ? 'unknown' : 'degraded'] });
}

/** P50/P95 and uptime over the last hour (with the sparkline between them): they change when a sample comes or ages out. */
function HourCells({ samples, cols, spark }: { samples: SampleList; cols: Columns; spark: string }) {
  const from = useClock((now) => hourFrom(samples, now));
  const stats = statsSince(samples, from);
  const uptime = formatUptime(stats.uptimePct, stats.failures);
  return (
    (cols.percentiles ? paintedCell(stats.p50 === null ? '—' : `${formatLatency(stats.p50).replace(' ms', '')}/${formatLatency(stats.p95)}`, CELL_WIDTH.percentiles, muted) : '') +
    (cols.spark ? paintedCell(spark, cols.spark + 1, (v) => paint(v, { color: theme.accent })) : '') +
    (cols.uptime ? paintedCell(uptime, CELL_WIDTH.uptime, (v) => paint(v, { color: stats.uptimePct !== null && stats.uptimePct < 99 ? theme.warn : theme.muted })) : '')
  );
}

/** "2m05s ×3 " (or "since 14:03:12 CET (2m05s) ×3" when wide), padded to its cell, moving with the clock. */
function Since({ since, streak, wide }: { since: number; streak: number; wide: boolean }) {
  const tz = useTimeZone();
  const text = useClock((now) => sinceCell(since, streak, now, { wide, tz }));
  return paintedCell(text, wide ? SINCE_WIDTH.wide : SINCE_WIDTH.narrow, muted);
}

/** " · likely vendor incident: Shopify reports a major outage of Admin API" after a failing row's problem (derive.ts). */
function VendorNote({ id }: { id: string }) {
  const text = useAppState((s) => vendorIncident(s, id));
  return text?.startsWith('likely') ? <Text>{paint(` · ${text}`, { color: theme.warn })}</Text> : null;
}

function muted(text: string): string {
  return paint(text, { color: theme.muted });
}

/** Screen lines a row takes: one, plus one for the problem of a target that is not up. */
export function rowHeight(t: TargetState): number {
  return problemOf(t.latest) || hanging(t) ? 2 : 1;
}

/** A check past its slow threshold with no answer, and no problem of the last result's to show instead. */
function hanging(t: TargetState): boolean {
  return t.noAnswerSince !== null && (t.latest === null || unanswered(t));
}
