import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromObject } from '../../src/config/config.js';
import { startShopifyPeer, type ShopifyPeer } from '../../src/peers/shopify-peer.js';
import { DEFAULT_WEBHOOK_URI } from '../../src/peers/shopify-world.js';
import { createEngine } from '../../src/state/engine.js';
import { createProbeRunner } from '../../src/state/probe-runner.js';
import { createStore, initialState } from '../../src/state/store.js';
import { createWebhookStats } from '../../src/state/webhook-stats.js';

const TOKEN = 'shpat_0123456789abcdef0123456789abcdef';
const MIN = 60_000;

describe('the webhook pipe, end to end: Shopify peer + receiver counters + engine', () => {
  let shop: ShopifyPeer;
  beforeAll(async () => {
    // The default world: 42 orders over the last hour, the four topics subscribed at the app URL
    shop = await startShopifyPeer({ accessToken: TOKEN });
  });
  afterAll(async () => {
    await shop.close();
  });

  async function round(deliveredAgoMin: number | null) {
    const config = configFromObject({
      defaults: { retries: 0, timeoutMs: 20_000, degradedMs: 20_000 },
      targets: [
        {
          id: 'shopify-admin', kind: 'shopify', shop: 'hot-rod-an.myshopify.com', accessToken: TOKEN, apiVersion: '2026-10', endpoint: shop.url,
          subChecks: ['orders'], tiles: ['sales-pulse'], webhookCheck: { appUrl: DEFAULT_WEBHOOK_URI, silentMinutes: 15 },
        },
      ],
    });
    const store = createStore(initialState(config, { now: Date.now() }));
    // Given the receiver has run for 30 minutes
    const stats = createWebhookStats(Date.now() - 30 * MIN);
    if (deliveredAgoMin !== null) stats.delivered({ source: 'shopify', topic: 'orders/create', id: 'w1', at: Date.now() - deliveredAgoMin * MIN });
    store.dispatch({ type: 'webhooks', listen: '127.0.0.1:8787', stats: stats.snapshot() });
    const runner = createProbeRunner();
    const engine = createEngine({ config, store, runProbe: runner.run });
    try {
      await engine.checkOnce();
    } finally {
      engine.stop();
      await runner.close();
    }
    return store.getSnapshot().targets['shopify-admin']!.latest!;
  }

  it('subscribed, orders created, but no orders/create delivery for 15 minutes: degraded, every API up', async () => {
    const r = await round(null);
    expect(r.status).toBe('degraded');
    const w = r.subChecks!.find((s) => s.name === 'webhooks')!;
    expect(w.error?.code).toBe('WEBHOOK_SILENT');
    expect(w.error?.message).toMatch(/^no orders\/create delivery for 15 min while Shopify counted \d+ new orders: the webhook pipe is broken$/);
    expect(r.subChecks!.find((s) => s.name === 'orders')!.status).toBe('up');
  });

  it('a delivery 3 minutes ago: up', async () => {
    expect((await round(3)).status).toBe('up');
  });
});
