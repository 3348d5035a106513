import { Agent, type Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startShopifyPeer, type ShopifyPeer } from '../../src/peers/shopify-peer.js';
import { startPeer, sendJson, type Peer } from '../../src/peers/serve.js';
import { probeShopify } from '../../src/probes/shopify.js';
import type { ProbeContext, ProbeResult } from '../../src/probes/types.js';
import { configFromObject, type ShopifyTarget } from '../../src/config/config.js';

const TOKEN = 'shpat_0123456789abcdef0123456789abcdef';

function target(endpoint: string, extra: Record<string, unknown> = {}): ShopifyTarget {
  const config = configFromObject({
    targets: [{ kind: 'shopify', id: 'store', shop: 'hot-rod-an.myshopify.com', accessToken: TOKEN, apiVersion: '2025-10', endpoint, ...extra }],
  });
  return config.targets[0] as ShopifyTarget;
}

function ctx(timeoutMs = 2000, degradedMs = 1000, dispatcher?: Dispatcher): ProbeContext {
  return { signal: AbortSignal.timeout(timeoutMs), timeoutMs, degradedMs, ...(dispatcher ? { dispatcher } : {}) };
}

function subStatuses(r: ProbeResult) {
  return Object.fromEntries((r.subChecks ?? []).map((s) => [s.name, s.status]));
}

describe('probeShopify against the loopback Admin API', () => {
  let clock = 1_000_000;
  let peer: ShopifyPeer;

  beforeAll(async () => {
    peer = await startShopifyPeer({ accessToken: TOKEN, now: () => clock, slowMs: 120 });
  });
  afterAll(async () => {
    await peer.close();
  });
  afterEach(() => {
    peer.setMode('healthy');
    peer.setAvailable(2000);
    peer.requests.length = 0;
  });

  it('is up on a healthy store, with shop details, cost, throttle headroom and four tile sub-checks', async () => {
    const seen: string[] = [];
    const agent = new Agent();
    const dispatcher = agent.compose((dispatch) => (opts, handler) => {
      seen.push(`${opts.method} ${opts.path}`);
      return dispatch(opts, handler);
    });
    const r = await probeShopify(target(peer.url), ctx(2000, 1000, dispatcher));
    await agent.close();

    expect(r.status).toBe('up');
    expect(r.error).toBeNull();
    expect(r.details).toMatchObject({ shop: 'Hot Rod AN', domain: 'hot-rod-an.myshopify.com', plan: 'Shopify Plus', apiVersion: '2025-10' });
    const req = peer.requests[0]!;
    const cost = req.cost!;
    expect(r.details.cost).toEqual({ requestedQueryCost: cost, actualQueryCost: cost });
    expect(r.details.throttle).toEqual({ currentlyAvailable: 2000 - cost, maximumAvailable: 2000, restoreRate: 100 });
    expect(r.headroom).toEqual([{ name: 'throttle', remaining: 2000 - cost, limit: 2000 }]);
    expect(r.subChecks!.map((s) => [s.name, s.tile, s.status])).toEqual([
      ['orders', 'sales-pulse', 'up'],
      ['products', 'seo-pulse', 'up'],
      ['inventory', 'inventory-watch', 'up'],
      ['fulfillment', 'fulfillment-flow', 'up'],
    ]);
    expect(r.subChecks![0]!.details).toEqual({ ordersLastHour: 42, precision: 'EXACT' });
    expect(r.subChecks![1]!.details).toEqual({ products: 318, precision: 'EXACT' });
    expect(r.subChecks![2]!.details).toMatchObject({ itemsSeen: 1 });
    expect(r.subChecks![3]!.details).toEqual({ openFulfillmentOrders: true, latestStatus: 'OPEN' });

    // One aliased document, sent where Shopify expects it, with the token header and a last-hour filter.
    expect(peer.requests).toHaveLength(1);
    expect(seen).toEqual(['POST /admin/api/2025-10/graphql.json']);
    expect(req.path).toBe('/admin/api/2025-10/graphql.json');
    expect(req.headers['x-shopify-access-token']).toBe(TOKEN);
    expect(req.fields).toEqual(['shop', 'orders:ordersCount', 'products:productsCount', 'inventory:inventoryItems', 'fulfillment:fulfillmentOrders']);
    const filter = String(req.variables.ordersQuery);
    const since = Date.parse(/created_at:>'([^']+)'/.exec(filter)![1]!);
    expect(Date.now() - since).toBeGreaterThan(3_590_000);
    expect(Date.now() - since).toBeLessThan(3_700_000);
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });

  it('asks only for the configured sub-checks', async () => {
    const r = await probeShopify(target(peer.url, { subChecks: ['products'] }), ctx());

    expect(r.status).toBe('up');
    expect(r.subChecks!.map((s) => s.name)).toEqual(['products']);
    expect(peer.requests[0]!.fields).toEqual(['shop', 'products:productsCount']);
    expect(peer.requests[0]!.variables).toEqual({});
  });

  it('is degraded when slower than degradedMs', async () => {
    peer.setMode('slow', { slowMs: 120 });
    const r = await probeShopify(target(peer.url), ctx(2000, 50));

    expect(r.status).toBe('degraded');
    expect(r.error).toBeNull();
    expect(r.status === 'degraded' && r.reason).toMatch(/^slow: \d+ ms > 50 ms$/);
    expect(r.latencyMs).toBeGreaterThanOrEqual(110);
  });

  it('maps a wrong token (401 with Shopify\'s body) to auth, down', async () => {
    const r = await probeShopify({ ...target(peer.url), accessToken: 'shpat_wrong' }, ctx());

    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'auth', httpStatus: 401, message: 'Shopify 401 unauthorized: check the token' });
    expect(r.error!.evidence).toContain('Invalid API key or access token');
    expect(subStatuses(r)).toEqual({ orders: 'down', products: 'down', inventory: 'down', fulfillment: 'down' });
  });

  it('maps a THROTTLED answer (200) to rate_limited, with the wait computed from the bucket', async () => {
    peer.setMode('throttled');
    const r = await probeShopify(target(peer.url), ctx());

    const cost = peer.requests[0]!.cost!;
    expect(r.status).toBe('degraded');
    expect(r.error).toMatchObject({ kind: 'rate_limited', code: 'THROTTLED', httpStatus: 200 });
    // (cost − available) / restoreRate seconds, with nothing available.
    expect(r.error!.retryAfterMs).toBe(Math.ceil((cost / 100) * 1000));
    expect(r.error!.message).toBe(`Shopify throttled the query (0 of 2000 points left, query costs ${cost})`);
    expect(r.headroom).toEqual([{ name: 'throttle', remaining: 0, limit: 2000 }]);
    expect(r.details.cost).toEqual({ requestedQueryCost: cost, actualQueryCost: null });
    expect(subStatuses(r)).toEqual({ orders: 'degraded', products: 'degraded', inventory: 'degraded', fulfillment: 'degraded' });
  });

  it('follows the leaky bucket: throttled when drained, through again once it restores', async () => {
    // Given a bucket with 3 points left
    peer.setAvailable(3);
    const drained = await probeShopify(target(peer.url), ctx());
    const cost = peer.requests[0]!.cost!;
    expect(cost).toBeGreaterThan(3);
    expect(drained.error).toMatchObject({ kind: 'rate_limited', retryAfterMs: Math.ceil(((cost - 3) / 100) * 1000) });

    // When the clock moves on by that wait, the bucket has restored enough
    clock += drained.error!.retryAfterMs!;
    const after = await probeShopify(target(peer.url), ctx());

    // Then the query runs, but with under 10% of the bucket left the target is degraded
    expect(after.status).toBe('degraded');
    expect(after.error).toBeNull();
    expect(after.headroom![0]!.remaining).toBeLessThan(200);
    expect(after.status === 'degraded' && after.reason).toMatch(/^throttle headroom \d+% left$/);
  });

  it('maps HTTP 429 to rate_limited and honours Retry-After', async () => {
    peer.setMode('http429', { retryAfterSeconds: 3 });
    const r = await probeShopify(target(peer.url), ctx());

    expect(r.status).toBe('degraded');
    expect(r.error).toMatchObject({ kind: 'rate_limited', httpStatus: 429, retryAfterMs: 3000 });
    expect(r.error!.message).toBe('Shopify 429 too many requests, retry after 3 s');
  });

  it('reports an HTML 502 page as an HTTP failure naming the page', async () => {
    peer.setMode('html502');
    const r = await probeShopify(target(peer.url), ctx());

    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'http', httpStatus: 502, message: 'Shopify 502 (502 Bad Gateway)' });
    expect(r.error!.evidence).toMatch(/^<!DOCTYPE html>/);
  });

  it('maps truncated JSON to bad_response', async () => {
    peer.setMode('truncated');
    const r = await probeShopify(target(peer.url), ctx());

    expect(r.status).toBe('down');
    expect(r.error!.kind).toBe('bad_response');
    expect(r.error!.message).toMatch(/^invalid or truncated JSON: /);
    expect(r.error!.evidence).toMatch(/^\{"data":\{"shop"/);
  });

  it('maps a hang to timeout when the signal aborts', async () => {
    peer.setMode('hang');
    const r = await probeShopify(target(peer.url), ctx(300));

    expect(r.status).toBe('down');
    expect(r.error).toEqual({ kind: 'timeout', message: 'no answer within 300 ms' });
    expect(r.latencyMs).toBeNull();
  });

  it('fails only the sub-check whose field lacks a scope (ACCESS_DENIED → auth)', async () => {
    peer.setMode('missing-scope', { deniedField: 'ordersCount' });
    const r = await probeShopify(target(peer.url), ctx());

    expect(r.status).toBe('degraded');
    expect(r.error).toBeNull();
    expect(r.status === 'degraded' && r.reason).toBe('sub-check orders is down');
    expect(subStatuses(r)).toEqual({ orders: 'down', products: 'up', inventory: 'up', fulfillment: 'up' });
    const orders = r.subChecks!.find((s) => s.name === 'orders')!;
    expect(orders.error).toMatchObject({ kind: 'auth', code: 'ACCESS_DENIED', httpStatus: 200 });
    expect(orders.error!.message).toBe(
      'GraphQL error ACCESS_DENIED: Access denied for ordersCount field. Required access: `read_orders` access scope.',
    );
    expect(r.details.shop).toBe('Hot Rod AN');
  });

  it('maps a refused connection to connection', async () => {
    const gone = await startPeer(() => undefined);
    await gone.close();
    const r = await probeShopify(target(gone.url), ctx());

    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'connection', code: 'ECONNREFUSED' });
    expect(r.error!.message).toMatch(/^connection refused: /);
    expect(subStatuses(r)).toEqual({ orders: 'down', products: 'down', inventory: 'down', fulfillment: 'down' });
  });
});

describe('probeShopify on answers the peer modes do not cover', () => {
  let answer: { status: number; body: unknown };
  let odd: Peer;
  beforeAll(async () => {
    odd = await startPeer((_req, res) => sendJson(res, answer.status, answer.body));
  });
  afterAll(async () => {
    await odd.close();
  });

  it('maps a GraphQL error on the health query to bad_response', async () => {
    answer = {
      status: 200,
      body: {
        errors: [{ message: 'Internal error. Looks like something went wrong on our end.', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'r-1' } }],
      },
    };
    const r = await probeShopify(target(odd.url), ctx());

    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'bad_response', code: 'INTERNAL_SERVER_ERROR', httpStatus: 200 });
    expect(r.error!.message).toBe('GraphQL error INTERNAL_SERVER_ERROR: Internal error. Looks like something went wrong on our end.');
  });

  it('maps an answer without data.shop to bad_response', async () => {
    answer = { status: 200, body: { data: { products: { count: 1, precision: 'EXACT' } } } };
    const r = await probeShopify(target(odd.url, { subChecks: ['products'] }), ctx());

    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'bad_response', message: 'the answer has no data.shop' });
  });

  it('maps a JSON body with neither data nor errors to bad_response', async () => {
    answer = { status: 200, body: { hello: 'proxy' } };
    const r = await probeShopify(target(odd.url), ctx());

    expect(r.error).toMatchObject({ kind: 'bad_response', message: 'the answer has neither data nor errors' });
  });

  it('takes the wait from the bucket when a 429 carries the cost extension but no Retry-After', async () => {
    answer = {
      status: 429,
      body: {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }],
        extensions: { cost: { requestedQueryCost: 50, actualQueryCost: null, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 10, restoreRate: 100 } } },
      },
    };
    const r = await probeShopify(target(odd.url), ctx());

    expect(r.status).toBe('degraded');
    expect(r.error).toMatchObject({ kind: 'rate_limited', httpStatus: 429, retryAfterMs: 400 });
    expect(r.headroom).toEqual([{ name: 'throttle', remaining: 10, limit: 2000 }]);
  });
});
