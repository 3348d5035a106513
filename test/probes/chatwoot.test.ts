import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startChatwootPeer, type ChatwootPeer } from '../../src/peers/chatwoot-peer.js';
import { startNginxLikeProxy, type NginxProxy } from '../../src/peers/nginx-proxy.js';
import { startPeer, sendJson } from '../../src/peers/serve.js';
import { probeChatwoot } from '../../src/probes/chatwoot.js';
import { createHttpAgents } from '../../src/probes/http-client.js';
import type { HttpAgents, ProbeContext, ProbeResult } from '../../src/probes/types.js';
import { configFromObject, type ChatwootTarget } from '../../src/config/config.js';

const TOKEN = 'cw_Zq8vT3nKp4LmW9xY2rB7';

function target(baseUrl: string, extra: Record<string, unknown> = {}): ChatwootTarget {
  const config = configFromObject({ targets: [{ kind: 'chatwoot', id: 'cx', baseUrl, accountId: 1, apiToken: TOKEN, ...extra }] });
  return config.targets[0] as ChatwootTarget;
}

function ctx(timeoutMs = 2000, degradedMs = 1000, dispatcher?: HttpAgents): ProbeContext {
  return { signal: AbortSignal.timeout(timeoutMs), timeoutMs, degradedMs, ...(dispatcher ? { dispatcher } : {}) };
}

function subStatuses(r: ProbeResult) {
  return Object.fromEntries((r.subChecks ?? []).map((s) => [s.name, s.status]));
}

describe('probeChatwoot against the loopback Chatwoot behind an nginx-like proxy', () => {
  let peer: ChatwootPeer;
  let nginx: NginxProxy;
  // Every test goes through the proxy, as a real deployment does: `target(proxy.url)`.
  let proxy: { url: string };
  beforeAll(async () => {
    peer = await startChatwootPeer({ apiToken: TOKEN, accountId: 1, counts: { mine: 2, unassigned: 4, assigned: 11 } });
    nginx = await startNginxLikeProxy(peer.url);
    proxy = { url: nginx.url };
  });
  afterAll(async () => {
    await nginx.close();
    await peer.close();
  });
  afterEach(() => {
    peer.setMode('healthy');
    peer.requests.length = 0;
    nginx.dropped.length = 0;
    vi.useRealTimers();
  });

  it('is up with profile name/role and open/unassigned counts, through the given agents', async () => {
    // Each exchange that ends on a kept-alive connection hands it back to the agent ('free'): both went through it.
    const agents = createHttpAgents();
    let freed = 0;
    agents.http.on('free', () => freed++);
    const r = await probeChatwoot(target(proxy.url), ctx(2000, 1000, agents));
    agents.close();
    const seen = peer.requests.map((q) => `${q.path}${q.search}`);

    expect(r.status).toBe('up');
    expect(r.details).toEqual({ user: 'Dana Pit', role: 'administrator', account: 'Hot Rod AN', administrator: true, open: 15, unassigned: 4, mine: 2, assigned: 11 });
    expect(r.subChecks!.map((s) => [s.name, s.tile, s.status])).toEqual([
      ['profile', 'cx-pulse', 'up'],
      ['conversations', 'cx-pulse', 'up'],
    ]);
    expect(r.phases!.map((p) => p.name)).toEqual(['profile', 'conversations']);
    expect(r.latencyMs).toBeCloseTo(r.subChecks![0]!.latencyMs! + r.subChecks![1]!.latencyMs!, 6);
    expect(seen).toEqual(['/api/v1/profile', '/api/v1/accounts/1/conversations/meta?status=open']);
    expect(freed).toBe(2);
    // The token arrives through the proxy: sent as Api-Access-Token, which Rails reads as HTTP_API_ACCESS_TOKEN.
    expect(peer.requests.map((q) => q.headers['api-access-token'])).toEqual([TOKEN, TOKEN]);
    expect(nginx.dropped).toEqual([]);
  });

  it('is not a false 401 behind nginx: the old api_access_token spelling never reaches Chatwoot, the probe\'s does', async () => {
    const get = (base: string, headers: Record<string, string>) => fetch(`${base}/api/v1/profile`, { headers }).then((r) => r.status);
    // The peer accepts both spellings directly, as Rails does, and nothing else (no Bearer)…
    expect(await get(peer.url, { api_access_token: TOKEN })).toBe(200);
    expect(await get(peer.url, { 'Api-Access-Token': TOKEN })).toBe(200);
    expect(await get(peer.url, { authorization: `Bearer ${TOKEN}` })).toBe(401);
    // …but through nginx the underscore one is dropped: a good token would read as 401.
    expect(await get(nginx.url, { api_access_token: TOKEN })).toBe(401);
    expect(nginx.dropped).toEqual(['api_access_token']);

    const r = await probeChatwoot(target(proxy.url), ctx());
    expect(r.status).toBe('up');
  });

  it('says the counts may be partial when the token is an agent\'s', async () => {
    const agentPeer = await startChatwootPeer({
      apiToken: TOKEN,
      user: { id: 8, name: 'Ari Agent', email: 'ari@hotrodan.example', role: 'agent' },
      counts: { mine: 1, unassigned: 6, assigned: 12 },
      agentCounts: { mine: 1, unassigned: 2, assigned: 3 },
    });
    try {
      const r = await probeChatwoot(target(agentPeer.url), ctx());
      expect(r.status).toBe('up');
      expect(r.details).toMatchObject({ role: 'agent', administrator: false, open: 5, unassigned: 2 });
      expect(r.details.countsNote).toBe("counts may be partial: the token is an agent's, so only its inboxes count");
    } finally {
      await agentPeer.close();
    }
  });

  it('never lets the token the profile echoes back reach the result', async () => {
    const r = await probeChatwoot(target(proxy.url), ctx());

    expect(r.status).toBe('up');
    const json = JSON.stringify(r);
    expect(json).not.toContain(TOKEN);
    expect(json).not.toContain('access_token');
    expect(json).not.toContain('pubsub');
  });

  it('keeps the token out of evidence when the profile is cut mid-token', async () => {
    // The profile starts with "access_token", so half of it shows the token.
    peer.setMode('truncated', { only: 'profile' });
    const r = await probeChatwoot(target(proxy.url), ctx());

    expect(r.status).toBe('down');
    expect(r.error!.kind).toBe('bad_response');
    expect(r.error!.message).toMatch(/^profile: invalid or truncated JSON: /);
    expect(r.error!.evidence).toContain('"access_token":"[redacted]"');
    expect(JSON.stringify(r)).not.toContain(TOKEN);
    expect(subStatuses(r)).toEqual({ profile: 'down' });
  });

  it('maps truncated conversation counts to bad_response on that sub-check', async () => {
    peer.setMode('truncated', { only: 'conversations' });
    const r = await probeChatwoot(target(proxy.url), ctx());

    expect(r.status).toBe('down');
    expect(r.error!.message).toMatch(/^conversations: invalid or truncated JSON: /);
    expect(subStatuses(r)).toEqual({ profile: 'up', conversations: 'down' });
  });

  it('is degraded when the two calls together are slower than degradedMs', async () => {
    peer.setMode('slow', { slowMs: 60 });
    const r = await probeChatwoot(target(proxy.url), ctx(2000, 100));

    expect(r.status).toBe('degraded');
    expect(r.error).toBeNull();
    expect(r.status === 'degraded' && r.reason).toMatch(/^slow: \d+ ms > 100 ms$/);
    expect(r.latencyMs).toBeGreaterThanOrEqual(115);
  });

  it('maps a 401 to auth and does not call conversations', async () => {
    peer.setMode('http401');
    const r = await probeChatwoot(target(proxy.url), ctx());

    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'auth', httpStatus: 401, message: 'Chatwoot profile 401 unauthorized: check the token' });
    expect(r.error!.evidence).toBe('{"error":"Invalid Access Token"}');
    expect(subStatuses(r)).toEqual({ profile: 'down' });
    expect(peer.requests.map((q) => q.route)).toEqual(['profile']);
  });

  it('maps a wrong token to auth', async () => {
    const r = await probeChatwoot({ ...target(proxy.url), apiToken: 'not-the-token' }, ctx());

    expect(r.error).toMatchObject({ kind: 'auth', httpStatus: 401 });
  });

  it('maps an account the token cannot see to auth on the conversations sub-check', async () => {
    const r = await probeChatwoot(target(proxy.url, { accountId: 2 }), ctx());

    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'auth', httpStatus: 401, message: 'Chatwoot conversations 401 unauthorized: check the token' });
    expect(r.error!.evidence).toContain('not authorized to access this account');
    expect(subStatuses(r)).toEqual({ profile: 'up', conversations: 'down' });
    expect(r.details).toMatchObject({ user: 'Dana Pit' });
  });

  it('backs off on rack-attack\'s 429, which carries no Retry-After, until its minute window ends', async () => {
    // Given the clock 20 s into a minute (only Date is faked: the sockets keep their real timers)
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-04T10:15:20.000Z'));
    peer.setMode('http429');
    const r = await probeChatwoot(target(proxy.url), ctx());

    expect(r.status).toBe('degraded');
    expect(r.error).toMatchObject({ kind: 'rate_limited', httpStatus: 429, retryAfterMs: 40_000, evidence: 'Retry later' });
    expect(r.error!.message).toBe("Chatwoot profile 429 too many requests (no Retry-After: waiting 40 s for rack-attack's minute window)");
    expect(subStatuses(r)).toEqual({ profile: 'degraded' });
  });

  it('sends no Retry-After on a 429, as Chatwoot\'s Rack::Attack does not', async () => {
    peer.setMode('http429');
    const res = await fetch(`${peer.url}/api/v1/profile`, { headers: { 'Api-Access-Token': TOKEN } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(await res.text()).toBe('Retry later\n');
  });

  it('is degraded, not down, when only the conversations call is rate limited', async () => {
    peer.setMode('http429', { only: 'conversations' });
    const r = await probeChatwoot(target(proxy.url), ctx());

    expect(r.status).toBe('degraded');
    expect(r.error).toMatchObject({ kind: 'rate_limited' });
    expect(r.error!.retryAfterMs).toBeGreaterThanOrEqual(1_000);
    expect(r.error!.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(subStatuses(r)).toEqual({ profile: 'up', conversations: 'degraded' });
  });

  it('reports an HTML 502 page as an HTTP failure naming the page', async () => {
    peer.setMode('html502');
    const r = await probeChatwoot(target(proxy.url), ctx());

    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'http', httpStatus: 502, message: 'Chatwoot profile 502 (502 Bad Gateway)' });
  });

  it('maps a hang to timeout when the signal aborts', async () => {
    peer.setMode('hang');
    const r = await probeChatwoot(target(proxy.url), ctx(300));

    expect(r.status).toBe('down');
    expect(r.error).toEqual({ kind: 'timeout', message: 'no answer within 300 ms' });
    expect(r.latencyMs).toBeNull();
  });

  it('maps a refused connection to connection', async () => {
    const gone = await startPeer(() => undefined);
    await gone.close();
    const r = await probeChatwoot(target(gone.url), ctx());

    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'connection', code: 'ECONNREFUSED' });
    expect(r.error!.message).toMatch(/^connection refused: /);
  });
});

describe('probeChatwoot on answer shapes', () => {
  it('reads the older data.meta wrapping and flags a meta without counts', async () => {
    let meta: unknown = { data: { meta: { mine_count: 1, unassigned_count: 2, all_count: 6 } } };
    const peer = await startPeer((req, res) =>
      req.url === '/api/v1/profile' ? sendJson(res, 200, { id: 1, name: 'Ops', role: 'agent', access_token: TOKEN }) : sendJson(res, 200, meta),
    );
    try {
      const older = await probeChatwoot(target(peer.url), ctx());
      expect(older.status).toBe('up');
      expect(older.details).toMatchObject({ user: 'Ops', role: 'agent', administrator: false, open: 6, unassigned: 2, mine: 1 });

      meta = { meta: {} };
      const empty = await probeChatwoot(target(peer.url), ctx());
      expect(empty.error).toMatchObject({ kind: 'bad_response', message: 'conversations: the answer has no meta.all_count / meta.unassigned_count' });
    } finally {
      await peer.close();
    }
  });

  it('flags a 200 profile that is not a user', async () => {
    const peer = await startPeer((_req, res) => sendJson(res, 200, { status: 'ok' }));
    try {
      const r = await probeChatwoot(target(peer.url), ctx());
      expect(r.status).toBe('down');
      expect(r.error).toMatchObject({ kind: 'bad_response', message: 'profile: the answer has no user', evidence: '{"status":"ok"}' });
      expect(r.subChecks!.map((s) => s.name)).toEqual(['profile']);
    } finally {
      await peer.close();
    }
  });
});
