import type { State, Store } from '../state/store.js';
import type { Clock } from './clock-context.js';

/**
 * The store as the screen sees it: a change that matters now (an event — which every status change is —, a
 * blocker, pause, the outbox) is shown at once; any other (a new latency, a run starting, a next-check time) waits
 * for the clock's next tick and is drawn in the same task, so React and Ink make one frame of both. Without it, every
 * round of results costs a frame of its own between two ticks.
 */
export function pacedStore(store: Store, clock: Pick<Clock, 'subscribe'>): Store {
  let visible = store.getSnapshot();
  let pending = false;
  const listeners = new Set<() => void>();
  const show = () => {
    visible = store.getSnapshot();
    pending = false;
    for (const l of [...listeners]) l();
  };
  store.subscribe(() => {
    const next = store.getSnapshot();
    if (next === visible) return;
    if (urgent(visible, next)) show();
    else pending = true;
  });
  clock.subscribe(() => {
    if (pending) show();
  });
  return {
    getSnapshot: () => visible,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispatch: store.dispatch,
  };
}

/** Whether a change must be on screen now rather than at the next tick. */
export function urgent(shown: State, next: State): boolean {
  return (
    next.events !== shown.events ||
    next.blockers !== shown.blockers ||
    next.paused !== shown.paused ||
    next.outbox !== shown.outbox ||
    next.order !== shown.order ||
    next.feedbackFile !== shown.feedbackFile
  );
}
