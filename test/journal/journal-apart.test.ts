// The journal keeps what the console keeps apart from p50/p95 (a cold start, a sample taken while pitwall's own loop
// stalled) and an MCP server's protocol era when it changes, so a restarted console and the hourly report tell the
// same truth as the live console.
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configFromObject } from '../../src/config/config.js';
import { journalPath, openJournal, type Journal } from '../../src/journal/journal.js';
import { createEngine, type RunProbe } from '../../src/state/engine.js';
import type { LoopWatch } from '../../src/state/loop-watch.js';
import { windowStats } from '../../src/state/stats.js';
import { createStore, initialState, reduce } from '../../src/state/store.js';
import type { ProbeResult } from '../../src/probes/types.js';

const T0 = Date.UTC(2026, 9, 13, 14);
const MIN = 60_000;
const H = 60 * MIN;
const CONFIG = '/srv/launch/pitwall.yaml';

const up = (latencyMs: number, details: Record<string, unknown> = {}): ProbeResult => ({ status: 'up', latencyMs, error: null, details });
const slow = (latencyMs: number): ProbeResult => ({ status: 'degraded', latencyMs, error: null, reason: `slow: ${latencyMs} ms > 500 ms`, details: {} });

/** A LoopWatch that reports the given stalls (ms), one per attempt, then none. */
function stalls(readings: number[]): LoopWatch {
  let asked = 0;
  return { begin: () => ((reading) => () => reading)(readings[asked++] ?? 0) };
}

let dir: string;
const open: Journal[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitwall-journal-apart-'));
});
afterEach(() => {
  for (const j of open.splice(0)) j.close();
  rmSync(dir, { recursive: true, force: true });
  vi.useRealTimers();
});
function journal(now = () => T0): Journal {
  const j = openJournal({ dir, configPath: CONFIG, now });
  open.push(j);
  return j;
}
const lines = (j: Journal) => readFileSync(j.path, 'utf8').split('\n').filter(Boolean);

describe('journal: samples kept apart from p50/p95', () => {
  it('records what the engine kept apart, and a restarted console keeps them apart', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    // Given a console whose engine journals every run: a cold first answer (700 ms), a warm one (4 ms), one re-measured
    // once because pitwall stalled (then 5 ms), and one that still overlapped a stall at every re-measure (320 ms)
    const config = configFromObject({ defaults: { intervalSeconds: 10, timeoutMs: 1000, degradedMs: 500, retries: 0 }, targets: [{ id: 'app', kind: 'http', url: 'http://127.0.0.1:9/' }] });
    const store = createStore(initialState(config, { now: T0 }));
    const j = journal(() => Date.now());
    const answers = [up(700), up(4), slow(304), up(5), slow(320), slow(320), slow(320)];
    const runProbe: RunProbe = async () => answers.shift()!;
    const engine = createEngine({
      config,
      store,
      runProbe,
      random: () => 0.5,
      loopWatch: stalls([0, 0, 300, 0, 300, 300, 300]),
      onResult: (id, result, at, _attempts, run) => j.appendResult(id, result, at, run),
    });
    for (let i = 0; i < 4; i++) {
      const done = engine.checkOnce();
      await vi.advanceTimersByTimeAsync(1_000);
      await done;
    }
    engine.stop();

    // Then the journal says which samples were kept apart, and how often pitwall measured again
    expect(lines(j).slice(1)).toEqual([
      `["app",${T0},0,700,null,null,null,null,"cold"]`,
      `["app",${T0 + 1000},0,4]`,
      // (a re-measure waits 50 ms; the stall explains the slowness, so the kept sample is up, not degraded)
      `["app",${T0 + 2050},0,5,null,null,null,null,null,1]`,
      `["app",${T0 + 3100},0,320,null,null,null,null,"stalled",2]`,
    ]);
    // And a console restarted on that journal keeps the same samples out of p50/p95 as the live one did
    const live = store.getSnapshot().targets.app!.samples;
    const h = j.load(T0 - H);
    const restarted = reduce(initialState(config, { now: T0 + H }), { type: 'history-loaded', samples: h.samples, events: [], blockers: [] });
    const loaded = restarted.targets.app!.samples;
    expect(loaded.slice().map((s) => s.apart ?? null)).toEqual(['cold', null, null, 'stalled']);
    expect(live.slice().map((s) => s.apart ?? null)).toEqual(['cold', null, null, 'stalled']);
    expect(windowStats(loaded)).toEqual(windowStats(live));
    expect([windowStats(loaded).p50, windowStats(loaded).p95]).toEqual([4, 5]);
  });

  it('calls a first sample that pitwall stalled through a cold start (it is never measured again), in the store and the journal', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    // Given a process's first check of a target, timed while pitwall stalled 300 ms (loading modules, spawning)
    const config = configFromObject({ defaults: { intervalSeconds: 10, timeoutMs: 1000, degradedMs: 500, retries: 0 }, targets: [{ id: 'app', kind: 'http', url: 'http://127.0.0.1:9/' }] });
    const store = createStore(initialState(config, { now: T0 }));
    const j = journal(() => Date.now());
    const engine = createEngine({ config, store, runProbe: async () => up(207), random: () => 0.5, loopWatch: stalls([300]), onResult: (id, result, at, _a, run) => j.appendResult(id, result, at, run) });
    const done = engine.checkOnce();
    await vi.advanceTimersByTimeAsync(1_000);
    await done;
    engine.stop();
    // Then it is one cold start (the stall is still pitwall's health in the store's count), not a "stalled sample"
    expect(lines(j).slice(1)).toEqual([`["app",${T0},0,207,null,null,null,null,"cold"]`]);
    expect(store.getSnapshot().targets.app!.samples.at(-1)!.apart).toBe('cold');
    expect(store.getSnapshot().targets.app!.stalls).toEqual({ remeasured: 0, flagged: 1, lastMs: 300 });
  });

  it('loads a journal written before samples were kept apart: every sample counts, as it did', () => {
    const j = journal();
    appendFileSync(j.path, [`["app",${T0},0,700]`, `["app",${T0 + 1000},0,4]`, `["app",${T0 + 2000},0,5,null,null,null,null]`, ''].join('\n'));
    const samples = j.load().samples.app!;
    expect(samples.slice()).toEqual([
      { at: T0, status: 'up', latencyMs: 700 },
      { at: T0 + 1000, status: 'up', latencyMs: 4 },
      { at: T0 + 2000, status: 'up', latencyMs: 5 },
    ]);
    expect(windowStats(samples).p95).toBe(700);
  });

  it('keeps a down sample of a cold start in the record without a flag: it has no latency to keep apart', () => {
    const j = journal();
    j.appendResult('app', { status: 'down', latencyMs: null, error: { kind: 'timeout', message: 'no answer' }, details: {} }, T0, { cold: true, stalls: 0, stalledMs: 0 });
    expect(lines(j).slice(1)).toEqual([`["app",${T0},2,null,"timeout","no answer",null,{}]`]);
  });
});

describe('journal: MCP protocol eras', () => {
  const legacy = { era: 'legacy (initialize handshake)', protocolVersion: '2025-11-25' };
  const modern = { era: 'modern (stateless, server/discover)', protocolVersion: '2026-07-28' };

  it('records the era when it changes, not with every sample, and a restart that read the journal does not repeat it', () => {
    const j = journal();
    // Given an MCP server checked four times, moving to the 2026-07-28 era at the third check, and an HTTP target
    j.appendResult('mcp-docs', up(30, { ...legacy, session: 'cold' }), T0, { cold: true });
    j.appendResult('mcp-docs', up(31, { ...legacy, session: 'warm' }), T0 + MIN);
    j.appendResult('mcp-docs', up(32, { ...modern, session: 'cold' }), T0 + 2 * MIN, { cold: true });
    j.appendResult('mcp-docs', up(33, { ...modern, session: 'warm' }), T0 + 3 * MIN);
    j.appendResult('app', up(10), T0 + 3 * MIN);
    const eraLines = (jj: Journal) => lines(jj).filter((l) => l.startsWith('{"er"'));
    expect(eraLines(j)).toEqual([
      `{"er":{"targetId":"mcp-docs","at":${T0},"era":"legacy (initialize handshake)","protocolVersion":"2025-11-25"}}`,
      `{"er":{"targetId":"mcp-docs","at":${T0 + 2 * MIN},"era":"modern (stateless, server/discover)","protocolVersion":"2026-07-28"}}`,
    ]);
    j.close();
    open.splice(0);

    // When a new process loads the journal (as the console does at start), then sees the same era
    const again = journal();
    again.load(T0 - H);
    again.appendResult('mcp-docs', up(34, { ...modern, session: 'cold' }), T0 + 4 * MIN, { cold: true });
    // Then nothing is added; and a load from after the change still says which era the server was in then
    expect(eraLines(again)).toHaveLength(2);
    expect(again.load(T0 + 3 * MIN).eras).toEqual([{ targetId: 'mcp-docs', at: T0 + 2 * MIN, ...modern }]);
    expect(again.load(T0 + MIN).eras).toEqual([
      { targetId: 'mcp-docs', at: T0, ...legacy },
      { targetId: 'mcp-docs', at: T0 + 2 * MIN, ...modern },
    ]);
  });

  it('compaction keeps the era each server was in at the cutoff, whatever its age', () => {
    let now = T0;
    const j = journal(() => now);
    j.appendResult('mcp-docs', up(30, legacy), T0);
    j.appendResult('mcp-docs', up(30, modern), T0 + H);
    for (let i = 0; i < 5; i++) j.appendResult('mcp-docs', up(30 + i, modern), T0 + 2 * H + i * MIN);
    // Given 74 h later: both era records are past the retention (cutoff T0 + 2 h), the samples after them are not
    now = T0 + 72 * H + 2 * H;
    expect(j.compact()).toBe(true);
    const kept = readFileSync(journalPath(dir, CONFIG), 'utf8').split('\n').filter(Boolean);
    expect(kept.filter((l) => l.startsWith('{"er"'))).toEqual([
      `{"er":{"targetId":"mcp-docs","at":${T0 + H},"era":"modern (stateless, server/discover)","protocolVersion":"2026-07-28"}}`,
    ]);
    expect(j.load(now - H).eras).toEqual([{ targetId: 'mcp-docs', at: T0 + H, ...modern }]);
  });
});
