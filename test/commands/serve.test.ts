import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHealthPeer, type HealthPeer } from '../../src/peers/health-peer.js';
import { startShopifyPeer, type ShopifyPeer } from '../../src/peers/shopify-peer.js';
import { startStatuspagePeer, type StatuspagePeer } from '../../src/peers/statuspage-peer.js';
import { runServe, runWatchJson } from '../../src/commands/serve.js';
import { UsageError } from '../../src/commands/exit.js';
import { parseConfig, type Config } from '../../src/config/config.js';

const CANARY = 'shpat_canary_0b9e8d7c6f';

let shopify: ShopifyPeer;
let status: StatuspagePeer;
let health: HealthPeer;
let config: Config;

beforeAll(async () => {
  [shopify, status, health] = await Promise.all([startShopifyPeer({ accessToken: CANARY }), startStatuspagePeer(), startHealthPeer()]);
  config = parseConfig(
    `defaults: { intervalSeconds: 60, timeoutMs: 2000, retries: 0 }
targets:
  - id: shopify-admin
    kind: shopify
    shop: hot-rod-an.myshopify.com
    accessToken: \${SHOPIFY_ADMIN_TOKEN}
    endpoint: ${shopify.url}
    subChecks: [orders]
  - id: shopify-status
    kind: statuspage
    url: ${status.url}
  - id: app-health
    kind: http
    url: ${health.url}/health
`,
    { env: { SHOPIFY_ADMIN_TOKEN: CANARY } },
  );
  // Every 100 ms, below the config's 1 s minimum on purpose: the test wants several rounds quickly.
  config.targets.find((t) => t.id === 'app-health')!.intervalSeconds = 0.1;
});
afterAll(async () => {
  await Promise.all([shopify.close(), status.close(), health.close()]);
});

type Rec = Record<string, unknown>;

/** Captures output and lets a test wait for a line, without sleeping. */
function output(parse: boolean) {
  const chunks: string[] = [];
  const waiters: { test: () => boolean; resolve: () => void }[] = [];
  const lines = () => chunks.join('').split('\n').filter(Boolean);
  const records = () => lines().map((l) => JSON.parse(l) as Rec);
  const check = () => {
    for (const w of [...waiters]) {
      if (!w.test()) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  return {
    write: (t: string) => {
      chunks.push(t);
      check();
    },
    text: () => chunks.join(''),
    lines,
    records,
    /** Resolves once some line (record, when parsing) matches. */
    until: (match: (r: Rec) => boolean) =>
      new Promise<void>((resolve) => {
        const test = () => (parse ? records().some(match) : lines().some((l) => match({ line: l })));
        if (test()) resolve();
        else waiters.push({ test, resolve });
      }),
  };
}

describe('runServe', () => {
  it('streams NDJSON and serves /metrics until the signal aborts, without leaking the token', async () => {
    const out = output(true);
    const ac = new AbortController();
    let url = '';
    const done = runServe(config, { ndjson: true, metrics: '127.0.0.1:0', write: out.write, signal: ac.signal, onListening: (u) => (url = u) });

    // Given every target checked once
    await out.until((r) => r.type === 'result' && r.target === 'shopify-admin');
    await out.until((r) => r.type === 'result' && r.target === 'shopify-status');
    await out.until((r) => r.type === 'result' && r.target === 'app-health');
    const first = out.records()[0]!;
    expect(first).toMatchObject({ type: 'notice', level: 'info' });
    expect(first.message).toBe(`watching 3 targets (shopify-admin, shopify-status, app-health); metrics on ${url}`);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

    // When the app starts failing (it is checked every 100 ms)
    health.setMode('failing');
    await out.until((r) => r.type === 'transition' && r.target === 'app-health' && r.to === 'down');

    // Then /metrics says so, as Prometheus would scrape it
    const res = await fetch(url);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toMatch(/^pitwall_target_status\{target="app-health",kind="http"\} 0$/m);
    expect(text).toMatch(/^pitwall_target_status\{target="shopify-admin",kind="shopify"\} 1$/m);
    expect(text).toMatch(/^pitwall_probe_failures_total\{target="app-health",kind="http",error_kind="http"\} [1-9]\d*$/m);
    expect(text).toMatch(/^pitwall_headroom_ratio\{target="shopify-admin",name="throttle"\} 0\.9\d*$/m);

    // When the signal aborts, runServe resolves 0, says so last, and the endpoint is gone
    ac.abort();
    expect(await done).toBe(0);
    health.setMode('ok');
    const recs = out.records();
    expect(recs.at(-1)).toMatchObject({ type: 'notice', message: 'stopping' });
    for (const r of recs) expect(r.at).toMatch(/Z$/);
    const down = recs.find((r) => r.type === 'result' && r.status === 'down')!;
    expect(down).toMatchObject({ target: 'app-health', kind: 'http', error: { kind: 'http' }, httpStatus: 503 });
    expect(out.text()).not.toContain(CANARY);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('logs events as readable lines without --ndjson', async () => {
    const out = output(false);
    const ac = new AbortController();
    const done = runServe(config, { only: ['app-health'], write: out.write, signal: ac.signal });
    await out.until((r) => / app-health new → up$/.test(r.line as string));
    ac.abort();
    expect(await done).toBe(0);
    const lines = out.lines();
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z info: watching 1 target \(app-health\)$/);
    expect(lines.at(-1)).toMatch(/Z info: stopping$/);
    // One line per event, not per run: app-health runs every 100 ms but stays up.
    expect(lines).toHaveLength(3);
  });

  it('refuses a bad --metrics, a taken port and an unknown --only with one sentence', async () => {
    const signal = new AbortController().signal;
    const write = () => {};
    await expect(runServe(config, { metrics: 'localhost', write, signal })).rejects.toThrow(
      new UsageError('--metrics: expected HOST:PORT or PORT (e.g. 127.0.0.1:9464), got "localhost"'),
    );
    await expect(runServe(config, { metrics: `127.0.0.1:${health.port}`, write, signal })).rejects.toThrow(
      new UsageError(`--metrics 127.0.0.1:${health.port}: cannot listen (the port is in use)`),
    );
    await expect(runServe(config, { only: ['nope'], write, signal })).rejects.toThrow(UsageError);
  });

  it('returns at once when the signal has already aborted', async () => {
    const out = output(true);
    expect(await runServe(config, { ndjson: true, write: out.write, signal: AbortSignal.abort() })).toBe(0);
    expect(out.text()).toBe('');
  });
});

describe('runWatchJson (check --json --watch)', () => {
  it('is the NDJSON stream over the chosen targets', async () => {
    const out = output(true);
    const ac = new AbortController();
    const done = runWatchJson(config, { only: ['shopify-status'], write: out.write, signal: ac.signal });
    await out.until((r) => r.type === 'transition' && r.target === 'shopify-status');
    ac.abort();
    expect(await done).toBe(0);
    expect(out.records().map((r) => [r.type, r.target ?? null])).toEqual([
      ['notice', null],
      ['result', 'shopify-status'],
      ['transition', 'shopify-status'],
      ['notice', null],
    ]);
  });
});
