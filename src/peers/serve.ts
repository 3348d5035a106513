import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { peerTimers, type PeerTimers } from './delay.js';

/** A loopback HTTP server for tests, the demo and benchmarks. */
export interface Peer {
  /** e.g. http://127.0.0.1:53127 */
  url: string;
  port: number;
  server: Server;
  /** Timers for late answers; cleared on close. */
  timers: PeerTimers;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

/** Starts `handler` on 127.0.0.1 on a free port (or `port`). Open sockets are destroyed on close, so hangs end. */
export async function startPeer(handler: Handler, port = 0): Promise<Peer> {
  const sockets = new Set<import('node:net').Socket>();
  const timers = peerTimers();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      Promise.resolve(handler(req, res, Buffer.concat(chunks).toString('utf8'))).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    server,
    timers,
    close: () =>
      new Promise<void>((resolve) => {
        timers.clear();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Writes a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Writes the first half of a JSON answer and ends: a connection cut mid-body, as proxies and crashes leave it. */
export function sendTruncatedJson(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(text.slice(0, Math.floor(text.length / 2)));
}
