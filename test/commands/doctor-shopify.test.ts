import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/commands/doctor.js';
import { latestShopifyApiVersion } from '../../src/config/config.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pitwall-doctor-shopify-'));
  mkdirSync(join(root, 'feedback'));
  writeFileSync(join(root, 'feedback', 'integrations.md'), '# Integrations log\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function shopifyCheck(apiVersion: string | null) {
  const configPath = join(root, 'pitwall.yaml');
  writeFileSync(
    configPath,
    [
      'feedbackFile: feedback/integrations.md',
      'targets:',
      '  - id: shopify-admin',
      '    kind: shopify',
      '    shop: hotrodan.myshopify.com',
      '    accessToken: shpat_literal_for_test',
      ...(apiVersion ? [`    apiVersion: "${apiVersion}"`] : []),
      '',
    ].join('\n'),
  );
  const checks = diagnose({ configPath, env: { XDG_STATE_HOME: join(root, 'state'), TERM: 'xterm-256color' }, stdout: { isTTY: false } });
  return checks.filter((c) => c.name === 'shopify api');
}

describe('pitwall doctor on the Shopify API version', () => {
  it('warns when the configured version is past Shopify\'s twelve-month support window', () => {
    expect(shopifyCheck('2024-01')).toEqual([
      {
        status: 'warn',
        name: 'shopify api',
        summary: "shopify-admin: 2024-01 is past Shopify's support window (ended 2025-01-01): Shopify answers with the oldest supported version instead",
        fix: 'set apiVersion to a supported quarterly version (or leave it out for the newest)',
      },
    ]);
  });

  it('is ok with the default, the newest stable version', () => {
    const version = latestShopifyApiVersion(new Date());
    expect(shopifyCheck(null)).toEqual([{ status: 'ok', name: 'shopify api', summary: `shopify-admin: ${version} is within Shopify's support window` }]);
  });

  it('warns about unstable', () => {
    expect(shopifyCheck('unstable')[0]).toMatchObject({ status: 'warn', summary: 'shopify-admin: unstable is not a stable version: its schema can change without notice' });
  });
});
