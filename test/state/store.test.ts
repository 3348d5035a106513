import { describe, expect, it, vi } from 'vitest';
import type { ProbeResult } from '../../src/probes/types.js';
import { configFromObject } from '../../src/config/config.js';
import { SampleHistory } from '../../src/state/history.js';
import { SampleColumns } from '../../src/journal/sample-columns.js';
import { appendSamples, createStore, initialState, reduce, SAMPLE_CAPACITY, SAMPLE_FLOOR, streaksOf } from '../../src/state/store.js';
import type { Sample } from '../../src/state/stats.js';

const up: ProbeResult = { status: 'up', latencyMs: 12, error: null, details: {} };
const sample = (at: number): Sample => ({ at, status: 'up', latencyMs: 12 });
const T0 = Date.parse('2026-10-13T14:00:00Z');

describe('a target history in the store', () => {
  it('keeps the last hour of a 5-second target, not five hours', () => {
    // Given a target checked every 5 s for two hours
    const config = configFromObject({ targets: [{ id: 'a', kind: 'http', url: 'http://127.0.0.1:9/' }] });
    const store = createStore(initialState(config, { now: T0 }));
    for (let i = 0; i < 1440; i++) store.dispatch({ type: 'probe-finished', id: 'a', at: T0 + i * 5000, result: up, attempts: 1, nextAt: null });
    // Then it holds the hour behind the newest sample (720 intervals + the sample on the hour's edge)
    const h = store.getSnapshot().targets.a!.samples;
    expect(h.length).toBe(721);
    expect(h.at(0)!.at).toBe(T0 + 1439 * 5000 - 3_600_000);
    expect(h.at(-1)!.at).toBe(T0 + 1439 * 5000);
  });

  it('caps a 1-second target at SAMPLE_CAPACITY', () => {
    let h = SampleHistory.empty;
    for (let i = 0; i < 5000; i++) h = appendSamples(h, [sample(T0 + i * 1000)]);
    expect([h.length, h.at(0)!.at]).toEqual([SAMPLE_CAPACITY, T0 + (5000 - SAMPLE_CAPACITY) * 1000]);
  });

  it('keeps the newest SAMPLE_FLOOR samples of a slow target whatever their age', () => {
    // A status page every 5 minutes: 300 samples span 25 hours
    const list = Array.from({ length: 300 }, (_, i) => sample(T0 + i * 300_000));
    const h = appendSamples(SampleHistory.empty, list);
    expect([h.length, h.at(0)!.at]).toEqual([SAMPLE_FLOOR, T0 + 60 * 300_000]);
  });

  it('never changes the history an older snapshot holds', () => {
    const config = configFromObject({ targets: [{ id: 'a', kind: 'http', url: 'http://127.0.0.1:9/' }] });
    const store = createStore(initialState(config, { now: T0 }));
    store.dispatch({ type: 'probe-finished', id: 'a', at: T0, result: up, attempts: 1, nextAt: null });
    const before = store.getSnapshot().targets.a!.samples;
    store.dispatch({ type: 'probe-finished', id: 'a', at: T0 + 1000, result: up, attempts: 1, nextAt: null });
    expect(before.length).toBe(1);
    expect(store.getSnapshot().targets.a!.samples.slice().map((s) => s.at)).toEqual([T0, T0 + 1000]);
  });

  it('seeds from the journal\'s columns: the newest SAMPLE_CAPACITY samples, streaks from the whole load', () => {
    // Given 5000 one-second samples, down since the 1000th (a streak longer than what memory keeps)
    const config = configFromObject({ targets: [{ id: 'a', kind: 'http', url: 'http://127.0.0.1:9/' }] });
    const loaded = SampleColumns.from(
      Array.from({ length: 5000 }, (_, i) => (i < 1000 ? sample(T0 + i * 1000) : { at: T0 + i * 1000, status: 'down' as const, latencyMs: null, errorKind: 'timeout' as const })),
    );
    const s = reduce(initialState(config, { now: T0 }), { type: 'history-loaded', samples: { a: loaded }, events: [], blockers: [] });
    const t = s.targets.a!;
    expect([t.samples.length, t.samples.at(0)!.at, t.samples.at(-1)!.at]).toEqual([3600, T0 + 1400 * 1000, T0 + 4999 * 1000]);
    expect(t.samples.at(-1)).toEqual({ at: T0 + 4999 * 1000, status: 'down', latencyMs: null, errorKind: 'timeout' });
    expect([t.consecutiveFailures, t.failingSince, t.statusSince]).toEqual([4000, T0 + 1000 * 1000, T0 + 1000 * 1000]);
  });

  it('reads streaks from the journal\'s columns field by field, building no sample (a target up for 72 h walks them all)', () => {
    // Given up for a while, then degraded once, then down twice
    const samples: Sample[] = [
      ...Array.from({ length: 10 }, (_, i) => sample(T0 + i * 5000)),
      { at: T0 + 50_000, status: 'degraded', latencyMs: 3000 },
      { at: T0 + 55_000, status: 'down', latencyMs: null, errorKind: 'timeout' },
      { at: T0 + 60_000, status: 'down', latencyMs: null, errorKind: 'timeout' },
    ];
    const columns = SampleColumns.from(samples);
    const reads = vi.spyOn(columns, 'at');
    const expected = { statusSince: T0 + 55_000, failingSince: T0 + 50_000, consecutiveFailures: 2 };
    expect(streaksOf(columns)).toEqual(expected);
    expect(reads).not.toHaveBeenCalled();
    // the same from plain samples, and from a list that is up throughout
    expect(streaksOf(samples)).toEqual(expected);
    expect(streaksOf(SampleColumns.from(samples.slice(0, 10)))).toEqual({ statusSince: T0, failingSince: null, consecutiveFailures: 0 });
    expect(streaksOf([])).toEqual({ statusSince: null, failingSince: null, consecutiveFailures: 0 });
  });
});
