import type * as NodeHttp from 'node:http';
import type * as NodeHttps from 'node:https';
import { nodeHttp, nodeHttps } from '../shared/builtins.js';
import { messageOf } from './classify.js';
import { errorCode, transportError } from './http-errors.js';
import type { HttpAgents, Phase, ProbeError } from './types.js';

export type { HttpAgents } from './types.js';

// pitwall's HTTP exchanges go through Node's own http/https, not the npm undici package: the MCP SDK's HTTP
// transport already loads Node's built-in undici (global fetch), and a second undici (about 110 modules, its own
// llhttp WASM instance, http2/zlib/worker_threads) cost 4-6 MiB RSS on top of it (issue #18).
//
// Loaded with require (src/shared/builtins.ts), never `import ... from 'node:http'`: an ESM import of a built-in makes
// Node build its ESM facade, which reads every export, and http's getters load the built-in undici, http2 and crypto
// (measured on Node 24: +113 modules, +16.7 MiB RSS; require: +39 modules, +3.4 MiB). Loaded on the first exchange,
// not with this module: the error helpers below are shared with the MCP probe, and `pitwall check` of one MCP server
// makes no HTTP request. node:https (tls, crypto: +3.7 MiB more) only when an https URL is asked for.

/**
 * Builds the shared agents. Idle connections are kept 15 s (less when the server's Keep-Alive header says it keeps
 * them shorter: Node's agent closes one second before it) and unref'd, so a pool never keeps the process alive.
 */
export function createHttpAgents(opts: { maxSockets?: number } = {}): HttpAgents {
  const maxSockets = opts.maxSockets ?? 16;
  // lifo: the connection used last is the one most likely still open at the other end.
  const options = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, timeout: 15_000, scheduling: 'lifo' as const };
  let http: NodeHttp.Agent | undefined;
  let https: NodeHttps.Agent | undefined;
  return {
    get http() {
      return (http ??= new (nodeHttp().Agent)(options));
    },
    get https() {
      return (https ??= new (nodeHttps().Agent)(options));
    },
    close() {
      http?.destroy();
      https?.destroy();
    },
  };
}

/** Exchanges the warm-up makes: the first pays for the parser and the client's code, the next few for its JIT. */
const WARM_EXCHANGES = 3;

/**
 * Makes a few exchanges through `agents` with a server of our own on 127.0.0.1 (an ephemeral port, closed after),
 * so the first exchange a probe times is not the process's first: that one runs the client's code cold (18-36 ms
 * against a loopback server, 2-3 ms from the second on; with npm undici it was 86 ms). Each exchange asks for its
 * connection to be closed, so the agents keep nothing to our server. The engine calls it before its first round
 * (probe-runner.ts prepare). Never throws.
 */
export async function warmHttp(agents: HttpAgents): Promise<void> {
  const server = nodeHttp().createServer((_req, res) => res.end('ok'));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as import('node:net').AddressInfo;
    for (let i = 0; i < WARM_EXCHANGES; i++) {
      const signal = AbortSignal.timeout(2_000);
      await httpExchange({ url: `http://127.0.0.1:${port}/`, headers: { connection: 'close' }, signal, dispatcher: agents });
    }
  } catch {
    // A warm-up that fails (no loopback?) only means the first check is cold; it is still shown apart.
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

export { transportError } from './http-errors.js';

/**
 * Loads Node's fetch classes now. Headers, Response and fetch are Node's built-in undici, loaded with http2, crypto
 * and web streams on their first touch: ~80 ms of a blocked event loop (`node -e` timing `new Headers()`, Node 24),
 * which the exchanges in flight would have counted as their upstreams'. The Shopify client's fetch builds a Response
 * and the MCP SDK's HTTP transports build Headers, so the probe runner calls this before the first round when a
 * target of those kinds is configured (and only then: the rest never needs them, ~13 MiB).
 */
export function loadFetchClasses(): void {
  void new Headers();
  void new Response(null);
}

/** Bodies are read up to this size; anything longer is cut (evidence only needs the start). */
export const MAX_BODY = 1024 * 1024;
/** How a cut body is named in a result: the upstream sent more (or never stopped), we read only the start. */
export const CUT_BODY = 'body cut at 1 MiB: the upstream sent more than any health answer needs (an endless or oversized body)';
const EXCERPT = 300;

export interface HttpRequest {
  url: string | URL;
  method?: 'GET' | 'POST' | 'HEAD';
  headers?: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** The shared agents (createHttpAgents); without them, Node's global agents. */
  dispatcher?: HttpAgents;
  /** For the timeout message. */
  timeoutMs?: number;
}

export interface HttpAnswer {
  ok: true;
  status: number;
  /** Lower-cased names; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
  text: string;
  /** The body went past MAX_BODY: `text` is only its start, and the answer is not a whole one. */
  truncated?: true;
  latencyMs: number;
  phases: Phase[];
  /** The exchange went over a kept-alive connection (no connect, no TLS handshake in its latency). */
  reusedConnection?: boolean;
}
export interface HttpFailure {
  ok: false;
  error: ProbeError;
  latencyMs: number;
  phases: Phase[];
}

/**
 * One HTTP exchange, with failures turned into values: abort → timeout, refused/DNS/TLS/reset → connection,
 * a malformed answer → protocol. Any status is an answer (see `statusError`); redirects are not followed; no
 * Accept-Encoding is sent, so bodies come as they are. Never rejects.
 */
export async function httpExchange(req: HttpRequest): Promise<HttpAnswer | HttpFailure> {
  const first = await exchangeOnce(req);
  // A kept-alive connection the server closed just as we sent on it (its idle timer won the race): nothing was
  // answered, and Node's own advice is to send once more (nodejs.org/api/http.html, request.reusedSocket). The
  // stale connection is gone, so the pool hands out another or opens one; the wasted attempt is not timed.
  return first.stale ? (await exchangeOnce(req)).result : first.result;
}

/** Codes that mean "the connection was gone before the request reached the server". */
const STALE_CODES = new Set(['ECONNRESET', 'EPIPE']);

function exchangeOnce(req: HttpRequest): Promise<{ result: HttpAnswer | HttpFailure; stale?: boolean }> {
  return new Promise((resolve) => {
    const phases: Phase[] = [];
    let started = performance.now();
    const since = () => performance.now() - started;
    let settled = false;
    let out: NodeHttp.ClientRequest | undefined;
    let res: NodeHttp.IncomingMessage | undefined;
    const settle = (result: HttpAnswer | HttpFailure, stale = false) => {
      if (settled) return;
      settled = true;
      req.signal.removeEventListener('abort', onAbort);
      resolve({ result, ...(stale ? { stale } : {}) });
    };
    const fail = (err: unknown) => {
      const stale = !res && out?.reusedSocket === true && !req.signal.aborted && STALE_CODES.has(errorCode(err) ?? '');
      settle({ ok: false, error: transportError(err, req), latencyMs: since(), phases }, stale);
    };
    // The signal ends the exchange wherever it is: connecting, waiting for the head, or reading a body that never ends.
    const onAbort = () => {
      fail(req.signal.reason);
      out?.destroy();
      res?.destroy();
    };
    if (req.signal.aborted) return fail(req.signal.reason);
    req.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const url = new URL(req.url);
      const secure = url.protocol === 'https:';
      if (!secure && url.protocol !== 'http:') throw new Error(`unsupported protocol "${url.protocol}" (http or https)`);
      // The module is loaded (first exchange) before the clock starts: its latency is the upstream's.
      const client = secure ? nodeHttps() : nodeHttp();
      const agent = req.dispatcher ? (secure ? req.dispatcher.https : req.dispatcher.http) : undefined;
      const body = req.body === undefined ? undefined : Buffer.from(req.body);
      const headers = { ...req.headers, ...(body && !hasHeader(req.headers, 'content-length') ? { 'content-length': String(body.length) } : {}) };
      started = performance.now();
      out = client.request(url, { method: req.method ?? 'GET', headers, ...(agent ? { agent } : {}) });
      // Listeners stay attached after the exchange is settled: an 'error' nobody listens to would crash the process.
      out.on('error', fail);
      out.on('response', (m: NodeHttp.IncomingMessage) => {
        res = m;
        phases.push({ name: 'ttfb', ms: since() });
        const chunks: Buffer[] = [];
        let size = 0;
        const answer = (truncated: boolean) => {
          const latencyMs = since();
          phases.push({ name: 'total', ms: latencyMs });
          const text = Buffer.concat(chunks).toString('utf8');
          const reusedConnection = out?.reusedSocket === true;
          settle({ ok: true, status: m.statusCode ?? 0, headers: flatHeaders(m.headers), text, ...(truncated ? { truncated } : {}), latencyMs, phases, reusedConnection });
        };
        m.on('data', (chunk: Buffer) => {
          if (settled) return;
          size += chunk.length;
          if (size <= MAX_BODY) return void chunks.push(chunk);
          chunks.push(chunk.subarray(0, chunk.length - (size - MAX_BODY)));
          answer(true);
          // The rest is never read, so this connection cannot carry another exchange: destroyed, not pooled.
          m.destroy();
        });
        m.on('end', () => answer(false));
        m.on('error', fail);
        // A server that closes mid-body: Node says 'aborted' (an error, ECONNRESET); this covers any other way.
        m.on('close', () => (m.complete ? undefined : fail(Object.assign(new Error('the server closed the connection mid-body'), { code: 'ECONNRESET' }))));
      });
      out.end(body);
    } catch (err) {
      // Invalid URL or header value: thrown before anything was sent.
      fail(err);
    }
  });
}

function hasHeader(headers: Record<string, string> | undefined, name: string): boolean {
  return Object.keys(headers ?? {}).some((k) => k.toLowerCase() === name);
}

function flatHeaders(h: NodeHttp.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Milliseconds from a Retry-After header (seconds or HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The error a non-success status means: 401/403 auth, 429 rate_limited, anything else http. */
export function statusError(a: HttpAnswer, what = 'HTTP'): ProbeError {
  const evidence = excerpt(a.text);
  const base = { httpStatus: a.status, ...(evidence ? { evidence } : {}) };
  if (a.status === 401 || a.status === 403) {
    return { ...base, kind: 'auth', message: `${what} ${a.status} ${a.status === 401 ? 'unauthorized: check the token' : 'forbidden: the token lacks access'}` };
  }
  if (a.status === 429) {
    const retryAfterMs = parseRetryAfter(a.headers['retry-after']);
    const wait = retryAfterMs !== undefined ? `, retry after ${Math.ceil(retryAfterMs / 1000)} s` : '';
    return { ...base, kind: 'rate_limited', message: `${what} 429 too many requests${wait}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  const title = htmlTitle(a.text);
  return { ...base, kind: 'http', message: `${what} ${a.status}${title ? ` (${title})` : ''}` };
}

/**
 * Parses a JSON body, or says why it is not what the API promises:
 * an HTML page (a proxy's error page), an empty body, or truncated/invalid JSON.
 */
export function parseJsonBody(a: HttpAnswer): { ok: true; json: unknown } | { ok: false; error: ProbeError } {
  const fail = (message: string) => ({
    ok: false as const,
    error: { kind: 'bad_response' as const, message, httpStatus: a.status, evidence: excerpt(a.text) },
  });
  if (a.truncated) return fail(`${CUT_BODY}, so its JSON cannot be read`);
  const text = a.text.trim();
  if (text === '') return fail('expected JSON, got an empty body');
  if (/^<(!doctype|html|head|body)/i.test(text) || (a.headers['content-type'] ?? '').includes('text/html')) {
    const title = htmlTitle(text);
    return fail(`expected JSON, got an HTML page${title ? ` ("${title}")` : ''}`);
  }
  try {
    return { ok: true, json: JSON.parse(text) };
  } catch (err) {
    return fail(`invalid or truncated JSON: ${messageOf(err)}`);
  }
}

/** The first few hundred characters of a body, whitespace folded, for evidence. */
export function excerpt(text: string, max = EXCERPT): string {
  const folded = text.replace(/\s+/g, ' ').trim();
  return folded.length > max ? `${folded.slice(0, max)}…` : folded;
}

function htmlTitle(text: string): string | undefined {
  const m = /<title[^>]*>([^<]{1,120})<\/title>/i.exec(text);
  return m?.[1]?.trim();
}
