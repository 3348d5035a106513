import { getNullableType, isNonNullType, NoDeprecatedCustomRule, parse, specifiedRules, validate, type OperationDefinitionNode } from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAdminSchema, queryCost, scopesIn, SHOPIFY_SCHEMA_VERSIONS } from '../../src/peers/shopify-schema.js';
import { allSubCheckSubsets, SHOPIFY_SCOPES, shopifyDocuments, shopifyVersionProblem } from '../../src/probes/shopify-documents.js';

const NOW = new Date('2026-12-04T10:00:00Z');

// Every document set pitwall can send (each subset of sub-checks) against every API version it supports.
describe.each(SHOPIFY_SCHEMA_VERSIONS)('the documents pitwall sends, against Shopify\'s published Admin schema %s', (version) => {
  const { schema } = loadAdminSchema(version);
  const documents = allSubCheckSubsets().flatMap((subset) => shopifyDocuments(subset, NOW).map((d) => ({ subset, d })));

  it('has 16 subsets, each with its health document', () => {
    expect(allSubCheckSubsets()).toHaveLength(16);
    expect(documents.filter((x) => x.d.health)).toHaveLength(16);
  });

  it('validates every document with no error and no deprecated field', () => {
    const problems = documents.flatMap(({ subset, d }) =>
      validate(schema, parse(d.query), [...specifiedRules, NoDeprecatedCustomRule]).map((e) => `[${subset.join(',')}] ${d.name}: ${e.message}`),
    );
    expect(problems).toEqual([]);
  });

  it('sends each non-null root field alone, so a denied one cannot null another sub-check\'s data', () => {
    const query = schema.getQueryType()!.getFields();
    for (const { d } of documents) {
      const op = parse(d.query).definitions[0] as OperationDefinitionNode;
      const roots = op.selectionSet.selections.map((s) => (s.kind === 'Field' ? s.name.value : '?'));
      const nonNull = roots.filter((r) => isNonNullType(query[r]!.type));
      if (d.health) {
        // shop and currentAppInstallation need no scope; everything else beside them must be nullable.
        expect(nonNull.sort()).toEqual(['currentAppInstallation', 'shop']);
      } else {
        expect(roots).toHaveLength(1);
      }
      for (const r of roots) expect(getNullableType(query[r]!.type)).toBeTruthy();
    }
  });

  it('keeps every document under Shopify\'s 1000-point single-query limit', () => {
    for (const { d } of documents) expect(queryCost(schema, parse(d.query), d.variables)).toBeLessThan(1000);
  });
});

describe('Shopify\'s support window', () => {
  it('is twelve months from the release on the first of the quarter', () => {
    expect(shopifyVersionProblem('2026-01', new Date('2026-12-31T23:59:59Z'))).toBeNull();
    expect(shopifyVersionProblem('2026-01', new Date('2027-01-01T00:00:00Z'))).toBe(
      "2026-01 is past Shopify's support window (ended 2027-01-01): Shopify answers with the oldest supported version instead",
    );
    expect(shopifyVersionProblem('2025-10', NOW)).toMatch(/^2025-10 is past Shopify's support window \(ended 2026-10-01\)/);
    expect(shopifyVersionProblem('2027-01', NOW)).toBe('2027-01 is not released yet');
    expect(shopifyVersionProblem('unstable', NOW)).toMatch(/^unstable is not a stable version/);
  });

  it('covers today: every version Shopify supports on the fixtures\' date is vendored', () => {
    const supported = ['2026-01', '2026-04', '2026-07', '2026-10'].filter((v) => shopifyVersionProblem(v, NOW) === null);
    expect([...SHOPIFY_SCHEMA_VERSIONS]).toEqual(supported);
  });
});

// In this file, not its own: each test file is a worker, and each schema costs a second or two to build.
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
