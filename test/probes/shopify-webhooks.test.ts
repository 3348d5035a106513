import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PITWALL_SHOPIFY_SCOPES, startShopifyPeer, type ShopifyPeer } from '../../src/peers/shopify-peer.js';
import { adminSchemaFile, SHOPIFY_SCHEMA_VERSIONS } from '../../src/peers/shopify-schema.js';
import { DEFAULT_WEBHOOK_URI, webhookSubscriptions } from '../../src/peers/shopify-world.js';
import { probeShopify } from '../../src/probes/shopify.js';
import { WEBHOOK_TOPIC_SCOPES } from '../../src/probes/shopify-documents.js';
import { sameUrl } from '../../src/probes/shopify-webhooks.js';
import type { ProbeContext, ProbeResult } from '../../src/probes/types.js';
import { configFromObject, type ShopifyTarget } from '../../src/config/config.js';

const TOKEN = 'shpat_0123456789abcdef0123456789abcdef';
const TOPICS = ['ORDERS_CREATE', 'ORDERS_UPDATED', 'INVENTORY_LEVELS_UPDATE', 'FULFILLMENTS_CREATE'];
const ALL_SCOPES = [...PITWALL_SHOPIFY_SCOPES, 'read_inventory', 'read_fulfillments'];

function target(endpoint: string, extra: Record<string, unknown> = {}, apiVersion = '2026-10'): ShopifyTarget {
  const config = configFromObject({
    targets: [
      {
        kind: 'shopify',
        id: 'store',
        shop: 'hot-rod-an.myshopify.com',
        accessToken: TOKEN,
        apiVersion,
        endpoint,
        subChecks: ['orders'],
        webhookCheck: { appUrl: DEFAULT_WEBHOOK_URI },
        scopeCheck: true,
        ...extra,
      },
    ],
  });
  return config.targets[0] as ShopifyTarget;
}
// Generous: an older version's schema is built on its first request (~1 s), more on a busy machine; speed is not judged here.
const ctx = (): ProbeContext => ({ signal: AbortSignal.timeout(20_000), timeoutMs: 20_000, degradedMs: 20_000 });
const sub = (r: ProbeResult, name: string) => r.subChecks?.find((s) => s.name === name);

describe('Shopify webhook subscriptions and access scopes (issue 21)', () => {
  let peer: ShopifyPeer;
  beforeAll(async () => {
    peer = await startShopifyPeer({ accessToken: TOKEN, scopes: ALL_SCOPES });
  });
  afterAll(async () => {
    await peer.close();
  });
  afterEach(() => {
    peer.setScopes(ALL_SCOPES);
    peer.world.webhookSubscriptions = webhookSubscriptions(TOPICS);
    peer.setMode('healthy');
  });

  it.each(SHOPIFY_SCHEMA_VERSIONS)('a truthful store on %s: every topic subscribed at the app URL, every scope granted → up', async (version) => {
    const r = await probeShopify(target(peer.url, {}, version), ctx());
    expect(r.status).toBe('up');
    expect(sub(r, 'webhooks')).toMatchObject({ status: 'up', details: { topics: Object.fromEntries(TOPICS.map((t) => [t, 'subscribed'])), recentOrders: expect.any(Number) } });
    expect(sub(r, 'scopes')?.status).toBe('up');
    // The peer validated the document against that version's schema with deprecated fields flagged: `uri` is current.
    const q = peer.requests.filter((x) => x.query?.includes('PitwallWebhooks')).at(-1)!;
    expect(q.apiVersion).toBe(version);
    expect(r.details.deprecation).toBeUndefined();
    expect(q.headers['x-shopify-access-token']).toBe(TOKEN);
  });

  it('a subscription pointed at an old deploy\'s URL is degraded, naming the topic and both URLs', async () => {
    peer.world.webhookSubscriptions = [
      ...webhookSubscriptions(['ORDERS_CREATE', 'ORDERS_UPDATED', 'FULFILLMENTS_CREATE']),
      ...webhookSubscriptions(['INVENTORY_LEVELS_UPDATE'], 'https://old-deploy.example/webhooks'),
    ];
    const r = await probeShopify(target(peer.url), ctx());
    expect(r.status).toBe('degraded');
    const w = sub(r, 'webhooks')!;
    expect(w.status).toBe('degraded');
    expect(w.tile).toBe('inventory-watch');
    expect(w.error?.message).toBe(`webhooks: INVENTORY_LEVELS_UPDATE points at https://old-deploy.example/webhooks, not ${DEFAULT_WEBHOOK_URI}`);
  });

  it('a topic with no subscription at all is degraded', async () => {
    peer.world.webhookSubscriptions = webhookSubscriptions(['ORDERS_CREATE', 'ORDERS_UPDATED', 'INVENTORY_LEVELS_UPDATE']);
    const r = await probeShopify(target(peer.url), ctx());
    expect(sub(r, 'webhooks')?.error?.message).toBe('webhooks: FULFILLMENTS_CREATE is not subscribed');
    expect(sub(r, 'webhooks')?.tile).toBe('fulfillment-flow');
  });

  it('a missing scope is named with what needs it, while every tile still answers', async () => {
    peer.setScopes(PITWALL_SHOPIFY_SCOPES); // no read_inventory, no read_fulfillments
    const r = await probeShopify(target(peer.url), ctx());
    expect(sub(r, 'orders')?.status).toBe('up');
    const s = sub(r, 'scopes')!;
    expect(s.status).toBe('degraded');
    expect(s.error).toMatchObject({ kind: 'auth', code: 'MISSING_SCOPE' });
    expect(s.error?.message).toBe(
      'missing access scope: read_inventory (for INVENTORY_LEVELS_UPDATE webhooks); read_fulfillments or read_marketplace_orders (for FULFILLMENTS_CREATE webhooks)',
    );
  });

  it('a write scope counts as its read scope', async () => {
    peer.setScopes(['write_orders', 'read_inventory', 'read_fulfillments']);
    const r = await probeShopify(target(peer.url), ctx());
    expect(sub(r, 'scopes')?.status).toBe('up');
  });

  it('the peer serves access_scopes.json as Shopify documents it, and refuses a wrong token with Shopify\'s 401 body', async () => {
    const ok = await fetch(`${peer.url}/admin/oauth/access_scopes.json`, { headers: { 'x-shopify-access-token': TOKEN } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ access_scopes: [...ALL_SCOPES].sort().map((handle) => ({ handle })) });
    const bad = await fetch(`${peer.url}/admin/oauth/access_scopes.json`, { headers: { 'x-shopify-access-token': 'shpat_wrong' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
  });

  it('a wrong token on access_scopes.json is the scopes sub-check\'s auth failure (the peer answers 401 as Shopify does)', async () => {
    const r = await probeShopify(target(peer.url, { accessToken: 'shpat_wrong' }), ctx());
    expect(r.status).toBe('down'); // the GraphQL health query is refused too
    expect(r.error?.kind).toBe('auth');
  });

  it('an HTML 502 on the checks beyond the API leaves the sub-checks degraded, never a false green', async () => {
    peer.setMode('html502');
    const r = await probeShopify(target(peer.url), ctx());
    expect(r.status).toBe('down');
  });
});

describe('WEBHOOK_TOPIC_SCOPES matches the vendored Admin schemas', () => {
  it.each(SHOPIFY_SCHEMA_VERSIONS)('%s: each topic\'s description names the same scopes', (version) => {
    const raw = JSON.parse(gunzipSync(readFileSync(adminSchemaFile(version))).toString('utf8')) as {
      data: { __schema: { types: { name: string; enumValues?: { name: string; description: string }[] }[] } };
    };
    const topics = raw.data.__schema.types.find((t) => t.name === 'WebhookSubscriptionTopic')!.enumValues!;
    for (const [topic, scopes] of Object.entries(WEBHOOK_TOPIC_SCOPES)) {
      const d = topics.find((e) => e.name === topic)!.description.replace(/\s+/g, ' ');
      const named = [...d.matchAll(/\b((?:read|write)_[a-z_]+)/g)].map((m) => m[1]);
      expect(named, topic).toEqual(scopes);
    }
  });
});

describe('sameUrl', () => {
  it('ignores case of scheme and host, a default port and a trailing slash; not the path', () => {
    expect(sameUrl('HTTPS://Hotrodan.fly.dev:443/webhooks/shopify/', 'https://hotrodan.fly.dev/webhooks/shopify')).toBe(true);
    expect(sameUrl('https://hotrodan.fly.dev/webhooks', 'https://hotrodan.fly.dev/webhooks/shopify')).toBe(false);
  });
});
