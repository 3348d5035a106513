import { Box, Text } from 'ink';
import { useClock } from './clock-context.js';
import { formatAgo, formatLatency } from '../text/format.js';
import { useAppState } from './store-context.js';
import { theme } from './theme.js';

/** One or two lines about the webhook receiver: deliveries, rate, rejections, duplicates, lag, last event. */
export function WebhooksPanel({ width }: { width: number }) {
  const wh = useAppState((s) => s.webhooks);
  const lastMinute = wh?.stats.perMinute.at(-1);
  const perMin = useClock((now) => (lastMinute && now - lastMinute.minute < 120_000 ? Object.values(lastMinute.topics).reduce((a, b) => a + b, 0) : 0));
  const last = wh?.stats.last;
  const lastAgo = useClock((now) => (last ? formatAgo(last.at, now) : ''));
  if (!wh) return null;
  const s = wh.stats;
  const topics = s.topics.map((t) => `${t.topic} ${t.count}`).join(' · ');
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text bold color={theme.accent}>
          WEBHOOKS
        </Text>
        <Text color={theme.muted}> {wh.listen} </Text>
        <Text>
          {s.delivered} delivered{topics ? ` (${topics})` : ''} · {perMin}/min
        </Text>
        <Text color={s.rejectedTotal ? theme.warn : theme.muted}> · {s.rejectedTotal} rejected</Text>
        <Text color={theme.muted}>
          {' '}
          · {s.duplicates} dup · lag p50 {formatLatency(s.lag.p50Ms)} p95 {formatLatency(s.lag.p95Ms)}
          {s.last ? ` · last ${s.last.topic} ${lastAgo}` : ''}
        </Text>
      </Text>
    </Box>
  );
}
