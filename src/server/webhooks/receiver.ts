/**
 * The webhook receiver: Shopify and Chatwoot deliver here, it verifies, de-duplicates and counts.
 *
 *   POST /webhooks/shopify   verified with @shopify/shopify-api (X-Shopify-* or the newer shopify-* headers)
 *   POST /webhooks/chatwoot  X-Chatwoot-Signature over "{timestamp}.{body}", when a secret is configured
 *
 * 200 verified (also for a duplicate: Shopify expects idempotent endpoints), 400 malformed JSON or missing
 * headers, 401 bad/missing signature or stale timestamp, 404 unknown path (or Shopify without a secret),
 * 405 not a POST, 413 over 1 MiB. It never logs; what it saw reaches the console through stats() and
 * subscribe(), without bodies or secrets.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError } from '../../config/config.js';
import { baseUrl, listenHttp, parseListen, type Listening } from './http-server.js';
import { CHATWOOT_TOLERANCE_MS, verifyChatwoot } from './signing.js';
import { createShopifyValidator, type ShopifyValidator } from './shopify-validate.js';
import { createWebhookStats, type RejectReason, type WebhookSource, type WebhookStats } from '../../state/webhook-stats.js';

/** Bodies above this are refused with 413. */
export const MAX_WEBHOOK_BODY = 1024 * 1024;
const SEEN_IDS_KEPT = 20_000;

export interface WebhookHandlerOptions {
  shopifySecret?: string | undefined;
  chatwootSecret?: string | undefined;
  now?: () => number;
  maxBodyBytes?: number;
  /** How far a Chatwoot timestamp may be off; Infinity skips the check (a peer's flawed mode uses it). */
  chatwootToleranceMs?: number;
}

export interface WebhookReceiverOptions extends WebhookHandlerOptions {
  /** host:port, e.g. 127.0.0.1:8787 (port 0 picks a free one). */
  listen: string;
}

/** One request's outcome, as subscribers see it. */
export interface WebhookEvent {
  type: 'delivered' | 'duplicate' | 'rejected';
  source: WebhookSource | null;
  topic: string | null;
  id: string | null;
  status: number;
  at: number;
  reason?: RejectReason;
  lagMs?: number;
}

export type WebhookListener = (event: WebhookEvent) => void;

/** The request handler on its own, for any node:http server (the receiver, the loopback app peer). */
export interface WebhookHandler {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Resolves once the Shopify validator is loaded (it loads lazily). */
  ready(): Promise<void>;
  stats(): WebhookStats;
  subscribe(fn: WebhookListener): () => void;
}

export interface WebhookReceiver {
  /** Where it listens; the real port once started. */
  readonly url: string;
  start(): Promise<void>;
  close(): Promise<void>;
  stats(): WebhookStats;
  subscribe(fn: WebhookListener): () => void;
}

const ERROR_TEXT: Record<RejectReason, string> = {
  bad_signature: 'invalid signature',
  missing_signature: 'missing signature',
  missing_timestamp: 'missing or invalid timestamp',
  stale_timestamp: 'timestamp outside the 5 minute window',
  too_large: 'body larger than 1 MiB',
  malformed_json: 'body is not valid JSON',
  missing_headers: 'missing required headers',
  not_found: 'not found',
  method_not_allowed: 'use POST',
  internal_error: 'internal error',
};

export function createWebhookHandler(opts: WebhookHandlerOptions): WebhookHandler {
  const now = opts.now ?? Date.now;
  const limit = opts.maxBodyBytes ?? MAX_WEBHOOK_BODY;
  const tolerance = opts.chatwootToleranceMs ?? CHATWOOT_TOLERANCE_MS;
  const collector = createWebhookStats(now());
  const listeners = new Set<WebhookListener>();
  const seen: Record<WebhookSource, BoundedSet> = { shopify: new BoundedSet(SEEN_IDS_KEPT), chatwoot: new BoundedSet(SEEN_IDS_KEPT) };
  let shopifyValidator: Promise<ShopifyValidator> | undefined;
  const validator = (secret: string) => (shopifyValidator ??= createShopifyValidator(secret));

  const emit = (e: WebhookEvent) => {
    for (const fn of listeners) {
      try {
        fn(e);
      } catch {
        // A subscriber's bug must not turn into a failed delivery.
      }
    }
  };

  const reject = (res: ServerResponse, status: number, reason: RejectReason, source: WebhookSource | null, topic: string | null = null) => {
    collector.rejected(reason);
    emit({ type: 'rejected', source, topic, id: null, status, at: now(), reason });
    const headers: Record<string, string> = status === 405 ? { allow: 'POST' } : status === 413 ? { connection: 'close' } : {};
    reply(res, status, { ok: false, error: ERROR_TEXT[reason] }, headers);
  };

  const accept = (res: ServerResponse, d: { source: WebhookSource; topic: string; id: string | null; keys: string[]; lagMs?: number }) => {
    const at = now();
    const ids = seen[d.source];
    if (d.keys.some((k) => ids.has(k))) {
      for (const k of d.keys) ids.add(k);
      collector.duplicate();
      emit({ type: 'duplicate', source: d.source, topic: d.topic, id: d.id, status: 200, at });
      return reply(res, 200, { ok: true, duplicate: true });
    }
    for (const k of d.keys) ids.add(k);
    collector.delivered({ source: d.source, topic: d.topic, id: d.id, at, ...(d.lagMs !== undefined ? { lagMs: d.lagMs } : {}) });
    emit({ type: 'delivered', source: d.source, topic: d.topic, id: d.id, status: 200, at, ...(d.lagMs !== undefined ? { lagMs: d.lagMs } : {}) });
    reply(res, 200, { ok: true });
  };

  async function shopify(req: IncomingMessage, res: ServerResponse, body: Buffer, secret: string): Promise<void> {
    const h = req.headers;
    const topic = safe(header(h, 'x-shopify-topic', 'shopify-topic'), 60);
    const check = await (await validator(secret))(body.toString('utf8'), h, req.url ?? '/');
    if (!check.ok) {
      const status = check.reason === 'missing_headers' || check.reason === 'malformed_json' ? 400 : 401;
      return reject(res, status, check.reason, 'shopify', topic);
    }
    if (!isJson(body)) return reject(res, 400, 'malformed_json', 'shopify', topic);
    const webhookId = safe(header(h, 'x-shopify-webhook-id', 'shopify-webhook-id'), 80);
    const eventId = safe(header(h, 'x-shopify-event-id', 'shopify-event-id'), 80);
    const keys = [webhookId ? `w:${webhookId}` : '', eventId && topic ? `e:${topic}:${eventId}` : ''].filter(Boolean);
    const triggered = Date.parse(header(h, 'x-shopify-triggered-at', 'shopify-triggered-at') ?? '');
    accept(res, {
      source: 'shopify',
      topic: topic ?? 'unknown',
      id: eventId ?? webhookId,
      keys,
      ...(Number.isFinite(triggered) ? { lagMs: Math.max(0, now() - triggered) } : {}),
    });
  }

  function chatwoot(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const h = req.headers;
    if (opts.chatwootSecret) {
      const check = verifyChatwoot({
        secret: opts.chatwootSecret,
        signature: header(h, 'x-chatwoot-signature'),
        timestamp: header(h, 'x-chatwoot-timestamp'),
        body,
        nowMs: now(),
        toleranceMs: tolerance,
      });
      if (!check.ok) return reject(res, 401, check.reason, 'chatwoot');
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return reject(res, 400, 'malformed_json', 'chatwoot');
    }
    const event = json !== null && typeof json === 'object' ? (json as { event?: unknown }).event : undefined;
    const topic = safe(typeof event === 'string' ? event : undefined, 60) ?? 'unknown';
    // Chatwoot's retries reuse the delivery UUID; without one there is nothing reliable to de-duplicate on.
    const delivery = safe(header(h, 'x-chatwoot-delivery'), 80);
    accept(res, { source: 'chatwoot', topic, id: delivery, keys: delivery ? [`d:${delivery}`] : [] });
  }

  async function process(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const source: WebhookSource | null =
      path === '/webhooks/shopify' && opts.shopifySecret ? 'shopify' : path === '/webhooks/chatwoot' ? 'chatwoot' : null;
    if (!source || req.method !== 'POST') {
      req.resume();
      return reject(res, source ? 405 : 404, source ? 'method_not_allowed' : 'not_found', source);
    }
    const body = await readBody(req, limit);
    if (body === 'aborted') return;
    if (body === 'too_large') return reject(res, 413, 'too_large', source);
    if (source === 'shopify') return shopify(req, res, body, opts.shopifySecret!);
    return chatwoot(req, res, body);
  }

  return {
    handle(req, res) {
      process(req, res).catch(() => {
        if (!res.headersSent) reject(res, 500, 'internal_error', null);
        else res.destroy();
      });
    },
    async ready() {
      if (opts.shopifySecret) await validator(opts.shopifySecret);
    },
    stats: () => collector.snapshot(),
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

/** The receiver on its own port. */
export function createWebhookReceiver(opts: WebhookReceiverOptions): WebhookReceiver {
  const { host, port } = parseListen(opts.listen);
  const handler = createWebhookHandler(opts);
  let listening: Listening | null = null;
  return {
    get url() {
      return listening?.url ?? baseUrl(host, port);
    },
    async start() {
      if (listening) return;
      await handler.ready();
      try {
        listening = await listenHttp(handler.handle, host, port);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'EADDRINUSE') throw new ConfigError(`webhooks.listen: ${opts.listen} is already in use`);
        if (code === 'EACCES') throw new ConfigError(`webhooks.listen: not allowed to listen on ${opts.listen}`);
        if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new ConfigError(`webhooks.listen: ${host} is not an address of this machine`);
        throw err;
      }
    },
    async close() {
      const l = listening;
      listening = null;
      await l?.close();
    },
    stats: handler.stats,
    subscribe: handler.subscribe,
  };
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** The first value of the first header present (header names arrive lowercased). */
function header(h: IncomingHttpHeaders, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = h[n];
    const s = Array.isArray(v) ? v[0] : v;
    if (s) return s;
  }
  return undefined;
}

/** Ids and topics end up on screen and in markdown: keep them to plain characters. */
function safe(v: string | undefined, max: number): string | null {
  const s = v?.replace(/[^\w.:@/+=-]/g, '').slice(0, max);
  return s ? s : null;
}

function isJson(body: Buffer): boolean {
  try {
    JSON.parse(body.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** Reads a body up to `limit`; past it, keeps draining (to 4× the limit) so the 413 reaches the client. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large' | 'aborted'> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    let over = Number.isFinite(declared) && declared > limit;
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (!over && size > limit) {
        over = true;
        chunks.length = 0;
      }
      if (!over) chunks.push(c);
      else if (size > limit * 4) resolve('too_large');
    });
    req.on('end', () => resolve(over ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', () => resolve('aborted'));
    req.on('close', () => {
      if (!req.complete) resolve('aborted');
    });
  });
}

/** A set that forgets its oldest entries past `max`. */
class BoundedSet {
  private readonly items = new Set<string>();
  constructor(private readonly max: number) {}
  has(k: string): boolean {
    return this.items.has(k);
  }
  add(k: string): void {
    if (this.items.has(k)) return;
    this.items.add(k);
    if (this.items.size > this.max) this.items.delete(this.items.values().next().value!);
  }
}
