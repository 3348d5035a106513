/** The journal and the store: state rebuilt from what the journal remembers, and the store's changes journaled. */
import { resultFromSample } from './convert.js';
import type { Journal, JournalHistory } from './types.js';
import { EVENT_CAPACITY, historyOf, streaksOf, type EngineEvent, type State, type Store, type TargetState } from '../state/store.js';

/**
 * The state as the journal remembers it: samples, the latest result (with its evidence), failure
 * streaks, open blockers and events. For headless commands, and for showing last-known status at start.
 */
export function stateFromHistory(state: State, history: JournalHistory): State {
  const targets: Record<string, TargetState> = { ...state.targets };
  for (const [id, t] of Object.entries(state.targets)) {
    const samples = history.samples[id];
    const last = samples?.at(-1);
    if (!samples || !last) continue;
    const s = streaksOf(samples);
    const ev = history.evidence[id];
    const evidence = ev && last.status !== 'up' && ev.at >= (s.failingSince ?? Infinity) ? ev.evidence : undefined;
    targets[id] = {
      ...t,
      samples: historyOf(samples),
      latest: resultFromSample(last, evidence),
      checkedAt: last.at,
      ...s,
    };
  }
  const blockers = { ...state.blockers };
  for (const b of history.blockers) blockers[b.id] = b;
  return { ...state, targets, blockers, events: [...history.events, ...state.events].slice(-EVENT_CAPACITY) };
}

/**
 * Journals what the store does from now on: new events, blockers opened and resolved. Call it after
 * dispatching `history-loaded`, so loaded history is not journaled twice. Returns the unsubscribe.
 */
export function attachJournal(store: Store, journal: Journal): () => void {
  const seen = new WeakSet<EngineEvent>();
  let last = store.getSnapshot();
  for (const e of last.events) seen.add(e);
  return store.subscribe(() => {
    const next = store.getSnapshot();
    if (next === last) return;
    if (next.events !== last.events) {
      const fresh: EngineEvent[] = [];
      for (let i = next.events.length - 1; i >= 0 && !seen.has(next.events[i]!); i--) fresh.push(next.events[i]!);
      for (const e of fresh.reverse()) {
        seen.add(e);
        journal.appendEvent(e);
      }
    }
    if (next.blockers !== last.blockers) {
      for (const [id, b] of Object.entries(next.blockers)) if (!last.blockers[id]) journal.appendBlocker({ opened: b });
      for (const [id, b] of Object.entries(last.blockers)) {
        if (!next.blockers[id]) {
          const resolved = [...next.events].reverse().find((e) => e.type === 'resolved' && e.blockerId === id);
          journal.appendBlocker({ resolved: { id, targetId: b.targetId, at: resolved?.at ?? Date.now() } });
        }
      }
    }
    last = next;
  });
}
