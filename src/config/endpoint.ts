import type { Target } from './schema.js';

/**
 * Where a target is checked, for people: the URL, the GA property, the MCP server's command line. A URL's user part
 * is a credential wherever it is (a token can be the user name), so it is cut whole; secret values elsewhere are the
 * redactor's to hide before the text reaches a screen, a clipboard or an entry. One wording for the detail view,
 * the clipboard and the BLOCKER entry.
 */
export function targetEndpoint(t: Target): string {
  switch (t.kind) {
    case 'shopify':
      return withoutUserInfo(t.endpoint ?? `https://${t.shop}/admin/api/${t.apiVersion}/graphql.json`);
    case 'chatwoot':
      return `${withoutUserInfo(t.baseUrl)} (account ${t.accountId})`;
    case 'ga':
      return `GA4 property ${t.propertyId}${t.endpoint ? ` via ${t.endpoint}` : ''}`;
    case 'mcp':
      return t.transport === 'stdio' ? `stdio: ${[t.command, ...t.args].join(' ')}` : withoutUserInfo(t.url);
    case 'statuspage':
      return withoutUserInfo(t.url);
    case 'http':
      return `${t.method} ${withoutUserInfo(t.url)}`;
    case 'sales-sync':
      return `orders in ${t.shopify} compared with purchases in ${t.ga}`;
  }
}

/** `https://user:pass@host/` → `https://[redacted]@host/`. */
function withoutUserInfo(s: string): string {
  return s.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1[redacted]@');
}
