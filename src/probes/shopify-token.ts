/**
 * Shopify expiring offline access tokens (https://shopify.dev/changelog/offline-access-tokens-now-support-expiry-and-refresh):
 * the token lasts 60 minutes (`expires_in`), its refresh token 90 days, and the app trades the refresh token for a new
 * pair at POST https://{shop}/admin/oauth/access_token with JSON { client_id, client_secret, refresh_token,
 * grant_type: "refresh_token" } (the shape @shopify/shopify-api's refreshToken sends). Shopify keeps ONE expiring
 * token per app and store: a refresh revokes the previous one, so only pitwall's own app may be refreshed here.
 * The keeper holds the current pair in memory per target (like GaProber's clients); nothing is written to disk.
 */
import type { CredentialsConfig, ShopifyTarget } from '../config/config.js';
import { credentialSubCheck, type Credential } from './credentials.js';
import { excerpt, httpExchange, parseJsonBody } from './http-client.js';
import type { ProbeContext, ProbeError, SubCheck } from './types.js';

interface TokenState {
  accessToken: string;
  expiresAt: number | null;
  refreshToken: string | null;
  refreshExpiresAt: number | null;
  /** The last refresh attempt, for the detail view. */
  last: { at: number; ok: true } | { at: number; ok: false; error: ProbeError } | null;
  inflight: Promise<void> | null;
}

export interface ShopifyTokens {
  /** The target with the token to use now (refreshed first when due), and one sub-check per credential with an end. */
  prepare(target: ShopifyTarget, ctx: ProbeContext, policy?: CredentialsConfig): Promise<{ target: ShopifyTarget; subChecks: SubCheck[] }>;
}

/** One keeper per process (the probe runner owns it). `now` is injectable for tests. */
export function createShopifyTokens(opts: { now?: () => number } = {}): ShopifyTokens {
  const now = opts.now ?? Date.now;
  const states = new Map<string, TokenState>();

  const stateOf = (t: ShopifyTarget): TokenState => {
    // A changed config (another token or refresh token) starts afresh.
    const key = JSON.stringify([t.id, t.accessToken, t.tokenRefresh?.refreshToken ?? null]);
    let s = states.get(key);
    if (!s) {
      s = {
        accessToken: t.accessToken,
        expiresAt: t.accessTokenExpiresAt ? Date.parse(t.accessTokenExpiresAt) : null,
        refreshToken: t.tokenRefresh?.refreshToken ?? null,
        refreshExpiresAt: t.tokenRefresh?.refreshTokenExpiresAt ? Date.parse(t.tokenRefresh.refreshTokenExpiresAt) : null,
        last: null,
        inflight: null,
      };
      for (const k of states.keys()) if (JSON.parse(k)[0] === t.id) states.delete(k);
      states.set(key, s);
    }
    return s;
  };

  return {
    async prepare(target, ctx, policy) {
      const s = stateOf(target);
      const r = target.tokenRefresh;
      if (r && s.refreshToken) {
        const due = s.expiresAt === null || s.expiresAt - now() < r.refreshBeforeMinutes * 60_000;
        const refreshUsable = s.refreshExpiresAt === null || s.refreshExpiresAt > now();
        if (due && refreshUsable) {
          s.inflight ??= refresh(target, s, ctx, now).finally(() => (s.inflight = null));
          await s.inflight;
        }
      }
      const creds: Credential[] = [];
      if (s.expiresAt !== null || r) {
        creds.push({ name: 'access token', expiresAt: s.expiresAt === null ? null : new Date(s.expiresAt), source: s.last?.ok ? 'Shopify refresh response (expires_in)' : 'config (accessTokenExpiresAt)' });
      }
      if (r) {
        creds.push({
          name: 'refresh token',
          expiresAt: s.refreshExpiresAt === null ? null : new Date(s.refreshExpiresAt),
          source: s.last?.ok ? 'Shopify refresh response (refresh_token_expires_in)' : 'config (tokenRefresh.refreshTokenExpiresAt)',
        });
      }
      // A refreshable access token lasts an hour by design: it is late only once it is inside the refresh window
      // unrefreshed. The refresh token is what must outlive the launch.
      const at = new Date(now());
      const subs = creds.map((c) =>
        credentialSubCheck(c, r && c.name === 'access token' ? { warnHours: r.refreshBeforeMinutes / 60 } : policy, at),
      );
      if (s.last && !s.last.ok) {
        // A failed refresh while the token still works is degraded: the next expiry will not be survived.
        subs.unshift({ name: 'token refresh', status: 'degraded', latencyMs: null, error: s.last.error, details: { at: new Date(s.last.at).toISOString(), warning: `token refresh failed: ${s.last.error.message}` } });
      } else if (s.last?.ok) {
        subs.push({ name: 'token refresh', status: 'up', latencyMs: null, error: null, details: { at: new Date(s.last.at).toISOString() } });
      }
      return { target: s.accessToken === target.accessToken ? target : { ...target, accessToken: s.accessToken }, subChecks: subs };
    },
  };
}

/** One refresh; the state takes the new pair only when the answer is complete. Failures are kept as values. */
async function refresh(target: ShopifyTarget, s: TokenState, ctx: ProbeContext, now: () => number): Promise<void> {
  const r = target.tokenRefresh!;
  const base = target.endpoint ? target.endpoint.replace(/\/+$/, '') : `https://${target.shop}`;
  const at = now();
  const x = await httpExchange({
    url: `${base}/admin/oauth/access_token`,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ client_id: r.clientId, client_secret: r.clientSecret, refresh_token: s.refreshToken, grant_type: 'refresh_token' }),
    signal: ctx.signal,
    ...(ctx.dispatcher ? { dispatcher: ctx.dispatcher } : {}),
    timeoutMs: ctx.timeoutMs,
  });
  const fail = (error: ProbeError) => void (s.last = { at, ok: false, error });
  if (!x.ok) return fail({ ...x.error, message: `token refresh: ${x.error.message}` });
  const parsed = parseJsonBody(x);
  const json = (parsed.ok ? parsed.json : null) as Record<string, unknown> | null;
  if (x.status < 200 || x.status > 299) {
    // OAuth errors say what is wrong in `error` / `error_description`; only those leave the process, never the body.
    const what = [json?.error, json?.error_description].filter((v): v is string => typeof v === 'string').join(': ');
    return fail({
      kind: x.status === 429 ? 'rate_limited' : x.status >= 500 ? 'http' : 'auth',
      httpStatus: x.status,
      message: `token refresh refused (HTTP ${x.status})${what ? `: ${excerpt(what, 200)}` : ''}`,
    });
  }
  const accessToken = json?.access_token;
  const expiresIn = json?.expires_in;
  const refreshToken = json?.refresh_token;
  if (typeof accessToken !== 'string' || !accessToken || typeof expiresIn !== 'number' || typeof refreshToken !== 'string' || !refreshToken) {
    // No evidence: a partial answer may still hold a token.
    return fail({ kind: 'bad_response', httpStatus: x.status, message: 'token refresh answered without access_token, expires_in and refresh_token' });
  }
  const refreshIn = json?.refresh_token_expires_in;
  s.accessToken = accessToken;
  s.expiresAt = at + expiresIn * 1000;
  s.refreshToken = refreshToken;
  s.refreshExpiresAt = typeof refreshIn === 'number' ? at + refreshIn * 1000 : s.refreshExpiresAt;
  s.last = { at, ok: true };
}
