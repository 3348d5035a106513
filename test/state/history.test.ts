import { describe, expect, it } from 'vitest';
import { SampleHistory } from '../../src/state/history.js';
import type { Sample } from '../../src/state/stats.js';

const s = (at: number): Sample => ({ at, status: 'up', latencyMs: at % 97 });
const ats = (h: SampleHistory) => [...h].map((x) => x.at);

describe('SampleHistory', () => {
  it('reads like an array: length, at (negative from the end), slice, iteration', () => {
    const h = SampleHistory.empty.append([s(1), s(2), s(3)]);
    expect(h.length).toBe(3);
    expect([h.at(0)?.at, h.at(2)?.at, h.at(-1)?.at, h.at(-3)?.at, h.at(3), h.at(-4)]).toEqual([1, 3, 3, 1, undefined, undefined]);
    expect(h.slice(-2).map((x) => x.at)).toEqual([2, 3]);
    expect(h.slice(1, 2).map((x) => x.at)).toEqual([2]);
    expect(h.slice(5).map((x) => x.at)).toEqual([]);
    expect(ats(h)).toEqual([1, 2, 3]);
    expect(SampleHistory.empty.length).toBe(0);
    expect(SampleHistory.empty.at(-1)).toBeUndefined();
  });

  it('keeps the same samples as an array through any mix of appends and drops, across chunk boundaries', () => {
    // Given a reference array and a history fed the same appends and drops
    let ref: Sample[] = [];
    let h = SampleHistory.empty;
    let at = 0;
    const steps: [add: number, drop: number][] = [[1, 0], [70, 0], [1, 1], [200, 64], [3, 130], [0, 5], [64, 64], [1, 0], [500, 600], [10, 3]];
    for (let round = 0; round < 40; round++) {
      const [add, drop] = steps[round % steps.length]!;
      const added = Array.from({ length: add }, () => s(++at));
      // When both take the step
      h = h.append(added, drop);
      ref = [...ref, ...added].slice(Math.min(drop, ref.length + add));
      // Then they hold the same samples, in order
      expect(h.length).toBe(ref.length);
      expect(ats(h)).toEqual(ref.map((x) => x.at));
      if (ref.length) expect([h.at(0), h.at(-1), h.at(ref.length >> 1)]).toEqual([ref[0], ref.at(-1), ref[ref.length >> 1]]);
    }
  });

  it('never changes a history it was made from', () => {
    const a = SampleHistory.empty.append(Array.from({ length: 100 }, (_, i) => s(i)));
    const b = a.append([s(100)], 40);
    const c = a.append([s(200), s(201)]);
    expect([a.length, a.at(0)?.at, a.at(-1)?.at]).toEqual([100, 0, 99]);
    expect([b.length, b.at(0)?.at, b.at(-1)?.at]).toEqual([61, 40, 100]);
    expect([c.length, c.at(-2)?.at, c.at(-1)?.at]).toEqual([102, 200, 201]);
  });

  it('knows whether its samples are in time order, through appends', () => {
    const a = SampleHistory.empty.append([s(1), s(2)]);
    const b = a.append([s(2), s(3)]);
    const c = b.append([s(1)]);
    expect([SampleHistory.empty.ordered, a.ordered, b.ordered, c.ordered, c.append([s(9)]).ordered]).toEqual([true, true, true, false, false]);
    expect(SampleHistory.empty.append([s(3), s(2)]).ordered).toBe(false);
  });

  it('returns itself for an empty change', () => {
    const a = SampleHistory.empty.append([s(1)]);
    expect(a.append([])).toBe(a);
  });
});
