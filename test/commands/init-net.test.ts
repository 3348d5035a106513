import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInit } from '../../src/commands/init.js';
import { configVariables, parseConfig } from '../../src/config/config.js';
import { vendorLinksOf } from '../../src/state/connectivity.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pitwall-init-net-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('pitwall init: the issue 21 rows', () => {
  it('checks webhooks and scopes on Shopify, has a canary, and links every vendor-backed target to its status page', async () => {
    await runInit({ dir: root, write: () => {} });
    const yaml = readFileSync(join(root, 'pitwall.yaml'), 'utf8');
    const env = Object.fromEntries(configVariables(yaml, { env: {} }).map((v) => [v.name, v.name === 'CHATWOOT_ACCOUNT_ID' ? '3' : v.name === 'CHATWOOT_BASE_URL' ? 'https://chat.example' : v.name === 'GA_PROPERTY_ID' ? '1' : 'x_value']));
    const config = parseConfig(yaml, { path: join(root, 'pitwall.yaml'), env });
    expect(config.targets.find((t) => t.id === 'shopify-admin')).toMatchObject({
      webhookCheck: { appUrl: 'https://hotdash.fly.dev/webhooks/shopify', topics: ['ORDERS_CREATE', 'ORDERS_UPDATED', 'INVENTORY_LEVELS_UPDATE', 'FULFILLMENTS_CREATE'], silentMinutes: 15 },
      scopeCheck: true,
    });
    expect(config.network).toEqual({ canary: { dns: 'one.one.one.one', url: 'https://www.gstatic.com/generate_204', intervalSeconds: 60, timeoutMs: 5000 }, burst: 3, burstWindowSeconds: 60 });
    expect(Object.fromEntries(vendorLinksOf(config))).toEqual({
      'shopify-admin': 'shopify-status',
      'mcp-shopify': 'shopify-status',
      'app-health': 'fly-status',
      'mcp-github': 'github-status',
      'mcp-supabase': 'supabase-status',
      'mcp-fly': 'fly-status',
    });
  });

  it('a vendorLinks entry naming no target, or a target that is not a status page, is one sentence naming the key', () => {
    const base = 'targets:\n  - { id: app, kind: http, url: "https://a.example" }\n  - { id: page, kind: statuspage, url: "https://s.example" }\n';
    expect(() => parseConfig(`${base}vendorLinks:\n  nope: page\n`, { env: {} })).toThrow('vendorLinks.nope: there is no target "nope"');
    expect(() => parseConfig(`${base}vendorLinks:\n  app: app\n`, { env: {} })).toThrow('vendorLinks.app: "app" is not a statuspage target');
    expect(() => parseConfig(`${base}network:\n  canary: { intervalSeconds: 30 }\n`, { env: {} })).toThrow(/network\.canary/);
  });
});
