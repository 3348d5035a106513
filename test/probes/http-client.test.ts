import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpAgents, httpExchange, MAX_BODY } from '../../src/probes/http-client.js';
import type { HttpAgents } from '../../src/probes/types.js';

// The client on Node's own http, against loopback servers that misbehave the ways upstreams do.
type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
const routes = new Map<string, Handler>();
let server: Server;
let base = '';
/** Connections the server accepted, in order. */
let connections = 0;
/** Requests seen per connection: the second on one is where a kept-alive connection was reused. */
const perSocket = new WeakMap<object, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    perSocket.set(req.socket, (perSocket.get(req.socket) ?? 0) + 1);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => routes.get(new URL(req.url ?? '/', 'http://x').pathname)?.(req, res, body));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

let agents: HttpAgents;
beforeAll(() => void (agents = createHttpAgents()));
afterEach(() => {
  // Every test starts without pooled connections, so connection counts are its own.
  agents.close();
  connections = 0;
});
afterAll(() => agents.close());

const get = (path: string, timeoutMs = 2_000, extra: object = {}) =>
  httpExchange({ url: `${base}${path}`, signal: AbortSignal.timeout(timeoutMs), timeoutMs, dispatcher: agents, ...extra });

routes.set('/ok', (_req, res) => res.end('ok'));
routes.set('/headers', (_req, res) => {
  res.setHeader('X-Pitwall-Thing', ['a', 'b']);
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Retry-After', '30');
  res.end('fine');
});
routes.set('/echo', (req, res, body) => res.end(JSON.stringify({ method: req.method, length: req.headers['content-length'], encoding: req.headers['accept-encoding'] ?? null, body })));
routes.set('/big', (_req, res) => {
  // Two MiB, announced: a well-formed answer the client still must not read whole.
  res.writeHead(200, { 'content-length': String(2 * MAX_BODY) });
  res.end(Buffer.alloc(2 * MAX_BODY, 'x'));
});
routes.set('/trickle', (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  const t = setInterval(() => res.write('.'), 20);
  res.on('close', () => clearInterval(t));
});
routes.set('/hang', () => undefined);
routes.set('/cut', (_req, res) => {
  // Promises 100 bytes, sends 10, then closes.
  res.writeHead(200, { 'content-length': '100' });
  res.write('0123456789', () => res.socket?.destroy());
});
routes.set('/redirect', (_req, res) => {
  res.writeHead(302, { location: '/ok' });
  res.end();
});
routes.set('/once', (req, res) => {
  // Answers the first request on a connection and drops the connection on the second, unanswered: what a server
  // whose idle timer fired as the request arrived does to a kept-alive connection.
  if ((perSocket.get(req.socket) ?? 0) > 1) return void req.socket.destroy();
  res.end('fresh');
});

describe('httpExchange on node:http', () => {
  it('reuses one kept-alive connection for two exchanges, and says so', async () => {
    const a = await get('/ok');
    const b = await get('/ok');
    expect(a).toMatchObject({ ok: true, status: 200, text: 'ok', reusedConnection: false });
    expect(b).toMatchObject({ ok: true, status: 200, text: 'ok', reusedConnection: true });
    expect(connections).toBe(1);
    expect(a.phases.map((p) => p.name)).toEqual(['ttfb', 'total']);
    expect(a.latencyMs).toBe(a.phases[1]!.ms);
  });

  it('flattens headers: lower-cased names, repeated values joined', async () => {
    const a = await get('/headers');
    expect(a.ok && a.headers).toMatchObject({ 'x-pitwall-thing': 'a, b', 'content-type': 'text/plain; charset=utf-8', 'retry-after': '30' });
    expect(Object.keys(a.ok ? a.headers : {}).every((k) => k === k.toLowerCase())).toBe(true);
  });

  it('sends a body with its length, asks for no compression, and does not follow redirects', async () => {
    const a = await get('/echo', 2_000, { method: 'POST', body: '{"q":"héllo"}', headers: { 'Content-Type': 'application/json' } });
    expect(a.ok && JSON.parse(a.text)).toEqual({ method: 'POST', length: '14', encoding: null, body: '{"q":"héllo"}' });
    const r = await get('/redirect');
    expect(r).toMatchObject({ ok: true, status: 302, headers: { location: '/ok' }, text: '' });
  });

  it('cuts a body over 1 MiB, marks it truncated, and never reuses that connection', async () => {
    const a = await get('/big');
    expect(a).toMatchObject({ ok: true, status: 200, truncated: true });
    expect(a.ok && a.text.length).toBe(MAX_BODY);
    const b = await get('/ok');
    expect(b).toMatchObject({ ok: true, text: 'ok', reusedConnection: false });
    expect(connections).toBe(2);
  });

  it('ends a body that never ends when the signal fires: a timeout, within it', async () => {
    const a = await get('/trickle', 300);
    expect(a).toMatchObject({ ok: false, error: { kind: 'timeout', message: 'no answer within 300 ms' } });
    expect(a.phases.map((p) => p.name)).toEqual(['ttfb']);
    expect(a.latencyMs).toBeLessThan(2_000);
  });

  it('times out a server that never answers, and does not send at all once the signal has fired', async () => {
    expect(await get('/hang', 200)).toMatchObject({ ok: false, error: { kind: 'timeout', message: 'no answer within 200 ms' } });
    const before = connections;
    const done = await httpExchange({ url: `${base}/ok`, signal: AbortSignal.abort(), dispatcher: agents });
    expect(done).toMatchObject({ ok: false, error: { kind: 'timeout', message: 'aborted before an answer' } });
    expect(connections).toBe(before);
  });

  it('is a connection failure when the server closes mid-body', async () => {
    const a = await get('/cut');
    expect(a).toMatchObject({ ok: false, error: { kind: 'connection', code: 'ECONNRESET' } });
    expect(!a.ok && a.error.message).toMatch(/^connection reset: /);
  });

  it('sends again, on a new connection, when a kept-alive one was closed under the request', async () => {
    expect(await get('/once')).toMatchObject({ ok: true, text: 'fresh', reusedConnection: false });
    expect(await get('/once')).toMatchObject({ ok: true, text: 'fresh', reusedConnection: false });
    expect(connections).toBe(2);
  });
});

describe('httpExchange against what is not an HTTP server', () => {
  let tcp: TcpServer;
  let tcpUrl = '';
  beforeAll(async () => {
    // An SSH server where the health endpoint should be: a banner, then nothing that parses as HTTP.
    tcp = createTcpServer((s) => {
      s.on('error', () => undefined);
      s.end('SSH-2.0-OpenSSH_9.6\r\n');
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    tcpUrl = `http://127.0.0.1:${(tcp.address() as AddressInfo).port}/`;
  });
  afterAll(() => void tcp.close());

  it('calls a garbage answer a protocol error, naming the parser', async () => {
    const a = await httpExchange({ url: tcpUrl, signal: AbortSignal.timeout(2_000), dispatcher: agents });
    expect(a).toMatchObject({ ok: false, error: { kind: 'protocol', code: 'HPE_INVALID_CONSTANT' } });
    expect(!a.ok && a.error.message).toMatch(/^not a valid HTTP answer \(HPE_INVALID_CONSTANT\): /);
  });

  it('calls a refused port a connection failure', async () => {
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const a = await httpExchange({ url: `http://127.0.0.1:${port}/`, signal: AbortSignal.timeout(2_000), dispatcher: agents });
    expect(a).toMatchObject({ ok: false, error: { kind: 'connection', code: 'ECONNREFUSED' } });
    expect(!a.ok && a.error.message).toMatch(/^connection refused: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });

  it('refuses a URL that is not http(s) without sending anything', async () => {
    const a = await httpExchange({ url: 'ftp://127.0.0.1/', signal: AbortSignal.timeout(2_000) });
    expect(a).toMatchObject({ ok: false, error: { kind: 'connection', message: 'unsupported protocol "ftp:" (http or https)' } });
  });
});
