import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookReceiver, type WebhookEvent, type WebhookReceiver } from '../../../src/server/webhooks/receiver.js';

// Test vectors are computed here from the vendors' documented algorithms, not with our signing helpers:
// Shopify: base64(HMAC-SHA256(secret, raw body)); Chatwoot: "sha256=" + hex(HMAC-SHA256(secret, `${ts}.${body}`)).
const SHOPIFY_SECRET = 'shpss_receiver_test_0a1b2c3d';
const CHATWOOT_SECRET = 'cw_receiver_test_9z8y7x';
const shopifySig = (body: string | Buffer, secret = SHOPIFY_SECRET) => createHmac('sha256', secret).update(body).digest('base64');
const chatwootSig = (ts: string, body: string | Buffer, secret = CHATWOOT_SECRET) =>
  `sha256=${createHmac('sha256', secret).update(Buffer.concat([Buffer.from(`${ts}.`), Buffer.from(body)])).digest('hex')}`;

const T0 = Date.parse('2026-05-01T14:00:00Z');
const clock = T0;
let receiver: WebhookReceiver;
const events: WebhookEvent[] = [];

async function post(path: string, body: string | Buffer, headers: Record<string, string>, method: 'POST' | 'GET' = 'POST') {
  const res = await fetch(`${receiver.url}${path}`, { method, headers, ...(method === 'POST' ? { body: typeof body === 'string' ? body : new Uint8Array(body) } : {}) });
  return { status: res.status, json: (await res.json()) as { ok: boolean; error?: string; duplicate?: boolean } };
}

let seq = 0;
function shopifyHeaders(body: string, over: Record<string, string | undefined> = {}, legacy = true): Record<string, string> {
  seq++;
  const p = legacy ? 'X-Shopify-' : 'shopify-';
  const h: Record<string, string | undefined> = {
    'content-type': 'application/json',
    [`${p}Topic`]: 'orders/create',
    [`${p}Hmac-Sha256`]: shopifySig(body),
    [`${p}Shop-Domain`]: 'hot-rod-an.myshopify.com',
    [`${p}API-Version`]: '2026-04',
    [`${p}Webhook-Id`]: `wh-${seq}`,
    [`${p}Event-Id`]: `ev-${seq}`,
    [`${p}Triggered-At`]: new Date(clock - 1500).toISOString(),
    ...over,
  };
  return Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

function chatwootHeaders(body: string | Buffer, over: Record<string, string | undefined> = {}): Record<string, string> {
  seq++;
  const ts = String(Math.floor(clock / 1000));
  const h: Record<string, string | undefined> = {
    'content-type': 'application/json',
    'X-Chatwoot-Timestamp': ts,
    'X-Chatwoot-Signature': chatwootSig(ts, body),
    'X-Chatwoot-Delivery': `d0c5e1a2-0000-4000-a000-${String(seq).padStart(12, '0')}`,
    ...over,
  };
  return Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

const order = JSON.stringify({ id: 5820000001, name: '#1042', total_price: '97.40', currency: 'USD', line_items: [] });
const message = JSON.stringify({ event: 'message_created', id: 118, content: 'Has it shipped?', message_type: 'incoming' });

beforeAll(async () => {
  receiver = createWebhookReceiver({ listen: '127.0.0.1:0', shopifySecret: SHOPIFY_SECRET, chatwootSecret: CHATWOOT_SECRET, now: () => clock });
  receiver.subscribe((e) => events.push(e));
  await receiver.start();
});
afterAll(() => receiver.close());

describe('webhook receiver: Shopify', () => {
  it('accepts a correctly signed delivery and measures lag from X-Shopify-Triggered-At', async () => {
    const before = receiver.stats();
    const r = await post('/webhooks/shopify', order, shopifyHeaders(order));
    expect(r).toEqual({ status: 200, json: { ok: true } });
    const s = receiver.stats();
    expect(s.delivered).toBe(before.delivered + 1);
    expect(s.topics.find((t) => t.source === 'shopify' && t.topic === 'orders/create')?.count).toBeGreaterThanOrEqual(1);
    expect(s.last).toMatchObject({ source: 'shopify', topic: 'orders/create', at: clock });
    expect(s.lag.maxMs).toBe(1500);
  });

  it('accepts the newer lowercase shopify-* header names', async () => {
    const body = JSON.stringify({ inventory_item_id: 46000000017, location_id: 24826418, available: 3 });
    const r = await post('/webhooks/shopify', body, shopifyHeaders(body, { 'shopify-Topic': 'inventory_levels/update' }, false));
    expect(r.status).toBe(200);
    expect(receiver.stats().last?.topic).toBe('inventory_levels/update');
  });

  it('refuses a bad signature, a signature made with another secret and a missing one with 401', async () => {
    const rejected = () => receiver.stats().rejected;
    const bad = await post('/webhooks/shopify', order, shopifyHeaders(order, { 'X-Shopify-Hmac-Sha256': shopifySig(`${order} `) }));
    const other = await post('/webhooks/shopify', order, shopifyHeaders(order, { 'X-Shopify-Hmac-Sha256': shopifySig(order, 'someone-else') }));
    const missing = await post('/webhooks/shopify', order, shopifyHeaders(order, { 'X-Shopify-Hmac-Sha256': undefined }));
    expect([bad.status, other.status, missing.status]).toEqual([401, 401, 401]);
    expect(bad.json).toEqual({ ok: false, error: 'invalid signature' });
    expect(rejected().bad_signature).toBeGreaterThanOrEqual(2);
    expect(rejected().missing_signature).toBeGreaterThanOrEqual(1);
  });

  it('counts a redelivery (same webhook id, or same topic and event id) as a duplicate and answers 200', async () => {
    const headers = shopifyHeaders(order);
    expect((await post('/webhooks/shopify', order, headers)).json).toEqual({ ok: true });
    const before = receiver.stats();
    const again = await post('/webhooks/shopify', order, headers);
    expect(again).toEqual({ status: 200, json: { ok: true, duplicate: true } });
    // A second subscription's delivery of the same event: new webhook id, same event id and topic.
    const sibling = await post('/webhooks/shopify', order, { ...headers, 'X-Shopify-Webhook-Id': 'wh-sibling' });
    expect(sibling.json.duplicate).toBe(true);
    const after = receiver.stats();
    expect(after.duplicates).toBe(before.duplicates + 2);
    expect(after.delivered).toBe(before.delivered);
  });

  it('answers 400 for signed but malformed JSON and for missing Shopify headers', async () => {
    const broken = '{"id": 1, "name": "#10';
    expect((await post('/webhooks/shopify', broken, shopifyHeaders(broken))).status).toBe(400);
    const noDomain = await post('/webhooks/shopify', order, shopifyHeaders(order, { 'X-Shopify-Shop-Domain': undefined }));
    expect(noDomain).toEqual({ status: 400, json: { ok: false, error: 'missing required headers' } });
    expect(receiver.stats().rejected.malformed_json).toBeGreaterThanOrEqual(1);
  });
});

describe('webhook receiver: Chatwoot', () => {
  it('accepts a signed delivery and uses the payload event as the topic', async () => {
    const r = await post('/webhooks/chatwoot', message, chatwootHeaders(message));
    expect(r).toEqual({ status: 200, json: { ok: true } });
    expect(receiver.stats().last).toMatchObject({ source: 'chatwoot', topic: 'message_created' });
  });

  it('refuses bad, missing and stale signatures with 401, each under its own reason', async () => {
    const before = receiver.stats().rejected;
    const bad = await post('/webhooks/chatwoot', message, chatwootHeaders(message, { 'X-Chatwoot-Signature': chatwootSig('1', message) }));
    const missing = await post('/webhooks/chatwoot', message, chatwootHeaders(message, { 'X-Chatwoot-Signature': undefined }));
    const oldTs = String(Math.floor(clock / 1000) - 301);
    const stale = await post('/webhooks/chatwoot', message, chatwootHeaders(message, { 'X-Chatwoot-Timestamp': oldTs, 'X-Chatwoot-Signature': chatwootSig(oldTs, message) }));
    const futureTs = String(Math.floor(clock / 1000) + 301);
    const future = await post('/webhooks/chatwoot', message, chatwootHeaders(message, { 'X-Chatwoot-Timestamp': futureTs, 'X-Chatwoot-Signature': chatwootSig(futureTs, message) }));
    expect([bad.status, missing.status, stale.status, future.status]).toEqual([401, 401, 401, 401]);
    expect(stale.json.error).toBe('timestamp outside the 5 minute window');
    const after = receiver.stats().rejected;
    expect((after.bad_signature ?? 0) - (before.bad_signature ?? 0)).toBe(1);
    expect((after.missing_signature ?? 0) - (before.missing_signature ?? 0)).toBe(1);
    expect((after.stale_timestamp ?? 0) - (before.stale_timestamp ?? 0)).toBe(2);
  });

  it('accepts a timestamp just inside the window', async () => {
    const ts = String(Math.floor(clock / 1000) - 299);
    const r = await post('/webhooks/chatwoot', message, chatwootHeaders(message, { 'X-Chatwoot-Timestamp': ts, 'X-Chatwoot-Signature': chatwootSig(ts, message) }));
    expect(r.status).toBe(200);
  });

  it('counts a retried delivery (same X-Chatwoot-Delivery) as a duplicate', async () => {
    const headers = chatwootHeaders(message);
    await post('/webhooks/chatwoot', message, headers);
    const before = receiver.stats().duplicates;
    expect((await post('/webhooks/chatwoot', message, headers)).json).toEqual({ ok: true, duplicate: true });
    expect(receiver.stats().duplicates).toBe(before + 1);
  });

  it('takes a body of exactly 1 MiB and refuses one byte more with 413', async () => {
    const shell = JSON.stringify({ event: 'message_created', content: '' });
    const exact = shell.replace('""', `"${'x'.repeat(1024 * 1024 - shell.length)}"`);
    expect(Buffer.byteLength(exact)).toBe(1024 * 1024);
    expect((await post('/webhooks/chatwoot', exact, chatwootHeaders(exact))).status).toBe(200);
    const over = `${exact} `;
    const r = await post('/webhooks/chatwoot', over, chatwootHeaders(over));
    expect(r).toEqual({ status: 413, json: { ok: false, error: 'body larger than 1 MiB' } });
    expect(receiver.stats().rejected.too_large).toBe(1);
  });

  it('answers 400 for a signed body that is not JSON', async () => {
    const junk = Buffer.from([0xff, 0xfe, 0x7b, 0x00]);
    expect((await post('/webhooks/chatwoot', junk, chatwootHeaders(junk))).status).toBe(400);
  });
});

describe('webhook receiver: robustness', () => {
  it('answers 404 for unknown paths and 405 for GET', async () => {
    expect((await post('/webhooks/stripe', '{}', {})).status).toBe(404);
    expect((await post('/webhooks/chatwoot', '', {}, 'GET')).status).toBe(405);
  });

  it('survives a client that hangs up mid-body and keeps serving', async () => {
    const port = new URL(receiver.url).port;
    await new Promise<void>((resolve) => {
      const s = connect(Number(port), '127.0.0.1', () => {
        s.write('POST /webhooks/chatwoot HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{"event":');
        s.destroy();
        resolve();
      });
    });
    const r = await post('/webhooks/chatwoot', message, chatwootHeaders(message));
    expect(r.status).toBe(200);
  });

  it('never puts a secret in what subscribers see', () => {
    expect(events.length).toBeGreaterThan(10);
    const seen = JSON.stringify(events);
    expect(seen).not.toContain(SHOPIFY_SECRET);
    expect(seen).not.toContain(CHATWOOT_SECRET);
    expect(events.filter((e) => e.type === 'rejected').every((e) => e.reason && e.status >= 400)).toBe(true);
  });
});

describe('webhook receiver: configuration', () => {
  it('accepts unsigned Chatwoot deliveries when no Chatwoot secret is set, and has no Shopify route without a secret', async () => {
    const open = createWebhookReceiver({ listen: '127.0.0.1:0' });
    await open.start();
    try {
      const cw = await fetch(`${open.url}/webhooks/chatwoot`, { method: 'POST', body: message, headers: { 'content-type': 'application/json' } });
      expect(cw.status).toBe(200);
      await cw.arrayBuffer();
      const sh = await fetch(`${open.url}/webhooks/shopify`, { method: 'POST', body: order, headers: shopifyHeaders(order) });
      expect(sh.status).toBe(404);
      await sh.arrayBuffer();
      expect(open.stats()).toMatchObject({ delivered: 1, rejected: { not_found: 1 } });
    } finally {
      await open.close();
    }
  });

  it('says which setting is wrong when the port is taken', async () => {
    const port = new URL(receiver.url).port;
    const second = createWebhookReceiver({ listen: `127.0.0.1:${port}` });
    await expect(second.start()).rejects.toThrow(`webhooks.listen: 127.0.0.1:${port} is already in use`);
  });
});
