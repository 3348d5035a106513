import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifyPeer, SHOPIFY_INVALID_TOKEN_BODY, type ShopifyPeer } from '../../src/peers/shopify-peer.js';

const TOKEN = 'shpat_peer_test';
let peer: ShopifyPeer;
beforeAll(async () => void (peer = await startShopifyPeer({ accessToken: TOKEN, scopes: ['read_products'] })));
afterAll(() => peer.close());

async function post(query: string, opts: { version?: string; token?: string; variables?: Record<string, unknown> } = {}) {
  const res = await fetch(`${peer.url}/admin/api/${opts.version ?? '2026-10'}/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': opts.token ?? TOKEN },
    body: JSON.stringify({ query, variables: opts.variables ?? {} }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { data?: unknown; errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[]; extensions?: unknown } };
}

describe('the Shopify peer is as strict as Shopify', () => {
  it('answers a wrong token with 401 and Shopify\'s own body', async () => {
    const r = await post('{ shop { name } }', { token: 'nope' });
    expect(r.status).toBe(401);
    expect(r.body).toEqual(SHOPIFY_INVALID_TOKEN_BODY);
  });

  it('rejects a field the schema does not have, with no data', async () => {
    const r = await post('{ shop { name planName } }');
    expect(r.status).toBe(200);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors![0]!.message).toBe('Cannot query field "planName" on type "Shop". Did you mean "name" or "plan"?');
  });

  it('answers a deprecated field but says so in X-Shopify-API-Deprecated-Reason', async () => {
    const r = await post('{ shop { plan { displayName } } }');
    expect(r.body.data).toEqual({ shop: { plan: { displayName: 'Basic' } } });
    expect(r.headers.get('x-shopify-api-deprecated-reason')).toBe('https://shopify.dev/api/usage/versioning#deprecation-practices');
    const clean = await post('{ shop { plan { publicDisplayName } } }');
    expect(clean.headers.get('x-shopify-api-deprecated-reason')).toBeNull();
  });

  it('nulls the whole data when a denied field is a non-null connection (GraphQL null propagation)', async () => {
    // read_products only: fulfillmentOrders (FulfillmentOrderConnection!) is denied, so its null reaches the root.
    const r = await post('{ shop { name } products: productsCount { count } fulfillmentOrders(first: 1) { nodes { id } } }');
    expect(r.body.data).toBeNull();
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors![0]).toMatchObject({ path: ['fulfillmentOrders'], extensions: { code: 'ACCESS_DENIED' } });
  });

  it('nulls only the field when a denied field is nullable', async () => {
    const r = await post('{ shop { name } orders: ordersCount { count } }');
    expect(r.body.data).toEqual({ shop: { name: 'Hot Rod AN' }, orders: null });
    expect(r.body.errors![0]!.message).toBe(
      'Access denied for ordersCount field. Required access: `read_orders` access scope or `read_marketplace_orders` access scope.',
    );
  });

  it('requires first or last on a connection', async () => {
    const r = await post('{ inventoryItems { nodes { id } } }');
    expect(r.body.data).toBeNull();
    expect(r.body.errors![0]!.message).toBe('you must provide one of first or last');
  });

  it('refuses a query over the 1000-point single-query limit', async () => {
    const r = await post('{ inventoryItems(first: 250) { nodes { id inventoryLevels(first: 10) { nodes { id } } } } }');
    expect(r.body.errors![0]!.extensions).toMatchObject({ code: 'MAX_COST_EXCEEDED' });
    expect(r.body.data).toBeUndefined();
  });

  it('reports the cost and the bucket of a standard plan (100 points/s, 2000 points)', async () => {
    const r = await post('{ shop { name } }');
    expect(r.body.extensions).toMatchObject({ cost: { requestedQueryCost: 1, actualQueryCost: 1, throttleStatus: { maximumAvailable: 2000, restoreRate: 100 } } });
  });

  it('falls forward from a version past its support window to the oldest it serves, and says which', async () => {
    const r = await post('{ shop { name } }', { version: '2025-07' });
    expect(r.headers.get('x-shopify-api-version')).toBe('2026-01');
  });

  it('uses a plan\'s restore rate and bucket', async () => {
    const plus = await startShopifyPeer({ plan: 'plus' });
    try {
      expect(plus.bucket()).toEqual({ maximumAvailable: 20_000, currentlyAvailable: 20_000, restoreRate: 1_000 });
    } finally {
      await plus.close();
    }
  });
});
