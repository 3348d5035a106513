import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/probes/types.js';
import { configFromObject } from '../../src/config/config.js';
import { initialState, reduce, type State, type TargetState } from '../../src/state/store.js';
import { targetRecord, withValue } from '../../src/state/target-record.js';

const up: ProbeResult = { status: 'up', latencyMs: 12, error: null, details: {} };
const T0 = Date.parse('2026-10-13T14:00:00Z');

/**
 * Work a whole `pitwall check` of n targets costs the reducer (started, finished, scheduled per target), counted as
 * reads of the targets the check began with: every target is a getter that counts, so a reducer that copies the
 * whole map per dispatch reads n targets per dispatch (3n² in all), one that copies only the changed one reads O(n).
 */
function readsForCheck(n: number): number {
  const config = configFromObject({ targets: Array.from({ length: n }, (_, i) => ({ id: `t-${i}`, kind: 'http', url: 'http://127.0.0.1:9/' })) });
  const plain = initialState(config, { now: T0 });
  let reads = 0;
  const counted: Record<string, TargetState> = {};
  for (const [id, t] of Object.entries(plain.targets)) {
    Object.defineProperty(counted, id, { enumerable: true, configurable: true, get: () => (reads++, t) });
  }
  let state: State = { ...plain, targets: counted };
  for (const id of plain.order) {
    state = reduce(state, { type: 'probe-started', id, at: T0 });
    state = reduce(state, { type: 'probe-finished', id, at: T0 + 5, result: up, attempts: 1, nextAt: null });
    state = reduce(state, { type: 'scheduled', id, nextAt: T0 + 30_000 });
  }
  expect(Object.values(state.targets).every((t) => t.latest === up)).toBe(true);
  return reads;
}

describe('the store with many targets', () => {
  it('costs linear work in the number of targets: ten times the targets, at most ~ten times the reads', () => {
    const small = readsForCheck(400);
    const large = readsForCheck(4_000);
    // Copying the whole map per dispatch makes this ratio 100; sharing all but the changed target makes it 10.
    expect(large / small).toBeLessThan(12.5);
    expect(large).toBeLessThan(4_000 * 10);
  });

  it('changes the identity of the changed target and of the map, and of nothing else', () => {
    const config = configFromObject({ targets: Array.from({ length: 2_000 }, (_, i) => ({ id: `t-${i}`, kind: 'http', url: 'http://127.0.0.1:9/' })) });
    const before = initialState(config, { now: T0 });
    const after = reduce(before, { type: 'probe-finished', id: 't-1234', at: T0, result: up, attempts: 1, nextAt: null });
    expect(after.targets).not.toBe(before.targets);
    expect(after.targets['t-1234']).not.toBe(before.targets['t-1234']);
    expect(after.targets['t-1234']!.latest).toBe(up);
    expect(before.targets['t-1234']!.latest).toBeNull();
    const same = Object.keys(before.targets).filter((id) => after.targets[id] === before.targets[id]);
    expect(same).toHaveLength(1_999);
    expect(Object.keys(after.targets)).toEqual(config.targets.map((t) => t.id));
    // Nothing to change, nothing new: a listener is not woken for it.
    expect(reduce(after, { type: 'probe-overdue', id: 't-1', since: T0 })).toBe(after);
  });
});

describe('a target record', () => {
  it('reads like a plain record: index, in, keys, values, entries, JSON, spread', () => {
    const r = targetRecord([
      ['b', 2],
      ['a', 1],
    ]);
    const r2 = withValue(r, 'a', 10);
    expect([r2['a'], r2['b'], r2['c'], 'a' in r2, 'c' in r2]).toEqual([10, 2, undefined, true, false]);
    expect([Object.keys(r2), Object.values(r2), Object.entries(r2)]).toEqual([['b', 'a'], [2, 10], [['b', 2], ['a', 10]]]);
    expect(JSON.stringify(r2)).toBe('{"b":2,"a":10}');
    expect({ ...r2, c: 3 }).toEqual({ b: 2, a: 10, c: 3 });
    expect(r2).toEqual({ a: 10, b: 2 });
    expect(r).toEqual({ a: 1, b: 2 });
  });

  it('keeps every value across trie levels (1, 32, 33, 1025 and 40,000 keys) and refuses writes', () => {
    for (const n of [1, 32, 33, 1025, 40_000]) {
      let r = targetRecord(Array.from({ length: n }, (_, i) => [`k${i}`, i] as const));
      for (let i = 0; i < n; i += Math.ceil(n / 50)) r = withValue(r, `k${i}`, -i);
      const values = Object.values(r);
      expect(values).toHaveLength(n);
      expect(values.every((v, i) => v === (i % Math.ceil(n / 50) === 0 ? -i : i))).toBe(true);
    }
    const r = targetRecord([['a', 1]]) as Record<string, number>;
    expect(() => (r['a'] = 2)).toThrow(TypeError);
    expect(() => delete r['a']).toThrow(TypeError);
  });

  it('adds a key it does not have by copying once', () => {
    const r = withValue(targetRecord([['a', 1]]), 'b', 2);
    expect(r).toEqual({ a: 1, b: 2 });
  });
});
