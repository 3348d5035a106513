import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  buildClientSchema,
  getNamedType,
  isLeafType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type IntrospectionQuery,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * Shopify's published Admin GraphQL introspection, one file per API version, vendored from the npm package
 * @shopify/dev-mcp@1.16.0 (dist/data/admin_<version>.json.gz, ISC licence, see fixtures/shopify/README.md).
 * Beside the standard introspection each file carries Shopify's own `requiredAccess` per type and field.
 */
export const SHOPIFY_SCHEMA_VERSIONS = ['2026-01', '2026-04', '2026-07', '2026-10'] as const;
export type ShopifySchemaVersion = (typeof SHOPIFY_SCHEMA_VERSIONS)[number];

/** One version's schema plus the access scopes Shopify documents for its types and fields. */
export interface AdminSchema {
  version: ShopifySchemaVersion;
  schema: GraphQLSchema;
  /** `requiredAccess` text of a type (`InventoryItem`) or a field (`QueryRoot.ordersCount`). */
  requiredAccess(key: string): string | null;
}

interface RawIntrospection {
  data: IntrospectionQuery & {
    __schema: { types: { name: string; requiredAccess?: string | null; fields?: { name: string; requiredAccess?: string | null }[] | null }[] };
  };
}

const cache = new Map<ShopifySchemaVersion, AdminSchema>();

/** The fixture file of a version (the same path from src/ and dist/). */
export function adminSchemaFile(version: ShopifySchemaVersion): string {
  return fileURLToPath(new URL(`../../fixtures/shopify/admin_${version}.json.gz`, import.meta.url));
}

/** Loads (once per process) a version's schema: ~1 s of gunzip, JSON and buildClientSchema. */
export function loadAdminSchema(version: ShopifySchemaVersion): AdminSchema {
  const hit = cache.get(version);
  if (hit) return hit;
  const raw = JSON.parse(gunzipSync(readFileSync(adminSchemaFile(version))).toString('utf8')) as RawIntrospection;
  const access = new Map<string, string>();
  for (const t of raw.data.__schema.types) {
    if (t.requiredAccess) access.set(t.name, t.requiredAccess);
    for (const f of t.fields ?? []) if (f.requiredAccess) access.set(`${t.name}.${f.name}`, f.requiredAccess);
  }
  const loaded: AdminSchema = { version, schema: buildClientSchema(raw.data), requiredAccess: (key) => access.get(key) ?? null };
  cache.set(version, loaded);
  return loaded;
}

/** The scopes a `requiredAccess` text names: "`read_inventory` access scope or `read_products` access scope." → any of them. */
export function scopesIn(requiredAccess: string): string[] {
  return [...requiredAccess.matchAll(/`([a-z_]+)` access scope/g)].map((m) => m[1]!);
}

/**
 * Which version a path's version gets. Shopify: a version past its support window "falls forward" to the oldest
 * supported one (https://shopify.dev/docs/api/usage/versioning); the peer also serves its newest vendored schema for
 * a version newer than it knows (a peer limitation, said in the X-Shopify-API-Version header like any fall-forward).
 */
export function servedVersion(requested: string): ShopifySchemaVersion {
  if ((SHOPIFY_SCHEMA_VERSIONS as readonly string[]).includes(requested)) return requested as ShopifySchemaVersion;
  const oldest = SHOPIFY_SCHEMA_VERSIONS[0];
  return /^\d{4}-\d{2}$/.test(requested) && requested < oldest ? oldest : SHOPIFY_SCHEMA_VERSIONS.at(-1)!;
}

/**
 * Shopify's calculated query cost (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits): scalars and
 * enums 0, objects 1, a connection 2 + its `first`/`last` × the cost of one node. `nodesOf` gives the actual number
 * of nodes a root connection returned (the actual cost); without it the requested size counts.
 */
export function queryCost(
  schema: GraphQLSchema,
  doc: DocumentNode,
  variables: Record<string, unknown>,
  nodesOf?: (responseKey: string) => number,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  const root = op?.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (!op || !root) return 0;
  const intArg = (v: ValueNode | undefined): number => {
    if (!v) return 0;
    if (v.kind === Kind.INT) return Number(v.value);
    if (v.kind === Kind.VARIABLE) return Number(variables[v.name.value] ?? 0) || 0;
    return 0;
  };
  const walk = (type: GraphQLNamedType, set: SelectionSetNode | undefined, top: boolean): number => {
    if (!set || !isObjectType(type)) return 0;
    let sum = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        sum += walk(sel.typeCondition ? (schema.getType(sel.typeCondition.name.value) ?? type) : type, sel.selectionSet, top);
        continue;
      }
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(sel.name.value);
        if (f) sum += walk(schema.getType(f.typeCondition.name.value) ?? type, f.selectionSet, top);
        continue;
      }
      const def = type.getFields()[sel.name.value];
      if (!def) continue;
      const named = getNamedType(def.type);
      if (isLeafType(named)) continue;
      if (named.name.endsWith('Connection')) {
        const arg = (name: string) => intArg(sel.arguments?.find((a) => a.name.value === name)?.value);
        const requested = Math.max(arg('first'), arg('last'));
        const n = top && nodesOf ? nodesOf(sel.alias?.value ?? sel.name.value) : requested;
        sum += 2 + n * nodeCost(named, sel.selectionSet);
      } else {
        sum += 1 + walk(named, sel.selectionSet, false);
      }
    }
    return sum;
  };
  // One node of a connection: the node object and what it selects, through `nodes` or `edges { node }`.
  const nodeCost = (conn: GraphQLNamedType, set: SelectionSetNode | undefined): number => {
    if (!set || !isObjectType(conn)) return 0;
    let most = 0;
    for (const sel of set.selections) {
      if (sel.kind !== Kind.FIELD) continue;
      const def = conn.getFields()[sel.name.value];
      if (!def) continue;
      if (sel.name.value === 'nodes') most = Math.max(most, 1 + walk(getNamedType(def.type), sel.selectionSet, false));
      if (sel.name.value === 'edges') {
        const edge = getNamedType(def.type);
        const node = sel.selectionSet?.selections.find((s) => s.kind === Kind.FIELD && s.name.value === 'node');
        if (node?.kind === Kind.FIELD && isObjectType(edge)) {
          most = Math.max(most, 1 + walk(getNamedType(edge.getFields().node!.type), node.selectionSet, false));
        }
      }
    }
    return most;
  };
  return walk(root, op.selectionSet, true);
}
