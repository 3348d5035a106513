import { useStderr } from 'ink';
import { useEffect, useRef } from 'react';
import type { EngineEvent } from '../state/store.js';

/** Rings the terminal bell once per new transition to down, unless muted. */
export function useBell(events: readonly EngineEvent[], muted: boolean): void {
  // The bell goes to stderr (the same terminal): a BEL in Ink's stdout stream would be taken for a frame.
  const { stderr } = useStderr();
  const seen = useRef<EngineEvent | undefined>(events.at(-1));
  useEffect(() => {
    const last = seen.current;
    const start = last ? events.lastIndexOf(last) + 1 : 0;
    seen.current = events.at(-1);
    if (muted) return;
    if (events.slice(start).some((e) => e.type === 'transition' && e.to === 'down')) stderr.write('\u0007');
  }, [events, muted, stderr]);
}
