import { GraphQLError } from 'graphql';

/** The fake store the Shopify peer's resolvers read (orders, products, inventory items, fulfillment orders), and the resolvers. */

/** Where a fulfillment order is assigned: which access scope sees it (https://shopify.dev/docs/api/admin-graphql/latest/objects/FulfillmentOrder#api-access-scopes). */
export type FulfillmentLocationKind = 'merchant_managed' | 'third_party' | 'assigned';

export interface FakeInventoryItem {
  id: string;
  sku: string;
  tracked: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface FakeFulfillmentOrder {
  id: string;
  status: 'OPEN' | 'IN_PROGRESS' | 'ON_HOLD' | 'SCHEDULED' | 'INCOMPLETE' | 'CLOSED' | 'CANCELLED';
  requestStatus: string;
  createdAt: string;
  updatedAt: string;
  kind: FulfillmentLocationKind;
}

/** A shop-scoped webhook subscription as the app made it (topic enum name, delivery URI). */
export interface FakeWebhookSubscription {
  id: string;
  topic: string;
  uri: string;
  createdAt: string;
}

/** Where the default world's subscriptions deliver: the app URL a truthful store points at. */
export const DEFAULT_WEBHOOK_URI = 'https://hotrodan.fly.dev/webhooks/shopify';

/** Subscriptions for these topics at `uri` (a lying world points one at an old deploy's URL). */
export function webhookSubscriptions(topics: readonly string[], uri = DEFAULT_WEBHOOK_URI, at = Date.now()): FakeWebhookSubscription[] {
  return topics.map((topic, i) => ({ id: `gid://shopify/WebhookSubscription/${8800 + i}`, topic, uri, createdAt: iso(at - 7 * 24 * 3_600_000) }));
}

export interface ShopifyWorld {
  /** The app's shop-scoped webhook subscriptions (none when absent). */
  webhookSubscriptions?: FakeWebhookSubscription[];
  /** createdAt of every order (ISO). */
  orders: string[];
  products: number;
  inventoryItems: FakeInventoryItem[];
  fulfillmentOrders: FakeFulfillmentOrder[];
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A launch-day store as of `now`: `ordersLastHour` orders in the past hour and 500 older ones; inventory items
 * whose latest update is NOT the lowest id (so "first node = latest" is visibly wrong); fulfillment orders at the
 * merchant's own locations, one closed, the most recently updated one not the lowest id.
 */
export function defaultWorld(now: number, ordersLastHour = 42, products = 318): ShopifyWorld {
  const min = 60_000;
  const orders = [
    ...Array.from({ length: ordersLastHour }, (_, i) => iso(now - ((i + 1) * 55 * min) / Math.max(1, ordersLastHour))),
    ...Array.from({ length: 500 }, (_, i) => iso(now - 2 * 3_600_000 - i * 7 * min)),
  ];
  const minutesAgo = [300, 12, 190, 3, 45, 600, 8];
  const inventoryItems = minutesAgo.map((ago, i) => ({
    id: `gid://shopify/InventoryItem/${4400 + i}`,
    sku: `HR-AN-${String(i + 1).padStart(3, '0')}`,
    tracked: true,
    createdAt: iso(now - 30 * 24 * 3_600_000),
    updatedAt: iso(now - ago * min),
  }));
  const fo = (i: number, status: FakeFulfillmentOrder['status'], ago: number, kind: FulfillmentLocationKind = 'merchant_managed'): FakeFulfillmentOrder => ({
    id: `gid://shopify/FulfillmentOrder/${7700 + i}`,
    status,
    requestStatus: 'UNSUBMITTED',
    createdAt: iso(now - (ago + 30) * min),
    updatedAt: iso(now - ago * min),
    kind,
  });
  const fulfillmentOrders = [fo(0, 'OPEN', 240), fo(1, 'CLOSED', 1), fo(2, 'IN_PROGRESS', 4), fo(3, 'OPEN', 95), fo(4, 'OPEN', 20, 'third_party')];
  const webhooks = webhookSubscriptions(['ORDERS_CREATE', 'ORDERS_UPDATED', 'INVENTORY_LEVELS_UPDATE', 'FULFILLMENTS_CREATE'], DEFAULT_WEBHOOK_URI, now);
  return { orders, products, inventoryItems, fulfillmentOrders, webhookSubscriptions: webhooks };
}

/** Shopify search syntax, the part the peer needs: `field:>'time'`, `field:<'time'`, `field:value`, joined by spaces (AND). */
export function matchesQuery(query: unknown, fields: Record<string, string>): boolean {
  if (typeof query !== 'string' || query.trim() === '') return true;
  for (const m of query.matchAll(/(\w+):(>=|<=|>|<)?('[^']*'|"[^"]*"|\S+)/g)) {
    const [, key, op, rawValue] = m;
    const value = rawValue!.replace(/^['"]|['"]$/g, '');
    const have = fields[key!];
    if (have === undefined) continue; // Shopify ignores unknown filter fields (with a search warning)
    if (!op) {
      if (have.toLowerCase() !== value.toLowerCase()) return false;
      continue;
    }
    const a = Date.parse(have);
    const b = Date.parse(value);
    if (Number.isNaN(b)) return false;
    if ((op === '>' && !(a > b)) || (op === '>=' && !(a >= b)) || (op === '<' && !(a < b)) || (op === '<=' && !(a <= b))) return false;
  }
  return true;
}

/** A connection page as Shopify returns it: nodes, edges with cursors, pageInfo. */
export function connection<T extends { id: string }>(all: T[], args: { first?: unknown; last?: unknown; reverse?: unknown }) {
  const list = args.reverse === true ? [...all].reverse() : all;
  const first = typeof args.first === 'number' ? args.first : undefined;
  const last = typeof args.last === 'number' ? args.last : undefined;
  const page = first !== undefined ? list.slice(0, first) : last !== undefined ? list.slice(-last) : list;
  const cursor = (x: T) => Buffer.from(JSON.stringify({ id: x.id })).toString('base64');
  return {
    nodes: page,
    edges: page.map((node) => ({ node, cursor: cursor(node) })),
    pageInfo: {
      hasNextPage: first !== undefined && list.length > first,
      hasPreviousPage: last !== undefined && list.length > last,
      startCursor: page[0] ? cursor(page[0]) : null,
      endCursor: page.at(-1) ? cursor(page.at(-1)!) : null,
    },
  };
}

export type RootResolver = (args: Record<string, unknown>, scopes: ReadonlySet<string>) => unknown;

/** Which fulfillment orders a token sees: Shopify filters them by the fulfillment-order scopes granted. */
const FULFILLMENT_SCOPE: Record<FulfillmentLocationKind, string> = {
  merchant_managed: 'read_merchant_managed_fulfillment_orders',
  third_party: 'read_third_party_fulfillment_orders',
  assigned: 'read_assigned_fulfillment_orders',
};

/** The query-root fields the peer answers; the schema does the rest (shape, nullability, errors). */
export function rootResolvers(
  world: ShopifyWorld,
  shop: { name: string; myshopifyDomain: string },
  plan: { publicDisplayName: string; shopifyPlus: boolean },
): Record<string, RootResolver> {
  const pageArgs = (args: Record<string, unknown>) => {
    if (args.first == null && args.last == null) throw new GraphQLError('you must provide one of first or last');
    return args;
  };
  return {
    shop: () => ({
      __typename: 'Shop',
      id: 'gid://shopify/Shop/60000001',
      name: shop.name,
      myshopifyDomain: shop.myshopifyDomain,
      plan: { displayName: plan.publicDisplayName, publicDisplayName: plan.publicDisplayName, partnerDevelopment: false, shopifyPlus: plan.shopifyPlus },
    }),
    currentAppInstallation: (_args, scopes) => ({
      id: 'gid://shopify/AppInstallation/90000001',
      accessScopes: [...scopes].sort().map((handle) => ({ handle, description: handle.replace(/_/g, ' ') })),
    }),
    ordersCount: (args) => {
      const n = world.orders.filter((createdAt) => matchesQuery(args.query, { created_at: createdAt })).length;
      // `limit` (schema default 10000; null: none) caps the count, which then says AT_LEAST.
      const limit = typeof args.limit === 'number' ? args.limit : null;
      return limit !== null && n > limit ? { count: limit, precision: 'AT_LEAST' } : { count: n, precision: 'EXACT' };
    },
    productsCount: () => ({ count: world.products, precision: 'EXACT' }),
    // Shop-scoped subscriptions of the calling app; `uri` is the field (`callbackUrl`, `endpoint` deprecated for it).
    webhookSubscriptions: (args) => {
      const topics = Array.isArray(args.topics) ? (args.topics as string[]) : null;
      const subs = (world.webhookSubscriptions ?? []).filter((w) => !topics || topics.includes(w.topic)).filter((w) => typeof args.uri !== 'string' || w.uri === args.uri);
      return connection(
        subs.map((w) => ({
          __typename: 'WebhookSubscription',
          ...w,
          updatedAt: w.createdAt,
          callbackUrl: w.uri,
          endpoint: { __typename: 'WebhookHttpEndpoint', callbackUrl: w.uri },
          format: 'JSON',
          includeFields: [],
          metafieldNamespaces: [],
          filter: null,
          legacyResourceId: w.id.split('/').pop(),
        })),
        pageArgs(args),
      );
    },
    inventoryItems: (args) => {
      const items = world.inventoryItems.filter((i) => matchesQuery(args.query, { updated_at: i.updatedAt, created_at: i.createdAt, sku: i.sku }));
      return connection(
        items.map((i) => ({ __typename: 'InventoryItem', ...i })),
        pageArgs(args),
      );
    },
    fulfillmentOrders: (args, scopes) => {
      const visible = world.fulfillmentOrders
        .filter((f) => scopes.has(FULFILLMENT_SCOPE[f.kind]))
        .filter((f) => args.includeClosed === true || (f.status !== 'CLOSED' && f.status !== 'CANCELLED'))
        .filter((f) => matchesQuery(args.query, { status: f.status, updated_at: f.updatedAt }));
      const sorted = args.sortKey === 'UPDATED_AT' ? [...visible].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt)) : visible;
      return connection(
        sorted.map((f) => ({ __typename: 'FulfillmentOrder', ...f })),
        pageArgs(args),
      );
    },
  };
}
