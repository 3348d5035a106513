import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { startHealthPeer, type HealthPeer } from '../../src/peers/health-peer.js';
import { startStreamableHttpPeer, type McpHttpPeer } from '../../src/peers/mcp-peer.js';
import { startShopifyPeer, type ShopifyPeer } from '../../src/peers/shopify-peer.js';
import { startStatuspagePeer, type StatuspagePeer } from '../../src/peers/statuspage-peer.js';
import type { ProbeResult } from '../../src/probes/types.js';
import { configFromObject, type Config } from '../../src/config/config.js';
import { createEngine } from '../../src/state/engine.js';
import { createMetrics, parseMetricsListen, type Metrics } from '../../src/server/metrics.js';
import { createProbeRunner } from '../../src/state/probe-runner.js';
import { createStore, initialState, type Store } from '../../src/state/store.js';

/** The value of one series in a text exposition, or undefined when there is no such series. */
function valueOf(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return m[3] === '+Inf' ? Infinity : Number(m[3]);
  }
  return undefined;
}

const PROMTOOL = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;

/** promtool (Prometheus' own parser and linter) must accept the exposition without a word. */
function expectPromtoolAccepts(text: string) {
  if (!PROMTOOL) throw new Error('promtool is not on PATH: CI installs it with "apt-get install -y --no-install-recommends prometheus"');
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  expect({ status: r.status, output: `${r.stdout}${r.stderr}` }).toEqual({ status: 0, output: '' });
}

let shopify: ShopifyPeer;
let status: StatuspagePeer;
let health: HealthPeer;
let mcp: McpHttpPeer;

beforeAll(async () => {
  [shopify, status, health, mcp] = await Promise.all([startShopifyPeer(), startStatuspagePeer(), startHealthPeer(), startStreamableHttpPeer()]);
});
afterAll(async () => {
  await Promise.all([shopify.close(), status.close(), health.close(), mcp.close()]);
});

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  shopify.setMode('healthy');
  shopify.setAvailable(2000);
  status.setMode('operational');
  health.setMode('ok');
});

function realConfig(): Config {
  return configFromObject({
    defaults: { intervalSeconds: 60, timeoutMs: 3000, degradedMs: 2000, retries: 0 },
    targets: [
      { id: 'shopify-admin', kind: 'shopify', shop: 'hot-rod-an.myshopify.com', accessToken: 'shpat_pitwall_test_token', endpoint: shopify.url, subChecks: ['orders'] },
      { id: 'shopify-status', kind: 'statuspage', url: status.url },
      { id: 'app-health', kind: 'http', url: `${health.url}/health` },
      { id: 'tools', kind: 'mcp', transport: 'http', url: mcp.endpoint },
    ],
  });
}

/** A store, an engine with the real probes, and metrics over them. */
function setup(config = realConfig()) {
  const store = createStore(initialState(config, { now: Date.now() }));
  const runner = createProbeRunner();
  const engine = createEngine({ config, store, runProbe: runner.run });
  const metrics = createMetrics(store, config);
  cleanup.push(() => runner.close(), () => engine.stop(), () => metrics.close());
  return { config, store, engine, metrics, scrape: () => metrics.registry.metrics() };
}

describe('createMetrics over real probes', () => {
  it('has no status series before the first check, and zeroed counters', async () => {
    const { scrape } = setup();
    const text = await scrape();
    // Absent, not NaN: an unchecked target is unknown, and NaN would poison avg() over all targets.
    expect(text).not.toMatch(/^pitwall_target_status\{/m);
    expect(text).toContain('# TYPE pitwall_target_status gauge');
    expect(valueOf(text, 'pitwall_probe_failures_total', { target: 'app-health', error_kind: 'http' })).toBe(0);
    expect(valueOf(text, 'pitwall_probe_duration_seconds_count', { target: 'app-health', kind: 'http' })).toBe(0);
    expect(valueOf(text, 'pitwall_open_blockers')).toBe(0);
    expect(valueOf(text, 'pitwall_feedback_outbox_entries')).toBe(0);
    expect(valueOf(text, 'pitwall_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(valueOf(text, 'pitwall_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('reports status, durations, failures, headroom and MCP figures from real runs', async () => {
    const { engine, store, scrape } = setup();

    // Given everything healthy, when every target is checked once
    await engine.checkOnce();
    let text = await scrape();
    const s = store.getSnapshot();
    for (const [id, kind] of [['shopify-admin', 'shopify'], ['shopify-status', 'statuspage'], ['app-health', 'http'], ['tools', 'mcp']]) {
      expect(valueOf(text, 'pitwall_target_status', { target: id!, kind: kind! }), id).toBe(1);
      expect(valueOf(text, 'pitwall_probe_duration_seconds_count', { target: id!, kind: kind! }), id).toBe(1);
      expect(valueOf(text, 'pitwall_target_last_check_timestamp_seconds', { target: id! })).toBe(s.targets[id!]!.checkedAt! / 1000);
    }
    const latency = s.targets['app-health']!.latest!.latencyMs! / 1000;
    expect(valueOf(text, 'pitwall_probe_duration_seconds_sum', { target: 'app-health' })).toBeCloseTo(latency, 9);
    // The Shopify bucket: the peer's throttleStatus after the query, as a ratio of maximumAvailable.
    const throttle = s.targets['shopify-admin']!.latest!.headroom!.find((h) => h.name === 'throttle')!;
    expect(throttle.limit).toBe(2000);
    expect(valueOf(text, 'pitwall_headroom_ratio', { target: 'shopify-admin', name: 'throttle' })).toBe(throttle.remaining / 2000);
    expect(throttle.remaining / 2000).toBeGreaterThan(0.9);
    expect(valueOf(text, 'pitwall_mcp_tools', { target: 'tools' })).toBe(2);
    expect(valueOf(text, 'pitwall_mcp_cold_start_seconds', { target: 'tools' })).toBeGreaterThan(0);

    // When the app fails and the vendor reports a minor outage
    health.setMode('failing');
    status.setMode('minor');
    await engine.checkOnce(['app-health', 'shopify-status']);
    text = await scrape();

    // Then: down is 0, degraded is 0.5; the failure is counted by kind, and down runs stay out of the histogram
    expect(valueOf(text, 'pitwall_target_status', { target: 'app-health' })).toBe(0);
    expect(valueOf(text, 'pitwall_target_status', { target: 'shopify-status' })).toBe(0.5);
    expect(valueOf(text, 'pitwall_probe_failures_total', { target: 'app-health', error_kind: 'http' })).toBe(1);
    expect(valueOf(text, 'pitwall_probe_failures_total', { target: 'app-health', error_kind: 'timeout' })).toBe(0);
    expect(valueOf(text, 'pitwall_probe_runs_total', { target: 'app-health', status: 'down' })).toBe(1);
    expect(valueOf(text, 'pitwall_probe_runs_total', { target: 'app-health', status: 'up' })).toBe(1);
    expect(valueOf(text, 'pitwall_probe_duration_seconds_count', { target: 'app-health' })).toBe(1);
    expect(valueOf(text, 'pitwall_probe_duration_seconds_count', { target: 'shopify-status' })).toBe(2);
    expect(valueOf(text, 'pitwall_probe_duration_seconds_count', { target: 'shopify-admin' })).toBe(1);
  });

  it('shows a nearly empty Shopify bucket as headroom under 10% and the target degraded', async () => {
    const { engine, scrape } = setup();
    shopify.setAvailable(120);
    await engine.checkOnce(['shopify-admin']);
    const text = await scrape();
    const ratio = valueOf(text, 'pitwall_headroom_ratio', { target: 'shopify-admin', name: 'throttle' })!;
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(0.1);
    expect(valueOf(text, 'pitwall_target_status', { target: 'shopify-admin', kind: 'shopify' })).toBe(0.5);
  });

  it.skipIf(!PROMTOOL && !process.env.CI)('passes promtool check metrics (Prometheus parser and linter)', async () => {
    const { engine, scrape } = setup();
    expectPromtoolAccepts(await scrape());
    health.setMode('failing');
    await engine.checkOnce();
    const text = await scrape();
    expect(text).toMatch(/^pitwall_probe_duration_seconds_bucket\{le="0.005",target="tools",kind="mcp"\} \d+$/m);
    expectPromtoolAccepts(text);
  });

  it('serves GET /metrics with the exposition content type, and 404 for anything else', async () => {
    const { engine, metrics } = setup();
    await engine.checkOnce(['app-health']);
    const l = await metrics.listen('127.0.0.1:0');
    expect(l.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

    const res = await fetch(l.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(valueOf(await res.text(), 'pitwall_target_status', { target: 'app-health' })).toBe(1);

    const head = await fetch(l.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await fetch(l.url.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(`${l.url}/extra`)).status).toBe(404);
    expect((await fetch(l.url, { method: 'POST', body: '' })).status).toBe(404);

    // A second listener on the taken port fails with one sentence.
    const port = new URL(l.url).port;
    await expect(metrics.listen(`127.0.0.1:${port}`)).rejects.toThrow(`--metrics 127.0.0.1:${port}: cannot listen (the port is in use)`);
    await expect(metrics.listen('localhost')).rejects.toThrow('--metrics: expected HOST:PORT or PORT');

    await metrics.close();
    await expect(fetch(l.url)).rejects.toThrow();
  });
});

describe('parseMetricsListen', () => {
  it('binds loopback unless a host is named', () => {
    expect(parseMetricsListen('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseMetricsListen(':9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseMetricsListen('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(parseMetricsListen('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(() => parseMetricsListen('127.0.0.1:70000')).toThrow('--metrics: expected HOST:PORT or PORT');
    expect(() => parseMetricsListen('http://x:1')).toThrow('--metrics: expected HOST:PORT or PORT');
  });
});

describe('createMetrics from store actions', () => {
  const config = configFromObject({ targets: [{ id: 'app', kind: 'http', url: 'http://127.0.0.1:9/' }] });
  const up = (ms: number): ProbeResult => ({ status: 'up', latencyMs: ms, error: null, details: {} });
  const down: ProbeResult = { status: 'down', latencyMs: 40, error: { kind: 'connection', message: 'refused' }, details: {} };
  const finish = (store: Store, at: number, result: ProbeResult) =>
    store.dispatch({ type: 'probe-finished', id: 'app', at, result, attempts: 1, nextAt: null });

  afterEach(() => vi.useRealTimers());

  it('counts every run exactly once when the console batches notifications, and not the journal history', async () => {
    vi.useFakeTimers();
    const t0 = Date.now();
    const store: Store = createStore(initialState(config, { now: t0 }), { batchMs: 50 });
    const metrics: Metrics = createMetrics(store, config, { processMetrics: false });
    // History from an earlier session, loaded from the journal: not runs of this process.
    store.dispatch({
      type: 'history-loaded',
      samples: { app: [{ at: t0 - 60_000, status: 'up', latencyMs: 5 }, { at: t0 - 30_000, status: 'down', latencyMs: null, errorKind: 'timeout' }] },
      events: [],
      blockers: [],
    });

    // One run, notified; then three runs inside one 50 ms batch: one notification for the three.
    finish(store, t0 + 1, up(7));
    await vi.advanceTimersByTimeAsync(50);
    finish(store, t0 + 101, up(12));
    finish(store, t0 + 102, down);
    finish(store, t0 + 103, up(30));
    await vi.advanceTimersByTimeAsync(50);

    const text = await metrics.registry.metrics();
    expect(valueOf(text, 'pitwall_probe_duration_seconds_count', { target: 'app' })).toBe(3);
    expect(valueOf(text, 'pitwall_probe_duration_seconds_sum', { target: 'app' })).toBeCloseTo(0.049, 9);
    expect(valueOf(text, 'pitwall_probe_duration_seconds_bucket', { target: 'app', le: '0.01' })).toBe(1);
    expect(valueOf(text, 'pitwall_probe_runs_total', { target: 'app', status: 'up' })).toBe(3);
    expect(valueOf(text, 'pitwall_probe_runs_total', { target: 'app', status: 'down' })).toBe(1);
    expect(valueOf(text, 'pitwall_probe_failures_total', { target: 'app', error_kind: 'connection' })).toBe(1);
    expect(valueOf(text, 'pitwall_probe_failures_total', { target: 'app', error_kind: 'timeout' })).toBe(0);
    await metrics.close();
  });

  it('reads blockers and the outbox from the store at scrape time', async () => {
    const store = createStore(initialState(config, { now: Date.now() }));
    const metrics = createMetrics(store, config, { processMetrics: false });
    store.dispatch({ type: 'blocker-opened', blocker: { id: 'B-1', targetId: 'app', openedAt: 1, note: 'checkout 502' }, at: 1 });
    store.dispatch({ type: 'blocker-opened', blocker: { id: 'B-2', targetId: 'app', openedAt: 2, note: 'still 502' }, at: 2 });
    store.dispatch({ type: 'blocker-resolved', blockerId: 'B-1', at: 3 });
    store.dispatch({ type: 'outbox', size: 3 });
    const text = await metrics.registry.metrics();
    expect(valueOf(text, 'pitwall_open_blockers')).toBe(1);
    expect(valueOf(text, 'pitwall_feedback_outbox_entries')).toBe(3);
    expect(text).not.toContain('pitwall_process_');
    await metrics.close();
  });
});
