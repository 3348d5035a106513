import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAdminSchema, scopesIn, SHOPIFY_SCHEMA_VERSIONS } from '../../src/peers/shopify-schema.js';
import { SHOPIFY_SCOPES } from '../../src/probes/shopify-documents.js';

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const start = readme.indexOf('<!-- shopify-scopes:');
const rows = readme
  .slice(start)
  .split('\n\n')[0]!
  .split('\n')
  .slice(3)
  .map((l) => l.split(' | ').map((c) => c.replace(/^\| ?| ?\|$/g, '').trim()));
const tick = (xs: string[]) => xs.map((x) => `\`${x}\``).join(' or ');

describe('README: Shopify scopes per sub-check', () => {
  it('has a row per sub-check, granting the scopes the probe relies on', () => {
    expect(start).toBeGreaterThan(-1);
    expect(rows.map((r) => r[0])).toEqual(['(health)', 'orders', 'products', 'inventory', 'fulfillment']);
    for (const r of rows.slice(1)) expect(r[3], r[0]).toBe(SHOPIFY_SCOPES[r[0] as keyof typeof SHOPIFY_SCOPES].scopes.map((x) => `\`${x}\``).join(', '));
  });

  it.each(SHOPIFY_SCHEMA_VERSIONS)('states what the %s schema accepts for each root field, and the granted scope is one of them', (version) => {
    const admin = loadAdminSchema(version);
    for (const r of rows.slice(1)) {
      const field = r[2]!.replace(/`/g, '');
      const type = admin.schema.getQueryType()!.getFields()[field]!.type.toString().replace(/[!\[\]]/g, '');
      const node = type.endsWith('Connection') ? type.slice(0, -'Connection'.length) : type;
      const required = admin.requiredAccess(`QueryRoot.${field}`) ?? admin.requiredAccess(node);
      const accepted = scopesIn(required!);
      expect(r[4], `${version} ${field}`).toBe(tick(accepted));
      for (const granted of SHOPIFY_SCOPES[r[0] as keyof typeof SHOPIFY_SCOPES].scopes) expect(accepted).toContain(granted);
    }
    for (const f of ['shop', 'currentAppInstallation']) expect(admin.requiredAccess(`QueryRoot.${f}`)).toBeNull();
  });
});
