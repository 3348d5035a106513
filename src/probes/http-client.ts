import type { Agent, Dispatcher } from 'undici';
import { messageOf } from './classify.js';
import type { Phase, ProbeError } from './types.js';
import { nodeHttp } from '../shared/builtins.js';

// undici (about a hundred modules) is imported on the first exchange, not with this module: the error helpers
// below are shared with the MCP probe, and `pitwall check` of one MCP server never makes an HTTP request.

/** The one keep-alive agent the engine hands to every HTTP probe. */
export async function createHttpAgent(): Promise<Agent> {
  const { Agent } = await import('undici');
  return new Agent({ keepAliveTimeout: 15_000, keepAliveMaxTimeout: 60_000, connections: 16, pipelining: 1 });
}

/** Exchanges the warm-up makes: the first pays for compiling undici's parser, the next few for its code's JIT. */
const WARM_EXCHANGES = 3;

/**
 * Makes a few exchanges through `dispatcher` with a server of our own on 127.0.0.1 (an ephemeral port, closed after),
 * so the first exchange a probe times is not the process's first: that one compiles undici's HTTP parser (WASM) and
 * runs its code cold, and took 86 ms against a loopback server that answers in 0.1 ms (12 ms for the second, 5 ms
 * from the fourth on). The engine calls it before its first round (probe-runner.ts prepare). Never throws.
 */
export async function warmHttp(dispatcher: Dispatcher): Promise<void> {
  const { createServer } = nodeHttp();
  const { request } = await import('undici');
  const server = createServer((_req, res) => res.end('ok'));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as import('node:net').AddressInfo;
    for (let i = 0; i < WARM_EXCHANGES; i++) {
      // reset: the connection closes after each exchange, so the agent keeps nothing to our server.
      const res = await request(`http://127.0.0.1:${port}/`, { dispatcher, reset: true, signal: AbortSignal.timeout(2_000) });
      await res.body.text();
    }
  } catch {
    // A warm-up that fails (no loopback?) only means the first check is cold; it is still shown apart.
  } finally {
    server.closeAllConnections();
    server.close();
  }
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
  dispatcher?: Dispatcher;
  /** For the timeout message. */
  timeoutMs?: number;
}

export interface HttpAnswer {
  ok: true;
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The body went past MAX_BODY: `text` is only its start, and the answer is not a whole one. */
  truncated?: true;
  latencyMs: number;
  phases: Phase[];
}
export interface HttpFailure {
  ok: false;
  error: ProbeError;
  latencyMs: number;
  phases: Phase[];
}

/**
 * One HTTP exchange through undici, with failures turned into error values:
 * abort → timeout, refused/DNS/TLS/reset → connection. Any status is an answer; see `statusError`.
 */
export async function httpExchange(req: HttpRequest): Promise<HttpAnswer | HttpFailure> {
  // Loaded before the clock starts: the first check's latency is the upstream's, not our module loading.
  const { request } = await import('undici');
  const started = performance.now();
  const phases: Phase[] = [];
  const since = () => performance.now() - started;
  try {
    const res = await request(req.url, {
      method: req.method ?? 'GET',
      headers: req.headers,
      body: req.body,
      signal: req.signal,
      ...(req.dispatcher ? { dispatcher: req.dispatcher } : {}),
    });
    phases.push({ name: 'ttfb', ms: since() });
    const { text, truncated } = await readCapped(res.body);
    const latencyMs = since();
    phases.push({ name: 'total', ms: latencyMs });
    return { ok: true, status: res.statusCode, headers: flatHeaders(res.headers), text, ...(truncated ? { truncated } : {}), latencyMs, phases };
  } catch (err) {
    const latencyMs = since();
    return { ok: false, error: transportError(err, req), latencyMs, phases };
  }
}

/** The body up to MAX_BODY; an endless one is cut there and its connection dropped (the signal bounds a trickle). */
async function readCapped(body: Dispatcher.ResponseData['body']): Promise<{ text: string; truncated?: true }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) {
      chunks.push(buf.subarray(0, buf.length - (size - MAX_BODY)));
      body.destroy();
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(buf);
  }
  return { text: Buffer.concat(chunks).toString('utf8') };
}

function flatHeaders(h: Dispatcher.ResponseData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

/** Maps a thrown transport error to the vocabulary. Exported for probes that use other clients. */
export function transportError(err: unknown, req: { signal: AbortSignal; timeoutMs?: number }): ProbeError {
  if (req.signal.aborted) {
    return { kind: 'timeout', message: req.timeoutMs ? `no answer within ${req.timeoutMs} ms` : 'aborted before an answer' };
  }
  const code = errorCode(err);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return { kind: 'timeout', message: `the server stopped answering (${code})`, code };
  }
  if (code && (CONNECTION_CODES.has(code) || /^(ERR_TLS|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO)/.test(code))) {
    return { kind: 'connection', message: `${describeCode(code)}: ${messageOf(err)}`, code };
  }
  return { kind: 'connection', message: messageOf(err), ...(code ? { code } : {}) };
}

function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function describeCode(code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'DNS lookup failed';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect timed out';
    default:
      return code.startsWith('ERR_TLS') || code.includes('CERT') ? 'TLS failed' : code;
  }
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
