import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildDelivery, chatwootDelivery, shopifyDelivery } from '../../../src/server/webhooks/payloads.js';
import { verifyChatwoot } from '../../../src/server/webhooks/signing.js';

const NOW = Date.parse('2026-05-01T14:00:00Z');

describe('generated deliveries', () => {
  it('signs Shopify bodies as Shopify documents (base64 HMAC-SHA256 of the raw body)', () => {
    const d = shopifyDelivery('orders/create', { run: 'r1', seq: 7, now: NOW, signWith: 'shh' });
    expect(d.headers['x-shopify-hmac-sha256']).toBe(createHmac('sha256', 'shh').update(d.body).digest('base64'));
    expect(d.headers).toMatchObject({
      'x-shopify-topic': 'orders/create',
      'x-shopify-shop-domain': 'hot-rod-an.myshopify.com',
      'x-shopify-triggered-at': '2026-05-01T14:00:00.000Z',
    });
    const order = JSON.parse(d.body) as { id: number; total_price: string; subtotal_price: string; total_tax: string; line_items: { price: string; quantity: number }[] };
    expect(Number.isSafeInteger(order.id)).toBe(true);
    const subtotal = order.line_items.reduce((s, li) => s + Number(li.price) * li.quantity, 0);
    expect(order.subtotal_price).toBe(subtotal.toFixed(2));
    expect(Number(order.total_price)).toBeCloseTo(subtotal + 9.95 + Number(order.total_tax), 2);
  });

  it('builds inventory_levels/update in the documented shape', () => {
    const d = shopifyDelivery('inventory_levels/update', { run: 'r1', seq: 1, now: NOW, signWith: 's' });
    const body = JSON.parse(d.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['admin_graphql_api_id', 'available', 'inventory_item_id', 'location_id', 'updated_at']);
    expect(body.admin_graphql_api_id).toBe(`gid://shopify/InventoryLevel/24826418?inventory_item_id=${String(body.inventory_item_id)}`);
  });

  it('signs Chatwoot bodies over "{timestamp}.{body}" with a sha256= hex header', () => {
    const d = chatwootDelivery('conversation_status_changed', { run: 'r1', seq: 3, now: NOW, signWith: 'cw' });
    const ts = d.headers['x-chatwoot-timestamp']!;
    expect(ts).toBe(String(NOW / 1000));
    expect(d.headers['x-chatwoot-signature']).toBe(`sha256=${createHmac('sha256', 'cw').update(`${ts}.${d.body}`).digest('hex')}`);
    expect(JSON.parse(d.body)).toMatchObject({ event: 'conversation_status_changed', status: 'resolved' });
    expect(d.headers['x-chatwoot-delivery']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('gives every delivery in a run its own id, and the same id for the same (run, seq)', () => {
    const ids = new Set(Array.from({ length: 500 }, (_, seq) => buildDelivery('chatwoot', 'message_created', { run: 'r2', seq, now: NOW, signWith: 'k' }).id));
    expect(ids.size).toBe(500);
    const a = buildDelivery('shopify', 'orders/create', { run: 'r2', seq: 4, now: NOW, signWith: 'k' });
    const b = buildDelivery('shopify', 'orders/create', { run: 'r2', seq: 4, now: NOW, signWith: 'k' });
    const c = buildDelivery('shopify', 'orders/create', { run: 'r3', seq: 4, now: NOW, signWith: 'k' });
    expect(a.id).toBe(b.id);
    expect(c.id).not.toBe(a.id);
  });

  it('leaves the signature out when asked to (the forgery probe)', () => {
    expect(shopifyDelivery('orders/create', { run: 'r', seq: 0, now: NOW, signWith: null }).headers['x-shopify-hmac-sha256']).toBeUndefined();
    expect(chatwootDelivery('message_created', { run: 'r', seq: 0, now: NOW, signWith: null }).headers['x-chatwoot-signature']).toBeUndefined();
  });
});

describe('verifyChatwoot', () => {
  const body = Buffer.from('{"event":"message_created"}');
  const sig = (ts: string) => `sha256=${createHmac('sha256', 'k').update(`${ts}.`).update(body).digest('hex')}`;
  const ts = String(NOW / 1000);

  it('checks the signature before the clock, so an old genuine delivery reads as stale, not forged', () => {
    const old = String(NOW / 1000 - 600);
    expect(verifyChatwoot({ secret: 'k', signature: sig(old), timestamp: old, body, nowMs: NOW })).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verifyChatwoot({ secret: 'k', signature: sig(ts), timestamp: old, body, nowMs: NOW })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('names each failure', () => {
    const v = (signature: string | undefined, timestamp: string | undefined) => verifyChatwoot({ secret: 'k', signature, timestamp, body, nowMs: NOW });
    expect(v(sig(ts), ts)).toEqual({ ok: true });
    expect(v(sig(ts).toUpperCase().replace('SHA256=', 'sha256='), ts)).toEqual({ ok: true });
    expect(v(undefined, ts)).toEqual({ ok: false, reason: 'missing_signature' });
    expect(v(sig(ts), undefined)).toEqual({ ok: false, reason: 'missing_timestamp' });
    expect(v(sig(ts), '17e8')).toEqual({ ok: false, reason: 'missing_timestamp' });
    expect(v('sha256=abc', ts)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(v(sig(ts).replace('sha256=', 'sha1='), ts)).toEqual({ ok: false, reason: 'bad_signature' });
  });
});
