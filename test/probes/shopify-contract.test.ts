import { getNullableType, isNonNullType, NoDeprecatedCustomRule, parse, specifiedRules, validate, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadAdminSchema, queryCost, SHOPIFY_SCHEMA_VERSIONS } from '../../src/peers/shopify-schema.js';
import { allSubCheckSubsets, shopifyDocuments, shopifyVersionProblem } from '../../src/probes/shopify-documents.js';

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
