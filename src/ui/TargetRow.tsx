import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import { isStale } from '../state/derive.js';
import type { TargetState } from '../state/store.js';
import { formatAgo, formatDuration, formatLatency, STATUS_SYMBOL } from './lib/format.js';
import { formatClock } from './lib/clock.js';
import type { Columns } from './lib/columns.js';
import { headroomLabel, lastHour, problemOf } from './lib/row-stats.js';
import { sparkline } from './lib/sparkline.js';
import { theme } from './theme.js';

const SPINNER = ['◐', '◓', '◑', '◒'];

interface Props {
  target: TargetState;
  selected: boolean;
  blocker: boolean;
  cols: Columns;
  now: number;
  /** Width of the whole row. */
  width: number;
}

/** One target: status word and symbol, latency, p50/p95, sparkline, uptime, headroom, when; its problem below. */
export const TargetRow = memo(function TargetRow({ target: t, selected, blocker, cols, now, width }: Props) {
  const r = t.latest;
  const status = r?.status ?? 'unknown';
  // The hour's stats move with new samples, not with the clock: recompute on a sample or every 10 s, not every frame.
  const window10s = Math.floor(now / 10_000);
  const stats = useMemo(() => lastHour(t.samples, window10s * 10_000), [t.samples, window10s]);
  const spark = useMemo(
    () => (cols.spark ? sparkline(t.samples.slice(-cols.spark).map((s) => s.latencyMs), { width: cols.spark }) : ''),
    [t.samples, cols.spark],
  );
  const stale = isStale(t, now);
  const when = t.running
    ? `${SPINNER[Math.floor(now / 1000) % SPINNER.length]} checking`
    : t.checkedAt
      ? formatAgo(t.checkedAt, now) + (cols.next && t.nextAt ? ` · next ${formatDuration(t.nextAt - now)}` : '')
      : 'waiting';
  const headroom = headroomLabel(r);
  const problem = problemOf(r);
  // One Text with padded cells, not a flexbox per cell: a row is laid out as one node (the clock redraws every
  // row every second, so this is most of a frame's cost). Cell contents are narrow characters.
  const uptime = stats.uptimePct === null ? '—' : `${stats.uptimePct >= 99.95 ? '100' : stats.uptimePct.toFixed(1)}%`;
  const fixed =
    2 + 11 + cols.id + 1 + (cols.latency ? 9 : 0) + (cols.percentiles ? 16 : 0) + (cols.spark ? cols.spark + 1 : 0) + (cols.uptime ? 7 : 0) + (cols.headroom ? 12 : 0);
  const whenText = stale ? `⚠ ${when}` : when;
  const whenWidth = Math.max(0, width - fixed);
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text color={selected ? theme.selected : undefined} bold={selected}>
          {selected ? '› ' : '  '}
        </Text>
        <Text color={theme.status[status]} bold={status === 'down'}>
          {cell(`${STATUS_SYMBOL[status]} ${status}`, 11)}
        </Text>
        {blocker ? (
          <>
            <Text bold={selected}>{cell(t.id, cols.id - 2).trimEnd()}</Text>
            <Text color={theme.blocker}>{cell(' ⚑', cols.id + 1 - [...cell(t.id, cols.id - 2).trimEnd()].length)}</Text>
          </>
        ) : (
          <Text bold={selected}>{cell(t.id, cols.id + 1)}</Text>
        )}
        {cols.latency ? <Text>{cell(formatLatency(r?.latencyMs), 9)}</Text> : null}
        {cols.percentiles ? (
          <Text color={theme.muted}>{cell(stats.p50 === null ? '—' : `${formatLatency(stats.p50).replace(' ms', '')}/${formatLatency(stats.p95)}`, 16)}</Text>
        ) : null}
        {cols.spark ? <Text color={theme.accent}>{cell(spark, cols.spark + 1)}</Text> : null}
        {cols.uptime ? <Text color={stats.uptimePct !== null && stats.uptimePct < 99 ? theme.warn : theme.muted}>{cell(uptime, 7)}</Text> : null}
        {cols.headroom ? <Text color={theme.muted}>{cell(headroom ?? '', 12)}</Text> : null}
        <Text color={stale ? theme.warn : theme.muted} bold={stale}>
          {whenText.padStart(whenWidth)}
        </Text>
      </Text>
      {problem ? (
        <Box width={width} paddingLeft={13}>
          <Text color={theme.status[status]} wrap="truncate-end">
            ↳ {problem}
            {t.statusSince !== null ? (
              <Text color={theme.muted}>
                {' '}
                · {status} since {formatClock(t.statusSince, now)} ({formatDuration(now - t.statusSince)})
                {t.consecutiveFailures > 1 ? ` · ${t.consecutiveFailures}× in a row` : ''}
              </Text>
            ) : null}
          </Text>
        </Box>
      ) : null}
    </Box>
  );
});

/** Text cut or padded to exactly `width` columns (cells hold narrow characters). */
function cell(text: string, width: number): string {
  const chars = [...text];
  // Cut one short and keep a space, so a long value never runs into the next column.
  if (chars.length >= width) return `${chars.slice(0, Math.max(0, width - 2)).join('')}… `;
  return text + ' '.repeat(width - chars.length);
}

/** Screen lines a row takes: one, plus one for the problem of a target that is not up. */
export function rowHeight(t: TargetState): number {
  return problemOf(t.latest) ? 2 : 1;
}
