import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configFromObject, type Target } from '../../src/config/config.js';
import { createEngine, backoffMs, firstRunOffsets, isTransient, type RunProbe } from '../../src/state/engine.js';
import { overall, shownStatus, tileHealth } from '../../src/state/derive.js';
import { createStore, initialState } from '../../src/state/store.js';
import type { ProbeContext, ProbeResult } from '../../src/probes/types.js';

const up = (latencyMs = 10): ProbeResult => ({ status: 'up', latencyMs, error: null, details: {} });
const down = (kind: 'timeout' | 'connection' | 'auth' | 'http', httpStatus?: number): ProbeResult => ({
  status: 'down',
  latencyMs: null,
  error: { kind, message: kind, ...(httpStatus ? { httpStatus } : {}) },
  details: {},
});

function setup(targets: object[], runProbe: RunProbe, defaults = {}) {
  const config = configFromObject({ defaults: { intervalSeconds: 10, timeoutMs: 1000, degradedMs: 500, retries: 0, ...defaults }, targets });
  const store = createStore(initialState(config, { now: Date.now() }));
  const engine = createEngine({ config, store, runProbe, random: () => 0.5 });
  return { config, store, engine };
}
const http = (id: string, extra = {}) => ({ id, kind: 'http', url: 'http://127.0.0.1:9/', ...extra });

/** A probe scripted per target: answers come from a queue, optionally after a delay (fake time). */
function scripted(script: Record<string, (n: number, ctx: ProbeContext) => Promise<ProbeResult> | ProbeResult>) {
  const calls: { id: string; at: number }[] = [];
  const run: RunProbe = async (t: Target, ctx) => {
    const n = calls.filter((c) => c.id === t.id).length;
    calls.push({ id: t.id, at: Date.now() });
    return script[t.id]!(n, ctx);
  };
  return { run, calls };
}

const after = (ms: number, r: ProbeResult, ctx?: ProbeContext) =>
  new Promise<ProbeResult>((resolve) => {
    const t = setTimeout(() => resolve(r), ms);
    ctx?.signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve(down('timeout'));
    });
  });

describe('engine', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-10-13T14:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('runs each target on its own interval, keeping the cadence fixed', async () => {
    const p = scripted({ a: () => up(), b: () => up() });
    const { engine, store } = setup([http('a'), http('b', { intervalSeconds: 5 })], p.run);
    engine.start();
    await vi.advanceTimersByTimeAsync(20_100);
    engine.stop();
    const t0 = new Date('2026-10-13T14:00:00Z').getTime();
    // (the second target's phase is 100 ms after the first's: firstRunOffsets)
    expect(p.calls.filter((c) => c.id === 'a').map((c) => c.at - t0)).toEqual([0, 10_000, 20_000]);
    expect(p.calls.filter((c) => c.id === 'b').map((c) => c.at - t0)).toEqual([100, 5_100, 10_100, 15_100, 20_100]);
    expect(store.getSnapshot().targets.a!.samples).toHaveLength(3);
  });

  it('never lets a slow target delay another', async () => {
    // Given a target that takes 900 ms and one that answers at once
    const p = scripted({ slow: (_n, ctx) => after(900, up(900), ctx), fast: () => up(1) });
    const { engine } = setup([http('slow', { intervalSeconds: 1 }), http('fast', { intervalSeconds: 1 })], p.run);
    engine.start();
    await vi.advanceTimersByTimeAsync(3_000);
    engine.stop();
    const t0 = new Date('2026-10-13T14:00:00Z').getTime();
    // Then the fast one still runs on its phase (100 ms), every second
    expect(p.calls.filter((c) => c.id === 'fast').map((c) => c.at - t0)).toEqual([100, 1100, 2100]);
  });

  it('times out a probe that ignores its signal, and reports it as down/timeout', async () => {
    const p = scripted({ hang: () => new Promise<ProbeResult>(() => {}) });
    const { engine, store } = setup([http('hang')], p.run);
    engine.start();
    await vi.advanceTimersByTimeAsync(1_300);
    engine.stop();
    const latest = store.getSnapshot().targets.hang!.latest!;
    expect(latest.status).toBe('down');
    expect(latest.error).toMatchObject({ kind: 'timeout', message: 'no answer within 1000 ms' });
  });

  it('stops showing the last green once a check in flight passes its slow threshold without an answer', async () => {
    // Given a target up at its first check, whose second check hangs until the 1000 ms timeout (slow at 500 ms)
    const p = scripted({ a: (n, ctx) => (n === 0 ? up(20) : after(5_000, up(20), ctx)) });
    const { engine, store } = setup([http('a', { tiles: ['sales-pulse'] })], p.run);
    const t0 = Date.now();
    engine.start();
    await vi.advanceTimersByTimeAsync(10_000 + 499);
    let t = store.getSnapshot().targets.a!;
    expect([t.running, t.noAnswerSince, shownStatus(t)]).toEqual([true, null, 'up']);
    // When it passes 500 ms without an answer
    await vi.advanceTimersByTimeAsync(2);
    t = store.getSnapshot().targets.a!;
    // Then it shows degraded, the header and the tile too, while the last result is still the green one
    expect([t.latest!.status, t.noAnswerSince, shownStatus(t)]).toEqual(['up', t0 + 10_000, 'degraded']);
    expect(overall(store.getSnapshot())).toMatchObject({ status: 'degraded', degraded: 1, up: 0 });
    expect(tileHealth(store.getSnapshot()).find((x) => x.id === 'sales-pulse')).toMatchObject({ status: 'degraded', culprits: ['a'] });
    // And the timeout's answer replaces it
    await vi.advanceTimersByTimeAsync(600);
    engine.stop();
    t = store.getSnapshot().targets.a!;
    expect([t.latest!.status, t.noAnswerSince, shownStatus(t)]).toEqual(['down', null, 'down']);
  });

  it('keeps "no answer since" from the first attempt across retries, and clears it with the answer', async () => {
    // Given an up target whose next check times out once, then answers on the retry
    const p = scripted({ a: (n, ctx) => (n === 0 ? up(20) : n === 1 ? after(5_000, up(20), ctx) : up(30)) });
    const { engine, store } = setup([http('a')], p.run, { retries: 1 });
    const t0 = Date.now();
    engine.start();
    await vi.advanceTimersByTimeAsync(10_000 + 1_000 + 100);
    // (the first attempt timed out at 1000 ms; the retry waits its backoff)
    expect(store.getSnapshot().targets.a!.noAnswerSince).toBe(t0 + 10_000);
    await vi.advanceTimersByTimeAsync(1_000);
    engine.stop();
    const t = store.getSnapshot().targets.a!;
    expect([t.latest!.latencyMs, t.attempts, t.noAnswerSince, shownStatus(t)]).toEqual([30, 2, null, 'up']);
  });

  it('retries transient failures with backoff, never auth', async () => {
    const p = scripted({ flaky: (n) => (n === 0 ? down('connection') : up()), locked: () => down('auth') });
    const { engine, store } = setup([http('flaky'), http('locked')], p.run, { retries: 2 });
    engine.start();
    await vi.advanceTimersByTimeAsync(2_000);
    engine.stop();
    const t0 = new Date('2026-10-13T14:00:00Z').getTime();
    // backoff for attempt 1 with random 0.5: 500/2 + 0.5*500/2 = 375 ms
    expect(p.calls.filter((c) => c.id === 'flaky').map((c) => c.at - t0)).toEqual([0, 375]);
    expect(store.getSnapshot().targets.flaky!.latest!.status).toBe('up');
    expect(store.getSnapshot().targets.flaky!.attempts).toBe(2);
    expect(p.calls.filter((c) => c.id === 'locked')).toHaveLength(1);
  });

  it('honours Retry-After on a rate limit before the next run', async () => {
    const limited: ProbeResult = {
      status: 'degraded',
      latencyMs: 5,
      error: { kind: 'rate_limited', message: '429', retryAfterMs: 25_000 },
      reason: 'rate limited',
      details: {},
    };
    const p = scripted({ s: (n) => (n === 0 ? limited : up()) });
    const { engine } = setup([http('s')], p.run);
    engine.start();
    await vi.advanceTimersByTimeAsync(30_000);
    engine.stop();
    const t0 = new Date('2026-10-13T14:00:00Z').getTime();
    expect(p.calls.map((c) => c.at - t0)).toEqual([0, 25_000]);
  });

  it('records transitions as events, failures as gaps, and counts consecutive failures', async () => {
    const p = scripted({ a: (n) => (n < 1 ? up(40) : down('http', 502)) });
    const { engine, store } = setup([http('a')], p.run);
    engine.start();
    await vi.advanceTimersByTimeAsync(20_000);
    engine.stop();
    const s = store.getSnapshot();
    expect(s.targets.a!.samples.slice().map((x) => x.latencyMs)).toEqual([40, null, null]);
    expect(s.targets.a!.consecutiveFailures).toBe(2);
    expect(s.targets.a!.failingSince).toBe(new Date('2026-10-13T14:00:10Z').getTime());
    expect(s.events.filter((e) => e.type === 'transition').map((e) => `${e.type === 'transition' && e.from}→${e.type === 'transition' && e.to}`)).toEqual([
      'null→up',
      'up→down',
    ]);
  });

  it('pauses and resumes, and reruns out of turn', async () => {
    const p = scripted({ a: () => up() });
    const { engine, store } = setup([http('a')], p.run);
    engine.start();
    await vi.advanceTimersByTimeAsync(1);
    engine.setPaused(true);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(p.calls).toHaveLength(1);
    expect(store.getSnapshot().targets.a!.nextAt).toBeNull();
    engine.setPaused(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(p.calls).toHaveLength(2);
    expect(engine.rerun('a')).toBe(true);
    expect(engine.rerun('nope')).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    engine.stop();
    expect(p.calls).toHaveLength(3);
  });

  it('keeps checking when recording a result fails (a full disk), and says so', async () => {
    const p = scripted({ a: () => up() });
    const config = configFromObject({ defaults: { intervalSeconds: 10, retries: 0 }, targets: [http('a')] });
    const store = createStore(initialState(config, { now: Date.now() }));
    const engine = createEngine({
      config,
      store,
      runProbe: p.run,
      onResult: () => {
        throw new Error('ENOSPC: no space left on device');
      },
    });
    engine.start();
    await vi.advanceTimersByTimeAsync(20_000);
    engine.stop();
    expect(p.calls).toHaveLength(3);
    const notices = store.getSnapshot().events.filter((e) => e.type === 'notice');
    expect(notices[0]).toMatchObject({ level: 'error', message: "could not record a's result: ENOSPC: no space left on device" });
  });

  it('records nothing for a run that stop() cut short', async () => {
    const p = scripted({ a: (_n, ctx) => after(5_000, up(), ctx) });
    const { engine, store } = setup([http('a', { timeoutMs: 10_000 })], p.run);
    engine.start();
    await vi.advanceTimersByTimeAsync(100);
    engine.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.getSnapshot().targets.a!.latest).toBeNull();
    expect(store.getSnapshot().targets.a!.samples).toHaveLength(0);
  });

  it('spreads the first round over the interval, and keeps each phase', async () => {
    // Given 40 targets on a 10 s interval and at most 16 probes at once
    const calls: { id: string; at: number }[] = [];
    const run: RunProbe = async (t) => (calls.push({ id: t.id, at: Date.now() }), up());
    const config = configFromObject({ defaults: { intervalSeconds: 10 }, targets: Array.from({ length: 40 }, (_, i) => http(`t${i}`)) });
    const store = createStore(initialState(config, { now: Date.now() }));
    const engine = createEngine({ config, store, runProbe: run, maxConcurrency: 16 });
    const t0 = Date.now();
    // When it runs for two intervals
    engine.start();
    await vi.advanceTimersByTimeAsync(20_000);
    engine.stop();
    // Then they start 100 ms apart, and every run keeps that phase
    const at = (id: string) => calls.filter((c) => c.id === id).map((c) => c.at - t0);
    expect(at('t0')).toEqual([0, 10_000, 20_000]);
    expect(at('t1')).toEqual([100, 10_100]);
    expect(at('t16')).toEqual([1_600, 11_600]);
    expect(at('t39')).toEqual([3_900, 13_900]);
    expect(calls).toHaveLength(81);
  });

  it('bounds concurrency across targets', async () => {
    let inFlight = 0;
    let peak = 0;
    const run: RunProbe = async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 100));
      inFlight--;
      return up();
    };
    const config = configFromObject({ targets: Array.from({ length: 10 }, (_, i) => http(`t${i}`)) });
    const store = createStore(initialState(config, { now: Date.now() }));
    const engine = createEngine({ config, store, runProbe: run, maxConcurrency: 3 });
    const done = engine.checkOnce();
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await done).size).toBe(10);
    expect(peak).toBe(3);
  });
});

describe('first-run offsets', () => {
  it('starts targets one after another, 100 ms apart at most', () => {
    expect(firstRunOffsets([5000, 5000, 30_000])).toEqual([0, 100, 200]);
  });
  it('fits a large config\'s first round inside the interval', () => {
    // 300 targets on 1 s: 3 ms apart, the last one 897 ms in
    const offsets = firstRunOffsets(Array.from({ length: 300 }, () => 1000));
    expect([offsets[0], offsets[1], offsets[299]]).toEqual([0, 3, 897]);
    // 20 targets on 1 s: 50 ms apart
    expect(firstRunOffsets(Array.from({ length: 20 }, () => 1000)).at(-1)).toBe(950);
  });
});

describe('retry policy', () => {
  it('treats timeouts, connection failures and 5xx as transient only', () => {
    expect(isTransient({ kind: 'timeout', message: '' })).toBe(true);
    expect(isTransient({ kind: 'connection', message: '' })).toBe(true);
    expect(isTransient({ kind: 'http', message: '', httpStatus: 503 })).toBe(true);
    expect(isTransient({ kind: 'http', message: '', httpStatus: 404 })).toBe(false);
    expect(isTransient({ kind: 'auth', message: '' })).toBe(false);
    expect(isTransient({ kind: 'rate_limited', message: '' })).toBe(false);
    expect(isTransient(null)).toBe(false);
  });
  it('backs off exponentially with jitter, capped', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 10_000, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 10_000, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffMs(10, 3_000, () => 1)).toBe(3_000);
  });
});
