import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { startPeer, sendJson, type Peer, sendTruncatedJson } from './serve.js';

/** How the fake Admin API behaves; switch at run time with `setMode`. */
export const SHOPIFY_PEER_MODES = [
  'healthy',
  'slow',
  'throttled',
  'http429',
  'html502',
  'truncated',
  'hang',
  'missing-scope',
] as const;
export type ShopifyPeerMode = (typeof SHOPIFY_PEER_MODES)[number];

/** Query-root fields the peer recognises in a document, with the access scope each needs. */
const ROOT_FIELDS = {
  shop: null,
  ordersCount: 'read_orders',
  productsCount: 'read_products',
  inventoryItems: 'read_inventory',
  fulfillmentOrders: 'read_assigned_fulfillment_orders',
} as const;
export type ShopifyRootField = keyof typeof ROOT_FIELDS;

/** Shopify's documented 401 body for a wrong X-Shopify-Access-Token. */
export const SHOPIFY_INVALID_TOKEN_BODY = {
  errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
};

export interface ShopifyPeerOptions {
  /** The token the peer accepts. */
  accessToken?: string;
  mode?: ShopifyPeerMode;
  /** Delay of the `slow` mode, ms. */
  slowMs?: number;
  /** Retry-After of the `http429` mode, seconds. */
  retryAfterSeconds?: number;
  /** The field the `missing-scope` mode denies. */
  deniedField?: Exclude<ShopifyRootField, 'shop'>;
  /** Leaky bucket size (points) and restore rate (points per second). */
  maximumAvailable?: number;
  restoreRate?: number;
  /** Millisecond clock for the bucket; inject one to drain and restore it without waiting. */
  now?: () => number;
  shop?: { name: string; myshopifyDomain: string; plan: string };
  /** What ordersCount and productsCount answer. */
  ordersCount?: number;
  productsCount?: number;
  port?: number;
}

/** One request as the peer saw it. */
export interface ShopifyPeerRequest {
  method: string;
  path: string;
  apiVersion: string | null;
  headers: IncomingHttpHeaders;
  query: string | null;
  variables: Record<string, unknown>;
  /** Root fields found, as `alias:field` or `field`. */
  fields: string[];
  /** Requested cost, when the document reached the bucket. */
  cost: number | null;
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface ShopifyPeer extends Peer {
  readonly mode: ShopifyPeerMode;
  /** Switches behaviour; `tune` adjusts the mode's knobs (delay, Retry-After, denied field). */
  setMode(mode: ShopifyPeerMode, tune?: Pick<ShopifyPeerOptions, 'slowMs' | 'retryAfterSeconds' | 'deniedField'>): void;
  requests: ShopifyPeerRequest[];
  /** The bucket as of the peer's clock now. */
  bucket(): ThrottleStatus;
  /** Sets the bucket's points (e.g. drain it to force natural throttling). */
  setAvailable(points: number): void;
  /** The token the peer accepts. */
  accessToken: string;
}

interface Field {
  alias: string | null;
  name: ShopifyRootField;
  args: string;
  /** 1-based, for error locations. */
  line: number;
  column: number;
}

/**
 * A loopback Shopify Admin GraphQL API: POST /admin/api/:version/graphql.json, token check, a leaky
 * bucket with Shopify's cost extensions, and failure modes. It answers by recognising root fields in
 * the query text (regex, not a GraphQL engine), honouring aliases.
 */
export async function startShopifyPeer(opts: ShopifyPeerOptions = {}): Promise<ShopifyPeer> {
  const accessToken = opts.accessToken ?? 'shpat_pitwall_test_token';
  const now = opts.now ?? Date.now;
  const maximumAvailable = opts.maximumAvailable ?? 2000;
  const restoreRate = opts.restoreRate ?? 100;
  const shop = opts.shop ?? { name: 'Hot Rod AN', myshopifyDomain: 'hot-rod-an.myshopify.com', plan: 'Shopify Plus' };
  let mode: ShopifyPeerMode = opts.mode ?? 'healthy';
  let tune = { slowMs: opts.slowMs ?? 1500, retryAfterSeconds: opts.retryAfterSeconds ?? 2, deniedField: opts.deniedField ?? 'ordersCount' };
  let available = maximumAvailable;
  let last = now();
  const requests: ShopifyPeerRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const refill = () => {
    const t = now();
    available = Math.min(maximumAvailable, available + (Math.max(0, t - last) / 1000) * restoreRate);
    last = t;
  };
  const throttleStatus = (): ThrottleStatus => ({ maximumAvailable, currentlyAvailable: Math.floor(available), restoreRate });
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const peer = await startPeer(async (req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://peer');
    const route = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(url.pathname);
    const parsed = parseBody(body);
    const fields = parsed.query ? findFields(parsed.query) : [];
    const record: ShopifyPeerRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      apiVersion: route?.[1] ?? null,
      headers: req.headers,
      query: parsed.query,
      variables: parsed.variables,
      fields: fields.map((f) => (f.alias ? `${f.alias}:${f.name}` : f.name)),
      cost: null,
    };
    requests.push(record);

    if (!route || req.method !== 'POST') return sendJson(res, 404, { errors: 'Not Found' });
    // Edge failures come before the app sees the request.
    if (mode === 'hang') return;
    if (mode === 'html502') return sendHtml502(res);
    if (mode === 'slow') await delay(tune.slowMs);
    if (req.headers['x-shopify-access-token'] !== accessToken) return sendJson(res, 401, SHOPIFY_INVALID_TOKEN_BODY);
    if (mode === 'http429') {
      return sendJson(
        res,
        429,
        { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' },
        { 'retry-after': String(tune.retryAfterSeconds) },
      );
    }
    if (!parsed.query) return sendJson(res, 400, { errors: { query: 'Required parameter missing or invalid' } });

    const cost = fields.reduce((sum, f) => sum + fieldCost(f), 0) || 1;
    record.cost = cost;
    refill();
    // Another client saturating the same app+store bucket: it stays empty while this mode lasts.
    if (mode === 'throttled') available = 0;
    if (available < cost) {
      return sendJson(res, 200, {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: throttleStatus() } },
      });
    }

    const data: Record<string, unknown> = {};
    const errors: unknown[] = [];
    let actual = 0;
    for (const f of fields) {
      const key = f.alias ?? f.name;
      if (mode === 'missing-scope' && f.name === tune.deniedField) {
        data[key] = null;
        errors.push({
          message: `Access denied for ${f.name} field. Required access: \`${ROOT_FIELDS[f.name]}\` access scope.`,
          locations: [{ line: f.line, column: f.column }],
          path: [key],
          extensions: {
            code: 'ACCESS_DENIED',
            documentation: 'https://shopify.dev/api/usage/access-scopes',
            requiredAccess: `\`${ROOT_FIELDS[f.name]}\` access scope.`,
          },
        });
        continue;
      }
      data[key] = answer(f, { shop, orders: opts.ordersCount ?? 42, products: opts.productsCount ?? 318 });
      actual += fieldCost(f);
    }
    available -= actual;
    const payload = {
      ...(errors.length ? { errors } : {}),
      data,
      extensions: { cost: { requestedQueryCost: cost, actualQueryCost: actual, throttleStatus: throttleStatus() } },
    };
    if (mode === 'truncated') {
      sendTruncatedJson(res, payload);
      return;
    }
    sendJson(res, 200, payload);
  }, opts.port);

  return {
    ...peer,
    get mode() {
      return mode;
    },
    setMode(next, t = {}) {
      mode = next;
      tune = { ...tune, ...t };
    },
    requests,
    bucket() {
      refill();
      return throttleStatus();
    },
    setAvailable(points) {
      refill();
      available = Math.max(0, Math.min(maximumAvailable, points));
    },
    accessToken,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await peer.close();
    },
  };
}

function parseBody(body: string): { query: string | null; variables: Record<string, unknown> } {
  try {
    const json = JSON.parse(body) as { query?: unknown; variables?: unknown };
    const variables = json.variables && typeof json.variables === 'object' ? (json.variables as Record<string, unknown>) : {};
    return { query: typeof json.query === 'string' ? json.query : null, variables };
  } catch {
    return { query: null, variables: {} };
  }
}

const FIELD_RE = new RegExp(`(?:\\b([_A-Za-z]\\w*)\\s*:\\s*)?\\b(${Object.keys(ROOT_FIELDS).join('|')})\\b\\s*(\\([^)]*\\))?`, 'g');

function findFields(query: string): Field[] {
  const out: Field[] = [];
  for (const m of query.matchAll(FIELD_RE)) {
    const start = m.index + m[0].indexOf(m[2]!);
    const before = query.slice(0, start).split('\n');
    out.push({
      alias: m[1] ?? null,
      name: m[2] as ShopifyRootField,
      args: m[3] ?? '',
      line: before.length,
      column: before.at(-1)!.length + 1,
    });
  }
  return out;
}

/** Roughly Shopify's calculated cost: objects 1, connections 2 + `first`. */
function fieldCost(f: Field): number {
  if (f.name === 'inventoryItems' || f.name === 'fulfillmentOrders') return 2 + firstOf(f);
  return 1;
}

function firstOf(f: Field): number {
  const m = /\bfirst\s*:\s*(\d+)/.exec(f.args);
  return m ? Math.min(250, Number(m[1])) : 0;
}

function answer(f: Field, world: { shop: NonNullable<ShopifyPeerOptions['shop']>; orders: number; products: number }): unknown {
  switch (f.name) {
    case 'shop':
      return { name: world.shop.name, myshopifyDomain: world.shop.myshopifyDomain, plan: { displayName: world.shop.plan } };
    case 'ordersCount':
      return { count: world.orders, precision: 'EXACT' };
    case 'productsCount':
      return { count: world.products, precision: 'EXACT' };
    case 'inventoryItems':
      return connection(firstOf(f), (i) => ({
        id: `gid://shopify/InventoryItem/${4400 + i}`,
        sku: `HR-AN-${String(i + 1).padStart(3, '0')}`,
        tracked: true,
        updatedAt: '2025-11-28T09:00:00Z',
      }));
    case 'fulfillmentOrders':
      return connection(firstOf(f), (i) => ({
        id: `gid://shopify/FulfillmentOrder/${7700 + i}`,
        status: 'OPEN',
        requestStatus: 'UNSUBMITTED',
        createdAt: '2025-11-28T08:55:00Z',
      }));
  }
}

function connection<T>(n: number, node: (i: number) => T) {
  const nodes = Array.from({ length: n }, (_, i) => node(i));
  return { nodes, edges: nodes.map((x) => ({ node: x })) };
}

function sendHtml502(res: ServerResponse): void {
  res.writeHead(502, { 'content-type': 'text/html; charset=utf-8' });
  res.end(
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>502 Bad Gateway</title>\n</head>\n' +
      '<body>\n<h1>502 Bad Gateway</h1>\n<p>There was a problem loading this page. Please try again in a few moments.</p>\n</body>\n</html>\n',
  );
}
