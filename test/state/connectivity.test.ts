import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromObject, type Target } from '../../src/config/config.js';
import { createNetworkWatch, hostOf, isLoopback, runCanary, vendorLinksOf } from '../../src/state/connectivity.js';
import { overall, pitwallOffline, shownStatus, tileHealth } from '../../src/state/derive.js';
import { createEngine } from '../../src/state/engine.js';
import { createProbeRunner } from '../../src/state/probe-runner.js';
import { createStore, initialState, type State } from '../../src/state/store.js';
import { startPeer, sendJson, type Peer } from '../../src/peers/serve.js';
import type { ProbeResult } from '../../src/probes/types.js';

/** A loopback port nothing listens on: taken, then released. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

// A generous timeout: a busy machine must not read as offline (the closed port is refused at once anyway).
const canary = (url: string) => ({ url, timeoutMs: 15_000, intervalSeconds: 60 });

describe('the canary (Gatus-style connectivity check)', () => {
  let peer: Peer;
  let closed: number;
  beforeAll(async () => {
    peer = await startPeer((_req, res) => sendJson(res, 204, {}));
    closed = await closedPort();
  });
  afterAll(async () => {
    await peer.close();
  });

  it('is connected when the endpoint answers anything HTTP', async () => {
    expect(await runCanary(canary(peer.url))).toBeNull();
  });

  it('is not connected when the endpoint refuses the connection (a closed loopback port)', async () => {
    const why = await runCanary(canary(`http://127.0.0.1:${closed}/`));
    expect(why).toMatch(new RegExp(`^canary: http://127\\.0\\.0\\.1:${closed}/ unreachable \\(connection: `));
  });

  it('is not connected when the host name does not resolve', async () => {
    const why = await runCanary({ dns: 'pitwall-canary.invalid', timeoutMs: 3000, intervalSeconds: 60 });
    expect(why).toMatch(/^canary: DNS lookup of pitwall-canary\.invalid failed \(/);
  });

  it('resolves localhost', async () => {
    expect(await runCanary({ dns: 'localhost', timeoutMs: 15_000, intervalSeconds: 60 })).toBeNull();
  });
});

describe('pitwall offline: failures held, not turned into "down"', () => {
  let app: Peer;
  let canaryPeer: Peer;
  let closed: number;
  beforeAll(async () => {
    app = await startPeer((_req, res) => sendJson(res, 200, { ok: true }));
    canaryPeer = await startPeer((_req, res) => sendJson(res, 204, {}));
    closed = await closedPort();
  });
  afterAll(async () => {
    await Promise.all([app.close(), canaryPeer.close()]);
  });

  async function checkWith(canaryUrl: string) {
    const config = configFromObject({
      defaults: { retries: 0, timeoutMs: 15_000, degradedMs: 15_000 },
      network: { canary: { url: canaryUrl, timeoutMs: 15_000 } },
      targets: [
        { id: 'app', kind: 'http', url: app.url, tiles: ['sales-pulse'] },
        { id: 'chatwoot', kind: 'http', url: `http://127.0.0.1:${closed}/`, tiles: ['cx-pulse'] },
      ],
    });
    const store = createStore(initialState(config, { now: Date.now() }));
    const runner = createProbeRunner();
    const engine = createEngine({ config, store, runProbe: runner.run });
    try {
      await engine.checkOnce();
    } finally {
      engine.stop();
      await runner.close();
    }
    return store.getSnapshot();
  }

  it('with the canary at a closed port, a target that cannot connect is "unknown: pitwall offline": no transition to down, no red tile', async () => {
    // Given pitwall's canary is a closed loopback port (its own network is "down")
    const s = await checkWith(`http://127.0.0.1:${closed}/`);
    // Then the failing target is held: stored degraded, shown unknown, saying why
    const r = s.targets.chatwoot!.latest!;
    expect(r.status).toBe('degraded');
    expect(r.status === 'degraded' && r.reason).toMatch(/^unknown: pitwall offline \(canary: http:\/\/127\.0\.0\.1:\d+\/ unreachable/);
    expect(r.details.heldError).toMatch(/^connection: /);
    expect(shownStatus(s.targets.chatwoot!)).toBeNull();
    expect(pitwallOffline(s)).toMatch(/^canary: /);
    expect(s.events.some((e) => e.type === 'transition' && e.to === 'down')).toBe(false);
    expect(tileHealth(s).find((t) => t.id === 'cx-pulse')!.status).toBeNull();
    // And an answer is still an answer
    expect(s.targets.app!.latest!.status).toBe('up');
    expect(overall(s)).toMatchObject({ down: 0, unknown: 1, up: 1 });
  });

  it('with the canary answering, the same failure is down, as before', async () => {
    const s = await checkWith(canaryPeer.url);
    expect(s.targets.chatwoot!.latest!.status).toBe('down');
    expect(shownStatus(s.targets.chatwoot!)).toBe('down');
    expect(pitwallOffline(s)).toBeNull();
  });
});

describe('the burst rule (no canary)', () => {
  const refused = (): ProbeResult => ({ status: 'down', latencyMs: null, error: { kind: 'connection', message: 'getaddrinfo ENOTFOUND' }, details: {} });
  const upR = (): ProbeResult => ({ status: 'up', latencyMs: 10, error: null, details: {} });
  const config = configFromObject({
    targets: [
      { id: 'a', kind: 'http', url: 'https://a.example.com/' },
      { id: 'b', kind: 'http', url: 'https://b.example.net/' },
      { id: 'c', kind: 'http', url: 'https://c.example.org/' },
      { id: 'd', kind: 'http', url: 'https://d.example.io/' },
      { id: 'local', kind: 'http', url: 'http://127.0.0.1:9/' },
    ],
  });
  const state = () => ({}) as State;
  const t = (id: string) => config.targets.find((x) => x.id === id)! as Target;

  it('holds from the third host failing to connect at once, and lets go when one answers', async () => {
    let clock = 1_000_000;
    const back: string[][] = [];
    const w = createNetworkWatch(config, { now: () => clock });
    w.start((ids) => back.push(ids));
    expect((await w.amend(t('a'), refused(), clock, state)).status).toBe('down');
    expect((await w.amend(t('b'), refused(), clock, state)).status).toBe('down');
    const third = await w.amend(t('c'), refused(), clock, state);
    expect(third.status === 'degraded' && third.reason).toBe('unknown: pitwall offline (3 targets failed to connect at once (a, b, c) and none answered)');
    expect((await w.amend(t('d'), refused(), clock, state)).details.pitwallOffline).toBeDefined();
    // When one answers, connectivity is back: the held ones are checked again
    clock += 5000;
    expect((await w.amend(t('a'), upR(), clock, state)).status).toBe('up');
    expect(back).toEqual([['c', 'd']]);
    expect(w.offline(clock)).toBeNull();
    w.stop();
  });

  it('ignores loopback targets and failures spread over more than the window', async () => {
    let clock = 0;
    const w = createNetworkWatch(config, { now: () => clock });
    await w.amend(t('local'), refused(), clock, state);
    await w.amend(t('a'), refused(), clock, state);
    clock += 120_000;
    await w.amend(t('b'), refused(), clock, state);
    expect((await w.amend(t('c'), refused(), clock, state)).status).toBe('down');
  });

  it('an HTTP error is an answer: the network carried it', async () => {
    const w = createNetworkWatch(config);
    const http500: ProbeResult = { status: 'down', latencyMs: 20, error: { kind: 'http', message: 'HTTP 500', httpStatus: 500 }, details: {} };
    // Given three hosts refuse while a fourth answers 500 in the same moment
    await w.amend(t('a'), refused(), 1, state);
    await w.amend(t('b'), http500, 1, state);
    await w.amend(t('c'), refused(), 1, state);
    // Then the refusals are the vendors' (down), not pitwall's network
    expect((await w.amend(t('d'), refused(), 1, state)).status).toBe('down');
    expect(w.offline(1)).toBeNull();
    // And three more refusals later, with no answer since, are pitwall's
    await w.amend(t('a'), refused(), 2, state);
    await w.amend(t('c'), refused(), 2, state);
    expect((await w.amend(t('d'), refused(), 2, state)).status).toBe('degraded');
  });
});

describe('vendor links', () => {
  it('links by default: Shopify to its page, a GitHub MCP server, a Fly app, Supabase; explicit links win; null unlinks', () => {
    const config = configFromObject({
      targets: [
        { id: 'shopify-admin', kind: 'shopify', shop: 'x.myshopify.com', accessToken: 't' },
        { id: 'github-mcp', kind: 'mcp', transport: 'http', url: 'https://api.githubcopilot.com/mcp/' },
        { id: 'supabase-mcp', kind: 'mcp', transport: 'stdio', command: 'npx', args: ['@supabase/mcp-server-supabase'] },
        { id: 'app-health', kind: 'http', url: 'https://hotrodan.fly.dev/health' },
        { id: 'chatwoot', kind: 'chatwoot', baseUrl: 'https://chat.example.com', accountId: 1, apiToken: 't' },
        { id: 'shopify-status', kind: 'statuspage', url: 'https://www.shopifystatus.com' },
        { id: 'gh', kind: 'statuspage', url: 'https://www.githubstatus.com' },
        { id: 'supa', kind: 'statuspage', url: 'https://status.supabase.com' },
        { id: 'fly-status', kind: 'statuspage', url: 'http://127.0.0.1:4010' },
      ],
      vendorLinks: { 'supabase-mcp': null, chatwoot: 'supa' },
    });
    expect(Object.fromEntries(vendorLinksOf(config))).toEqual({ 'shopify-admin': 'shopify-status', 'github-mcp': 'gh', 'app-health': 'fly-status', chatwoot: 'supa' });
  });

  it('hosts: a shop without endpoint is its myshopify domain; stdio MCP has none; loopback is told apart', () => {
    const config = configFromObject({ targets: [{ id: 's', kind: 'shopify', shop: 'x.myshopify.com', accessToken: 't' }, { id: 'm', kind: 'mcp', transport: 'stdio', command: 'node' }] });
    expect(config.targets.map(hostOf)).toEqual(['x.myshopify.com', null]);
    expect([isLoopback('127.0.0.2'), isLoopback('::1'), isLoopback('localhost'), isLoopback('10.0.0.1')]).toEqual([true, true, true, false]);
  });
});

describe('targets with no host of their own', () => {
  it('a sales-sync target and a stdio MCP server failing to connect while pitwall is offline are held too, and handed back', async () => {
    const config = configFromObject({
      network: { canary: { url: 'https://canary.example/', timeoutMs: 1000 } },
      targets: [
        { id: 'shopify-admin', kind: 'shopify', shop: 'x.myshopify.com', accessToken: 't' },
        { id: 'ga', kind: 'ga', propertyId: '1' },
        { id: 'sync', kind: 'sales-sync', shopify: 'shopify-admin', ga: 'ga' },
        { id: 'context7', kind: 'mcp', transport: 'stdio', command: 'npx', args: ['-y', '@upstash/context7-mcp'] },
      ],
    });
    let connected = false;
    const w = createNetworkWatch(config, { now: () => 0, canary: async () => (connected ? null : 'canary: https://canary.example/ unreachable (connection: ENETUNREACH)') });
    const back: string[][] = [];
    w.start((ids) => back.push(ids));
    const refused: ProbeResult = { status: 'down', latencyMs: null, error: { kind: 'connection', message: 'Shopify: connect ECONNREFUSED' }, details: {} };
    const sync = await w.amend(config.targets[2]!, refused, 0, () => ({}) as State);
    const mcp = await w.amend(config.targets[3]!, { ...refused, error: { kind: 'timeout', message: 'no answer within 30000 ms' } }, 0, () => ({}) as State);
    expect([sync, mcp].map((r) => [r.status, r.status === 'degraded' && r.reason])).toEqual([
      ['degraded', 'unknown: pitwall offline (canary: https://canary.example/ unreachable (connection: ENETUNREACH))'],
      ['degraded', 'unknown: pitwall offline (canary: https://canary.example/ unreachable (connection: ENETUNREACH))'],
    ]);
    expect(shownStatus({ latest: sync, noAnswerSince: null })).toBeNull();
    connected = true;
    await w.checkCanary();
    expect(back).toEqual([['sync', 'context7']]);
    w.stop();
  });
});

describe('back online', () => {
  it('when the canary answers again, the held targets are handed back to be checked at once', async () => {
    const config = configFromObject({
      network: { canary: { url: 'https://canary.example/', timeoutMs: 1000 } },
      targets: [
        { id: 'shop', kind: 'http', url: 'https://shop.example/' },
        { id: 'chat', kind: 'http', url: 'https://chat.example/' },
      ],
    });
    // Given a canary that fails until told otherwise (the real one is tested above against loopback)
    let connected = false;
    let clock = 0;
    const asked: number[] = [];
    const w = createNetworkWatch(config, { now: () => clock, canary: async () => (asked.push(clock), connected ? null : 'canary: https://canary.example/ unreachable (connection: ENETUNREACH)') });
    const back: string[][] = [];
    w.start((ids) => back.push(ids));
    const refused: ProbeResult = { status: 'down', latencyMs: null, error: { kind: 'connection', message: 'connect ENETUNREACH' }, details: {} };
    // When a target fails to connect while the canary (asked at start) fails, the failure is held
    const r = await w.amend(config.targets[0]!, refused, clock, () => ({}) as State);
    expect(r.status === 'degraded' && r.reason).toBe('unknown: pitwall offline (canary: https://canary.example/ unreachable (connection: ENETUNREACH))');
    // A failure within 5 s of the last canary run takes its verdict; a later one asks again
    clock += 6000;
    await w.amend(config.targets[1]!, refused, clock, () => ({}) as State);
    expect(asked).toEqual([0, 6000]);
    expect(back).toEqual([]);
    // Then the canary answers: both come back to be checked
    connected = true;
    await w.checkCanary();
    expect(back).toEqual([['shop', 'chat']]);
    expect(w.offline(clock)).toBeNull();
    w.stop();
  });
});
