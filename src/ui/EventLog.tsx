import { Box, Text } from 'ink';
import type { EngineEvent } from '../state/store.js';
import { memo } from 'react';
import { useClock } from './clock-context.js';
import { dayOf, formatClock } from './lib/clock.js';
import { paint } from './lib/paint.js';
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
      // Opened, not "written": its entry may be waiting in the outbox (the header counts what waits).
      return { text: `BLOCKER ${e.blockerId} opened for ${e.targetId}`, tone: 'warn' };
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

/**
 * Newest first, as many as fit: one Text of lines rather than a Text per event (the log is a third of the screen
 * and every node costs Ink work on every frame).
 */
export const EventLog = memo(function EventLog({ events, height, width }: { events: readonly EngineEvent[]; height: number; width: number }) {
  // Times carry a date once they are from another day: the log re-renders at midnight, not every second.
  const today = useClock(dayOf);
  const shown = events.slice(-Math.max(0, height - 1)).reverse();
  return (
    <Box flexDirection="column" width={width}>
      <Text>
        {paint('EVENTS', { color: theme.accent, bold: true })} {paint('(newest first)', { color: theme.muted })}
      </Text>
      {shown.length === 0 ? (
        <Text>{paint('nothing yet', { color: theme.muted })}</Text>
      ) : (
        <Text wrap="truncate-end">
          {shown
            .map((e) => {
              const d = describeEvent(e);
              // One event, one line: a message that spans lines would push the log past its height.
              const text = d.text.replace(/\s*[\r\n]+\s*/g, ' ');
              const tone = TONE[d.tone];
              return `${paint(formatClock(e.at, today), { color: theme.muted })} ${tone ? paint(text, { color: tone }) : text}`;
            })
            .join('\n')}
        </Text>
      )}
    </Box>
  );
});
