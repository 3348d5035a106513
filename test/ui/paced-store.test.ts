import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/probes/types.js';
import { configFromObject } from '../../src/config/config.js';
import { createStore, initialState } from '../../src/state/store.js';
import { manualClock } from '../../src/ui/clock-context.js';
import { pacedStore } from '../../src/ui/paced-store.js';

const T0 = Date.parse('2026-10-13T14:00:00Z');
const up = (latencyMs: number): ProbeResult => ({ status: 'up', latencyMs, error: null, details: {} });
const down: ProbeResult = { status: 'down', latencyMs: null, error: { kind: 'timeout', message: 'no answer within 5000 ms' }, details: {} };

function setup() {
  const config = configFromObject({ targets: [{ id: 'a', kind: 'http', url: 'http://127.0.0.1:9/' }] });
  const store = createStore(initialState(config, { now: T0 }));
  const clock = manualClock(T0);
  const view = pacedStore(store, clock);
  let told = 0;
  view.subscribe(() => told++);
  const finish = (at: number, result: ProbeResult) => store.dispatch({ type: 'probe-finished', id: 'a', at, result, attempts: 1, nextAt: at + 5000 });
  return { store, clock, view, finish, told: () => told };
}

describe('the paced view of the store', () => {
  it('shows a status change at once', () => {
    const { view, finish, told } = setup();
    finish(T0, up(12));
    expect([told(), view.getSnapshot().targets.a!.latest?.status]).toEqual([1, 'up']);
    finish(T0 + 5000, down);
    expect([told(), view.getSnapshot().targets.a!.latest?.status]).toEqual([2, 'down']);
  });

  it('holds a result that changes no status until the next tick, then shows the latest', () => {
    // Given a target already up on screen
    const { clock, view, finish, told, store } = setup();
    finish(T0, up(12));
    // When two more up results and a run start arrive between ticks
    finish(T0 + 5000, up(30));
    finish(T0 + 10_000, up(45));
    store.dispatch({ type: 'probe-started', id: 'a', at: T0 + 15_000 });
    // Then the screen still shows the first, and nobody was told
    expect([told(), view.getSnapshot().targets.a!.latest?.latencyMs]).toEqual([1, 12]);
    // And at the tick it shows the newest state, once
    clock.set(T0 + 16_000);
    expect([told(), view.getSnapshot().targets.a!.latest?.latencyMs, view.getSnapshot().targets.a!.running]).toEqual([2, 45, true]);
    clock.set(T0 + 17_000);
    expect(told()).toBe(2);
  });

  it('shows blockers and pause at once, with whatever was held', () => {
    const { view, finish, told, store } = setup();
    finish(T0, up(12));
    finish(T0 + 5000, up(30));
    store.dispatch({ type: 'blocker-opened', blocker: { id: 'B-1', targetId: 'a', openedAt: T0 + 6000, note: 'n' }, at: T0 + 6000 });
    expect([told(), Object.keys(view.getSnapshot().blockers), view.getSnapshot().targets.a!.latest?.latencyMs]).toEqual([2, ['B-1'], 30]);
    store.dispatch({ type: 'paused', paused: true, at: T0 + 7000 });
    expect([told(), view.getSnapshot().paused]).toEqual([3, true]);
  });

  it('shows at once a blocker another process opened (synced from the journal, with no event of ours)', () => {
    const { view, told, store } = setup();
    store.dispatch({ type: 'blockers-synced', blockers: [{ id: 'B-2', targetId: 'a', openedAt: T0, note: 'from escalate' }] });
    expect([told(), Object.keys(view.getSnapshot().blockers)]).toEqual([1, ['B-2']]);
  });
});
