import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenHttp } from '../server/webhooks/http-server.js';
import { createWebhookHandler, type WebhookHandler } from '../server/webhooks/receiver.js';
import type { WebhookStats } from '../state/webhook-stats.js';
import { peerTimers } from './delay.js';

/**
 * How the fake app endpoint behaves; switch at run time with `setMode`.
 * - verify: what a correct app does (the receiver's own handler: signatures, freshness, duplicates).
 * - accept-all: answers 200 to anything, signed or not (the classic missing-verification bug).
 * - skip-timestamp-check: checks Chatwoot signatures but not their age (replays get through).
 * - error500: every delivery fails. hang: never answers.
 */
export const WEBHOOK_ENDPOINT_MODES = ['verify', 'accept-all', 'skip-timestamp-check', 'error500', 'hang'] as const;
export type WebhookEndpointMode = (typeof WEBHOOK_ENDPOINT_MODES)[number];

export interface WebhookEndpointTune {
  /** Delay every Nth request (1-based: the Nth, 2Nth, …) by `slowMs`; 0 = never. */
  slowEvery?: number;
  slowMs?: number;
}

export interface WebhookEndpointPeerOptions extends WebhookEndpointTune {
  mode?: WebhookEndpointMode;
  shopifySecret?: string;
  chatwootSecret?: string;
  now?: () => number;
  port?: number;
}

export interface WebhookEndpointPeer {
  url: string;
  port: number;
  /** `${url}/webhooks/shopify` */
  shopifyUrl: string;
  /** `${url}/webhooks/chatwoot` */
  chatwootUrl: string;
  readonly mode: WebhookEndpointMode;
  setMode(mode: WebhookEndpointMode, tune?: WebhookEndpointTune): void;
  /** Requests that reached the peer, in any mode. */
  readonly requests: number;
  /** What the verifying handler counted (the verify mode). */
  stats(): WebhookStats;
  close(): Promise<void>;
}

/** A loopback stand-in for the app's webhook endpoints, the target of `pitwall webhooks test`. */
export async function startWebhookEndpointPeer(opts: WebhookEndpointPeerOptions = {}): Promise<WebhookEndpointPeer> {
  const secrets = {
    shopifySecret: opts.shopifySecret ?? 'shpss_pitwall_test_secret_4f9a',
    chatwootSecret: opts.chatwootSecret ?? 'cw_webhook_test_secret_7c21',
    ...(opts.now ? { now: opts.now } : {}),
  };
  const strict: WebhookHandler = createWebhookHandler(secrets);
  const lax: WebhookHandler = createWebhookHandler({ ...secrets, chatwootToleranceMs: Infinity });
  await Promise.all([strict.ready(), lax.ready()]);
  let mode: WebhookEndpointMode = opts.mode ?? 'verify';
  let tune = { slowEvery: opts.slowEvery ?? 0, slowMs: opts.slowMs ?? 200 };
  let requests = 0;
  const timers = peerTimers();

  const answer = (req: IncomingMessage, res: ServerResponse) => {
    switch (mode) {
      case 'verify':
        return strict.handle(req, res);
      case 'skip-timestamp-check':
        return lax.handle(req, res);
      case 'hang':
        req.resume();
        return;
      case 'accept-all':
      case 'error500': {
        const status = mode === 'accept-all' ? 200 : 500;
        req.resume();
        req.on('end', () => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(status === 200 ? '{"ok":true}' : '{"error":"Internal Server Error"}');
        });
        return;
      }
    }
  };

  const listening = await listenHttp(
    (req, res) => {
      requests++;
      if (tune.slowEvery > 0 && requests % tune.slowEvery === 0) {
        timers.after(tune.slowMs, () => answer(req, res));
        return;
      }
      answer(req, res);
    },
    '127.0.0.1',
    opts.port ?? 0,
  );

  return {
    url: listening.url,
    port: listening.port,
    shopifyUrl: `${listening.url}/webhooks/shopify`,
    chatwootUrl: `${listening.url}/webhooks/chatwoot`,
    get mode() {
      return mode;
    },
    setMode(next, t) {
      mode = next;
      if (t) tune = { slowEvery: t.slowEvery ?? tune.slowEvery, slowMs: t.slowMs ?? tune.slowMs };
    },
    get requests() {
      return requests;
    },
    stats: () => strict.stats(),
    async close() {
      timers.clear();
      await listening.close();
    },
  };
}
