import type { EngineEvent } from '../../state/store.js';

/** One line of the event log: an event, and for a flapping target how many of its changes the line stands for. */
export interface LogLine {
  event: EngineEvent;
  /** Status changes folded into this line (1: just this one). */
  count: number;
  /** When the oldest of them happened. */
  firstAt: number;
}

/** Changes of one target closer together than this fold into one line. */
export const FLAP_GAP_MS = 10 * 60_000;

/**
 * The log's lines, newest first: repeated status changes of one target (a flap: up → down → up → down…) fold into
 * the line of its newest change, with a count, as long as each is within FLAP_GAP_MS of the next. Other targets'
 * events in between do not break the fold: with forty targets, one flapping target must not bury the rest.
 */
export function foldEvents(events: readonly EngineEvent[], gapMs = FLAP_GAP_MS): LogLine[] {
  const out: LogLine[] = [];
  const open = new Map<string, LogLine>();
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    // A first result ("new → up") is no flap: it keeps a line of its own.
    if (e.type !== 'transition' || e.from === null) {
      out.push({ event: e, count: 1, firstAt: e.at });
      continue;
    }
    const line = open.get(e.targetId);
    if (line && line.firstAt - e.at <= gapMs) {
      line.count++;
      line.firstAt = e.at;
      continue;
    }
    const fresh = { event: e, count: 1, firstAt: e.at };
    out.push(fresh);
    open.set(e.targetId, fresh);
  }
  return out;
}
