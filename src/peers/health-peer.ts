import { startPeer, sendJson, type Peer } from './serve.js';

export type HealthMode = 'ok' | 'slow' | 'failing' | 'unhealthy-json' | 'html502' | 'http429' | 'hang';

/** The app's own health endpoint, as a loopback peer: GET /health → {"status":"ok", …}. */
export interface HealthPeer extends Peer {
  setMode(mode: HealthMode, delayMs?: number): void;
}

export async function startHealthPeer(opts: { mode?: HealthMode; delayMs?: number } = {}): Promise<HealthPeer> {
  let mode: HealthMode = opts.mode ?? 'ok';
  let delayMs = opts.delayMs ?? 0;
  const peer = await startPeer(async (req, res) => {
    if (!req.url?.startsWith('/health')) return sendJson(res, 404, { error: 'not found' });
    if (mode === 'hang') return;
    if (mode === 'slow') await peer.timers.delay(delayMs);
    if (mode === 'failing') return sendJson(res, 503, { status: 'error', checks: { database: 'down' } });
    // The edge proxy shedding load in front of the app.
    if (mode === 'http429') return sendJson(res, 429, { error: 'too many requests' }, { 'retry-after': '30' });
    if (mode === 'unhealthy-json') return sendJson(res, 200, { status: 'degraded', checks: { database: 'ok', shopify: 'timeout' } });
    if (mode === 'html502') {
      res.writeHead(502, { 'content-type': 'text/html' });
      return void res.end('<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>fly-proxy: no healthy instances</body></html>');
    }
    sendJson(res, 200, { status: 'ok', version: '1.4.2', checks: { database: 'ok', shopify: 'ok' } });
  });
  return Object.assign(peer, {
    setMode(m: HealthMode, d?: number) {
      mode = m;
      if (d !== undefined) delayMs = d;
    },
  });
}
