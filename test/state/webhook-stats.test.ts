import { describe, expect, it } from 'vitest';
import { createWebhookStats, summarizeWebhooks } from '../../src/state/webhook-stats.js';

const T0 = Date.parse('2026-05-01T14:00:00Z');

describe('webhook stats', () => {
  it('buckets deliveries per topic per minute and keeps only the last 60 minutes', () => {
    const c = createWebhookStats(T0);
    for (let m = 0; m < 65; m++) c.delivered({ source: 'shopify', topic: 'orders/create', id: `e${m}`, at: T0 + m * 60_000 + 5_000 });
    c.delivered({ source: 'shopify', topic: 'inventory_levels/update', id: 'x', at: T0 + 64 * 60_000 + 6_000 });
    const s = c.snapshot();
    expect(s.perMinute).toHaveLength(60);
    expect(s.perMinute[0]!.minute).toBe(T0 + 5 * 60_000);
    expect(s.perMinute.at(-1)).toEqual({ minute: T0 + 64 * 60_000, topics: { 'orders/create': 1, 'inventory_levels/update': 1 } });
    expect(s.delivered).toBe(66);
  });

  it('takes lag percentiles over the samples (nearest rank)', () => {
    const c = createWebhookStats(T0);
    [400, 100, 300, 200, 5000].forEach((lagMs, i) => c.delivered({ source: 'shopify', topic: 'orders/create', id: String(i), at: T0, lagMs }));
    expect(c.snapshot().lag).toEqual({ samples: 5, p50Ms: 300, p95Ms: 5000, maxMs: 5000 });
  });

  it('hands out snapshots that later traffic does not change', () => {
    const c = createWebhookStats(T0);
    c.rejected('bad_signature');
    const before = c.snapshot();
    c.rejected('bad_signature');
    c.duplicate();
    expect(before.rejected).toEqual({ bad_signature: 1 });
    expect(c.snapshot()).toMatchObject({ rejected: { bad_signature: 2 }, rejectedTotal: 2, duplicates: 1 });
  });
});

describe('summarizeWebhooks', () => {
  it('says so when nothing arrived', () => {
    expect(summarizeWebhooks(createWebhookStats(T0).snapshot())).toEqual(['- Webhooks: none received since 14:00 UTC']);
  });

  it('writes the report lines', () => {
    const c = createWebhookStats(T0);
    const at = (min: number, sec: number) => T0 + min * 60_000 + sec * 1000;
    c.delivered({ source: 'shopify', topic: 'orders/create', id: 'ev-1', at: at(1, 0), lagMs: 250 });
    c.delivered({ source: 'shopify', topic: 'orders/create', id: 'ev-2', at: at(2, 1), lagMs: 1500 });
    c.delivered({ source: 'shopify', topic: 'orders/create', id: 'ev-3', at: at(2, 2), lagMs: 400 });
    c.delivered({ source: 'shopify', topic: 'inventory_levels/update', id: 'ev-4', at: at(2, 3), lagMs: 300 });
    c.delivered({ source: 'chatwoot', topic: 'message_created', id: 'd-9', at: at(3, 7) });
    c.rejected('bad_signature');
    c.rejected('bad_signature');
    c.rejected('stale_timestamp');
    c.duplicate();
    expect(summarizeWebhooks(c.snapshot())).toEqual([
      '- Webhooks received: 5 deliveries (shopify orders/create 3, inventory_levels/update 1; chatwoot message_created 1)',
      '- Busiest minute: 14:02 UTC, 3 deliveries',
      '- **Rejected: 3** (bad signature 2, stale timestamp 1)',
      '- Duplicates: 1 (answered 200, not processed twice)',
      '- Delivery lag (Shopify triggered-at → received): p50 300 ms · p95 1.50 s · max 1.50 s (4 samples)',
      '- Last event: chatwoot message_created `d-9` at 14:03:07 UTC',
    ]);
  });

  it('reports rejections even when nothing got through', () => {
    const c = createWebhookStats(T0);
    c.rejected('missing_signature');
    expect(summarizeWebhooks(c.snapshot())).toEqual(['- Webhooks received: 0 deliveries', '- **Rejected: 1** (missing signature 1)']);
  });
});
