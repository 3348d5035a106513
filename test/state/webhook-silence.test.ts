import { describe, expect, it } from 'vitest';
import { configFromObject, type ShopifyTarget } from '../../src/config/config.js';
import { webhookSubCheck } from '../../src/probes/shopify-webhooks.js';
import type { ProbeResult } from '../../src/probes/types.js';
import { createWebhookStats, topicHeader, webhookSilence } from '../../src/state/webhook-stats.js';

const T0 = Date.parse('2026-12-04T14:00:00Z');
const MIN = 60_000;
const APP = 'https://hotrodan.fly.dev/webhooks/shopify';
const target = configFromObject({
  targets: [{ id: 'shop', kind: 'shopify', shop: 'x.myshopify.com', accessToken: 't', webhookCheck: { appUrl: APP, silentMinutes: 15 } }],
}).targets[0] as ShopifyTarget;

/** A Shopify result as the probe builds it: the webhook sub-check from a subscription list and a new-order count. */
function result(recentOrders: number, uri = APP): ProbeResult {
  const nodes = target.webhookCheck!.topics.map((topic) => ({ topic, uri }));
  const webhooks = webhookSubCheck(target, { webhooks: { nodes }, recentOrders: { count: recentOrders } }, 40);
  return { status: 'up', latencyMs: 40, error: null, details: {}, subChecks: [{ name: 'orders', status: 'up', latencyMs: 40, error: null, tile: 'sales-pulse' }, webhooks] };
}

describe('webhook silence: no delivery on a subscribed topic while orders were created', () => {
  it('maps topic names to the X-Shopify-Topic form', () => {
    expect(['ORDERS_CREATE', 'INVENTORY_LEVELS_UPDATE', 'FULFILLMENTS_CREATE'].map(topicHeader)).toEqual(['orders/create', 'inventory_levels/update', 'fulfillments/create']);
  });

  it('is degraded when Shopify counted new orders over the window and orders/create never arrived', () => {
    // Given a receiver up for 20 minutes that got only inventory updates
    const stats = createWebhookStats(T0 - 20 * MIN);
    stats.delivered({ source: 'shopify', topic: 'inventory_levels/update', id: 'i1', at: T0 - 2 * MIN });
    // When Shopify counts 3 new orders in the last 15 minutes
    const r = webhookSilence(result(3), stats.snapshot(), T0);
    // Then the pipe is called broken
    expect(r.status).toBe('degraded');
    expect(r.status === 'degraded' && r.cause).toBe('sub-check');
    expect(r.subChecks!.find((s) => s.name === 'webhooks')!.error).toEqual({
      kind: 'bad_response',
      code: 'WEBHOOK_SILENT',
      message: 'no orders/create delivery for 15 min while Shopify counted 3 new orders: the webhook pipe is broken',
    });
  });

  it('is up when an orders/create delivery arrived inside the window', () => {
    const stats = createWebhookStats(T0 - 20 * MIN);
    stats.delivered({ source: 'shopify', topic: 'orders/create', id: 'o1', at: T0 - 14 * MIN });
    expect(webhookSilence(result(3), stats.snapshot(), T0).status).toBe('up');
  });

  it('is up on a quiet shop (no new orders) and while the receiver has not run for the whole window', () => {
    expect(webhookSilence(result(0), createWebhookStats(T0 - 20 * MIN).snapshot(), T0).status).toBe('up');
    expect(webhookSilence(result(3), createWebhookStats(T0 - 5 * MIN).snapshot(), T0).status).toBe('up');
  });

  it('a delivery older than the window does not count', () => {
    const stats = createWebhookStats(T0 - 60 * MIN);
    stats.delivered({ source: 'shopify', topic: 'orders/create', id: 'o1', at: T0 - 17 * MIN });
    expect(webhookSilence(result(2), stats.snapshot(), T0).status).toBe('degraded');
  });

  it('leaves a subscription already judged wrong to its own verdict', () => {
    const r = result(3, 'https://old.example/hooks');
    expect(webhookSilence(r, createWebhookStats(T0 - 60 * MIN).snapshot(), T0)).toBe(r);
  });
});
