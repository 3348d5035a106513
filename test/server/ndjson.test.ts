import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHealthPeer, type HealthPeer } from '../../src/peers/health-peer.js';
import { startStatuspagePeer, type StatuspagePeer } from '../../src/peers/statuspage-peer.js';
import type { ProbeResult } from '../../src/probes/types.js';
import { configFromObject, parseConfig } from '../../src/config/config.js';
import { createEngine } from '../../src/state/engine.js';
import { ndjsonLines } from '../../src/server/ndjson.js';
import { createProbeRunner } from '../../src/state/probe-runner.js';
import { createRedactor, REDACTED } from '../../src/text/redact.js';
import { createStore, initialState } from '../../src/state/store.js';

const CANARY = 'shpat_canary_5e1d0c9b8a';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let status: StatuspagePeer;
let health: HealthPeer;
beforeAll(async () => {
  [status, health] = await Promise.all([startStatuspagePeer(), startHealthPeer()]);
});
afterAll(async () => {
  await Promise.all([status.close(), health.close()]);
});

/** Collects what ndjsonLines writes; every write must be exactly one JSON line. */
function collector() {
  const writes: string[] = [];
  return {
    write: (s: string) => void writes.push(s),
    writes,
    records: () =>
      writes.map((w) => {
        expect(w.endsWith('\n')).toBe(true);
        expect(w.slice(0, -1)).not.toContain('\n');
        return JSON.parse(w) as Record<string, unknown>;
      }),
  };
}

describe('ndjsonLines over real probes', () => {
  it('writes one line per result and per transition, in order, with ISO times and error kinds', async () => {
    const config = configFromObject({
      defaults: { intervalSeconds: 60, timeoutMs: 2000, retries: 0 },
      targets: [
        { id: 'shopify-status', kind: 'statuspage', url: status.url },
        { id: 'app-health', kind: 'http', url: `${health.url}/health` },
      ],
    });
    const store = createStore(initialState(config, { now: Date.now() }));
    const runner = createProbeRunner();
    const engine = createEngine({ config, store, runProbe: runner.run });
    const out = collector();
    const detach = ndjsonLines(store, { write: out.write, redactor: createRedactor(config.secrets) });
    try {
      // Given both healthy, when checked once: a result and a first transition each
      await engine.checkOnce(['app-health']);
      await engine.checkOnce(['shopify-status']);
      let recs = out.records();
      expect(recs.map((r) => [r.type, r.target, r.status])).toEqual([
        ['result', 'app-health', 'up'],
        ['transition', 'app-health', 'up'],
        ['result', 'shopify-status', 'up'],
        ['transition', 'shopify-status', 'up'],
      ]);
      for (const r of recs) expect(r.at).toMatch(ISO);
      expect(recs[0]).toMatchObject({ kind: 'http', error: null, attempts: 1 });
      expect(recs[0]!.latencyMs).toBeGreaterThan(0);
      expect(recs[1]).toMatchObject({ from: null, to: 'up', error: null });

      // When the app starts failing and the vendor reports a minor outage
      health.setMode('failing');
      status.setMode('minor');
      await engine.checkOnce(['app-health']);
      await engine.checkOnce(['shopify-status']);
      recs = out.records().slice(4);
      expect(recs.map((r) => [r.type, r.target, r.status])).toEqual([
        ['result', 'app-health', 'down'],
        ['transition', 'app-health', 'down'],
        ['result', 'shopify-status', 'degraded'],
        ['transition', 'shopify-status', 'degraded'],
      ]);
      expect(recs[0]).toMatchObject({ error: { kind: 'http' }, httpStatus: 503 });
      expect((recs[0]!.error as { message: string }).message).toContain('503');
      expect(recs[1]).toMatchObject({ from: 'up', to: 'down', error: { kind: 'http' } });
      expect(recs[2]).toMatchObject({ error: null, reason: expect.stringMatching(/minor/i) });
      expect(recs[3]).toMatchObject({ from: 'up', to: 'degraded', error: null, reason: expect.stringMatching(/minor/i) });

      // A run without a status change is a result line only.
      await engine.checkOnce(['app-health']);
      expect(out.records().slice(8).map((r) => r.type)).toEqual(['result']);
    } finally {
      detach();
      engine.stop();
      await runner.close();
      health.setMode('ok');
      status.setMode('operational');
    }
    const n = out.writes.length;
    await engine.checkOnce(['app-health']);
    expect(out.writes).toHaveLength(n);
  });
});

describe('ndjsonLines from store actions', () => {
  afterEach(() => vi.useRealTimers());

  it('never writes a config secret, wherever an upstream or a notice put it', () => {
    // The secret is a ${VAR} value, so the one redactor knows it.
    const config = parseConfig(`targets:\n  - id: shop\n    kind: http\n    url: http://127.0.0.1:9/\n    headers: { X-Token: "\${TOKEN}" }\n`, { env: { TOKEN: CANARY } });
    expect(config.secrets).toEqual([CANARY]);
    const store = createStore(initialState(config, { now: Date.now() }));
    const out = collector();
    ndjsonLines(store, { write: out.write, redactor: createRedactor(config.secrets) });
    const echoed: ProbeResult = {
      status: 'down',
      latencyMs: 12,
      error: { kind: 'auth', message: `401: token ${CANARY} is not valid`, httpStatus: 401, evidence: CANARY },
      details: { token: CANARY },
    };
    store.dispatch({ type: 'probe-finished', id: 'shop', at: Date.now(), result: echoed, attempts: 1, nextAt: null });
    store.dispatch({ type: 'event', event: { type: 'notice', at: Date.now(), level: 'error', message: `upstream said Bearer ${CANARY}` } });
    const text = out.writes.join('');
    expect(out.records().map((r) => r.type)).toEqual(['result', 'transition', 'notice']);
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain('canary');
    expect(text).toContain(REDACTED);
  });

  it('reports every run of a batch and skips history loaded from the journal', async () => {
    vi.useFakeTimers();
    const config = configFromObject({ targets: [{ id: 'app', kind: 'http', url: 'http://127.0.0.1:9/' }] });
    const t0 = Date.now();
    const store = createStore(initialState(config, { now: t0 }), { batchMs: 50 });
    const out = collector();
    ndjsonLines(store, { write: out.write, redactor: createRedactor() });
    store.dispatch({
      type: 'history-loaded',
      samples: { app: [{ at: t0 - 60_000, status: 'up', latencyMs: 5 }] },
      events: [{ type: 'notice', at: t0 - 60_000, level: 'info', message: 'from an earlier session' }],
      blockers: [],
    });
    const finish = (at: number, result: ProbeResult) => store.dispatch({ type: 'probe-finished', id: 'app', at, result, attempts: 1, nextAt: null });
    finish(t0 + 1, { status: 'down', latencyMs: null, error: { kind: 'timeout', message: 'no answer within 10 ms' }, details: {} });
    finish(t0 + 2, { status: 'up', latencyMs: 8.04, error: null, details: {} });
    await vi.advanceTimersByTimeAsync(50);

    expect(out.records()).toEqual([
      // The older run of the batch has only what its sample kept.
      { type: 'result', at: new Date(t0 + 1).toISOString(), target: 'app', kind: 'http', status: 'down', latencyMs: null, error: { kind: 'timeout', message: '' } },
      // After history, the first change is from the journal's last status, not from nothing.
      { type: 'transition', at: new Date(t0 + 1).toISOString(), target: 'app', from: 'up', to: 'down', status: 'down', error: { kind: 'timeout', message: 'no answer within 10 ms' } },
      { type: 'result', at: new Date(t0 + 2).toISOString(), target: 'app', kind: 'http', status: 'up', latencyMs: 8, error: null, attempts: 1 },
      { type: 'transition', at: new Date(t0 + 2).toISOString(), target: 'app', from: 'down', to: 'up', status: 'up', error: null },
    ]);
  });
});
