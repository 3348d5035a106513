import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configFromObject, type HttpTarget } from '../../src/config/config.js';
import { probeHttp } from '../../src/probes/http.js';
import { CUT_BODY } from '../../src/probes/http-client.js';

// A hostile upstream on loopback: 200 and a body that never ends (as fast as the socket takes it), or one that
// trickles a byte at a time and never ends either.
let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': req.url === '/json' ? 'application/json' : 'text/plain' });
    if (req.url === '/trickle') {
      const t = setInterval(() => res.write('.'), 20);
      res.on('close', () => clearInterval(t));
      return;
    }
    const chunk = Buffer.alloc(64 * 1024, req.url === '/json' ? ' ' : 'x');
    if (req.url === '/json') res.write('{"status": "ok", "pad": "');
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const target = (path: string, extra: object = {}) =>
  configFromObject({ targets: [{ id: 'endless', kind: 'http', url: `${base}${path}`, ...extra }] }).targets[0] as HttpTarget;
const ctx = (timeoutMs: number) => ({ signal: AbortSignal.timeout(timeoutMs), timeoutMs, degradedMs: timeoutMs });

describe('http probe against an endless body', () => {
  it('says the body was cut and is degraded, not up, well within the timeout', async () => {
    const r = await probeHttp(target('/endless'), ctx(10_000));
    expect(r.status).toBe('degraded');
    expect(r.status === 'degraded' && r.reason).toBe(CUT_BODY);
    expect(r.details).toMatchObject({ httpStatus: 200, truncated: true });
    expect(r.latencyMs).toBeLessThan(10_000);
  });

  it('is down with the cut named when the field check needs the JSON', async () => {
    const r = await probeHttp(target('/json', { expectJson: { path: 'status', equals: 'ok' } }), ctx(10_000));
    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'bad_response', message: `${CUT_BODY}, so its JSON cannot be read`, httpStatus: 200 });
  });

  it('times out on a body that trickles forever below the cap', async () => {
    const r = await probeHttp(target('/trickle'), ctx(300));
    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'timeout' });
  });
});
