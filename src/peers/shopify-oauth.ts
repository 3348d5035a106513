/**
 * The Shopify peer's token endpoint for expiring offline tokens: POST /admin/oauth/access_token with
 * { client_id, client_secret, refresh_token, grant_type: "refresh_token" } (JSON or form). A refresh issues a new
 * pair and revokes the previous access token (Shopify keeps one expiring token per app and store); access tokens
 * last 3600 s and refresh tokens 90 days unless told otherwise. Errors in OAuth's shape (RFC 6749 §5.2).
 */
import { randomBytes } from 'node:crypto';

export interface ShopifyOAuthOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Lifetime of each issued access token, seconds (default 3600). */
  expiresInSeconds?: number;
  /** Lifetime of each issued refresh token, seconds (default 90 days). */
  refreshExpiresInSeconds?: number;
}

/** How the endpoint lies: refuse the grant, fail as a server, or answer 200 without a token. */
export type ShopifyOAuthFailure = 'invalid_grant' | 'server_error' | 'incomplete' | null;

export interface ShopifyOAuth {
  /** Answers one token request: status and JSON body; `issued` is the new access token on success. */
  handle(body: string, contentType: string | undefined): { status: number; body: unknown; issued?: { accessToken: string; expiresAt: number } };
  setFailure(f: ShopifyOAuthFailure): void;
  /** Refresh requests seen (bodies parsed; secrets included, for assertions). */
  requests: Record<string, string>[];
  readonly refreshToken: string;
}

export function createShopifyOAuth(opts: ShopifyOAuthOptions, now: () => number, scopes: () => string[]): ShopifyOAuth {
  let refreshToken = opts.refreshToken;
  let failure: ShopifyOAuthFailure = null;
  const requests: Record<string, string>[] = [];
  const oauthError = (status: number, error: string, description: string) => ({ status, body: { error, error_description: description } });
  return {
    requests,
    get refreshToken() {
      return refreshToken;
    },
    setFailure(f) {
      failure = f;
    },
    handle(raw, contentType) {
      let p: Record<string, string>;
      try {
        p = contentType?.includes('application/x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(raw)) : (JSON.parse(raw) as Record<string, string>);
      } catch {
        return oauthError(400, 'invalid_request', 'The request body is not valid JSON.');
      }
      requests.push(p);
      if (failure === 'server_error') return oauthError(503, 'temporarily_unavailable', 'The authorization server is temporarily unavailable.');
      if (p.client_id !== opts.clientId || p.client_secret !== opts.clientSecret) {
        return oauthError(401, 'invalid_client', 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.');
      }
      if (p.grant_type !== 'refresh_token') return oauthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
      if (failure === 'invalid_grant' || p.refresh_token !== refreshToken) {
        return oauthError(400, 'invalid_grant', 'The provided authorization grant is invalid, expired, revoked, or was issued to another client.');
      }
      if (failure === 'incomplete') return { status: 200, body: { scope: scopes().join(',') } };
      const accessToken = `shpat_${randomBytes(16).toString('hex')}`;
      refreshToken = `shprt_${randomBytes(16).toString('hex')}`;
      const expiresIn = opts.expiresInSeconds ?? 3600;
      return {
        status: 200,
        body: { access_token: accessToken, expires_in: expiresIn, refresh_token: refreshToken, refresh_token_expires_in: opts.refreshExpiresInSeconds ?? 7_776_000, scope: scopes().join(',') },
        issued: { accessToken, expiresAt: now() + expiresIn * 1000 },
      };
    },
  };
}
