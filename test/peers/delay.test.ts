import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { peerTimers } from '../../src/peers/delay.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('peer timers', () => {
  it('answers after the delay', async () => {
    const timers = peerTimers();
    const order: string[] = [];
    void timers.delay(100).then(() => order.push('delay'));
    timers.after(50, () => order.push('after'));
    await vi.advanceTimersByTimeAsync(100);
    expect(order).toEqual(['after', 'delay']);
  });

  it('clears every pending timer on close: nothing fires, nothing keeps the process alive', async () => {
    const timers = peerTimers();
    const fired: string[] = [];
    void timers.delay(100).then(() => fired.push('delay'));
    timers.after(100, () => fired.push('after'));
    expect(vi.getTimerCount()).toBe(2);
    timers.clear();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fired).toEqual([]);
  });
});
