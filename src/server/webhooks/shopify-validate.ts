/**
 * Shopify webhook verification through @shopify/shopify-api's own `webhooks.validate`, so the header
 * rules (the classic `X-Shopify-*` names and the newer lowercase `shopify-*` ones of Events deliveries)
 * and the HMAC check follow the vendor's library rather than our reading of the docs.
 *
 * Caveats, all contained here:
 * - `shopifyApi()` refuses to start without apiKey, hostName and apiVersion; `validate` uses only
 *   apiSecretKey, so the other three are placeholders.
 * - The library takes the raw body as a string and re-encodes it as UTF-8 before hashing, so a body that
 *   is not valid UTF-8 fails verification (fails closed). Shopify sends UTF-8 JSON.
 * - Importing the Node adapter sets the library's process-wide runtime hooks; nothing else here uses them.
 * - The library is loaded lazily (~150 ms) so commands that never receive webhooks do not pay for it.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type ShopifyRejection = 'missing_signature' | 'bad_signature' | 'missing_headers' | 'malformed_json';

export type ShopifyCheck = { ok: true } | { ok: false; reason: ShopifyRejection; missingHeaders?: string[] };

/** Checks one delivery: the raw body as received, the request's headers and path. */
export type ShopifyValidator = (rawBody: string, headers: IncomingHttpHeaders, url: string) => Promise<ShopifyCheck>;

type ShopifyLib = typeof import('@shopify/shopify-api');
let lib: Promise<ShopifyLib> | undefined;

function loadLib(): Promise<ShopifyLib> {
  lib ??= import('@shopify/shopify-api/adapters/node').then(() => import('@shopify/shopify-api'));
  return lib;
}

/** Builds a validator for one app secret. */
export async function createShopifyValidator(secret: string): Promise<ShopifyValidator> {
  const { shopifyApi, ApiVersion, LogSeverity } = await loadLib();
  const shopify = shopifyApi({
    apiKey: 'pitwall-webhook-receiver',
    apiSecretKey: secret,
    apiVersion: ApiVersion.Unstable,
    hostName: '127.0.0.1',
    isEmbeddedApp: false,
    // The library logs through console by default; the receiver reports through its stats instead.
    logger: { level: LogSeverity.Error, log: () => undefined },
  });
  return async (rawBody, headers, url) => {
    if (rawBody.length === 0) return { ok: false, reason: 'malformed_json' };
    const result = await shopify.webhooks.validate({ rawBody, rawRequest: { headers, method: 'POST', url } });
    if (result.valid) return { ok: true };
    switch (result.reason) {
      case 'missing_hmac':
        return { ok: false, reason: 'missing_signature' };
      case 'missing_headers':
        return { ok: false, reason: 'missing_headers', missingHeaders: 'missingHeaders' in result ? result.missingHeaders : [] };
      case 'missing_body':
        return { ok: false, reason: 'malformed_json' };
      default:
        return { ok: false, reason: 'bad_signature' };
    }
  };
}
