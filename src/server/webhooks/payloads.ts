/**
 * Realistic, correctly signed deliveries in the vendors' documented shapes, for the load tester and the
 * demo: Shopify `orders/create` (the REST Order resource) and `inventory_levels/update`; Chatwoot
 * `message_created` and `conversation_status_changed` (chatwoot/docs, "Webhook Events").
 * Deterministic given (run, seq, now), so a test can predict every id.
 */
import { createHash } from 'node:crypto';
import { signChatwoot, signShopify } from './signing.js';
import type { WebhookSource } from '../../state/webhook-stats.js';

export const SHOPIFY_TOPICS = ['orders/create', 'inventory_levels/update'] as const;
export const CHATWOOT_TOPICS = ['message_created', 'conversation_status_changed'] as const;
export type ShopifyTopic = (typeof SHOPIFY_TOPICS)[number];
export type ChatwootTopic = (typeof CHATWOOT_TOPICS)[number];

/** One HTTP delivery, ready to POST. */
export interface Delivery {
  kind: WebhookSource;
  topic: string;
  /** The id a receiver de-duplicates on (Shopify webhook id, Chatwoot delivery id). */
  id: string;
  body: string;
  headers: Record<string, string>;
}

export interface DeliveryOptions {
  /** Distinguishes runs so ids never collide with an earlier test against the same app. */
  run: string;
  seq: number;
  /** Epoch ms the delivery is "triggered" at. */
  now: number;
  /** The secret to sign with; null sends no signature (a forgery probe). */
  signWith: string | null;
  shop?: string;
  apiVersion?: string;
}

const USER_AGENT = 'pitwall-webhooks-test';

/** A stable positive integer from the run id, so ids differ between runs but not between calls. */
function runNumber(run: string): number {
  let h = 0;
  for (const ch of run) h = (h * 31 + ch.charCodeAt(0)) % 1_000_000;
  return h;
}

/** "2026-05-01T14:02:03-00:00", Shopify's timestamp style (no milliseconds, numeric offset). */
function shopifyTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}-00:00`;
}

/** A UUID-shaped id derived from run and seq (Shopify and Chatwoot both send UUIDs). */
function uuidLike(run: string, seq: number, salt: string): string {
  const s = createHash('sha256').update(`${salt}:${run}:${seq}`).digest('hex');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-a${s.slice(17, 20)}-${s.slice(20, 32)}`;
}

const PRODUCTS = [
  { variant: 44120011, product: 8120011, title: 'AN-6 Braided Stainless Hose', variantTitle: '10 ft', sku: 'HOSE-AN6-SS-10', price: '64.95', grams: 1130 },
  { variant: 44120027, product: 8120027, title: '-6AN 90° Swivel Hose End', variantTitle: 'Black', sku: 'END-AN6-90-BLK', price: '18.50', grams: 85 },
  { variant: 44120033, product: 8120033, title: 'AN-8 to 1/2" NPT Adapter', variantTitle: 'Default Title', sku: 'ADP-AN8-NPT12', price: '9.75', grams: 40 },
];

function shopifyOrder(o: DeliveryOptions, shop: string): Record<string, unknown> {
  const base = 5_800_000_000_000 + runNumber(o.run) * 100_000 + o.seq;
  const number = 1000 + (o.seq % 9000);
  const items = [PRODUCTS[o.seq % 3]!, PRODUCTS[(o.seq + 1) % 3]!];
  const quantities = [1 + (o.seq % 2), 2];
  const subtotal = items.reduce((sum, p, i) => sum + Number(p.price) * quantities[i]!, 0);
  const shipping = 9.95;
  const tax = Math.round(subtotal * 0.0725 * 100) / 100;
  const total = subtotal + shipping + tax;
  const money = (n: number) => n.toFixed(2);
  const set = (n: number) => ({ shop_money: { amount: money(n), currency_code: 'USD' }, presentment_money: { amount: money(n), currency_code: 'USD' } });
  const at = shopifyTime(o.now);
  const address = {
    first_name: 'Ray',
    last_name: 'Alvarez',
    address1: '1200 Drag Strip Rd',
    address2: null,
    city: 'Bakersfield',
    province: 'California',
    province_code: 'CA',
    country: 'United States',
    country_code: 'US',
    zip: '93308',
    phone: null,
    company: null,
    name: 'Ray Alvarez',
    latitude: null,
    longitude: null,
  };
  return {
    id: base,
    admin_graphql_api_id: `gid://shopify/Order/${base}`,
    app_id: 580111,
    browser_ip: '203.0.113.24',
    buyer_accepts_marketing: false,
    cancel_reason: null,
    cancelled_at: null,
    cart_token: null,
    checkout_id: base + 7,
    checkout_token: uuidLike(o.run, o.seq, 'checkout').replace(/-/g, ''),
    closed_at: null,
    confirmation_number: `PW${(base % 10_000_000).toString(36).toUpperCase()}`,
    confirmed: true,
    contact_email: 'ray.alvarez@example.com',
    created_at: at,
    currency: 'USD',
    current_subtotal_price: money(subtotal),
    current_subtotal_price_set: set(subtotal),
    current_total_discounts: '0.00',
    current_total_price: money(total),
    current_total_price_set: set(total),
    current_total_tax: money(tax),
    customer_locale: 'en-US',
    discount_codes: [],
    email: 'ray.alvarez@example.com',
    estimated_taxes: false,
    financial_status: 'paid',
    fulfillment_status: null,
    landing_site: '/products/an-6-braided-stainless-hose',
    name: `#${number}`,
    note: null,
    note_attributes: [],
    number: number - 1000,
    order_number: number,
    order_status_url: `https://${shop}/90012345/orders/${uuidLike(o.run, o.seq, 'status').replace(/-/g, '')}/authenticate?key=${uuidLike(o.run, o.seq, 'key').slice(0, 8)}`,
    payment_gateway_names: ['shopify_payments'],
    phone: null,
    presentment_currency: 'USD',
    processed_at: at,
    source_name: 'web',
    subtotal_price: money(subtotal),
    subtotal_price_set: set(subtotal),
    tags: '',
    tax_lines: [{ price: money(tax), rate: 0.0725, title: 'CA State Tax', price_set: set(tax), channel_liable: false }],
    taxes_included: false,
    test: true,
    token: uuidLike(o.run, o.seq, 'token').replace(/-/g, ''),
    total_discounts: '0.00',
    total_line_items_price: money(subtotal),
    total_outstanding: '0.00',
    total_price: money(total),
    total_price_set: set(total),
    total_shipping_price_set: set(shipping),
    total_tax: money(tax),
    total_weight: items.reduce((g, p, i) => g + p.grams * quantities[i]!, 0),
    updated_at: at,
    user_id: null,
    billing_address: address,
    customer: {
      id: 7_300_000_000 + (o.seq % 500),
      email: 'ray.alvarez@example.com',
      first_name: 'Ray',
      last_name: 'Alvarez',
      state: 'enabled',
      verified_email: true,
      currency: 'USD',
      created_at: at,
      updated_at: at,
      admin_graphql_api_id: `gid://shopify/Customer/${7_300_000_000 + (o.seq % 500)}`,
    },
    line_items: items.map((p, i) => ({
      id: base * 10 + i,
      admin_graphql_api_id: `gid://shopify/LineItem/${base * 10 + i}`,
      fulfillable_quantity: quantities[i],
      fulfillment_service: 'manual',
      fulfillment_status: null,
      gift_card: false,
      grams: p.grams,
      name: `${p.title} - ${p.variantTitle}`,
      price: p.price,
      price_set: set(Number(p.price)),
      product_exists: true,
      product_id: p.product,
      properties: [],
      quantity: quantities[i],
      requires_shipping: true,
      sku: p.sku,
      taxable: true,
      title: p.title,
      total_discount: '0.00',
      variant_id: p.variant,
      variant_title: p.variantTitle,
      vendor: 'Hot Rod AN',
      tax_lines: [],
      discount_allocations: [],
    })),
    shipping_address: address,
    shipping_lines: [
      { id: base + 3, code: 'Standard', price: money(shipping), price_set: set(shipping), source: 'shopify', title: 'Standard Shipping', tax_lines: [], discount_allocations: [] },
    ],
  };
}

function inventoryLevel(o: DeliveryOptions): Record<string, unknown> {
  const item = 46_000_000_000 + (o.seq % 3) * 17 + runNumber(o.run);
  const location = 24_826_418;
  return {
    inventory_item_id: item,
    location_id: location,
    available: 40 - (o.seq % 40),
    updated_at: shopifyTime(o.now),
    admin_graphql_api_id: `gid://shopify/InventoryLevel/${location}?inventory_item_id=${item}`,
  };
}

/** A Shopify delivery: X-Shopify-* headers as documented in "Webhooks delivery structure". */
export function shopifyDelivery(topic: ShopifyTopic, o: DeliveryOptions): Delivery {
  const shop = o.shop ?? 'hot-rod-an.myshopify.com';
  const body = JSON.stringify(topic === 'orders/create' ? shopifyOrder(o, shop) : inventoryLevel(o));
  const webhookId = uuidLike(o.run, o.seq, 'webhook');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'x-shopify-topic': topic,
    'x-shopify-shop-domain': shop,
    'x-shopify-api-version': o.apiVersion ?? '2026-04',
    'x-shopify-webhook-id': webhookId,
    'x-shopify-event-id': uuidLike(o.run, o.seq, 'event'),
    'x-shopify-triggered-at': new Date(o.now).toISOString(),
  };
  if (o.signWith !== null) headers['x-shopify-hmac-sha256'] = signShopify(o.signWith, body);
  return { kind: 'shopify', topic, id: webhookId, body, headers };
}

function chatwootConversation(o: DeliveryOptions, status: string): Record<string, unknown> {
  const id = 300 + (o.seq % 700);
  const ts = Math.floor(o.now / 1000);
  const contactId = 900 + (o.seq % 50);
  return {
    additional_attributes: {
      browser: { device_name: 'Unknown', browser_name: 'Chrome', platform_name: 'macOS', browser_version: '124.0.0.0', platform_version: '14.4' },
      referer: 'https://hot-rod-an.myshopify.com/products/an-6-braided-stainless-hose',
      initiated_at: { timestamp: new Date(o.now - 120_000).toUTCString() },
    },
    can_reply: true,
    channel: 'Channel::WebWidget',
    id,
    inbox_id: 1,
    contact_inbox: {
      id: contactId,
      contact_id: contactId,
      inbox_id: 1,
      source_id: uuidLike(o.run, contactId, 'source'),
      created_at: new Date(o.now - 120_000).toISOString(),
      updated_at: new Date(o.now).toISOString(),
      hmac_verified: false,
    },
    messages: [],
    meta: {
      sender: { additional_attributes: {}, custom_attributes: {}, email: 'ray.alvarez@example.com', id: contactId, identifier: null, name: 'Ray Alvarez', phone_number: null, thumbnail: '', type: 'contact' },
      assignee: { id: 1, name: 'Dana Pit', available_name: 'Dana Pit', avatar_url: '', type: 'user', availability_status: 'online' },
    },
    status,
    unread_count: status === 'open' ? 1 : 0,
    agent_last_seen_at: ts - 30,
    contact_last_seen_at: 0,
    timestamp: ts,
  };
}

/** A Chatwoot delivery: X-Chatwoot-Signature/-Timestamp/-Delivery as added in chatwoot#13573. */
export function chatwootDelivery(topic: ChatwootTopic, o: DeliveryOptions & { timestampSec?: number }): Delivery {
  let payload: Record<string, unknown>;
  if (topic === 'message_created') {
    const conversation = chatwootConversation(o, 'open');
    payload = {
      id: 50_000 + o.seq,
      content: o.seq % 2 ? 'Do the -6AN swivel ends fit a 3/8" hard line?' : 'Has order #1042 shipped yet?',
      created_at: new Date(o.now).toISOString(),
      message_type: 'incoming',
      content_type: 'text',
      private: false,
      content_attributes: {},
      source_id: null,
      sender: { id: (conversation.meta as { sender: { id: number } }).sender.id, name: 'Ray Alvarez', avatar: '', type: 'contact' },
      inbox: { id: 1, name: 'Hot Rod AN Website' },
      conversation,
      account: { id: 1, name: 'Hot Rod AN' },
      event: 'message_created',
    };
  } else {
    payload = { ...chatwootConversation(o, 'resolved'), event: 'conversation_status_changed' };
  }
  const body = JSON.stringify(payload);
  const timestamp = String(o.timestampSec ?? Math.floor(o.now / 1000));
  const delivery = uuidLike(o.run, o.seq, 'delivery');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': USER_AGENT,
    'x-chatwoot-timestamp': timestamp,
    'x-chatwoot-delivery': delivery,
  };
  if (o.signWith !== null) headers['x-chatwoot-signature'] = signChatwoot(o.signWith, timestamp, body);
  return { kind: 'chatwoot', topic, id: delivery, body, headers };
}

/** Topics a kind can send. */
export function topicsOf(kind: WebhookSource): readonly string[] {
  return kind === 'shopify' ? SHOPIFY_TOPICS : CHATWOOT_TOPICS;
}

/** A delivery of either kind. */
export function buildDelivery(kind: WebhookSource, topic: string, o: DeliveryOptions & { timestampSec?: number }): Delivery {
  return kind === 'shopify' ? shopifyDelivery(topic as ShopifyTopic, o) : chatwootDelivery(topic as ChatwootTopic, o);
}
