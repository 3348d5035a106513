import { Box, Text } from 'ink';
import type { EngineEvent } from '../state/store.js';
import { formatClock } from './lib/clock.js';
import { theme } from './theme.js';

/** One event as a line: `14:03:12 shopify-admin up → down (timeout: …)`. Exported for tests and reports. */
export function describeEvent(e: EngineEvent): { text: string; tone: 'up' | 'degraded' | 'down' | 'info' | 'warn' | 'error' } {
  switch (e.type) {
    case 'transition':
      return {
        text: `${e.targetId} ${e.from ?? 'new'} → ${e.to}${e.errorKind ? ` (${e.errorKind}: ${e.message ?? ''})` : e.message ? ` (${e.message})` : ''}`,
        tone: e.to,
      };
    case 'rerun':
      return { text: `rerun ${e.targetId ?? 'all targets'}`, tone: 'info' };
    case 'escalated':
      return { text: `BLOCKER ${e.blockerId} written for ${e.targetId}`, tone: 'warn' };
    case 'resolved':
      return { text: `RESOLVED ${e.blockerId} (${e.targetId})`, tone: 'up' };
    case 'report':
      return { text: `hourly report written to ${e.path}`, tone: 'info' };
    case 'paused':
      return { text: 'polling paused', tone: 'warn' };
    case 'resumed':
      return { text: 'polling resumed', tone: 'info' };
    case 'notice':
      return { text: e.message, tone: e.level };
  }
}

const TONE: Record<ReturnType<typeof describeEvent>['tone'], string | undefined> = {
  up: theme.status.up,
  degraded: theme.status.degraded,
  down: theme.status.down,
  info: undefined,
  warn: theme.warn,
  error: theme.error,
};

/** Newest first, as many as fit. */
export function EventLog({ events, height, width, now }: { events: readonly EngineEvent[]; height: number; width: number; now: number }) {
  const shown = events.slice(-Math.max(0, height - 1)).reverse();
  return (
    <Box flexDirection="column" width={width}>
      <Text bold color={theme.accent}>
        EVENTS <Text color={theme.muted}>(newest first)</Text>
      </Text>
      {shown.length === 0 ? <Text color={theme.muted}>nothing yet</Text> : null}
      {shown.map((e, i) => {
        const d = describeEvent(e);
        return (
          <Text key={`${e.at}-${i}`} wrap="truncate-end">
            <Text color={theme.muted}>{formatClock(e.at, now)} </Text>
            <Text color={TONE[d.tone]}>{d.text}</Text>
          </Text>
        );
      })}
    </Box>
  );
}
