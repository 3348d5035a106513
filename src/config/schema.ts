/** The config's schema (zod) and the types it gives: tiles, targets, webhooks, the validated Config. */
import { z } from 'zod';

/** The dashboard's five tiles, by id, with the names people say out loud. */
export const TILES = {
  'cx-pulse': 'CX Pulse',
  'sales-pulse': 'Sales Pulse',
  'seo-pulse': 'SEO Pulse',
  'inventory-watch': 'Inventory Watch',
  'fulfillment-flow': 'Fulfillment Flow',
} as const;
export type TileId = keyof typeof TILES;
export const TILE_IDS = Object.keys(TILES) as TileId[];

const tileId = z.enum(TILE_IDS as [TileId, ...TileId[]]);
const url = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
const timing = {
  intervalSeconds: z.number().positive().max(86_400).optional(),
  timeoutMs: z.number().int().positive().max(600_000).optional(),
  degradedMs: z.number().int().positive().optional(),
  retries: z.number().int().min(0).max(10).optional(),
};
const common = {
  id: z.string().regex(/^[a-z0-9-]+$/, { error: 'expected lowercase letters, digits and dashes' }),
  name: z.string().optional(),
  tiles: z.array(tileId).default([]),
  ...timing,
};
const headers = z.record(z.string(), z.string()).default({});

/** Shopify's newest stable Admin API version on a date: releases are quarterly, named YYYY-01/04/07/10. */
export function latestShopifyApiVersion(on: Date): string {
  const month = Math.floor(on.getUTCMonth() / 3) * 3 + 1;
  return `${on.getUTCFullYear()}-${String(month).padStart(2, '0')}`;
}

/** Shopify per-tile sub-checks the probe knows how to run. */
export const SHOPIFY_SUBCHECKS = ['orders', 'products', 'inventory', 'fulfillment'] as const;

const shopify = z.strictObject({
  ...common,
  kind: z.literal('shopify'),
  shop: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, { error: 'expected a *.myshopify.com domain' }),
  accessToken: z.string().min(1),
  apiVersion: z
    .string()
    .regex(/^\d{4}-(01|04|07|10)$|^unstable$/, { error: 'expected a quarterly version like "2026-10"' })
    .default(() => latestShopifyApiVersion(new Date())),
  endpoint: url.optional(),
  subChecks: z.array(z.enum(SHOPIFY_SUBCHECKS)).default([...SHOPIFY_SUBCHECKS]),
});
const chatwoot = z.strictObject({
  ...common,
  kind: z.literal('chatwoot'),
  baseUrl: url,
  accountId: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).transform(Number),
  apiToken: z.string().min(1),
});
const ga = z.strictObject({
  ...common,
  kind: z.literal('ga'),
  propertyId: z.union([z.string().regex(/^\d+$/), z.number().int().positive()]).transform(String),
  credentialsFile: z.string().optional(),
  endpoint: z.string().regex(/^[^\s:/]+:\d+$/, { error: 'expected host:port' }).optional(),
  insecure: z.boolean().default(false),
});
const mcpStdio = z.strictObject({
  ...common,
  kind: z.literal('mcp'),
  transport: z.literal('stdio'),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().optional(),
  coldStartMinutes: z.number().positive().default(30),
});
const mcpHttp = z.strictObject({
  ...common,
  kind: z.literal('mcp'),
  transport: z.literal('http'),
  url,
  headers,
  coldStartMinutes: z.number().positive().default(30),
});
const statuspage = z.strictObject({
  ...common,
  kind: z.literal('statuspage'),
  url,
  /** Judge only these components (by name; a group counts with its members) and the incidents touching them. */
  components: z.array(z.string().min(1)).min(1).optional(),
});
const http = z.strictObject({
  ...common,
  kind: z.literal('http'),
  url,
  method: z.enum(['GET', 'HEAD']).default('GET'),
  headers,
  expectStatus: z.number().int().min(100).max(599).default(200),
  /** Optional JSON field check: dotted path and the value it must equal. */
  expectJson: z.strictObject({ path: z.string().min(1), equals: z.union([z.string(), z.number(), z.boolean()]) }).optional(),
});

const mcp = z.discriminatedUnion('transport', [mcpStdio, mcpHttp]);
const target = z.discriminatedUnion('kind', [shopify, chatwoot, ga, mcp, statuspage, http]);

/** `host:port` or `[v6]:port`, port 0–65535 (0 picks a free one). */
const listen = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, { error: 'expected host:port, e.g. 127.0.0.1:8787' })
  .refine((v) => Number(v.slice(v.lastIndexOf(':') + 1)) <= 65_535, { error: 'port must be 0–65535' });
const webhookSecret = z.strictObject({ secret: z.string().min(1) });
const webhooks = z.strictObject({
  listen: listen.default('127.0.0.1:8787'),
  shopify: webhookSecret.optional(),
  chatwoot: webhookSecret.optional(),
});

export const schema = z.strictObject({
  store: z.string().default('Hot Rod AN'),
  feedbackFile: z.string().min(1).default('feedback/integrations.md'),
  protectedFiles: z.array(z.string()).default([]),
  stateDir: z.string().optional(),
  defaults: z
    .strictObject({
      intervalSeconds: z.number().positive().max(86_400).default(30),
      timeoutMs: z.number().int().positive().max(600_000).default(10_000),
      degradedMs: z.number().int().positive().default(2_000),
      retries: z.number().int().min(0).max(10).default(1),
    })
    .default({ intervalSeconds: 30, timeoutMs: 10_000, degradedMs: 2_000, retries: 1 }),
  targets: z.array(target).min(1, { error: 'expected at least one target' }),
  /** Optional webhook receiver (`pitwall` listens; Shopify/Chatwoot deliver). */
  webhooks: webhooks.optional(),
  /** The zone the console shows times in (IANA name); the machine's when unset. The feedback file is always UTC. */
  timezone: z
    .string()
    .refine(isTimeZone, { error: 'expected an IANA time zone name such as "Europe/Berlin", "America/New_York" or "UTC"' })
    .optional(),
});

/** True for a time zone name this Node knows (its ICU data): what Intl accepts, it can format. */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Every key the schema knows, anywhere: what a mistyped key is compared with. */
export const KNOWN_KEYS = keysOf(schema);

function keysOf(s: z.ZodType, into = new Set<string>()): Set<string> {
  // Zod 4's public definition of a schema: objects, unions, and what wraps or holds another schema.
  const def = s.def as { type: string; shape?: Record<string, z.ZodType>; options?: z.ZodType[]; innerType?: z.ZodType; element?: z.ZodType; valueType?: z.ZodType; in?: z.ZodType };
  for (const [k, v] of Object.entries(def.shape ?? {})) {
    into.add(k);
    keysOf(v, into);
  }
  for (const next of [...(def.options ?? []), def.innerType, def.element, def.valueType, def.in]) if (next) keysOf(next, into);
  return into;
}

/** The config as the schema reads it, before timings are settled and paths resolved. */
export type RawConfig = z.output<typeof schema>;
type RawTarget = RawConfig['targets'][number];
export type Timing = { intervalSeconds: number; timeoutMs: number; degradedMs: number; retries: number };

/** A target with its timing settled (its own values, else the defaults). */
export type Target = RawTarget & Timing;
export type TargetKind = Target['kind'];
export type TargetOf<K extends TargetKind> = Extract<Target, { kind: K }>;
export type ShopifyTarget = TargetOf<'shopify'>;
export type ChatwootTarget = TargetOf<'chatwoot'>;
export type GaTarget = TargetOf<'ga'>;
export type McpTarget = TargetOf<'mcp'>;
export type StatuspageTarget = TargetOf<'statuspage'>;
export type HttpTarget = TargetOf<'http'>;

/** The validated config, paths absolute, plus what the redactor needs. */
export interface Config {
  /** Absolute path of the file read, or null for a config built in code (the demo). */
  path: string | null;
  store: string;
  feedbackFile: string;
  protectedFiles: string[];
  stateDir?: string;
  defaults: Timing;
  targets: Target[];
  /** Values that came from `${VAR}`: scrubbed from all output. */
  secrets: string[];
  /** The webhook receiver's settings, when the config has a `webhooks:` block. */
  webhooks?: WebhooksConfig;
  /** The console's time zone (IANA name), when set. */
  timezone?: string;
}

/** `webhooks:` — where the receiver listens and the secrets it verifies with. */
export type WebhooksConfig = z.output<typeof webhooks>;

