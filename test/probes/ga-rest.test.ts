/** The GA probe's REST specifics: Google's error envelope and whatever else an upstream may answer, proto3 JSON, auth. */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFromObject } from '../../src/config/load.js';
import type { GaTarget } from '../../src/config/config.js';
import { startGaPeer } from '../../src/peers/ga-peer.js';
import { sendJson, startPeer } from '../../src/peers/serve.js';
import { probeGa } from '../../src/probes/ga.js';
import type { ProbeContext } from '../../src/probes/types.js';

function gaTarget(over: Partial<GaTarget> = {}): GaTarget {
  return { id: 'ga', kind: 'ga', propertyId: '123456789', tiles: [], insecure: true, intervalSeconds: 30, timeoutMs: 2000, degradedMs: 1000, retries: 0, ...over } as GaTarget;
}

function ctx(timeoutMs = 2000, degradedMs = 1000): ProbeContext {
  return { signal: AbortSignal.timeout(timeoutMs), timeoutMs, degradedMs };
}

describe('probeGa on the REST surface: what any upstream may answer', () => {
  /** A raw upstream answering every request with `answer`; `seen` keeps each request's path and body. */
  async function upstream(answer: (res: ServerResponse) => void) {
    const seen: { path: string; body: string }[] = [];
    const peer = await startPeer((req, res, body) => {
      seen.push({ path: req.url ?? '', body });
      answer(res);
    });
    return { peer, seen };
  }
  const envelope = (code: number, status: string | undefined, message: string) => (res: ServerResponse) =>
    sendJson(res, code, { error: { code, message, ...(status ? { status } : {}), details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'X' }] } });
  const html = (code: number, title: string) => (res: ServerResponse) => {
    res.writeHead(code, { 'content-type': 'text/html' });
    res.end(`<html><head><title>${title}</title></head><body>${title}</body></html>`);
  };
  const raw = (code: number, body: string) => (res: ServerResponse) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(body);
  };

  it.each<[string, (res: ServerResponse) => void, string, Record<string, unknown>, RegExp]>([
    ['403 envelope', envelope(403, 'PERMISSION_DENIED', 'User does not have sufficient permissions'), 'down', { kind: 'auth', code: 'PERMISSION_DENIED', httpStatus: 403 }, /^PERMISSION_DENIED: User does not/],
    ['401 envelope', envelope(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'), 'down', { kind: 'auth', code: 'UNAUTHENTICATED', httpStatus: 401 }, /^UNAUTHENTICATED: /],
    ['429 envelope', envelope(429, 'RESOURCE_EXHAUSTED', 'Exhausted property tokens per hour'), 'degraded', { kind: 'rate_limited', code: 'RESOURCE_EXHAUSTED', httpStatus: 429 }, /^RESOURCE_EXHAUSTED: Exhausted/],
    ['503 envelope', envelope(503, 'UNAVAILABLE', 'The service is currently unavailable.'), 'down', { kind: 'connection', code: 'UNAVAILABLE', httpStatus: 503 }, /^UNAVAILABLE: /],
    ['500 envelope without status (named by the HTTP mapping)', envelope(500, undefined, 'Internal error encountered.'), 'down', { kind: 'bad_response', code: 'INTERNAL', httpStatus: 500 }, /^INTERNAL: Internal error/],
    ['502 HTML page from a proxy', html(502, 'Bad Gateway'), 'down', { kind: 'http', httpStatus: 502 }, /^RunReport HTTP 502 \(Bad Gateway\)$/],
    ['403 HTML page', html(403, 'Forbidden'), 'down', { kind: 'auth', httpStatus: 403 }, /^RunReport HTTP 403 forbidden/],
    ['200 HTML page', html(200, 'Sign in'), 'down', { kind: 'bad_response', httpStatus: 200 }, /HTML page \("Sign in"\)/],
    ['200 garbage JSON', raw(200, '{"rows": [tru'), 'down', { kind: 'bad_response', httpStatus: 200 }, /invalid or truncated JSON/],
    ['200 JSON that is not an object', raw(200, '[1,2]'), 'down', { kind: 'bad_response' }, /not an object/],
  ])('%s → %s, the right kind, never an exception', async (_name, answer, status, error, message) => {
    const { peer } = await upstream(answer);
    try {
      const r = await probeGa(gaTarget({ endpoint: peer.url }), ctx());
      expect(r.status).toBe(status);
      expect(r.error).toMatchObject(error);
      expect(r.error?.message).toMatch(message);
    } finally {
      await peer.close();
    }
  });

  it('keeps a Retry-After that comes with RESOURCE_EXHAUSTED', async () => {
    const { peer } = await upstream((res) => sendJson(res, 429, { error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } }, { 'retry-after': '30' }));
    try {
      const r = await probeGa(gaTarget({ endpoint: peer.url }), ctx());
      expect(r.error).toMatchObject({ kind: 'rate_limited', code: 'RESOURCE_EXHAUSTED', retryAfterMs: 30_000 });
    } finally {
      await peer.close();
    }
  });

  it('bounds the upstream\'s error message', async () => {
    const { peer } = await upstream(envelope(400, 'INVALID_ARGUMENT', 'x'.repeat(5_000)));
    try {
      const r = await probeGa(gaTarget({ endpoint: peer.url }), ctx());
      expect(r.error?.message.length).toBeLessThan(400);
    } finally {
      await peer.close();
    }
  });

  it('reads integers written as strings (proto3 JSON) in the quota, and posts int64 limit as a string', async () => {
    // Given an upstream writing every integer as a decimal string, and one quota group without `consumed` (default 0)
    const q = (consumed: string | undefined, remaining: string) => ({ ...(consumed ? { consumed } : {}), remaining });
    const body = {
      rows: [{ metricValues: [{ value: '7' }] }],
      rowCount: '1',
      propertyQuota: {
        tokensPerDay: q('5', '199990'),
        tokensPerHour: q('5', '39990'),
        concurrentRequests: q(undefined, '10'),
        tokensPerProjectPerHour: q('5', '13990'),
      },
      kind: 'analyticsData#runReport',
    };
    const { peer, seen } = await upstream((res) => sendJson(res, 200, body));
    try {
      const r = await probeGa(gaTarget({ endpoint: peer.url }), ctx());
      // Then the figures are numbers, and the request is proto3 JSON on the annotated path
      expect(r.status).toBe('up');
      expect(r.details).toMatchObject({ activeUsers: 7, rowCount: 1, quota: { tokensPerHour: { consumed: 5, remaining: 39_990 }, concurrentRequests: { consumed: 0, remaining: 10 } } });
      expect(r.headroom?.[0]).toEqual({ name: 'tokensPerHour', remaining: 39_990, limit: 40_000 });
      expect(seen[0]!.path).toBe('/v1beta/properties/123456789:runReport');
      expect(JSON.parse(seen[0]!.body)).toEqual({
        dateRanges: [{ startDate: 'today', endDate: 'today' }],
        metrics: [{ name: 'activeUsers' }],
        limit: '1',
        returnPropertyQuota: true,
      });
    } finally {
      await peer.close();
    }
  });

  it('calls a quota whose numbers are not integers a bad response', async () => {
    const body = { propertyQuota: { tokensPerDay: { remaining: 'lots' }, tokensPerHour: { remaining: '1.5' } } };
    const { peer } = await upstream((res) => sendJson(res, 200, body));
    try {
      const r = await probeGa(gaTarget({ endpoint: peer.url }), ctx());
      expect(r.error).toMatchObject({ kind: 'bad_response' });
      expect(r.error?.message).toContain('propertyQuota');
    } finally {
      await peer.close();
    }
  });

  it('maps a host:port endpoint to http with insecure and https without; refuses anything else in one sentence naming the key', () => {
    const cfg = (endpoint: unknown) => configFromObject({ targets: [{ kind: 'ga', id: 'ga', propertyId: '1', endpoint }] });
    expect(() => cfg('127.0.0.1:8080')).not.toThrow();
    expect(() => cfg('https://analyticsdata.googleapis.com')).not.toThrow();
    expect(() => cfg('ftp://x')).toThrow(/^targets\[0\]\.endpoint: expected host:port or an http\(s\) URL$/);
    expect(() => cfg('not an endpoint')).toThrow(/^targets\[0\]\.endpoint: expected host:port or an http\(s\) URL$/);
  });
});

describe('probeGa sends Google auth when the target is not insecure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-ga-bearer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('signs a JWT from a service-account key and sends it as Authorization: Bearer', async () => {
    // Given a service-account key and the GA peer at an http URL (so the exchange can be seen)
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const file = join(dir, 'sa.json');
    const email = 'pitwall@example.iam.gserviceaccount.com';
    writeFileSync(file, JSON.stringify({ type: 'service_account', client_email: email, private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }), private_key_id: 'k1' }));
    const seen: string[] = [];
    const peer = await startGaPeer();
    peer.server.prependListener('request', (req: IncomingMessage) => void seen.push(req.headers.authorization ?? ''));
    try {
      // When probing with insecure false
      const r = await probeGa(gaTarget({ insecure: false, credentialsFile: file, endpoint: peer.url }), ctx(5000));
      // Then the call carries a self-signed JWT for the read-only scope (no token exchange with Google)
      expect(r.status).toBe('up');
      expect(peer.calls.at(-1)?.authorized).toBe(true);
      const jwt = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(seen[0]!);
      expect(jwt).not.toBeNull();
      const claims = JSON.parse(Buffer.from(jwt![2]!, 'base64url').toString()) as Record<string, unknown>;
      expect(claims).toMatchObject({ iss: email, sub: email, scope: 'https://www.googleapis.com/auth/analytics.readonly' });
    } finally {
      await peer.close();
    }
  });
});
