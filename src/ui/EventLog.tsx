import { Box, Text } from 'ink';
import type { EngineEvent } from '../state/store.js';
import { memo } from 'react';
import { useClock, useTimeZone } from './clock-context.js';
import { dayOf, formatClock, zoneLabel } from './lib/clock.js';
import type { LogLine } from './lib/fold-events.js';
import { paint } from './lib/paint.js';
import { theme } from './theme.js';

/** One event as a line: `14:03:12 shopify-admin up → down (timeout: …)`. Exported for tests and reports. */
export function describeEvent(e: EngineEvent): { text: string; tone: 'up' | 'degraded' | 'down' | 'info' | 'warn' | 'error' } {
  switch (e.type) {
    case 'transition':
      return {
        // Held while pitwall was offline: unknown, and no colour of blame.
        text: `${e.targetId} ${e.fromHeld ? 'unknown' : (e.from ?? 'new')} → ${e.toHeld ? 'unknown' : e.to}${e.errorKind ? ` (${e.errorKind}: ${e.message ?? ''})` : e.message ? ` (${e.message})` : ''}`,
        tone: e.toHeld ? 'info' : e.to,
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
 * Newest first, as many as fit, from `scroll` lines back: one Text of lines rather than a Text per event (the log
 * is a third of the screen and every node costs Ink work on every frame). A flapping target's changes are one
 * line with a count (lib/fold-events.ts). With focus (Tab) the title says so and ↑↓ scroll it.
 */
export const EventLog = memo(function EventLog({
  lines,
  height,
  width,
  focused = false,
  scroll = 0,
}: {
  lines: readonly LogLine[];
  height: number;
  width: number;
  focused?: boolean;
  scroll?: number;
}) {
  // Times carry a date once they are from another day: the log re-renders at midnight, not every second.
  const tz = useTimeZone();
  const today = useClock((now) => dayOf(now, tz));
  const room = Math.max(0, height - 1);
  const from = Math.min(Math.max(0, scroll), Math.max(0, lines.length - room));
  const shown = lines.slice(from, from + room);
  const where = lines.length > room ? ` ${from + 1}–${from + shown.length} of ${lines.length}` : '';
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        {focused
          ? paint('▸ EVENTS ', { color: theme.accent, bold: true, inverse: true })
          : paint('EVENTS', { color: theme.accent, bold: true })}{' '}
        {paint(`(newest first, times ${zoneLabel(tz, today)})${where}`, { color: theme.muted })}
        {paint(focused ? ' · ↑↓ PgUp/PgDn g/G scroll · Tab or Esc: back to targets' : lines.length > room ? ' · Tab scrolls' : '', { color: theme.muted })}
      </Text>
      {shown.length === 0 ? (
        <Text>{paint('nothing yet', { color: theme.muted })}</Text>
      ) : (
        <Text wrap="truncate-end">
          {shown
            .map(({ event: e, count, firstAt }) => {
              const d = describeEvent(e);
              // One event, one line: a message that spans lines would push the log past its height.
              const text = d.text.replace(/\s*[\r\n]+\s*/g, ' ');
              const tone = TONE[d.tone];
              // The count first: a long error cut at the end must not take it with it.
              const folded = count > 1 ? paint(`×${count} since ${formatClock(firstAt, today, tz)} `, { color: theme.warn, bold: true }) : '';
              return `${paint(formatClock(e.at, today, tz), { color: theme.muted })} ${folded}${tone ? paint(text, { color: tone }) : text}`;
            })
            .join('\n')}
        </Text>
      )}
    </Box>
  );
});
