import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { createRedactor, REDACTED } from '../../src/text/redact.js';

/** A config whose every interesting value comes from ${VAR}: the secret ones and the clues. */
const text = `
webhooks:
  shopify: { secret: "\${SHOPIFY_WEBHOOK_SECRET}" }
targets:
  - { id: shop, kind: shopify, shop: "\${SHOP_DOMAIN}", accessToken: "\${SHOPIFY_TOKEN}" }
  - { id: cw, kind: chatwoot, baseUrl: "\${CHATWOOT_URL}", accountId: 1, apiToken: "\${CHATWOOT_TOKEN}" }
  - { id: ga, kind: ga, propertyId: "\${GA_PROPERTY_ID}", credentialsFile: "\${GA_CREDENTIALS}" }
  - { id: gh, kind: mcp, transport: http, url: "\${GH_MCP_URL}", headers: { Authorization: "Bearer \${GH_PAT}", X-Request-Source: "\${SOURCE}" } }
  - { id: fly, kind: mcp, transport: stdio, command: fly, args: ["mcp", "server", "--org", "\${FLY_ORG}"], env: { FLY_API_TOKEN: "\${FLY_TOKEN}", FLY_REGION: "\${FLY_REGION}" } }
  - { id: app, kind: http, url: "https://app.hotrodan.com/health?api_key=\${APP_KEY}&v=2" }
  - { id: status, kind: statuspage, url: "https://user:\${STATUS_PASS}@status.example.com/api/v2/summary.json" }
  - { id: loose, kind: http, url: "https://app.hotrodan.com/ping", headers: { X-Trace: "\${LEAKED_PAT}" } }
`;

const env = {
  SHOPIFY_WEBHOOK_SECRET: 'whsec-shop-1234',
  SHOP_DOMAIN: 'hot-rod-an.myshopify.com',
  SHOPIFY_TOKEN: 'shpat-plain-token-1',
  CHATWOOT_URL: 'https://chat.hotrodan.com',
  CHATWOOT_TOKEN: 'cw-token-5678',
  GA_PROPERTY_ID: '123456789',
  GA_CREDENTIALS: '/etc/pitwall/ga-service-account.json',
  GH_MCP_URL: 'https://api.githubcopilot.com/mcp/',
  GH_PAT: 'gh-pat-value-42',
  SOURCE: 'pitwall-oncall',
  FLY_ORG: 'hotrodan',
  FLY_TOKEN: 'fly-token-9999',
  FLY_REGION: 'cdg',
  APP_KEY: 'appkey/77+31',
  STATUS_PASS: 'st4tus-pass',
  LEAKED_PAT: 'ghp_abcdefghijklmnopqrstuvwxyz0123',
};

describe('config secrets: the values of secret fields, not every ${VAR}', () => {
  const c = parseConfig(text, { env });
  const r = createRedactor(c.secrets);

  it('counts as secrets the secret fields, secret-named headers and env, webhook secrets, URL passwords and secret query values', () => {
    for (const s of ['whsec-shop-1234', 'shpat-plain-token-1', 'cw-token-5678', 'gh-pat-value-42', 'Bearer gh-pat-value-42', 'fly-token-9999', 'appkey/77+31', 'st4tus-pass']) {
      expect(c.secrets).toContain(s);
      expect(r.text(`upstream said: ${s}.`)).toBe(`upstream said: ${REDACTED}.`);
    }
    // The URL-encoded form a query string carries it in, too.
    expect(r.text('GET /health?api_key=appkey%2F77%2B31&v=2 → 401')).not.toContain('appkey%2F77');
  });

  it('keeps a ${VAR} value that looks like a token secret whatever field it is in', () => {
    expect(c.secrets).toContain('ghp_abcdefghijklmnopqrstuvwxyz0123');
  });

  it('leaves the clues readable: ids, paths, base URLs, domains, regions, org names', () => {
    for (const clue of ['hot-rod-an.myshopify.com', 'https://chat.hotrodan.com', '123456789', '/etc/pitwall/ga-service-account.json', 'https://api.githubcopilot.com/mcp/', 'pitwall-oncall', 'hotrodan', 'cdg']) {
      expect(c.secrets).not.toContain(clue);
    }
    expect(r.text('cannot read credentialsFile /etc/pitwall/ga-service-account.json: ENOENT')).toBe(
      'cannot read credentialsFile /etc/pitwall/ga-service-account.json: ENOENT',
    );
    expect(r.text('GA property 123456789: PERMISSION_DENIED')).toBe('GA property 123456789: PERMISSION_DENIED');
    expect(r.text('connect ECONNREFUSED https://chat.hotrodan.com/api/v1/accounts/1')).toBe('connect ECONNREFUSED https://chat.hotrodan.com/api/v1/accounts/1');
  });
});
