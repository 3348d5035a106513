import { createAdminApiClient } from '@shopify/admin-api-client';
import type { ShopifyTarget, TileId } from '../config/config.js';
import { SHOPIFY_SUBCHECKS } from '../config/config.js';
import { classify, messageOf } from './classify.js';
import { excerpt, httpExchange, parseJsonBody, statusError, type HttpAnswer, type HttpFailure } from './http-client.js';
import type { Headroom, ProbeContext, ProbeError, ProbeResult, SubCheck } from './types.js';

type SubCheckName = (typeof SHOPIFY_SUBCHECKS)[number];

interface GraphQLError {
  message?: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}
interface Cost {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus?: { maximumAvailable?: number; currentlyAvailable?: number; restoreRate?: number };
}
interface Count {
  count?: number;
  precision?: string;
}
interface Connection {
  nodes?: Record<string, unknown>[];
}

/**
 * Each sub-check is one aliased root field (alias = sub-check name), so Shopify's per-field
 * errors (`path: [alias]`) say which sub-check failed.
 */
const SUBCHECKS: Record<SubCheckName, { tile: TileId; field: string; read(v: unknown): Record<string, unknown> | null }> = {
  orders: {
    tile: 'sales-pulse',
    field: 'orders: ordersCount(query: $ordersQuery) { count precision }',
    read: (v) => countDetails(v, 'ordersLastHour'),
  },
  products: {
    tile: 'seo-pulse',
    field: 'products: productsCount { count precision }',
    read: (v) => countDetails(v, 'products'),
  },
  inventory: {
    tile: 'inventory-watch',
    field: 'inventory: inventoryItems(first: 1) { nodes { id tracked updatedAt } }',
    read: (v) => {
      const nodes = (v as Connection | null)?.nodes;
      if (!Array.isArray(nodes)) return null;
      return { itemsSeen: nodes.length, lastUpdatedAt: nodes[0]?.updatedAt ?? null };
    },
  },
  fulfillment: {
    tile: 'fulfillment-flow',
    field: 'fulfillment: fulfillmentOrders(first: 1) { nodes { id status requestStatus } }',
    read: (v) => {
      const nodes = (v as Connection | null)?.nodes;
      if (!Array.isArray(nodes)) return null;
      return { openFulfillmentOrders: nodes.length > 0, latestStatus: nodes[0]?.status ?? null };
    },
  },
};

function countDetails(v: unknown, key: string): Record<string, unknown> | null {
  const c = v as Count | null;
  if (!c || typeof c.count !== 'number') return null;
  return { [key]: c.count, precision: c.precision ?? 'EXACT' };
}

/** The one document a run sends: the health query plus the configured sub-checks, aliased. */
export function shopifyHealthQuery(subChecks: readonly SubCheckName[]): string {
  const vars = subChecks.includes('orders') ? '($ordersQuery: String)' : '';
  const fields = subChecks.map((s) => `  ${SUBCHECKS[s].field}`);
  return [`query PitwallHealth${vars} {`, '  shop { name myshopifyDomain plan { displayName } }', ...fields, '}'].join('\n');
}

/**
 * Shopify Admin GraphQL: `shop` as the health query, one aliased field per sub-check (each tied to a
 * tile), the throttle bucket as headroom. Built on @shopify/admin-api-client with a custom fetch that
 * goes through undici (ctx.dispatcher, ctx.signal) and keeps the raw exchange, because the client
 * returns a non-2xx Response unread and rethrows transport failures without their cause.
 */
export async function probeShopify(target: ShopifyTarget, ctx: ProbeContext): Promise<ProbeResult> {
  const subChecks = SHOPIFY_SUBCHECKS.filter((s) => target.subChecks.includes(s));
  let exchange: HttpAnswer | HttpFailure | undefined;
  const notes: Record<string, unknown> = {};

  const customFetchApi = async (url: string, init?: { method?: string; headers?: ConstructorParameters<typeof Headers>[0]; body?: string }): Promise<Response> => {
    exchange = await httpExchange({
      url: target.endpoint ? withEndpoint(target.endpoint, url) : url,
      method: 'POST',
      headers: Object.fromEntries(new Headers(init?.headers)),
      body: init?.body,
      signal: ctx.signal,
      dispatcher: ctx.dispatcher,
      timeoutMs: ctx.timeoutMs,
    });
    if (!exchange.ok) throw new Error(exchange.error.message);
    return toResponse(exchange);
  };

  let res: Awaited<ReturnType<ReturnType<typeof createAdminApiClient>['request']>>;
  try {
    const client = createAdminApiClient({
      storeDomain: target.shop,
      apiVersion: target.apiVersion,
      accessToken: target.accessToken,
      userAgentPrefix: 'pitwall',
      // The engine owns retries; the client's own retry sleeps Retry-After as milliseconds and ignores the signal.
      retries: 0,
      customFetchApi,
      // Without a logger the client console.warns about API versions it does not know yet.
      logger: (log) => {
        if (log.type === 'Unsupported_Api_Version') notes.apiVersionNote = `${target.apiVersion} is not in the client's supported list`;
        if (log.type === 'HTTP-Response-GraphQL-Deprecation-Notice') notes.deprecation = log.content.deprecationNotice;
      },
    });
    const since = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    res = await client.request(shopifyHealthQuery(subChecks), {
      variables: subChecks.includes('orders') ? { ordersQuery: `created_at:>'${since}'` } : {},
      signal: ctx.signal,
    });
  } catch (err) {
    // Only a client misconfiguration gets here (request() turns fetch failures into values).
    return whole(ctx, subChecks, null, { kind: 'protocol', message: `Shopify client: ${messageOf(err)}` });
  }

  const x = exchange as HttpAnswer | HttpFailure | undefined;
  if (!x) return whole(ctx, subChecks, null, { kind: 'protocol', message: res.errors?.message ?? 'the request was never sent' });
  if (!x.ok) return whole(ctx, subChecks, null, x.error, { phases: x.phases });
  const base = { phases: x.phases, details: { apiVersion: target.apiVersion, ...notes } };

  if (x.status < 200 || x.status > 299) {
    const err = statusError(x, 'Shopify');
    // A 429 may still carry the cost extension; the bucket then says how long to wait.
    const cost = x.status === 429 ? costOf(tryJson(x)) : undefined;
    const wait = err.retryAfterMs ?? bucketWait(cost);
    return whole(ctx, subChecks, x.latencyMs, { ...err, ...(wait !== undefined ? { retryAfterMs: wait } : {}) }, { ...base, headroom: headroomOf(cost) });
  }

  const gqlErrors = (res.errors?.graphQLErrors ?? []) as GraphQLError[];
  const data = res.data as Record<string, unknown> | undefined;
  if (res.errors && gqlErrors.length === 0 && !data) {
    const parsed = parseJsonBody(x);
    const error: ProbeError = parsed.ok
      ? { kind: 'bad_response', message: badEnvelope(x, res.errors.message), httpStatus: x.status, evidence: excerpt(x.text) }
      : parsed.error;
    return whole(ctx, subChecks, x.latencyMs, error, base);
  }

  const cost = res.extensions?.cost as Cost | undefined;
  const headroom = headroomOf(cost);
  const details: Record<string, unknown> = { ...base.details, ...costDetails(cost) };
  const withCost = { ...base, details, headroom };

  const throttled = gqlErrors.find((e) => e.extensions?.code === 'THROTTLED');
  if (throttled) {
    const wait = bucketWait(cost);
    const t = cost?.throttleStatus;
    const left = t ? ` (${t.currentlyAvailable ?? '?'} of ${t.maximumAvailable ?? '?'} points left, query costs ${cost?.requestedQueryCost ?? '?'})` : '';
    const error: ProbeError = {
      kind: 'rate_limited',
      message: `Shopify throttled the query${left}`,
      httpStatus: x.status,
      code: 'THROTTLED',
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    };
    return whole(ctx, subChecks, x.latencyMs, error, withCost);
  }

  const aliases = new Set<string>(subChecks);
  const docErrors = gqlErrors.filter((e) => !aliases.has(String(e.path?.[0] ?? '')));
  if (docErrors.length) return whole(ctx, subChecks, x.latencyMs, graphqlError(docErrors, x.status), withCost);

  const shop = data?.shop as { name?: unknown; myshopifyDomain?: unknown; plan?: { displayName?: unknown } } | null | undefined;
  if (!shop || typeof shop.name !== 'string') {
    const error: ProbeError = { kind: 'bad_response', message: 'the answer has no data.shop', httpStatus: x.status, evidence: excerpt(x.text) };
    return whole(ctx, subChecks, x.latencyMs, error, withCost);
  }
  details.shop = shop.name;
  details.domain = shop.myshopifyDomain;
  details.plan = shop.plan?.displayName;

  const subs = subChecks.map((name): SubCheck => {
    const { tile, read } = SUBCHECKS[name];
    const own = gqlErrors.filter((e) => e.path?.[0] === name);
    if (own.length) return subCheck(name, tile, x.latencyMs, graphqlError(own, x.status));
    const got = read(data?.[name]);
    if (!got) {
      const evidence = excerpt(JSON.stringify(data?.[name] ?? null));
      return subCheck(name, tile, x.latencyMs, { kind: 'bad_response', message: `data.${name} is not what the query asks for`, evidence });
    }
    return { ...subCheck(name, tile, x.latencyMs, null), details: got };
  });

  return classify({ latencyMs: x.latencyMs, degradedMs: ctx.degradedMs, ...withCost, subChecks: subs });
}

/** A failure of the whole document: every sub-check shares it, since none of them got an answer. */
function whole(
  ctx: ProbeContext,
  names: readonly SubCheckName[],
  latencyMs: number | null,
  error: ProbeError,
  extra: { phases?: ProbeResult['phases']; details?: Record<string, unknown>; headroom?: Headroom[] } = {},
): ProbeResult {
  const subChecks = names.map((n) => subCheck(n, SUBCHECKS[n].tile, null, error));
  return classify({ latencyMs, error, degradedMs: ctx.degradedMs, subChecks, ...extra });
}

function subCheck(name: string, tile: TileId, latencyMs: number | null, error: ProbeError | null): SubCheck {
  const status = !error ? 'up' : error.kind === 'rate_limited' ? 'degraded' : 'down';
  return { name, tile, status, latencyMs: error ? null : latencyMs, error };
}

/** ACCESS_DENIED (a missing scope) is auth; anything else GraphQL says went wrong is a bad answer. */
function graphqlError(errors: GraphQLError[], httpStatus: number): ProbeError {
  const first = errors[0]!;
  const code = first.extensions?.code;
  const messages = errors.map((e) => e.message ?? 'unnamed error').join('; ');
  // Older API versions say only "Access denied for X field."; the scope is then in extensions.
  const required = first.extensions?.requiredAccess;
  const scope = typeof required === 'string' && !messages.includes(required) ? ` (required: ${required.replace(/`/g, '')})` : '';
  return {
    kind: code === 'ACCESS_DENIED' ? 'auth' : 'bad_response',
    message: `GraphQL error${code ? ` ${code}` : ''}: ${messages}${scope}`,
    httpStatus,
    ...(code ? { code } : {}),
    evidence: excerpt(JSON.stringify(errors)),
  };
}

function headroomOf(cost: Cost | undefined): Headroom[] | undefined {
  const t = cost?.throttleStatus;
  if (typeof t?.currentlyAvailable !== 'number' || typeof t.maximumAvailable !== 'number') return undefined;
  return [{ name: 'throttle', remaining: t.currentlyAvailable, limit: t.maximumAvailable }];
}

function costDetails(cost: Cost | undefined): Record<string, unknown> {
  if (!cost) return {};
  const t = cost.throttleStatus;
  return {
    cost: { requestedQueryCost: cost.requestedQueryCost, actualQueryCost: cost.actualQueryCost ?? null },
    ...(t ? { throttle: { currentlyAvailable: t.currentlyAvailable, maximumAvailable: t.maximumAvailable, restoreRate: t.restoreRate } } : {}),
  };
}

/** How long until the bucket holds the query's cost: (cost − available) / restoreRate seconds. */
function bucketWait(cost: Cost | undefined): number | undefined {
  const t = cost?.throttleStatus;
  const need = cost?.requestedQueryCost;
  if (typeof need !== 'number' || typeof t?.currentlyAvailable !== 'number' || !t.restoreRate) return undefined;
  return Math.max(0, Math.ceil(((need - t.currentlyAvailable) / t.restoreRate) * 1000));
}

function costOf(json: unknown): Cost | undefined {
  const cost = (json as { extensions?: { cost?: Cost } } | undefined)?.extensions?.cost;
  return cost && typeof cost === 'object' ? cost : undefined;
}

function tryJson(a: HttpAnswer): unknown {
  const parsed = parseJsonBody(a);
  return parsed.ok ? parsed.json : undefined;
}

function badEnvelope(a: HttpAnswer, clientMessage: string | undefined): string {
  const type = a.headers['content-type'] ?? '';
  if (!type.includes('application/json')) return `expected application/json, got ${type || 'no content type'}`;
  return clientMessage?.includes('did not return a data object') ? 'the answer has neither data nor errors' : (clientMessage ?? 'unreadable answer');
}

/** `endpoint` replaces https://{shop} (keeping any path prefix); the API path stays. */
function withEndpoint(endpoint: string, url: string): string {
  const u = new URL(url);
  return `${endpoint.replace(/\/+$/, '')}${u.pathname}${u.search}`;
}

const NULL_BODY = new Set([101, 204, 205, 304]);

function toResponse(a: HttpAnswer): Response {
  return new Response(NULL_BODY.has(a.status) ? null : a.text, { status: a.status, headers: a.headers });
}
