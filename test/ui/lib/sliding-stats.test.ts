import { describe, expect, it } from 'vitest';
import { configFromObject } from '../../../src/config/config.js';
import { windowStats, type Sample } from '../../../src/state/stats.js';
import { initialState, reduce, SAMPLE_CAPACITY, type State } from '../../../src/state/store.js';
import { hourFrom, lastHour } from '../../../src/ui/lib/row-stats.js';
import { statsSince } from '../../../src/ui/lib/sliding-stats.js';

const samples: Sample[] = [
  { at: 1_000, status: 'up', latencyMs: 10 },
  { at: 2_000, status: 'up', latencyMs: 30 },
  { at: 3_000, status: 'down', latencyMs: null, errorKind: 'timeout' },
  { at: 4_000, status: 'degraded', latencyMs: 20 },
];

const config = configFromObject({ targets: [{ id: 'a', kind: 'http', url: 'http://127.0.0.1:1/' }] });
const finish = (s: State, at: number, latencyMs: number | null): State =>
  reduce(s, {
    type: 'probe-finished',
    id: 'a',
    at,
    result: latencyMs === null ? { status: 'down', latencyMs: null, error: { kind: 'timeout', message: 't' }, details: {} } : { status: 'up', latencyMs, error: null, details: {} },
    attempts: 1,
    nextAt: null,
  });

describe('window stats', () => {
  it('counts checks, failures and uptime, and picks nearest-rank percentiles of the latencies', () => {
    expect(windowStats(samples)).toEqual({ checks: 4, failures: 1, uptimePct: 75, p50: 20, p95: 30, max: 30, errorsByKind: { timeout: 1 } });
    expect(windowStats(samples, 2_500)).toEqual({ checks: 2, failures: 1, uptimePct: 50, p50: 20, p95: 20, max: 20, errorsByKind: { timeout: 1 } });
    expect(windowStats(samples, Infinity)).toEqual({ checks: 0, failures: 0, uptimePct: null, p50: null, p95: null, max: null, errorsByKind: {} });
  });

  it('gives the same stats as a fresh count while the window slides forward', () => {
    expect(statsSince(samples, 0)).toEqual({ checks: 4, failures: 1, uptimePct: 75, p50: 20, p95: 30, max: 30, errorsByKind: { timeout: 1 } });
    expect(statsSince(samples, 2_500)).toEqual({ checks: 2, failures: 1, uptimePct: 50, p50: 20, p95: 20, max: 20, errorsByKind: { timeout: 1 } });
    expect(statsSince(samples, 3_500)).toEqual({ checks: 1, failures: 0, uptimePct: 100, p50: 20, p95: 20, max: 20, errorsByKind: {} });
    // and back: an earlier start is counted again, not left out
    expect(statsSince(samples, 1_500)).toEqual({ checks: 3, failures: 1, uptimePct: (100 * 2) / 3, p50: 20, p95: 30, max: 30, errorsByKind: { timeout: 1 } });
  });

  it('never shows stale stats: a new result is counted, and the array before it keeps its own', () => {
    // Given a target's history as the store keeps it
    let s = initialState(config, { now: 0 });
    for (let i = 1; i <= 5; i++) s = finish(s, i * 1_000, 100);
    const before = s.targets.a!.samples;
    expect(statsSince(before, 0)).toMatchObject({ checks: 5, p95: 100, max: 100 });
    // When a slow result and a failure arrive
    s = finish(finish(s, 6_000, 900), 7_000, null);
    // Then the new array's stats have them, and the old array's are unchanged
    expect(statsSince(s.targets.a!.samples, 0)).toEqual({ checks: 7, failures: 1, uptimePct: (100 * 6) / 7, p50: 100, p95: 900, max: 900, errorsByKind: { timeout: 1 } });
    expect(statsSince(before, 0)).toMatchObject({ checks: 5, failures: 0, p95: 100, max: 100 });
  });

  it('matches a fresh count over a long run, through a full ring buffer and a moving hour', () => {
    // A deterministic series: latencies cycling through 37 values, every 11th check failing, 1 s apart.
    let s = initialState(config, { now: 0 });
    const hour = 3_600_000;
    for (let i = 1; i <= SAMPLE_CAPACITY + 400; i++) {
      s = finish(s, i * 1_000, i % 11 === 0 ? null : 5 + ((i * 7919) % 37) * 3);
      if (i % 97 === 0 || i > SAMPLE_CAPACITY + 390) {
        const arr = s.targets.a!.samples;
        const now = i * 1_000 + 250;
        expect(lastHour(arr, now)).toEqual(windowStats(arr, now - hour));
        expect(statsSince(arr, i * 1_000 - 600_000)).toEqual(windowStats(arr, i * 1_000 - 600_000));
      }
    }
  });
});

describe('the hour a row summarises', () => {
  it('starts at its oldest sample inside the hour, so the clock moving on changes nothing until one ages out', () => {
    const hour = 3_600_000;
    expect(hourFrom(samples, hour + 1_500)).toBe(2_000);
    expect(hourFrom(samples, hour + 1_999)).toBe(2_000);
    expect(hourFrom(samples, hour + 2_001)).toBe(3_000);
    expect(hourFrom(samples, hour + 9_000)).toBe(Infinity);
  });

  it('is the exact boundary for samples out of time order', () => {
    const unordered: Sample[] = [samples[1]!, samples[0]!];
    expect(hourFrom(unordered, 3_600_000 + 1_500)).toBe(1_500);
    expect(lastHour(unordered, 3_600_000 + 1_500)).toMatchObject({ checks: 1, p50: 30 });
  });
});
