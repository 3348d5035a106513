import { useStderr } from 'ink';
import { useEffect, useRef } from 'react';
import { ackSilences } from '../state/acks.js';
import type { EngineEvent } from '../state/store.js';
import { useAckStore } from './use-acks.js';

/** Rings the terminal bell once per new transition to down, unless muted or the target is acknowledged (a). */
export function useBell(events: readonly EngineEvent[], muted: boolean): void {
  // The bell goes to stderr (the same terminal): a BEL in Ink's stdout stream would be taken for a frame.
  const { stderr } = useStderr();
  const acks = useAckStore();
  const seen = useRef<EngineEvent | undefined>(events.at(-1));
  useEffect(() => {
    const last = seen.current;
    const start = last ? events.lastIndexOf(last) + 1 : 0;
    seen.current = events.at(-1);
    if (muted) return;
    // An acked target rings again only when it gets worse than acked (followTransitions has ended its ack by then).
    const now = Date.now();
    const ring = events.slice(start).some((e) => e.type === 'transition' && e.to === 'down' && !ackSilences(acks.getSnapshot()[e.targetId], e.to, now));
    if (ring) stderr.write('\u0007');
  }, [events, muted, stderr, acks]);
}
