import type { Target } from '../../config/config.js';
import { REDACTED } from '../../text/redact.js';

/**
 * Where a target is checked, for people: the URL, host:port or command it reaches. Credentials in a URL's user
 * part are cut here; `redact` (the one redactor) does the rest before it reaches the screen or the clipboard.
 */
export function endpointOf(t: Target, redact: (s: string) => string): string {
  const raw = (() => {
    switch (t.kind) {
      case 'shopify':
        return `${t.endpoint ?? `https://${t.shop}/admin/api/${t.apiVersion}/graphql.json`}`;
      case 'chatwoot':
        return `${t.baseUrl} (account ${t.accountId})`;
      case 'ga':
        return `${t.endpoint ?? 'analyticsdata.googleapis.com:443'} (property ${t.propertyId})`;
      case 'mcp':
        return t.transport === 'stdio' ? `stdio: ${[t.command, ...t.args].join(' ')}` : t.url;
      case 'statuspage':
        return t.url;
      case 'http':
        return `${t.method} ${t.url}`;
      case 'sales-sync':
        return `orders in ${t.shopify} compared with purchases in ${t.ga}`;
    }
  })();
  return redact(withoutUserInfo(raw));
}

/** `https://user:pass@host/` → `https://[redacted]@host/`: a URL's user part is a credential wherever it is. */
function withoutUserInfo(s: string): string {
  return s.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, `$1${REDACTED}@`);
}

/** Every target's endpoint by id, redacted: what the detail view shows and `c` copies. */
export function endpointsOf(targets: readonly Target[], redact: (s: string) => string): Record<string, string> {
  return Object.fromEntries(targets.map((t) => [t.id, endpointOf(t, redact)]));
}
