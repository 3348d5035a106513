import { Box, Text } from 'ink';
import { formatAgo, formatLatency } from './lib/format.js';
import { useAppState } from './store-context.js';
import { theme } from './theme.js';

/** One or two lines about the webhook receiver: deliveries, rate, rejections, duplicates, lag, last event. */
export function WebhooksPanel({ now, width }: { now: number; width: number }) {
  const wh = useAppState((s) => s.webhooks);
  if (!wh) return null;
  const s = wh.stats;
  const lastMinute = s.perMinute.at(-1);
  const perMin = lastMinute && now - lastMinute.minute < 120_000 ? Object.values(lastMinute.topics).reduce((a, b) => a + b, 0) : 0;
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
          {s.last ? ` · last ${s.last.topic} ${formatAgo(s.last.at, now)}` : ''}
        </Text>
      </Text>
    </Box>
  );
}
