import type { TileId } from '../config/config.js';
import { SHOPIFY_SUBCHECKS } from '../config/config.js';

export type ShopifySubCheck = (typeof SHOPIFY_SUBCHECKS)[number];

/** The scopes each sub-check needs, as Shopify's schema states them (`requiredAccess`; any one of them will do). */
export const SHOPIFY_SCOPES: Record<ShopifySubCheck | 'health', { scopes: string[]; note: string }> = {
  health: { scopes: [], note: 'shop and currentAppInstallation need no scope' },
  orders: { scopes: ['read_orders'], note: 'QueryRoot.ordersCount: `read_orders` or `read_marketplace_orders`' },
  products: { scopes: ['read_products'], note: 'QueryRoot.productsCount: `read_products`' },
  inventory: { scopes: ['read_products'], note: 'InventoryItem: `read_inventory` or `read_products`' },
  fulfillment: {
    scopes: ['read_merchant_managed_fulfillment_orders'],
    note: 'FulfillmentOrder: any fulfillment-order scope, but each sees only its own locations; the store\'s own are merchant-managed',
  },
};

/** Inventory items fetched per run: enough to see the hour's changes in one page (cost 2 + 25). */
export const INVENTORY_PAGE = 25;

/**
 * One GraphQL document pitwall sends. `isolated` documents hold one non-null root connection: an access-denied
 * error on it nulls the whole `data` of its document (GraphQL null propagation), so it travels alone and can only
 * fail its own sub-check. The shared document holds only nullable fields beside the health query.
 */
export interface ShopifyDocument {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  /** The sub-checks answered by this document (none for the health part). */
  subChecks: ShopifySubCheck[];
  /** True for the document with `shop`: its failure is the whole target's. */
  health: boolean;
}

const SHARED: Partial<Record<ShopifySubCheck, { field: string; variable?: string }>> = {
  orders: { field: 'orders: ordersCount(query: $ordersSince) { count precision }', variable: '$ordersSince: String' },
  products: { field: 'products: productsCount { count precision }' },
};

/** Which tile each sub-check feeds. */
export const SHOPIFY_TILES: Record<ShopifySubCheck, TileId> = {
  orders: 'sales-pulse',
  products: 'seo-pulse',
  inventory: 'inventory-watch',
  fulfillment: 'fulfillment-flow',
};

/** Shopify search syntax for "after this instant", to the second. */
export function sinceFilter(field: string, since: Date): string {
  return `${field}:>'${since.toISOString().replace(/\.\d{3}Z$/, 'Z')}'`;
}

/** Shopify search syntax for "before this instant", to the second. */
export function untilFilter(field: string, until: Date): string {
  return `${field}:<'${until.toISOString().replace(/\.\d{3}Z$/, 'Z')}'`;
}

/** Every document one run sends for these sub-checks, as of `now` (the last hour is `now − 1 h`). */
export function shopifyDocuments(subChecks: readonly ShopifySubCheck[], now: Date): ShopifyDocument[] {
  const hourAgo = new Date(now.getTime() - 3_600_000);
  const shared = SHOPIFY_SUBCHECKS.filter((s) => subChecks.includes(s) && SHARED[s]);
  const vars = shared.flatMap((s) => (SHARED[s]!.variable ? [SHARED[s]!.variable!] : []));
  const health: ShopifyDocument = {
    name: 'PitwallHealth',
    query: [
      `query PitwallHealth${vars.length ? `(${vars.join(', ')})` : ''} {`,
      '  shop { name myshopifyDomain plan { publicDisplayName } }',
      '  app: currentAppInstallation { accessScopes { handle } }',
      ...shared.map((s) => `  ${SHARED[s]!.field}`),
      '}',
    ].join('\n'),
    variables: shared.includes('orders') ? { ordersSince: sinceFilter('created_at', hourAgo) } : {},
    subChecks: shared,
    health: true,
  };
  const docs = [health];
  if (subChecks.includes('inventory')) {
    docs.push({
      name: 'PitwallInventory',
      // No sort key exists for inventory items: ask for the hour's updates and take the latest of them.
      query: [
        'query PitwallInventory($updatedSince: String) {',
        `  inventory: inventoryItems(first: ${INVENTORY_PAGE}, query: $updatedSince) { nodes { id updatedAt } pageInfo { hasNextPage } }`,
        '}',
      ].join('\n'),
      variables: { updatedSince: sinceFilter('updated_at', hourAgo) },
      subChecks: ['inventory'],
      health: false,
    });
  }
  if (subChecks.includes('fulfillment')) {
    docs.push({
      name: 'PitwallFulfillment',
      // Closed ones are left out by default (includeClosed: false); the latest update first.
      query: [
        'query PitwallFulfillment {',
        '  fulfillment: fulfillmentOrders(first: 1, sortKey: UPDATED_AT, reverse: true) { nodes { id status requestStatus updatedAt } }',
        '}',
      ].join('\n'),
      variables: {},
      subChecks: ['fulfillment'],
      health: false,
    });
  }
  return docs;
}

/** Every subset of the sub-checks (for the contract test: each is a document set pitwall may send). */
export function allSubCheckSubsets(): ShopifySubCheck[][] {
  const all = [...SHOPIFY_SUBCHECKS];
  return Array.from({ length: 2 ** all.length }, (_, mask) => all.filter((_s, i) => mask & (1 << i)));
}

/**
 * Shopify's support window: a stable version is released on the first of its quarter's month and supported for
 * 12 months (https://shopify.dev/docs/api/usage/versioning). Returns why `version` is outside it on `on`, or null.
 */
export function shopifyVersionProblem(version: string, on: Date): string | null {
  if (version === 'unstable') return 'unstable is not a stable version: its schema can change without notice';
  const m = /^(\d{4})-(\d{2})$/.exec(version);
  if (!m) return `${version} is not a Shopify API version`;
  const released = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1);
  const ends = Date.UTC(Number(m[1]) + 1, Number(m[2]) - 1, 1);
  if (on.getTime() < released) return `${version} is not released yet`;
  if (on.getTime() >= ends) {
    return `${version} is past Shopify's support window (ended ${new Date(ends).toISOString().slice(0, 10)}): Shopify answers with the oldest supported version instead`;
  }
  return null;
}

/**
 * The scopes each webhook topic needs (any one will do), as the Admin schema's WebhookSubscriptionTopic descriptions
 * state them in 2026-01 … 2026-10 ("Requires at least one of the following scopes: read_orders, …"); checked against
 * the vendored schemas in test/probes/shopify-webhooks.test.ts. A topic not listed needs no scope pitwall knows of.
 */
export const WEBHOOK_TOPIC_SCOPES: Record<string, string[]> = {
  ORDERS_CREATE: ['read_orders', 'read_marketplace_orders'],
  ORDERS_UPDATED: ['read_orders', 'read_marketplace_orders', 'read_buyer_membership_orders'],
  INVENTORY_LEVELS_UPDATE: ['read_inventory'],
  FULFILLMENTS_CREATE: ['read_fulfillments', 'read_marketplace_orders'],
};

/** Which tile a webhook topic keeps live. */
export function webhookTopicTile(topic: string): TileId {
  if (topic.startsWith('INVENTORY')) return 'inventory-watch';
  if (topic.startsWith('FULFILLMENT')) return 'fulfillment-flow';
  return 'sales-pulse';
}

/** Subscriptions read per run: one page is plenty for one app (Shopify caps `first` at 250). */
export const WEBHOOK_PAGE = 100;

/**
 * The webhook document: the app's shop-scoped subscriptions (`uri`, the field every supported version has and none
 * deprecates; `endpoint`/`callbackUrl` are deprecated "Use `uri` instead" from 2026-01) and the orders created over
 * the silence window, so "no delivery while orders were created" can be told apart from a quiet shop.
 */
export function webhookDocument(silentMinutes: number, now: Date): ShopifyDocument {
  return {
    name: 'PitwallWebhooks',
    query: [
      'query PitwallWebhooks($recentSince: String) {',
      `  webhooks: webhookSubscriptions(first: ${WEBHOOK_PAGE}) { nodes { topic uri } pageInfo { hasNextPage } }`,
      '  recentOrders: ordersCount(query: $recentSince) { count precision }',
      '}',
    ].join('\n'),
    variables: { recentSince: sinceFilter('created_at', new Date(now.getTime() - silentMinutes * 60_000)) },
    subChecks: [],
    health: false,
  };
}
