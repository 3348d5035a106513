import { request, type IncomingHttpHeaders } from 'node:http';
import { startPeer, type Peer } from './serve.js';

/**
 * A loopback reverse proxy that treats request headers as a default nginx does: `underscores_in_headers off` with
 * `ignore_invalid_headers on` drops every header whose name has an underscore before it reaches the upstream
 * (https://nginx.org/en/docs/http/ngx_http_core_module.html#underscores_in_headers). Chatwoot is usually deployed
 * behind one, so its tests talk through this.
 */
export interface NginxProxy extends Peer {
  /** Header names dropped so far, lower-case. */
  dropped: string[];
}

/** Starts the proxy in front of `upstream` (e.g. http://127.0.0.1:53127). */
export async function startNginxLikeProxy(upstream: string): Promise<NginxProxy> {
  const target = new URL(upstream);
  const dropped: string[] = [];
  const peer = await startPeer(
    (req, res, body) =>
      new Promise<void>((resolve) => {
        const headers: IncomingHttpHeaders = {};
        for (const [name, value] of Object.entries(req.headers)) {
          if (name.includes('_')) dropped.push(name);
          else headers[name] = value;
        }
        headers.host = target.host;
        const up = request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
            answer.on('end', resolve);
            answer.on('error', () => resolve());
          },
        );
        up.on('error', () => {
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/html' });
          res.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\r\n');
          resolve();
        });
        up.end(body);
      }),
  );
  return { ...peer, dropped };
}
