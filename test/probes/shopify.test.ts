import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PITWALL_SHOPIFY_SCOPES, startShopifyPeer, type ShopifyPeer } from '../../src/peers/shopify-peer.js';
import { startPeer, sendJson, type Peer } from '../../src/peers/serve.js';
import { probeShopify } from '../../src/probes/shopify.js';
import { createHttpAgents } from '../../src/probes/http-client.js';
import type { HttpAgents, ProbeContext, ProbeResult } from '../../src/probes/types.js';
import { configFromObject, type ShopifyTarget } from '../../src/config/config.js';

const TOKEN = 'shpat_0123456789abcdef0123456789abcdef';

function target(endpoint: string, extra: Record<string, unknown> = {}): ShopifyTarget {
  const config = configFromObject({
    targets: [{ kind: 'shopify', id: 'store', shop: 'hot-rod-an.myshopify.com', accessToken: TOKEN, apiVersion: '2026-10', endpoint, ...extra }],
  });
  return config.targets[0] as ShopifyTarget;
}

function ctx(timeoutMs = 2000, degradedMs = 1000, dispatcher?: HttpAgents): ProbeContext {
  return { signal: AbortSignal.timeout(timeoutMs), timeoutMs, degradedMs, ...(dispatcher ? { dispatcher } : {}) };
}

function subStatuses(r: ProbeResult) {
  return Object.fromEntries((r.subChecks ?? []).map((s) => [s.name, s.status]));
}

const MIN = 60_000;

describe('probeShopify against the loopback Admin API (Shopify\'s schema, executed)', () => {
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
    peer.setScopes(PITWALL_SHOPIFY_SCOPES);
    peer.setAvailable(2000);
    peer.requests.length = 0;
  });

  const byName = (name: string) => peer.requests.find((q) => q.query?.includes(`query ${name}`))!;

  it('is up on a healthy store, with shop details, scopes, cost, throttle headroom and four tile sub-checks', async () => {
    // Each exchange that ends on a kept-alive connection hands it back to the agent ('free'): all went through it.
    const agents = createHttpAgents();
    let freed = 0;
    agents.http.on('free', () => freed++);
    const r = await probeShopify(target(peer.url), ctx(2000, 1000, agents));
    agents.close();

    expect(r.status).toBe('up');
    expect(r.error).toBeNull();
    expect(r.details).toMatchObject({ shop: 'Hot Rod AN', domain: 'hot-rod-an.myshopify.com', plan: 'Basic', apiVersion: '2026-10' });
    expect(r.details.scopes).toEqual([...PITWALL_SHOPIFY_SCOPES].sort());
    expect(r.details).not.toHaveProperty('deprecation');
    expect(r.details).not.toHaveProperty('servedApiVersion');
    const requested = peer.requests.reduce((n, q) => n + q.cost!, 0);
    expect((r.details.cost as { requestedQueryCost: number }).requestedQueryCost).toBe(requested);
    expect(r.headroom![0]!.limit).toBe(2000);
    expect(r.headroom![0]!.remaining).toBeLessThan(2000);
    expect(r.headroom![0]!.remaining).toBeGreaterThan(2000 - requested - 1);
    expect(r.subChecks!.map((s) => [s.name, s.tile, s.status])).toEqual([
      ['orders', 'sales-pulse', 'up'],
      ['products', 'seo-pulse', 'up'],
      ['inventory', 'inventory-watch', 'up'],
      ['fulfillment', 'fulfillment-flow', 'up'],
    ]);
    // ordersCount is filtered by the peer: only the last hour's 42 of 542 orders.
    expect(r.subChecks![0]!.details).toEqual({ ordersLastHour: 42, precision: 'EXACT' });
    expect(r.subChecks![1]!.details).toEqual({ products: 318, precision: 'EXACT' });

    // Three documents: the health query with the nullable counts, and each non-null connection alone.
    expect(peer.requests).toHaveLength(3);
    expect(freed).toBe(3);
    expect(peer.requests.map((q) => `${q.method} ${q.path}`)).toEqual(Array(3).fill('POST /admin/api/2026-10/graphql.json'));
    expect(byName('PitwallHealth').fields).toEqual(['shop', 'app:currentAppInstallation', 'orders:ordersCount', 'products:productsCount']);
    expect(byName('PitwallInventory').fields).toEqual(['inventory:inventoryItems']);
    expect(byName('PitwallFulfillment').fields).toEqual(['fulfillment:fulfillmentOrders']);
    for (const q of peer.requests) expect(q.headers['x-shopify-access-token']).toBe(TOKEN);
    const filter = String(byName('PitwallHealth').variables.ordersSince);
    const since = Date.parse(/created_at:>'([^']+)'/.exec(filter)![1]!);
    expect(Date.now() - since).toBeGreaterThan(3_590_000);
    expect(Date.now() - since).toBeLessThan(3_700_000);
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });

  it('reports the latest inventory update, not the lowest id (nodes[0] is the oldest item, not the latest)', async () => {
    const r = await probeShopify(target(peer.url), ctx());

    // The world: 4 items updated within the hour; the latest (3 min ago) is neither the first nor the last id.
    const recent = peer.world.inventoryItems.filter((i) => Date.now() - Date.parse(i.updatedAt) < 60 * MIN);
    const latest = recent.map((i) => i.updatedAt).sort().at(-1)!;
    expect(latest).not.toBe(peer.world.inventoryItems[0]!.updatedAt);
    expect(r.subChecks![2]!.details).toEqual({ updatedLastHour: recent.length, lastUpdatedAt: latest });
  });

  it('reports the most recently updated fulfillment order that is not closed, not the lowest id', async () => {
    const r = await probeShopify(target(peer.url), ctx());

    // Merchant-managed, not closed, latest update first: IN_PROGRESS 4 min ago (the CLOSED one 1 min ago is left out).
    const expected = peer.world.fulfillmentOrders.find((f) => f.id.endsWith('/7702'))!;
    expect(r.subChecks![3]!.details).toEqual({ notClosed: true, latestStatus: 'IN_PROGRESS', latestUpdatedAt: expected.updatedAt });
  });

  it('reads InventoryItem with read_products alone (the token has no read_inventory)', async () => {
    expect(PITWALL_SHOPIFY_SCOPES).not.toContain('read_inventory');
    const r = await probeShopify(target(peer.url, { subChecks: ['inventory'] }), ctx());

    expect(subStatuses(r)).toEqual({ inventory: 'up' });
  });

  it('asks only for the configured sub-checks', async () => {
    const r = await probeShopify(target(peer.url, { subChecks: ['products'] }), ctx());

    expect(r.status).toBe('up');
    expect(r.subChecks!.map((s) => s.name)).toEqual(['products']);
    expect(peer.requests).toHaveLength(1);
    expect(peer.requests[0]!.fields).toEqual(['shop', 'app:currentAppInstallation', 'products:productsCount']);
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

    const cost = byName('PitwallHealth').cost!;
    expect(r.status).toBe('degraded');
    expect(r.error).toMatchObject({ kind: 'rate_limited', code: 'THROTTLED', httpStatus: 200 });
    // (cost − available) / restoreRate seconds, with nothing available.
    expect(r.error!.retryAfterMs).toBe(Math.ceil((cost / 100) * 1000));
    expect(r.error!.message).toBe(`Shopify throttled the query (0 of 2000 points left, query costs ${cost})`);
    expect(r.headroom).toEqual([{ name: 'throttle', remaining: 0, limit: 2000 }]);
    expect(r.details.cost).toEqual({ requestedQueryCost: peer.requests.reduce((n, q) => n + q.cost!, 0), actualQueryCost: null });
    expect(subStatuses(r)).toEqual({ orders: 'degraded', products: 'degraded', inventory: 'degraded', fulfillment: 'degraded' });
  });

  it('follows the leaky bucket: throttled when drained, through again once it restores', async () => {
    // Given a bucket with 3 points left
    peer.setAvailable(3);
    const drained = await probeShopify(target(peer.url), ctx());
    const cost = byName('PitwallHealth').cost!;
    const total = peer.requests.reduce((n, q) => n + q.cost!, 0);
    expect(cost).toBeGreaterThan(3);
    expect(drained.error).toMatchObject({ kind: 'rate_limited', retryAfterMs: Math.ceil(((cost - 3) / 100) * 1000) });

    // When the clock moves on until the bucket holds every document's cost and 150 points more
    clock += ((total + 150 - 3) / 100) * 1000;
    const after = await probeShopify(target(peer.url), ctx());

    // Then the queries run, but with under 10% of the bucket left the target is degraded
    expect(after.status).toBe('degraded');
    expect(after.error).toBeNull();
    expect(subStatuses(after)).toEqual({ orders: 'up', products: 'up', inventory: 'up', fulfillment: 'up' });
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

  it('fails only the orders tile when read_orders is missing (a nullable field: ACCESS_DENIED → auth)', async () => {
    peer.setScopes(PITWALL_SHOPIFY_SCOPES.filter((s) => s !== 'read_orders'));
    const r = await probeShopify(target(peer.url), ctx());

    expect(r.status).toBe('degraded');
    expect(r.error).toBeNull();
    expect(r.status === 'degraded' && r.reason).toBe('sub-check orders is down');
    expect(subStatuses(r)).toEqual({ orders: 'down', products: 'up', inventory: 'up', fulfillment: 'up' });
    const orders = r.subChecks!.find((s) => s.name === 'orders')!;
    expect(orders.error).toMatchObject({ kind: 'auth', code: 'ACCESS_DENIED', httpStatus: 200 });
    expect(orders.error!.message).toBe(
      'GraphQL error ACCESS_DENIED: Access denied for ordersCount field. Required access: `read_orders` access scope or `read_marketplace_orders` access scope.',
    );
    expect(r.details.shop).toBe('Hot Rod AN');
  });

  it('fails only the fulfillment tile when no fulfillment-order scope is granted, though Shopify nulls that document\'s whole data', async () => {
    // Given a token without any fulfillment-order scope: fulfillmentOrders is a non-null connection
    peer.setScopes(['read_orders', 'read_products']);
    const r = await probeShopify(target(peer.url), ctx());

    // Then only its tile is hurt, as auth naming the scope; the other three keep their verdicts
    expect(subStatuses(r)).toEqual({ orders: 'up', products: 'up', inventory: 'up', fulfillment: 'down' });
    expect(r.status).toBe('degraded');
    const f = r.subChecks!.find((s) => s.name === 'fulfillment')!;
    expect(f.error).toMatchObject({ kind: 'auth', code: 'ACCESS_DENIED' });
    expect(f.error!.message).toContain('`read_merchant_managed_fulfillment_orders` access scope');
    expect(r.details.shop).toBe('Hot Rod AN');
  });

  it('fails only the inventory tile when neither read_inventory nor read_products is granted', async () => {
    peer.setScopes(['read_orders', 'read_merchant_managed_fulfillment_orders']);
    const r = await probeShopify(target(peer.url), ctx());

    expect(subStatuses(r)).toEqual({ orders: 'up', products: 'down', inventory: 'down', fulfillment: 'up' });
    const inv = r.subChecks!.find((s) => s.name === 'inventory')!;
    expect(inv.error).toMatchObject({ kind: 'auth', code: 'ACCESS_DENIED' });
    expect(inv.error!.message).toContain('Required access: `read_inventory` access scope or `read_products` access scope.');
  });

  it('does not call "no fulfillment orders" green when the token only has read_assigned_fulfillment_orders', async () => {
    // Given the scope a store app does not need: Shopify then hides the store's own (merchant-managed) orders
    peer.setScopes(['read_orders', 'read_products', 'read_assigned_fulfillment_orders']);
    const r = await probeShopify(target(peer.url), ctx());

    // Then the empty list is not taken as "none open": the tile is auth, naming the missing scope
    const f = r.subChecks!.find((s) => s.name === 'fulfillment')!;
    expect(f.status).toBe('down');
    expect(f.error).toMatchObject({ kind: 'auth', code: 'MISSING_SCOPE' });
    expect(f.error!.message).toBe(
      "the token lacks read_merchant_managed_fulfillment_orders: fulfillment orders at the store's own locations are not visible",
    );
    expect(subStatuses(r)).toMatchObject({ orders: 'up', products: 'up', inventory: 'up' });
  });

  it('says when Shopify answers with another API version than the one configured (past its support window)', async () => {
    // The peer builds the 2026-01 schema on this first request for it: a generous clock, so that is not "slow".
    const r = await probeShopify(target(peer.url, { apiVersion: '2025-10' }), ctx(15_000, 15_000));

    expect(r.status).toBe('up');
    expect(r.details).toMatchObject({ apiVersion: '2025-10', servedApiVersion: '2026-01' });
    expect(r.details.apiVersionNote).toBe('Shopify answered with 2026-01, not 2025-10');
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
