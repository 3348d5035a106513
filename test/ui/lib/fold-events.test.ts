import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src/state/store.js';
import { foldEvents } from '../../../src/ui/lib/fold-events.js';

const t = (at: number, targetId: string, from: 'up' | 'down', to: 'up' | 'down'): EngineEvent => ({ type: 'transition', at, targetId, from, to });

describe('foldEvents', () => {
  it("folds one target's flaps into its newest line, past other targets' events", () => {
    const events: EngineEvent[] = [
      t(1_000, 'a', 'up', 'down'),
      t(2_000, 'a', 'down', 'up'),
      t(2_500, 'b', 'up', 'down'),
      { type: 'rerun', at: 2_600, targetId: null },
      t(3_000, 'a', 'up', 'down'),
    ];
    expect(foldEvents(events).map((l) => [l.event.at, l.count, l.firstAt])).toEqual([
      [3_000, 3, 1_000],
      [2_600, 1, 2_600],
      [2_500, 1, 2_500],
    ]);
  });

  it('starts a new line after a quiet gap', () => {
    const events = [t(0, 'a', 'up', 'down'), t(20 * 60_000, 'a', 'down', 'up'), t(21 * 60_000, 'a', 'up', 'down')];
    expect(foldEvents(events).map((l) => l.count)).toEqual([2, 1]);
  });
});
