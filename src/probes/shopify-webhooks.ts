/**
 * Issue 21's Shopify sub-checks beyond "is the API up": the webhook subscriptions the dashboard relies on (topic and
 * URL), and the access scopes granted against those pitwall's checks need. Pure verdicts plus the one REST call.
 */
import type { ShopifyTarget, TileId } from '../config/config.js';
import { excerpt, httpExchange, parseJsonBody, statusError } from './http-client.js';
import { SHOPIFY_SCOPES, SHOPIFY_TILES, WEBHOOK_TOPIC_SCOPES, webhookTopicTile, type ShopifySubCheck } from './shopify-documents.js';
import type { ProbeContext, ProbeError, SubCheck } from './types.js';

/** What the webhook document brought back, as the sub-check reads it. */
export interface WebhookAnswer {
  webhooks?: { nodes?: { topic?: unknown; uri?: unknown }[]; pageInfo?: { hasNextPage?: boolean } } | null;
  recentOrders?: { count?: unknown } | null;
}

/** The same endpoint, written either way: scheme and host case, default port, a trailing slash. */
export function sameUrl(a: string, b: string): boolean {
  const norm = (s: string) => {
    try {
      const u = new URL(s);
      return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}${u.search}`;
    } catch {
      return s.trim();
    }
  };
  return norm(a) === norm(b);
}

/**
 * The `webhooks` sub-check: every configured topic has a subscription at `appUrl`. A missing topic or one pointed
 * elsewhere (an old deploy's URL) is degraded: every API answers, yet the dashboard stops hearing about changes.
 * The details carry the new-order count over the silence window for the receiver-side verdict (state/webhook-stats.ts).
 */
export function webhookSubCheck(target: ShopifyTarget, data: WebhookAnswer | null, latencyMs: number): SubCheck {
  const check = target.webhookCheck!;
  const nodes = data?.webhooks?.nodes;
  const count = data?.recentOrders?.count;
  if (!Array.isArray(nodes) || typeof count !== 'number') {
    const error: ProbeError = { kind: 'bad_response', message: 'data.webhooks is not what the query asks for', evidence: excerpt(JSON.stringify(data ?? null)) };
    return { name: 'webhooks', tile: 'sales-pulse', status: 'down', latencyMs: null, error };
  }
  const subs = nodes.filter((n): n is { topic: string; uri: string } => typeof n.topic === 'string' && typeof n.uri === 'string');
  const topics: Record<string, string> = {};
  const problems: { topic: string; text: string }[] = [];
  for (const topic of check.topics) {
    const mine = subs.filter((s) => s.topic === topic);
    if (mine.some((s) => sameUrl(s.uri, check.appUrl))) topics[topic] = 'subscribed';
    else if (mine.length) {
      topics[topic] = `points at ${mine[0]!.uri}`;
      problems.push({ topic, text: `${topic} points at ${excerpt(mine[0]!.uri, 120)}, not ${check.appUrl}` });
    } else {
      topics[topic] = 'missing';
      problems.push({ topic, text: `${topic} is not subscribed` });
    }
  }
  const details: Record<string, unknown> = {
    appUrl: check.appUrl,
    topics,
    recentOrders: count,
    silentMinutes: check.silentMinutes,
    // Shop-scoped subscriptions only: ones declared in shopify.app.toml are not listed (the schema's own note).
    ...(data?.webhooks?.pageInfo?.hasNextPage ? { note: 'more than one page of subscriptions: only the first was read' } : {}),
  };
  if (!problems.length) return { name: 'webhooks', tile: 'sales-pulse', status: 'up', latencyMs, error: null, details };
  const error: ProbeError = { kind: 'bad_response', code: 'WEBHOOK_NOT_SUBSCRIBED', message: `webhooks: ${problems.map((p) => p.text).join('; ')}` };
  return { name: 'webhooks', tile: webhookTopicTile(problems[0]!.topic), status: 'degraded', latencyMs, error, details };
}

/** The scopes pitwall's checks need on this target: per sub-check and per webhook topic, each "any of" a list. */
export function neededScopes(target: ShopifyTarget): { anyOf: string[]; forWhat: string; tile: TileId }[] {
  const out: { anyOf: string[]; forWhat: string; tile: TileId }[] = [];
  for (const s of target.subChecks as ShopifySubCheck[]) for (const scope of SHOPIFY_SCOPES[s].scopes) out.push({ anyOf: [scope], forWhat: `the ${s} sub-check`, tile: SHOPIFY_TILES[s] });
  for (const topic of target.webhookCheck?.topics ?? []) {
    const anyOf = WEBHOOK_TOPIC_SCOPES[topic];
    if (anyOf) out.push({ anyOf, forWhat: `${topic} webhooks`, tile: webhookTopicTile(topic) });
  }
  return out;
}

/** Shopify: a write scope implies its read scope (write_orders grants read_orders). */
function grants(granted: ReadonlySet<string>, scope: string): boolean {
  return granted.has(scope) || (scope.startsWith('read_') && granted.has(`write_${scope.slice(5)}`));
}

/** The `scopes` sub-check: degraded naming each missing scope and what it is for, before a tile breaks on it. */
export function scopeSubCheck(target: ShopifyTarget, granted: readonly string[], latencyMs: number): SubCheck {
  const have = new Set(granted);
  const missing = neededScopes(target).filter((n) => !n.anyOf.some((s) => grants(have, s)));
  const details = { granted: [...granted].sort(), needed: [...new Set(neededScopes(target).map((n) => n.anyOf.join(' or ')))] };
  if (!missing.length) return { name: 'scopes', tile: 'sales-pulse', status: 'up', latencyMs, error: null, details };
  const text = missing.map((m) => `${m.anyOf.join(' or ')} (for ${m.forWhat})`);
  const error: ProbeError = { kind: 'auth', code: 'MISSING_SCOPE', message: `missing access scope: ${[...new Set(text)].join('; ')}` };
  return { name: 'scopes', tile: missing[0]!.tile, status: 'degraded', latencyMs, error, details: { ...details, missing: missing.map((m) => m.anyOf[0]) } };
}

/**
 * GET /admin/oauth/access_scopes.json (https://shopify.dev/docs/api/admin-rest/latest/resources/accessscope): not
 * versioned, `{"access_scopes":[{"handle":"read_orders"},…]}`. A failure is the sub-check's, not the target's.
 */
export async function accessScopes(target: ShopifyTarget, ctx: ProbeContext): Promise<{ ok: true; scopes: string[]; latencyMs: number } | { ok: false; error: ProbeError }> {
  const base = (target.endpoint ?? `https://${target.shop}`).replace(/\/+$/, '');
  const a = await httpExchange({
    url: `${base}/admin/oauth/access_scopes.json`,
    headers: { 'x-shopify-access-token': target.accessToken, accept: 'application/json' },
    signal: ctx.signal,
    dispatcher: ctx.dispatcher,
    timeoutMs: ctx.timeoutMs,
  });
  if (!a.ok) return { ok: false, error: a.error };
  if (a.status < 200 || a.status > 299) return { ok: false, error: statusError(a, 'Shopify access_scopes.json') };
  const parsed = parseJsonBody(a);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const list = (parsed.json as { access_scopes?: { handle?: unknown }[] } | null)?.access_scopes;
  if (!Array.isArray(list)) return { ok: false, error: { kind: 'bad_response', message: 'access_scopes.json has no access_scopes list', httpStatus: a.status, evidence: excerpt(a.text) } };
  return { ok: true, latencyMs: a.latencyMs, scopes: list.map((s) => s?.handle).filter((h): h is string => typeof h === 'string') };
}
