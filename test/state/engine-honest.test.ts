import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configFromObject, type Target } from '../../src/config/config.js';
import { CHECK_STEP_MS, createEngine, HEAD_START_MS, REMEASURES_PER_SECOND, SPAWN_GAP_MS, STALL_REMEASURES, type RunProbe } from '../../src/state/engine.js';
import { createStore, initialState, stallTotals } from '../../src/state/store.js';
import { windowStats } from '../../src/state/stats.js';
import type { LoopWatch } from '../../src/state/loop-watch.js';
import type { ProbeResult } from '../../src/probes/types.js';

const up = (latencyMs: number, details: Record<string, unknown> = {}): ProbeResult => ({ status: 'up', latencyMs, error: null, details });
const slow = (latencyMs: number): ProbeResult => ({ status: 'degraded', latencyMs, error: null, reason: `slow: ${latencyMs} ms > 500 ms`, details: {} });

/** A LoopWatch that reports the given stalls (ms), one per attempt, then none. */
function stalls(readings: number[]): LoopWatch & { asked: number } {
  const w = {
    asked: 0,
    begin: () => {
      const reading = readings[w.asked++] ?? 0;
      return () => reading;
    },
  };
  return w;
}

function setup(targets: object[], runProbe: RunProbe, loopWatch: LoopWatch) {
  const config = configFromObject({ defaults: { intervalSeconds: 10, timeoutMs: 1000, degradedMs: 500, retries: 0 }, targets });
  const store = createStore(initialState(config, { now: Date.now() }));
  const engine = createEngine({ config, store, runProbe, random: () => 0.5, loopWatch });
  return { store, engine };
}
const http = (id: string, extra = {}) => ({ id, kind: 'http', url: 'http://127.0.0.1:9/', ...extra });

describe('engine: honest latencies', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-10-13T14:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  /** Checks once, with the fake clock moved on until it is done. */
  async function checkOnce(engine: ReturnType<typeof setup>['engine']) {
    const done = engine.checkOnce();
    await vi.advanceTimersByTimeAsync(1_000);
    return (await done).get('a')!;
  }

  it('measures again an attempt that overlapped a stall of its own loop, and counts it', async () => {
    // Given a warm target (checked once) whose next attempt was timed while pitwall stalled 300 ms (and read slow)
    const answers = [up(4), slow(304), up(4)];
    const run: RunProbe = async () => answers.shift() ?? up(4);
    const { store, engine } = setup([http('a')], run, stalls([0, 300, 0]));
    await checkOnce(engine);
    // When it is checked
    const out = await checkOnce(engine);
    // Then the kept sample is the re-measure, up; the stall is counted as pitwall's, not the target's
    expect(out.result.status).toBe('up');
    expect(out.result.latencyMs).toBe(4);
    expect(out.attempts).toBe(1);
    const t = store.getSnapshot().targets.a!;
    expect(t.stalls).toEqual({ remeasured: 1, flagged: 0, lastMs: null });
    expect(stallTotals(store.getSnapshot())).toEqual({ remeasured: 1, flagged: 0 });
    expect(t.samples.at(-1)).toMatchObject({ status: 'up', latencyMs: 4 });
  });

  it('never turns a target degraded on a sample every re-measure of which stalled, and keeps it out of p95', async () => {
    // Given a warm target, then a loop stalled 300 ms through every attempt of it, answering "slow" only because of it
    const answers = [up(4)];
    const run: RunProbe = async () => answers.shift() ?? slow(320);
    const watch = stalls([0, 300, 300, 300]);
    const { store, engine } = setup([http('a')], run, watch);
    await checkOnce(engine);
    const out = await checkOnce(engine);
    // Then it was measured 1 + STALL_REMEASURES times, is up, and says why
    expect(watch.asked).toBe(2 + STALL_REMEASURES);
    expect(out.result.status).toBe('up');
    expect(out.result.details.slowWhilePitwallStalled).toBe('slow: 320 ms > 500 ms');
    const t = store.getSnapshot().targets.a!;
    expect(t.stalls).toEqual({ remeasured: 2, flagged: 1, lastMs: 300 });
    expect(t.samples.at(-1)!.apart).toBe('stalled');
    // (the first sample is the cold one: also apart)
    expect(windowStats(t.samples).p95).toBeNull();
    expect(windowStats(t.samples).uptimePct).toBe(100);
  });

  it('does not measure a cold start again (it is apart anyway), but never lets its stall make it slow', async () => {
    // Given a new MCP session's first answer, read slow because pitwall stalled while it spawned
    let calls = 0;
    const run: RunProbe = async () => (calls++, { ...slow(320), details: { session: 'cold' } });
    const { store, engine } = setup([http('a')], run, stalls([300]));
    const out = await checkOnce(engine);
    // Then it was asked once, is up, and is kept out of p50/p95
    expect(calls).toBe(1);
    expect(out.result.status).toBe('up');
    expect(out.result.details.session).toBe('cold');
    expect(store.getSnapshot().targets.a!.stalls).toEqual({ remeasured: 0, flagged: 1, lastMs: 300 });
  });

  it('keeps a target slow when it is slower than the threshold even without the stall', async () => {
    const run: RunProbe = async () => slow(900);
    const { engine } = setup([http('a')], run, stalls([0, 20, 20, 20]));
    await checkOnce(engine);
    const done = engine.checkOnce();
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await done).get('a')!.result.status).toBe('degraded');
  });

  it('does not re-measure under small jitter of its own loop', async () => {
    let calls = 0;
    const run: RunProbe = async () => (calls++, up(3));
    const { store, engine } = setup([http('a')], run, stalls([0, 5]));
    await engine.checkOnce();
    await engine.checkOnce();
    expect(calls).toBe(2);
    expect(store.getSnapshot().targets.a!.stalls.remeasured).toBe(0);
  });

  it('keeps the first sample after a cold start apart from p50/p95, and each new MCP session too', async () => {
    // Given a target whose first answer (new connection, TLS) took 180 ms and later ones 4 ms
    const answers = [up(180), up(4), up(5), up(90, { session: 'cold' }), up(6)];
    const run: RunProbe = async () => answers.shift()!;
    const { store, engine } = setup([http('a', { intervalSeconds: 1 })], run, stalls([]));
    engine.start();
    await vi.advanceTimersByTimeAsync(4_500);
    engine.stop();
    const t = store.getSnapshot().targets.a!;
    // Then the cold ones are shown apart, and p95 is the warm ones'
    expect(t.samples.slice().map((s) => s.apart ?? 'warm')).toEqual(['cold', 'warm', 'warm', 'cold', 'warm']);
    expect(t.coldSample).toEqual({ at: t.samples.at(3)!.at, latencyMs: 90 });
    const stats = windowStats(t.samples);
    expect([stats.p50, stats.p95, stats.checks]).toEqual([5, 6, 5]);
  });

  it('loads what the first round needs before any clock starts', async () => {
    // Given a runner whose modules take 200 ms to load
    const order: string[] = [];
    const run = (async (t: Target) => (order.push(`run ${t.id}`), up(3))) as RunProbe;
    run.prepare = (targets) => new Promise((resolve) => setTimeout(() => (order.push(`prepared ${targets.length}`), resolve()), 200));
    const { engine } = setup([http('a'), http('b')], run, stalls([]));
    // When the console starts
    engine.start();
    await vi.advanceTimersByTimeAsync(199);
    expect(order).toEqual([]);
    await vi.advanceTimersByTimeAsync(300);
    engine.stop();
    // Then the first round ran after the load, phases apart
    expect(order).toEqual(['prepared 2', 'run a', 'run b']);
  });

  it('in a one-shot check, starts the HTTP targets apart (GA among them: REST), then the MCP servers once those have answered, the servers apart', async () => {
    const started: { id: string; at: number }[] = [];
    const t0 = Date.now();
    const run: RunProbe = async (t) => {
      started.push({ id: t.id, at: Date.now() - t0 });
      // the HTTP targets answer after 40 ms
      if (t.kind === 'http') await new Promise((r) => setTimeout(r, 40));
      return up(3);
    };
    const mcp = (id: string) => ({ id, kind: 'mcp', transport: 'stdio', command: 'node', args: ['x.js'] });
    const ga = { id: 'ga', kind: 'ga', propertyId: '1', credentialsFile: '/dev/null' };
    const { engine } = setup([mcp('m1'), http('a'), ga, mcp('m2'), http('b'), mcp('m3')], run, stalls([]));
    const done = engine.checkOnce();
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await done).size).toBe(6);
    // (the HTTP exchanges CHECK_STEP_MS apart in the config's order; the last answers at 2 × CHECK_STEP_MS + 40)
    const t = 2 * CHECK_STEP_MS + 40;
    expect(Object.fromEntries(started.map((s) => [s.id, s.at]))).toEqual({ a: 0, ga: CHECK_STEP_MS, b: 2 * CHECK_STEP_MS, m1: t, m2: t + SPAWN_GAP_MS, m3: t + 2 * SPAWN_GAP_MS });
  });

  it('in a one-shot check, does not hold the MCP servers behind an HTTP target that hangs', async () => {
    const started: { id: string; at: number }[] = [];
    const t0 = Date.now();
    const run: RunProbe = async (t, ctx) => {
      started.push({ id: t.id, at: Date.now() - t0 });
      if (t.kind === 'http') await new Promise((r) => ctx.signal.addEventListener('abort', r));
      return up(3);
    };
    const mcp = (id: string) => ({ id, kind: 'mcp', transport: 'stdio', command: 'node', args: ['x.js'] });
    const { engine } = setup([http('a'), mcp('m1')], run, stalls([]));
    const done = engine.checkOnce();
    await vi.advanceTimersByTimeAsync(2_000);
    await done;
    expect(started.find((s) => s.id === 'm1')!.at).toBe(HEAD_START_MS);
  });
});

describe('engine: what a stall does not re-measure', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('never asks a rate-limiting upstream again because pitwall stalled', async () => {
    let calls = 0;
    const limited: ProbeResult = { status: 'degraded', latencyMs: 20, error: { kind: 'rate_limited', message: '429' }, reason: 'rate limited: 429', details: {} };
    const run: RunProbe = async () => (calls++, calls === 1 ? up(4) : limited);
    const { store, engine } = setup([http('a')], run, stalls([0, 300, 300, 300]));
    await engine.checkOnce();
    const done = engine.checkOnce();
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await done).get('a')!.result.status).toBe('degraded');
    expect(calls).toBe(2);
    expect(store.getSnapshot().targets.a!.stalls.remeasured).toBe(0);
  });
});

describe('engine: re-measures are bounded', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it(`measures again at most ${REMEASURES_PER_SECOND} times a second across targets, then keeps stalled samples flagged`, async () => {
    // Given 20 warm targets, then a loop that stalls through every attempt
    const ids = Array.from({ length: 20 }, (_, i) => `t${i}`);
    let warm = true;
    const run: RunProbe = async () => (warm ? up(4) : up(40));
    const watch: LoopWatch = { begin: () => () => (warm ? 0 : 300) };
    const { store, engine } = setup(ids.map((id) => http(id)), run, watch);
    const first = engine.checkOnce();
    await vi.advanceTimersByTimeAsync(2_000);
    await first;
    warm = false;
    // When all are checked at once
    const done = engine.checkOnce();
    await vi.advanceTimersByTimeAsync(2_000);
    await done;
    // Then ten re-measures were made in that second, and every sample is flagged, none dropped
    const totals = stallTotals(store.getSnapshot());
    expect(totals).toEqual({ remeasured: 10, flagged: 20 });
    expect(ids.every((id) => store.getSnapshot().targets[id]!.samples.at(-1)!.apart === 'stalled')).toBe(true);
  });
});
