import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { nodeHttp } from '../../shared/builtins.js';

/** A listening HTTP server whose close() also ends open and hanging connections. */
export interface Listening {
  url: string;
  host: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** `127.0.0.1:8787` → host and port; `[::1]:0` for IPv6. Throws on anything else. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(listen);
  const port = Number(m?.[3]);
  if (!m || port > 65_535) throw new Error(`listen: expected host:port, got "${listen}"`);
  return { host: m[1] ?? m[2]!, port };
}

/** The URL a client uses to reach host:port (brackets around IPv6). */
export function baseUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Starts `handler` on host:port. Slow or stuck clients are cut off by Node's request timeouts. */
export async function listenHttp(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  host: string,
  port: number,
): Promise<Listening> {
  const sockets = new Set<Socket>();
  const server = nodeHttp().createServer({ requestTimeout: 30_000, headersTimeout: 20_000 }, handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: baseUrl(host, actual),
    host,
    port: actual,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
