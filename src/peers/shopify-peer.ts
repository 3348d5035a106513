import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import {
  defaultFieldResolver,
  execute,
  getNamedType,
  GraphQLError,
  NoDeprecatedCustomRule,
  parse,
  validate,
  type DocumentNode,
  type GraphQLFieldResolver,
} from 'graphql';
import { startPeer, sendJson, type Peer, sendTruncatedJson } from './serve.js';
import { loadAdminSchema, queryCost, scopesIn, servedVersion, SHOPIFY_SCHEMA_VERSIONS, type AdminSchema } from './shopify-schema.js';
import { defaultWorld, rootResolvers, type ShopifyWorld } from './shopify-world.js';
import { createShopifyOAuth, type ShopifyOAuth, type ShopifyOAuthOptions } from './shopify-oauth.js';

/** How the fake Admin API behaves; switch at run time with `setMode`. */
export const SHOPIFY_PEER_MODES = ['healthy', 'slow', 'throttled', 'http429', 'html502', 'truncated', 'hang'] as const;
export type ShopifyPeerMode = (typeof SHOPIFY_PEER_MODES)[number];

/**
 * Shopify's GraphQL Admin restore rates per plan (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits:
 * Standard 100, Advanced 200, Plus 1000, Commerce Components 2000 points/second); the bucket holds 20 seconds of
 * restore, as real throttleStatus answers show (maximumAvailable 2000 at restoreRate 100).
 */
export const SHOPIFY_PLAN_LIMITS = {
  standard: { restoreRate: 100, maximumAvailable: 2_000, publicDisplayName: 'Basic', shopifyPlus: false },
  advanced: { restoreRate: 200, maximumAvailable: 4_000, publicDisplayName: 'Advanced', shopifyPlus: false },
  plus: { restoreRate: 1_000, maximumAvailable: 20_000, publicDisplayName: 'Plus', shopifyPlus: true },
  enterprise: { restoreRate: 2_000, maximumAvailable: 40_000, publicDisplayName: 'Plus', shopifyPlus: true },
} as const;
export type ShopifyPlan = keyof typeof SHOPIFY_PLAN_LIMITS;

/** Shopify: one query may cost at most 1000 points, whatever the plan. */
const MAX_QUERY_COST = 1000;

/** The scopes pitwall asks a store owner for (see README "Shopify API versions and scopes"). */
export const PITWALL_SHOPIFY_SCOPES = ['read_orders', 'read_products', 'read_merchant_managed_fulfillment_orders'] as const;

/** Shopify's documented 401 body for a wrong X-Shopify-Access-Token. */
export const SHOPIFY_INVALID_TOKEN_BODY = {
  errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
};

export interface ShopifyPeerOptions {
  /** The token the peer accepts. */
  accessToken?: string;
  /** When that token stops being accepted (peer clock, ms): an expiring offline token. */
  accessTokenExpiresAt?: number;
  /** Serve the token endpoint (POST /admin/oauth/access_token) for expiring offline tokens. */
  oauth?: ShopifyOAuthOptions;
  mode?: ShopifyPeerMode;
  /** Access scopes granted to the token (default: PITWALL_SHOPIFY_SCOPES). */
  scopes?: readonly string[];
  /** The store's plan: its bucket and restore rate (default standard). */
  plan?: ShopifyPlan;
  /** Delay of the `slow` mode, ms. */
  slowMs?: number;
  /** Retry-After of the `http429` mode, seconds. */
  retryAfterSeconds?: number;
  /** Override the plan's bucket size (points) and restore rate (points per second). */
  maximumAvailable?: number;
  restoreRate?: number;
  /** Millisecond clock for the bucket; inject one to drain and restore it without waiting. */
  now?: () => number;
  shop?: { name: string; myshopifyDomain: string };
  /** Orders placed in the last hour, and the product count. */
  ordersCount?: number;
  productsCount?: number;
  /** The store's data; default `defaultWorld(Date.now())`. */
  world?: ShopifyWorld;
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
  /** Root fields of the operation, as `alias:field` or `field`. */
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
  /** Switches behaviour; `tune` adjusts the mode's knobs (delay, Retry-After). */
  setMode(mode: ShopifyPeerMode, tune?: Pick<ShopifyPeerOptions, 'slowMs' | 'retryAfterSeconds'>): void;
  /** Replaces the token's granted access scopes. */
  setScopes(scopes: readonly string[]): void;
  requests: ShopifyPeerRequest[];
  world: ShopifyWorld;
  /** The bucket as of the peer's clock now. */
  bucket(): ThrottleStatus;
  /** Sets the bucket's points (e.g. drain it to force natural throttling). */
  setAvailable(points: number): void;
  readonly accessToken: string;
  /** The token endpoint, when `oauth` was given. */
  oauth: ShopifyOAuth | null;
}

interface Ctx {
  admin: AdminSchema;
  scopes: ReadonlySet<string>;
}

/**
 * A loopback Shopify Admin GraphQL API: POST /admin/api/:version/graphql.json. Every document is parsed,
 * validated and executed by graphql-js against Shopify's published schema of that version, with resolvers over a
 * fake store, so aliases, arguments, validation errors, access-denied errors per scope (from the schema's own
 * `requiredAccess`) and GraphQL's null propagation are Shopify's. Plus the token check, the leaky bucket with cost
 * extensions, and failure modes.
 */
export async function startShopifyPeer(opts: ShopifyPeerOptions = {}): Promise<ShopifyPeer> {
  let accessToken = opts.accessToken ?? 'shpat_pitwall_test_token';
  const now = opts.now ?? Date.now;
  let tokenExpiresAt = opts.accessTokenExpiresAt ?? null;
  const plan = SHOPIFY_PLAN_LIMITS[opts.plan ?? 'standard'];
  const maximumAvailable = opts.maximumAvailable ?? plan.maximumAvailable;
  const restoreRate = opts.restoreRate ?? plan.restoreRate;
  const shop = opts.shop ?? { name: 'Hot Rod AN', myshopifyDomain: 'hot-rod-an.myshopify.com' };
  const world = opts.world ?? defaultWorld(Date.now(), opts.ordersCount, opts.productsCount);
  let worldAt = Date.now();
  // The default store's "last hour" moves with the clock (a demo runs for hours); refreshed at most every 10 minutes.
  const freshen = () => {
    if (opts.world || Date.now() - worldAt < 600_000) return;
    worldAt = Date.now();
    Object.assign(world, defaultWorld(worldAt, opts.ordersCount, opts.productsCount));
  };
  let scopes = new Set<string>(opts.scopes ?? PITWALL_SHOPIFY_SCOPES);
  const oauth = opts.oauth ? createShopifyOAuth(opts.oauth, now, () => [...scopes].sort()) : null;
  let mode: ShopifyPeerMode = opts.mode ?? 'healthy';
  let tune = { slowMs: opts.slowMs ?? 1500, retryAfterSeconds: opts.retryAfterSeconds ?? 2 };
  let available = maximumAvailable;
  let last = now();
  const requests: ShopifyPeerRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  // The newest schema is built before the first request, so no request waits for it.
  loadAdminSchema(SHOPIFY_SCHEMA_VERSIONS.at(-1)!);

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

  const root = rootResolvers(world, shop, { publicDisplayName: plan.publicDisplayName, shopifyPlus: plan.shopifyPlus });
  const fieldResolver: GraphQLFieldResolver<unknown, Ctx> = (source, args, ctx, info) => {
    const isRoot = info.parentType === info.schema.getQueryType();
    const named = getNamedType(info.returnType);
    // Shopify gates a field by its own requiredAccess, a root field also by its type's (or its connection's node type's).
    const nodeType = named.name.endsWith('Connection') ? named.name.slice(0, -'Connection'.length) : named.name;
    const required =
      ctx.admin.requiredAccess(`${info.parentType.name}.${info.fieldName}`) ?? (isRoot ? (ctx.admin.requiredAccess(nodeType) ?? null) : null);
    if (required && !scopesIn(required).some((s) => ctx.scopes.has(s))) {
      throw new GraphQLError(`Access denied for ${info.fieldName} field. Required access: ${required}`, {
        extensions: { code: 'ACCESS_DENIED', documentation: 'https://shopify.dev/api/usage/access-scopes', requiredAccess: required },
      });
    }
    if (isRoot) {
      const resolve = root[info.fieldName];
      if (!resolve) throw new GraphQLError(`The pitwall Shopify peer does not implement QueryRoot.${info.fieldName}`);
      return resolve(args, ctx.scopes);
    }
    return defaultFieldResolver(source, args, ctx, info);
  };

  const peer = await startPeer(async (req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://peer');
    const route = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(url.pathname);
    const parsed = parseBody(body);
    const record: ShopifyPeerRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      apiVersion: route?.[1] ?? null,
      headers: req.headers,
      query: parsed.query,
      variables: parsed.variables,
      fields: [],
      cost: null,
    };
    requests.push(record);

    // REST, unversioned: the token's granted scopes (https://shopify.dev/docs/api/admin-rest/latest/resources/accessscope).
    if (url.pathname === '/admin/oauth/access_scopes.json' && req.method === 'GET') {
      if (mode === 'hang') return;
      if (mode === 'html502') return sendHtml502(res);
      if (req.headers['x-shopify-access-token'] !== accessToken) return sendJson(res, 401, SHOPIFY_INVALID_TOKEN_BODY);
      return sendJson(res, 200, { access_scopes: [...scopes].sort().map((handle) => ({ handle })) });
    }
    if (oauth && url.pathname === '/admin/oauth/access_token' && req.method === 'POST') {
      const answer = oauth.handle(body, req.headers['content-type']);
      // A new expiring token revokes the previous one.
      if (answer.issued) ({ accessToken, expiresAt: tokenExpiresAt } = answer.issued);
      return sendJson(res, answer.status, answer.body);
    }
    if (!route || req.method !== 'POST') return sendJson(res, 404, { errors: 'Not Found' });
    // Edge failures come before the app sees the request.
    if (mode === 'hang') return;
    if (mode === 'html502') return sendHtml502(res);
    if (mode === 'slow') await delay(tune.slowMs);
    if (req.headers['x-shopify-access-token'] !== accessToken || (tokenExpiresAt !== null && now() >= tokenExpiresAt)) return sendJson(res, 401, SHOPIFY_INVALID_TOKEN_BODY);
    if (mode === 'http429') {
      return sendJson(
        res,
        429,
        { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' },
        { 'retry-after': String(tune.retryAfterSeconds) },
      );
    }
    if (!parsed.query) return sendJson(res, 400, { errors: { query: 'Required parameter missing or invalid' } });

    freshen();
    const admin = loadAdminSchema(servedVersion(route[1]!));
    const headers: Record<string, string> = { 'x-shopify-api-version': admin.version };
    let doc: DocumentNode;
    try {
      doc = parse(parsed.query);
    } catch (err) {
      const e = err as GraphQLError;
      return sendJson(res, 200, { errors: [{ message: e.message, locations: e.locations }] }, headers);
    }
    record.fields = rootFields(doc);
    const invalid = validate(admin.schema, doc);
    if (invalid.length) return sendJson(res, 200, { errors: invalid.map((e) => e.toJSON()) }, headers);
    // Shopify answers a deprecated field and says so in this header (@shopify/admin-api-client logs it).
    if (validate(admin.schema, doc, [NoDeprecatedCustomRule]).length) {
      headers['x-shopify-api-deprecated-reason'] = 'https://shopify.dev/api/usage/versioning#deprecation-practices';
    }

    const cost = Math.max(1, queryCost(admin.schema, doc, parsed.variables));
    record.cost = cost;
    if (cost > MAX_QUERY_COST) {
      return sendJson(res, 200, {
        errors: [
          {
            message: `Query cost is ${cost}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`,
            extensions: { code: 'MAX_COST_EXCEEDED', cost, maxCost: MAX_QUERY_COST, documentation: 'https://shopify.dev/api/usage/rate-limits' },
          },
        ],
      }, headers);
    }
    refill();
    // Another client saturating the same app+store bucket: it stays empty while this mode lasts.
    if (mode === 'throttled') available = 0;
    if (available < cost) {
      return sendJson(res, 200, {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: throttleStatus() } },
      }, headers);
    }

    const result = (await execute({
      schema: admin.schema,
      document: doc,
      variableValues: parsed.variables,
      contextValue: { admin, scopes } satisfies Ctx,
      fieldResolver,
      typeResolver: (value) => (value as { __typename?: string }).__typename,
    })) as { data?: Record<string, unknown> | null; errors?: readonly GraphQLError[] };
    const data = result.data ?? null;
    const nodesOf = (key: string) => {
      const v = data?.[key] as { nodes?: unknown[]; edges?: unknown[] } | null | undefined;
      return v?.nodes?.length ?? v?.edges?.length ?? 0;
    };
    const actual = Math.min(cost, Math.max(1, queryCost(admin.schema, doc, parsed.variables, nodesOf)));
    available -= actual;
    const payload = {
      ...(result.errors?.length ? { errors: result.errors.map((e) => e.toJSON()) } : {}),
      data,
      extensions: { cost: { requestedQueryCost: cost, actualQueryCost: actual, throttleStatus: throttleStatus() } },
    };
    if (mode === 'truncated') return sendTruncatedJson(res, payload);
    sendJson(res, 200, payload, headers);
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
    setScopes(next) {
      scopes = new Set(next);
    },
    requests,
    world,
    bucket() {
      refill();
      return throttleStatus();
    },
    setAvailable(points) {
      refill();
      available = Math.max(0, Math.min(maximumAvailable, points));
    },
    get accessToken() {
      return accessToken;
    },
    oauth,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await peer.close();
    },
  };
}

function rootFields(doc: DocumentNode): string[] {
  const op = doc.definitions.find((d) => d.kind === 'OperationDefinition');
  if (!op || op.kind !== 'OperationDefinition') return [];
  return op.selectionSet.selections.flatMap((s) => (s.kind === 'Field' ? [s.alias ? `${s.alias.value}:${s.name.value}` : s.name.value] : []));
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

function sendHtml502(res: ServerResponse): void {
  res.writeHead(502, { 'content-type': 'text/html; charset=utf-8' });
  res.end(
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>502 Bad Gateway</title>\n</head>\n' +
      '<body>\n<h1>502 Bad Gateway</h1>\n<p>There was a problem loading this page. Please try again in a few moments.</p>\n</body>\n</html>\n',
  );
}
