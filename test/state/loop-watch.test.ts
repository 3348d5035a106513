import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLoopWatch, TICK_MS } from '../../src/state/loop-watch.js';

describe('loop watch', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reads nothing while the loop keeps time, and ticks only while watched', () => {
    let now = 1_000;
    const watch = createLoopWatch(() => now);
    const end = watch.begin();
    for (let i = 0; i < 10; i++) {
      now += TICK_MS;
      vi.advanceTimersByTime(TICK_MS);
    }
    expect(end()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sees a stall between ticks, and one that ends just as the answer is read', () => {
    let now = 1_000;
    const watch = createLoopWatch(() => now);
    // Given two exchanges in flight
    const a = watch.begin();
    const b = watch.begin();
    // When the loop is held 300 ms (no tick could run), then ticks again
    now += 300;
    vi.advanceTimersByTime(TICK_MS);
    // Then both saw it (300 ms since the last tick, less the tick's own period)
    expect(a()).toBe(300 - TICK_MS);
    // And an exchange whose answer is read right after a 40 ms stall, before any tick, sees that one
    const c = watch.begin();
    now += 40;
    expect(c()).toBe(40 - TICK_MS);
    expect(b()).toBe(300 - TICK_MS);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives the same reading when asked twice', () => {
    let now = 0;
    const watch = createLoopWatch(() => now);
    const end = watch.begin();
    now += 50;
    expect(end()).toBe(50 - TICK_MS);
    now += 500;
    expect(end()).toBe(50 - TICK_MS);
  });
});
