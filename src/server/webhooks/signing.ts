/**
 * The two signing schemes, as the vendors document them.
 *
 * - Shopify: `X-Shopify-Hmac-Sha256` (or `shopify-hmac-sha256` on Events deliveries) is the base64
 *   HMAC-SHA256 of the raw body, keyed with the app's client secret.
 * - Chatwoot (4.12+, chatwoot/chatwoot#13573): `X-Chatwoot-Signature: sha256=<hex>` where the hex is the
 *   HMAC-SHA256 of `"{X-Chatwoot-Timestamp}.{raw body}"`, keyed with the webhook's secret; the timestamp
 *   is Unix seconds and receivers should refuse anything older than about five minutes.
 *
 * The receiver verifies Shopify with @shopify/shopify-api (see shopify-validate.ts); the Chatwoot check
 * here is ours because no Chatwoot library exists for it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a Chatwoot timestamp may be from our clock, either way. */
export const CHATWOOT_TOLERANCE_MS = 5 * 60_000;

/** Shopify's signature of a raw body. */
export function signShopify(secret: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

/** Chatwoot's signature header value for a raw body sent at `timestamp` (Unix seconds, as sent). */
export function signChatwoot(secret: string, timestamp: string, body: string | Buffer): string {
  return `sha256=${chatwootDigest(secret, timestamp, body).toString('hex')}`;
}

function chatwootDigest(secret: string, timestamp: string, body: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

export type ChatwootRejection = 'missing_signature' | 'missing_timestamp' | 'bad_signature' | 'stale_timestamp';

export interface ChatwootCheckInput {
  secret: string;
  signature: string | undefined;
  timestamp: string | undefined;
  body: Buffer;
  nowMs: number;
  toleranceMs?: number;
}

/**
 * Verifies a Chatwoot delivery. The signature is checked before the clock so that a stale answer means
 * "genuinely signed but old" (a replay or a very late retry), not "forged".
 */
export function verifyChatwoot(input: ChatwootCheckInput): { ok: true } | { ok: false; reason: ChatwootRejection } {
  const { signature, timestamp } = input;
  if (!signature) return { ok: false, reason: 'missing_signature' };
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing_timestamp' };
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(signature.trim());
  if (!m) return { ok: false, reason: 'bad_signature' };
  const given = Buffer.from(m[1]!, 'hex');
  const expected = chatwootDigest(input.secret, timestamp, input.body);
  // Both are 32 bytes here, so timingSafeEqual cannot throw on a length mismatch.
  if (!timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  const skew = Math.abs(input.nowMs - Number(timestamp) * 1000);
  if (skew > (input.toleranceMs ?? CHATWOOT_TOLERANCE_MS)) return { ok: false, reason: 'stale_timestamp' };
  return { ok: true };
}
