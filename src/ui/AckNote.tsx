import { Text } from 'ink';
import { ackActive, ackLabel, type Ack } from '../state/acks.js';
import { useClock, useTimeZone } from './clock-context.js';
import { formatClock } from './lib/clock.js';
import { paint } from './lib/paint.js';
import { theme } from './theme.js';
import { useAck, useAcks } from './use-acks.js';

/** "03:12" in the console's zone (config `timezone`), like every other time on screen. */
const hhmmIn = (tz: string | undefined) => (at: number) => formatClock(at, at, tz).slice(0, 5);

/** "acked by dana 03:12 (until up) · " before a row's problem, while the target's ack holds. */
export function AckNote({ id }: { id: string }) {
  const ack = useAck(id);
  const hhmm = hhmmIn(useTimeZone());
  const active = useClock((now) => ackActive(ack, now));
  if (!ack || !active) return null;
  return <Text>{paint(`${ackLabel(ack, hhmm)} · `, { color: theme.accent, bold: true })}</Text>;
}

/** " · shopify-admin acked by dana 03:12 (until up)" after the tiles' hurt line, for each ack that holds. */
export function AckedTiles() {
  const acks = useAcks();
  const hhmm = hhmmIn(useTimeZone());
  const now = useClock((n) => Math.floor(n / 60_000) * 60_000);
  const held = Object.values(acks).filter((a): a is Ack => ackActive(a, now));
  if (!held.length) return null;
  return <Text>{paint(held.map((a) => `  ·  ${a.targetId} ${ackLabel(a, hhmm)}`).join(''), { color: theme.muted })}</Text>;
}
