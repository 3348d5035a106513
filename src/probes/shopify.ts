import { createAdminApiClient } from '@shopify/admin-api-client';
import type { ShopifyTarget, TileId } from '../config/config.js';
import { SHOPIFY_SUBCHECKS } from '../config/config.js';
import { classify, messageOf } from './classify.js';
import { excerpt, httpExchange, parseJsonBody, statusError, type HttpAnswer, type HttpFailure } from './http-client.js';
import { INVENTORY_PAGE, SHOPIFY_TILES, shopifyDocuments, sinceFilter, untilFilter, webhookDocument, type ShopifyDocument, type ShopifySubCheck as SubCheckName } from './shopify-documents.js';
import { accessScopes, scopeSubCheck, webhookSubCheck, type WebhookAnswer } from './shopify-webhooks.js';
import type { Headroom, ProbeContext, ProbeError, ProbeResult, SubCheck } from './types.js';

export { shopifyDocuments } from './shopify-documents.js';

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
interface Nodes {
  nodes?: Record<string, unknown>[];
  pageInfo?: { hasNextPage?: boolean };
}

/** The scope without which a fulfillment-orders answer leaves out the store's own locations (an empty list is not "none"). */
const MERCHANT_FULFILLMENT_SCOPE = 'read_merchant_managed_fulfillment_orders';

/** How each sub-check reads its aliased root field (alias = sub-check name, so errors' `path: [alias]` name it). */
const READ: Record<SubCheckName, (v: unknown) => Record<string, unknown> | null> = {
  orders: (v) => countDetails(v, 'ordersLastHour'),
  products: (v) => countDetails(v, 'products'),
  inventory: (v) => {
    const c = v as Nodes | null;
    if (!Array.isArray(c?.nodes)) return null;
    const times = c.nodes.map((n) => n.updatedAt).filter((t): t is string => typeof t === 'string').sort();
    const more = c.pageInfo?.hasNextPage === true;
    // Items come in id order, not by update: the latest of a full page is the hour's latest only without a next page.
    return {
      updatedLastHour: more ? `${INVENTORY_PAGE}+` : c.nodes.length,
      lastUpdatedAt: more ? null : (times.at(-1) ?? null),
    };
  },
  fulfillment: (v) => {
    const c = v as Nodes | null;
    if (!Array.isArray(c?.nodes)) return null;
    const latest = c.nodes[0];
    return { notClosed: latest !== undefined, latestStatus: latest?.status ?? null, latestUpdatedAt: latest?.updatedAt ?? null };
  },
};

function countDetails(v: unknown, key: string): Record<string, unknown> | null {
  const c = v as Count | null;
  if (!c || typeof c.count !== 'number') return null;
  return { [key]: c.count, precision: c.precision ?? 'EXACT' };
}

/** What one document brought back: a failure shared by its sub-checks, or data and per-field errors. */
type Answer =
  | { ok: false; doc: ShopifyDocument; error: ProbeError; latencyMs: number | null; phases?: ProbeResult['phases']; cost?: Cost; apiVersion?: string; deprecation?: string }
  | { ok: true; doc: ShopifyDocument; data: Record<string, unknown> | null; errors: GraphQLError[]; latencyMs: number; phases: ProbeResult['phases']; cost?: Cost; apiVersion?: string; deprecation?: string; status: number; text: string };

/**
 * Shopify Admin GraphQL: `shop` as the health query, one aliased field per sub-check (each tied to a tile), the
 * throttle bucket as headroom. A non-null root connection (inventoryItems, fulfillmentOrders) goes in a document of
 * its own, sent alongside: denied, it nulls only its own `data`. Built on @shopify/admin-api-client with a custom
 * fetch that goes through httpExchange (ctx.dispatcher, ctx.signal) and keeps the raw exchange, because the client returns
 * a non-2xx Response unread and rethrows transport failures without their cause.
 */
export async function probeShopify(target: ShopifyTarget, ctx: ProbeContext): Promise<ProbeResult> {
  const subChecks = SHOPIFY_SUBCHECKS.filter((s) => target.subChecks.includes(s));
  const docs = shopifyDocuments(subChecks, new Date());
  // Issue 21: the webhook subscriptions (a document of its own) and the granted scopes (REST), when configured.
  if (target.webhookCheck) docs.push(webhookDocument(target.webhookCheck.silentMinutes, new Date()));
  const notes: Record<string, unknown> = {};
  const scopesAsked = target.scopeCheck ? accessScopes(target, ctx) : null;
  const answers = await Promise.all(docs.map((doc) => send(target, ctx, doc, notes)));
  const scoped = await scopesAsked;
  const main = answers.find((a) => a.doc.health)!;
  const phases = main.phases;
  const latencyMs = answers.every((a) => a.latencyMs !== null) ? Math.max(...answers.map((a) => a.latencyMs!)) : null;
  const served = answers.find((a) => a.apiVersion && a.apiVersion !== target.apiVersion)?.apiVersion;
  const deprecation = answers.find((a) => a.deprecation)?.deprecation;
  const base = {
    ...(phases ? { phases } : {}),
    details: {
      apiVersion: target.apiVersion,
      ...notes,
      // Shopify answers a version past its support window with the oldest supported one, and says so in a header.
      ...(served ? { servedApiVersion: served, apiVersionNote: `Shopify answered with ${served}, not ${target.apiVersion}` } : {}),
      ...(deprecation ? { deprecation } : {}),
    } as Record<string, unknown>,
  };
  const costs = answers.map((a) => a.cost).filter((c): c is Cost => Boolean(c));
  const headroom = headroomOf(costs);
  const withCost = { ...base, details: { ...base.details, ...costDetails(costs) }, ...(headroom ? { headroom } : {}) };

  if (!main.ok) return whole(ctx, subChecks, main.latencyMs, main.error, costs.length ? withCost : base);
  const shop = main.data?.shop as { name?: unknown; myshopifyDomain?: unknown; plan?: { publicDisplayName?: unknown } } | null | undefined;
  if (!shop || typeof shop.name !== 'string') {
    const error: ProbeError = { kind: 'bad_response', message: 'the answer has no data.shop', httpStatus: main.status, evidence: excerpt(main.text) };
    return whole(ctx, subChecks, main.latencyMs, error, withCost);
  }
  const details = withCost.details;
  details.shop = shop.name;
  details.domain = shop.myshopifyDomain;
  details.plan = shop.plan?.publicDisplayName;
  const granted = scopesOf(main.data?.app);
  if (granted) details.scopes = granted;

  const subs = subChecks.map((name): SubCheck => {
    const tile = SHOPIFY_TILES[name];
    const a = answers.find((x) => x.doc.subChecks.includes(name))!;
    if (!a.ok) return subCheck(name, tile, null, a.error);
    const own = a.errors.filter((e) => e.path?.[0] === name);
    if (own.length) return subCheck(name, tile, a.latencyMs, graphqlError(own, a.status));
    const got = READ[name](a.data?.[name]);
    if (!got) {
      const evidence = excerpt(JSON.stringify(a.data?.[name] ?? null));
      return subCheck(name, tile, a.latencyMs, { kind: 'bad_response', message: `data.${name} is not what the query asks for`, evidence });
    }
    // Without the merchant-managed scope Shopify leaves the store's own fulfillment orders out: "none" would be a false green.
    if (name === 'fulfillment' && granted && !granted.includes(MERCHANT_FULFILLMENT_SCOPE)) {
      return subCheck(name, tile, a.latencyMs, {
        kind: 'auth',
        message: `the token lacks ${MERCHANT_FULFILLMENT_SCOPE}: fulfillment orders at the store's own locations are not visible`,
        httpStatus: a.status,
        code: 'MISSING_SCOPE',
      });
    }
    return { ...subCheck(name, tile, a.latencyMs, null), details: got };
  });
  const hooks = answers.find((a) => a.doc.name === 'PitwallWebhooks');
  if (hooks) subs.push(hooks.ok ? webhookSubCheck(target, hooks.data as WebhookAnswer | null, hooks.latencyMs) : { ...subCheck('webhooks', 'sales-pulse', null, hooks.error), status: 'degraded' });
  if (scoped) subs.push(scoped.ok ? scopeSubCheck(target, scoped.scopes, scoped.latencyMs) : { ...subCheck('scopes', 'sales-pulse', null, scoped.error), status: 'degraded' });

  return classify({ latencyMs, degradedMs: ctx.degradedMs, ...withCost, subChecks: subs });
}

/** What sales-sync needs of a Shopify target: where and how to ask. */
export type ShopifyConnection = Pick<ShopifyTarget, 'shop' | 'apiVersion' | 'accessToken' | 'endpoint'>;

/** Orders created in [from, to), counted by `ordersCount` through the probe's own client and error reading. */
export async function shopifyOrdersCount(
  target: ShopifyConnection,
  ctx: ProbeContext,
  from: Date,
  to: Date,
): Promise<{ ok: true; count: number; precision: string; latencyMs: number } | { ok: false; error: ProbeError }> {
  const doc: ShopifyDocument = {
    name: 'PitwallSalesSync',
    query: 'query PitwallSalesSync($window: String) {\n  orders: ordersCount(query: $window) { count precision }\n}',
    variables: { window: `${sinceFilter('created_at', from).replace(':>', ':>=')} ${untilFilter('created_at', to)}` },
    subChecks: ['orders'],
    health: false,
  };
  const a = await send(target as ShopifyTarget, ctx, doc, {});
  if (!a.ok) return { ok: false, error: a.error };
  const own = a.errors.filter((e) => e.path?.[0] === 'orders');
  if (own.length) return { ok: false, error: graphqlError(own, a.status) };
  const got = READ.orders(a.data?.orders);
  if (!got) return { ok: false, error: { kind: 'bad_response', message: 'data.orders is not what the query asks for', evidence: excerpt(JSON.stringify(a.data?.orders ?? null)) } };
  return { ok: true, count: got.ordersLastHour as number, precision: String(got.precision), latencyMs: a.latencyMs };
}

/** Sends one document and reads its answer down to data and errors. */
async function send(target: ShopifyTarget, ctx: ProbeContext, doc: ShopifyDocument, notes: Record<string, unknown>): Promise<Answer> {
  let exchange: HttpAnswer | HttpFailure | undefined;
  let deprecation: string | undefined;
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
        if (log.type === 'HTTP-Response-GraphQL-Deprecation-Notice') deprecation = log.content.deprecationNotice;
      },
    });
    res = await client.request(doc.query, { variables: doc.variables, signal: ctx.signal });
  } catch (err) {
    // Only a client misconfiguration gets here (request() turns fetch failures into values).
    return { ok: false, doc, latencyMs: null, error: { kind: 'protocol', message: `Shopify client: ${messageOf(err)}` } };
  }
  const x = exchange as HttpAnswer | HttpFailure | undefined;
  if (!x) return { ok: false, doc, latencyMs: null, error: { kind: 'protocol', message: res.errors?.message ?? 'the request was never sent' } };
  if (!x.ok) return { ok: false, doc, latencyMs: null, error: x.error, phases: x.phases };
  const meta = { doc, phases: x.phases, ...(x.headers['x-shopify-api-version'] ? { apiVersion: x.headers['x-shopify-api-version'] } : {}), ...(deprecation ? { deprecation } : {}) };

  if (x.status < 200 || x.status > 299) {
    const err = statusError(x, 'Shopify');
    // A 429 may still carry the cost extension; the bucket then says how long to wait.
    const cost = x.status === 429 ? costOf(tryJson(x)) : undefined;
    const wait = err.retryAfterMs ?? bucketWait(cost);
    return { ok: false, ...meta, latencyMs: x.latencyMs, ...(cost ? { cost } : {}), error: { ...err, ...(wait !== undefined ? { retryAfterMs: wait } : {}) } };
  }
  const gqlErrors = (res.errors?.graphQLErrors ?? []) as GraphQLError[];
  const data = (res.data as Record<string, unknown> | undefined) ?? null;
  const cost = res.extensions?.cost as Cost | undefined;
  const withCost = { ...meta, latencyMs: x.latencyMs, ...(cost ? { cost } : {}) };
  if (res.errors && gqlErrors.length === 0 && !data) {
    const parsed = parseJsonBody(x);
    const error: ProbeError = parsed.ok
      ? { kind: 'bad_response', message: badEnvelope(x, res.errors.message), httpStatus: x.status, evidence: excerpt(x.text) }
      : parsed.error;
    return { ok: false, ...withCost, error };
  }
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
    return { ok: false, ...withCost, error };
  }
  // Errors that name no field of ours (validation, cost, internal) fail the whole document.
  const aliases = new Set<string>(doc.subChecks);
  const docErrors = gqlErrors.filter((e) => !aliases.has(String(e.path?.[0] ?? '')));
  if (docErrors.length) return { ok: false, ...withCost, error: graphqlError(docErrors, x.status) };
  return { ok: true, ...withCost, data, errors: gqlErrors, status: x.status, text: x.text };
}

function scopesOf(app: unknown): string[] | null {
  const list = (app as { accessScopes?: { handle?: unknown }[] } | null | undefined)?.accessScopes;
  if (!Array.isArray(list)) return null;
  return list.map((s) => s?.handle).filter((h): h is string => typeof h === 'string');
}

/** A failure of the whole document: every sub-check shares it, since none of them got an answer. */
function whole(
  ctx: ProbeContext,
  names: readonly SubCheckName[],
  latencyMs: number | null,
  error: ProbeError,
  extra: { phases?: ProbeResult['phases']; details?: Record<string, unknown>; headroom?: Headroom[] } = {},
): ProbeResult {
  const subChecks = names.map((n) => subCheck(n, SHOPIFY_TILES[n], null, error));
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

/** The bucket as the last answer left it: the lowest `currentlyAvailable` of this run's answers. */
function headroomOf(costs: Cost[]): Headroom[] | undefined {
  const t = costs
    .map((c) => c.throttleStatus)
    .filter((x) => typeof x?.currentlyAvailable === 'number' && typeof x.maximumAvailable === 'number')
    .sort((x, y) => x!.currentlyAvailable! - y!.currentlyAvailable!)[0];
  if (!t) return undefined;
  return [{ name: 'throttle', remaining: t.currentlyAvailable!, limit: t.maximumAvailable! }];
}

/** The run's cost: requested and actual summed over its documents, and the emptiest bucket seen. */
function costDetails(costs: Cost[]): Record<string, unknown> {
  if (!costs.length) return {};
  const sum = (f: (c: Cost) => number | null | undefined) => (costs.some((c) => typeof f(c) !== 'number') ? null : costs.reduce((n, c) => n + f(c)!, 0));
  const t = costs
    .map((c) => c.throttleStatus)
    .filter((x) => typeof x?.currentlyAvailable === 'number')
    .sort((x, y) => x!.currentlyAvailable! - y!.currentlyAvailable!)[0];
  return {
    cost: { requestedQueryCost: sum((c) => c.requestedQueryCost), actualQueryCost: sum((c) => c.actualQueryCost) },
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
