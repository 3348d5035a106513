import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromObject, type HttpTarget } from '../../src/config/config.js';
import { probeHttp } from '../../src/probes/http.js';
import { startHealthPeer, type HealthPeer } from '../../src/peers/health-peer.js';

let peer: HealthPeer;
beforeAll(async () => void (peer = await startHealthPeer()));
afterAll(() => peer.close());

const target = (extra: object = {}) =>
  configFromObject({ targets: [{ id: 'app-health', kind: 'http', url: `${peer.url}/health`, ...extra }] }).targets[0] as HttpTarget;
const ctx = (timeoutMs = 2000, degradedMs = 1000) => ({ signal: AbortSignal.timeout(timeoutMs), timeoutMs, degradedMs });

describe('http probe', () => {
  it('is up on the expected status, with its latency and phases', async () => {
    peer.setMode('ok');
    const r = await probeHttp(target(), ctx());
    expect(r.status).toBe('up');
    expect(r.latencyMs).toBeGreaterThan(0);
    expect(r.phases?.map((p) => p.name)).toEqual(['ttfb', 'total']);
    expect(r.details.httpStatus).toBe(200);
  });

  it('checks a JSON field when asked', async () => {
    peer.setMode('unhealthy-json');
    const r = await probeHttp(target({ expectJson: { path: 'status', equals: 'ok' } }), ctx());
    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'bad_response', message: 'status is "degraded", expected "ok"' });
  });

  it('is down/http on a 503, and names an HTML page by its title', async () => {
    peer.setMode('failing');
    expect((await probeHttp(target(), ctx())).error).toMatchObject({ kind: 'http', httpStatus: 503, message: 'HTTP 503, expected 200' });
    peer.setMode('html502');
    expect((await probeHttp(target(), ctx())).error?.message).toBe('HTTP 502 (502 Bad Gateway), expected 200');
  });

  it('is degraded when slower than degradedMs', async () => {
    peer.setMode('slow', 120);
    const r = await probeHttp(target(), ctx(2000, 50));
    expect(r.status).toBe('degraded');
    expect(r.status === 'degraded' && r.reason).toMatch(/^slow: \d+ ms > 50 ms$/);
  });

  it('times out within the timeout', async () => {
    peer.setMode('hang');
    const r = await probeHttp(target(), ctx(200));
    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'timeout', message: 'no answer within 200 ms' });
  });
});
