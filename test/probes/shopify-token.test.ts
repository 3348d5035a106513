import { afterEach, describe, expect, it } from 'vitest';
import { configFromObject, type ShopifyTarget } from '../../src/config/config.js';
import { startGaPeer } from '../../src/peers/ga-peer.js';
import { startShopifyPeer, type ShopifyPeer } from '../../src/peers/shopify-peer.js';
import type { ProbeContext, ProbeResult } from '../../src/probes/types.js';
import { createProbeRunner, type ProbeRunner } from '../../src/state/probe-runner.js';

const MIN = 60_000;
const START = Date.parse('2026-12-04T08:00:00Z');
const OAUTH = { clientId: 'pitwall-app-client-id', clientSecret: 'shpss_client_secret_value', refreshToken: 'shprt_initial_refresh_token' };

const ctx = (): ProbeContext => ({ signal: AbortSignal.timeout(5000), timeoutMs: 5000, degradedMs: 60_000 });
const sub = (r: ProbeResult, name: string) => r.subChecks?.find((s) => s.name === name);

describe('Shopify expiring offline tokens: time left, refresh, and a refresh that fails', () => {
  let clock = START;
  let peer: ShopifyPeer | undefined;
  let runner: ProbeRunner | undefined;
  afterEach(async () => {
    await runner?.close();
    await peer?.close();
    clock = START;
  });

  async function setUp(opts: { expiresInMin: number; refresh?: boolean; refreshExpiresInSeconds?: number; extra?: Record<string, unknown> }) {
    peer = await startShopifyPeer({
      accessToken: 'shpat_initial_token',
      accessTokenExpiresAt: START + opts.expiresInMin * MIN,
      now: () => clock,
      oauth: { ...OAUTH, ...(opts.refreshExpiresInSeconds ? { refreshExpiresInSeconds: opts.refreshExpiresInSeconds } : {}) },
    });
    runner = createProbeRunner({ now: () => clock });
    const config = configFromObject({
      targets: [
        {
          kind: 'shopify',
          id: 'shopify-admin',
          shop: 'hot-rod-an.myshopify.com',
          accessToken: 'shpat_initial_token',
          apiVersion: '2026-10',
          endpoint: peer.url,
          subChecks: ['orders'],
          accessTokenExpiresAt: new Date(START + opts.expiresInMin * MIN).toISOString(),
          ...(opts.refresh ? { tokenRefresh: OAUTH } : {}),
        },
      ],
      ...(opts.extra ?? {}),
    });
    return config.targets[0] as ShopifyTarget;
  }

  it('refreshes a token inside its refresh window, uses the new one, and shows both ends', async () => {
    const t = await setUp({ expiresInMin: 3, refresh: true });
    const r = await runner!.run(t, ctx());
    expect(r.status).toBe('up');
    // The refresh went to the token endpoint in Shopify's shape, and the GraphQL call carried the new token.
    expect(peer!.oauth!.requests).toEqual([{ client_id: OAUTH.clientId, client_secret: OAUTH.clientSecret, refresh_token: OAUTH.refreshToken, grant_type: 'refresh_token' }]);
    expect(peer!.requests.at(-1)!.headers['x-shopify-access-token']).toBe(peer!.accessToken);
    expect(peer!.accessToken).not.toBe('shpat_initial_token');
    expect(sub(r, 'access token')).toMatchObject({ status: 'up', details: { left: '1 h', source: 'Shopify refresh response (expires_in)' } });
    expect(sub(r, 'refresh token')).toMatchObject({ status: 'up', details: { left: '90 d' } });
    expect(sub(r, 'token refresh')).toMatchObject({ status: 'up' });
    // No token or secret leaves in the result.
    const json = JSON.stringify(r);
    for (const secret of [peer!.accessToken, OAUTH.clientSecret, OAUTH.refreshToken, peer!.oauth!.refreshToken]) expect(json).not.toContain(secret);

    // An hour on, the rotated refresh token is used for the next refresh.
    clock += 57 * MIN;
    const again = await runner!.run(t, ctx());
    expect(again.status).toBe('up');
    expect(peer!.oauth!.requests).toHaveLength(2);
    expect(peer!.oauth!.requests[1]!.refresh_token).not.toBe(OAUTH.refreshToken);
  });

  it('is degraded when the refresh token itself is near its end', async () => {
    const t = await setUp({ expiresInMin: 3, refresh: true, refreshExpiresInSeconds: 10 * 3600 });
    const r = await runner!.run(t, ctx());
    expect(r.status).toBe('degraded');
    expect(r.status === 'degraded' && r.reason).toBe('refresh token expires in 10 h (under 24 h)');
  });

  it('is degraded when a refresh fails while the token still works, and down once it has expired', async () => {
    const t = await setUp({ expiresInMin: 3, refresh: true });
    peer!.oauth!.setFailure('invalid_grant');
    const r = await runner!.run(t, ctx());
    expect(r.status).toBe('degraded');
    expect(r.status === 'degraded' && r.reason).toBe(
      'token refresh failed: token refresh refused (HTTP 400): invalid_grant: The provided authorization grant is invalid, expired, revoked, or was issued to another client.',
    );
    expect(sub(r, 'token refresh')).toMatchObject({ status: 'degraded', error: { kind: 'auth', httpStatus: 400 } });

    clock += 4 * MIN;
    const expired = await runner!.run(t, ctx());
    expect(expired.status).toBe('down');
    expect(expired.error).toMatchObject({ kind: 'auth', httpStatus: 401 });
    expect(sub(expired, 'token refresh')?.status).toBe('degraded');
  });

  it('says when a refresh answers 200 without a token (and keeps the old pair)', async () => {
    const t = await setUp({ expiresInMin: 3, refresh: true });
    peer!.oauth!.setFailure('incomplete');
    const r = await runner!.run(t, ctx());
    expect(r.status).toBe('degraded');
    expect(sub(r, 'token refresh')?.error).toMatchObject({ kind: 'bad_response', message: 'token refresh answered without access_token, expires_in and refresh_token' });
    expect(peer!.requests.at(-1)!.headers['x-shopify-access-token']).toBe('shpat_initial_token');
  });

  it('without refresh: degraded under 24 h, and when the token ends before the launch does', async () => {
    const t = await setUp({ expiresInMin: 5 * 60 });
    const r = await runner!.run(t, ctx());
    expect(r.status === 'degraded' && r.reason).toBe('access token expires in 5 h (under 24 h)');
    expect(peer!.oauth!.requests).toHaveLength(0);
    await runner!.close();
    await peer!.close();

    const long = await setUp({ expiresInMin: 3 * 24 * 60, extra: { credentials: { launchEndsAt: '2026-12-10T00:00:00Z' } } });
    const r2 = await runner!.run(long, ctx());
    expect(r2.status === 'degraded' && r2.reason).toBe('access token expires in 3 d, before the launch ends (2026-12-10T00:00:00.000Z)');
  });

  it('shares the refreshed token with a sales-sync target checked at the same moment (no race on the revoked one)', async () => {
    await setUp({ expiresInMin: 3, refresh: true });
    const ga = await startGaPeer({ now: () => clock, purchases: [clock - 60_000] });
    try {
      const config = configFromObject({
        targets: [
          {
            kind: 'shopify',
            id: 'shopify-admin',
            shop: 'hot-rod-an.myshopify.com',
            accessToken: 'shpat_initial_token',
            apiVersion: '2026-10',
            endpoint: peer!.url,
            subChecks: ['orders'],
            accessTokenExpiresAt: new Date(START + 3 * MIN).toISOString(),
            tokenRefresh: OAUTH,
          },
          { kind: 'ga', id: 'ga', propertyId: '1', endpoint: ga.address, insecure: true },
          { kind: 'sales-sync', id: 'sales-sync', shopify: 'shopify-admin', ga: 'ga' },
        ],
      });
      const [shopResult, sync] = await Promise.all([runner!.run(config.targets[0]!, ctx()), runner!.run(config.targets[2]!, ctx())]);
      expect(shopResult.status).toBe('up');
      expect(sync.status).not.toBe('down');
      // One refresh served both.
      expect(peer!.oauth!.requests).toHaveLength(1);
    } finally {
      await ga.close();
    }
  });
});
