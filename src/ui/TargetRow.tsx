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
  return (
    <Box flexDirection="column" width={width}>
    <Box width={width}>
      <Text color={selected ? theme.selected : undefined} bold={selected}>
        {selected ? '› ' : '  '}
      </Text>
      <Box width={11} flexShrink={0}>
        <Text color={theme.status[status]} bold={status === 'down'}>
          {STATUS_SYMBOL[status]} {status}
        </Text>
      </Box>
      <Box width={cols.id} flexShrink={0} marginRight={1}>
        <Text bold={selected} wrap="truncate-end">
          {t.id}
        </Text>
        {blocker ? <Text color={theme.blocker}> ⚑</Text> : null}
      </Box>
      {cols.latency ? (
        <Box width={9} flexShrink={0}>
          <Text>{formatLatency(r?.latencyMs)}</Text>
        </Box>
      ) : null}
      {cols.percentiles ? (
        <Box width={16} flexShrink={0}>
          <Text color={theme.muted}>
            {stats.p50 === null ? '—' : `${formatLatency(stats.p50).replace(' ms', '')}/${formatLatency(stats.p95)}`}
          </Text>
        </Box>
      ) : null}
      {cols.spark ? (
        <Box width={cols.spark + 1} flexShrink={0}>
          <Text color={theme.accent}>{spark}</Text>
        </Box>
      ) : null}
      {cols.uptime ? (
        <Box width={7} flexShrink={0}>
          <Text color={stats.uptimePct !== null && stats.uptimePct < 99 ? theme.warn : theme.muted}>
            {stats.uptimePct === null ? '—' : `${stats.uptimePct >= 99.95 ? '100' : stats.uptimePct.toFixed(1)}%`}
          </Text>
        </Box>
      ) : null}
      {cols.headroom ? (
        <Box width={12} flexShrink={0}>
          <Text color={theme.muted} wrap="truncate-end">
            {headroom ?? ''}
          </Text>
        </Box>
      ) : null}
      <Box flexGrow={1} />
      <Box flexShrink={0} width={cols.next ? 22 : 12} justifyContent="flex-end">
        <Text color={stale ? theme.warn : theme.muted} bold={stale}>
          {stale ? `⚠ ${when}` : when}
        </Text>
      </Box>
    </Box>
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

/** Screen lines a row takes: one, plus one for the problem of a target that is not up. */
export function rowHeight(t: TargetState): number {
  return problemOf(t.latest) ? 2 : 1;
}
