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
/**
 * Sane minimums. 1 s between checks is Kubernetes' own floor for a probe's periodSeconds: at most one request a second
 * per target (plus retries) is a load any upstream takes, and the scale benchmark (300 targets every second) runs at
 * it; below it a typo such as 0.001 sends hundreds of requests a second at a vendor. 200 ms is the shortest timeout in
 * which a fresh HTTPS check to a vendor in another region can finish (TCP + TLS 1.3 is two round trips of up to
 * ~100 ms); a shorter one would make every check a false red.
 */
export const MIN_INTERVAL_SECONDS = 1;
export const MIN_TIMEOUT_MS = 200;
const intervalSeconds = z
  .number()
  .min(MIN_INTERVAL_SECONDS, { error: (i) => `expected at least ${MIN_INTERVAL_SECONDS} second between checks (got ${String(i.input)}); a smaller interval hammers the upstream` })
  .max(86_400, { error: 'expected at most 86400 (one day)' });
const timeoutMs = z
  .number()
  .int()
  .min(MIN_TIMEOUT_MS, { error: (i) => `expected at least ${MIN_TIMEOUT_MS} ms (got ${String(i.input)}); a shorter timeout makes every check a false red` })
  .max(600_000, { error: 'expected at most 600000 (ten minutes)' });
const timing = {
  intervalSeconds: intervalSeconds.optional(),
  timeoutMs: timeoutMs.optional(),
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

// --- Issue 21: checks beyond "is the API up" (webhook subscriptions, access scopes, own network, vendor links) ---

/** The webhook topics the dashboard relies on (Shopify's WebhookSubscriptionTopic enum names). */
export const DEFAULT_WEBHOOK_TOPICS = ['ORDERS_CREATE', 'ORDERS_UPDATED', 'INVENTORY_LEVELS_UPDATE', 'FULFILLMENTS_CREATE'] as const;
/** A Shopify target's `webhookCheck:` the topics that must be subscribed, at which URL, and how long a silence is too long. */
const shopifyWebhookCheck = z.strictObject({
  appUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  topics: z
    .array(z.string().regex(/^[A-Z][A-Z0-9_]*$/, { error: 'expected a topic like ORDERS_CREATE' }))
    .min(1)
    .default([...DEFAULT_WEBHOOK_TOPICS]),
  /** No orders/create delivery this long while Shopify counts new orders: the pipe is broken (needs `webhooks:`). */
  silentMinutes: z.number().int().positive().max(60).default(15),
});
/** `network:` how pitwall tells its own network failing from the vendors failing (see src/state/connectivity.ts). */
const network = z.strictObject({
  canary: z
    .strictObject({
      /** A host name to resolve. */
      dns: z.string().min(1).optional(),
      /** One well-known HTTP(S) endpoint; any HTTP answer counts as connected. */
      url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
      intervalSeconds: z.number().min(5).max(3600).default(60),
      timeoutMs: z.number().int().positive().max(60_000).default(5_000),
    })
    .refine((c) => c.dns !== undefined || c.url !== undefined, { error: 'give dns, url or both' })
    .optional(),
  /** This many targets on different hosts failing to connect at once, and none answering: pitwall's own network. */
  burst: z.number().int().min(2).max(100).default(3),
  burstWindowSeconds: z.number().positive().max(3600).default(60),
});
/** `vendorLinks:` target id → the statuspage target it depends on (null: none); unlisted targets get defaults. */
const vendorLinks = z.record(z.string(), z.string().nullable());
// ── Credentials and sales sync (issue 21) ─────────────────────────────────────────────────────────
const isoInstant = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 instant, e.g. 2026-12-05T18:00:00Z' });
/** Shopify expiring offline tokens: when the token ends, and what refreshes it (the app's client id and secret). */
const shopifyTokenKeys = {
  accessTokenExpiresAt: isoInstant.optional(),
  tokenRefresh: z
    .strictObject({
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
      refreshToken: z.string().min(1),
      refreshTokenExpiresAt: isoInstant.optional(),
      /** Refresh when the access token has less than this left (default 5 minutes; Shopify's tokens last 60). */
      refreshBeforeMinutes: z.number().positive().max(59).default(5),
    })
    .optional(),
};
/** Sales Pulse in sync: the windows a sales-sync target compares, and how far apart the counts may be. */
export const SALES_SYNC_WINDOWS = ['realtime-30m', 'closed-hour'] as const;
const targetRef = z.string().regex(/^[a-z0-9-]+$/, { error: 'expected the id of another target' });
const salesSyncKeys = {
  kind: z.literal('sales-sync'),
  /** The id of the shopify target whose store and token to count orders with. */
  shopify: targetRef,
  /** The id of the ga target whose property to count purchases in. */
  ga: targetRef,
  windows: z.array(z.enum(SALES_SYNC_WINDOWS)).min(1).default(['realtime-30m']),
  /** Degraded only when the counts differ by more than BOTH (GA drops some purchases: ad blockers, consent). */
  tolerance: z
    .strictObject({ absolute: z.number().int().min(0).default(2), relative: z.number().min(0).max(1).default(0.2) })
    .default({ absolute: 2, relative: 0.2 }),
  /** closed-hour: GA's metric for purchases. */
  gaMetric: z.enum(['ecommercePurchases', 'transactions']).default('ecommercePurchases'),
  /** closed-hour: how many hours back the compared hour ends, for GA's processing delay. */
  delayHours: z.number().int().min(1).max(72).default(12),
};
/** How long a credential must still have: degraded below warnHours, or when it ends before the launch does. */
const credentials = z.strictObject({
  warnHours: z.number().positive().max(8_760).default(24),
  launchEndsAt: isoInstant.optional(),
});

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
  webhookCheck: shopifyWebhookCheck.optional(),
  /** Compare /admin/oauth/access_scopes.json with the scopes pitwall's checks need. */
  scopeCheck: z.boolean().default(false),
  ...shopifyTokenKeys,
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
  /** The Data API's root: an http(s) URL, or `host:port` (http with `insecure`, else https); default Google's. */
  endpoint: z
    .string()
    .refine((s) => /^[^\s:/]+:\d+$/.test(s) || (/^https?:\/\/[^\s/]/i.test(s) && URL.canParse(s)), { error: 'expected host:port or an http(s) URL' })
    .optional(),
  insecure: z.boolean().default(false),
  /** When the service-account key stops working (a key created under an expiry policy); the key file does not say. */
  keyExpiresAt: isoInstant.optional(),
  /** Where Google lists the account's key certificates (default: Google's public x509 list for the key file's account). */
  keyCertsUrl: url.optional(),
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

const salesSync = z.strictObject({ ...common, ...salesSyncKeys });

const mcp = z.discriminatedUnion('transport', [mcpStdio, mcpHttp]);
const target = z.discriminatedUnion('kind', [shopify, chatwoot, ga, mcp, statuspage, http, salesSync]);
/** Every target kind, as the schema knows them: what a wrong `kind` is told. */
export const TARGET_KINDS = ['shopify', 'chatwoot', 'ga', 'mcp', 'statuspage', 'http', 'sales-sync'] as const satisfies readonly z.output<typeof target>['kind'][];
// A kind added to the union and not to the list fails to compile here.
const _everyKind: readonly (typeof TARGET_KINDS)[number][] = [] as z.output<typeof target>['kind'][];
void _everyKind;

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
      intervalSeconds: intervalSeconds.default(30),
      timeoutMs: timeoutMs.default(10_000),
      degradedMs: z.number().int().positive().default(2_000),
      retries: z.number().int().min(0).max(10).default(1),
    })
    .default({ intervalSeconds: 30, timeoutMs: 10_000, degradedMs: 2_000, retries: 1 }),
  targets: z.array(target).min(1, { error: 'expected at least one target' }),
  /** Optional webhook receiver (`pitwall` listens; Shopify/Chatwoot deliver). */
  webhooks: webhooks.optional(),
  network: network.optional(),
  vendorLinks: vendorLinks.optional(),
  /** Credential expiry thresholds (Shopify tokens, GitHub tokens, GA keys). */
  credentials: credentials.default({ warnHours: 24 }),
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

/** A sales-sync target's sources, resolved from their ids when the config is loaded. */
export interface SalesSyncSources {
  shopify: Extract<RawTarget, { kind: 'shopify' }> & Timing;
  ga: Extract<RawTarget, { kind: 'ga' }> & Timing;
}
/** A target with its timing settled (its own values, else the defaults); a sales-sync target also has its sources. */
export type Target = (Exclude<RawTarget, { kind: 'sales-sync' }> | (Extract<RawTarget, { kind: 'sales-sync' }> & { sources: SalesSyncSources })) &
  Timing & {
    /** The config's `credentials:` thresholds, for the credential sub-checks (absent: 24 h). */
    expiry?: CredentialsConfig;
  };
export type TargetKind = Target['kind'];
export type TargetOf<K extends TargetKind> = Extract<Target, { kind: K }>;
export type ShopifyTarget = TargetOf<'shopify'>;
export type ChatwootTarget = TargetOf<'chatwoot'>;
export type GaTarget = TargetOf<'ga'>;
export type McpTarget = TargetOf<'mcp'>;
export type StatuspageTarget = TargetOf<'statuspage'>;
export type HttpTarget = TargetOf<'http'>;
export type SalesSyncTarget = TargetOf<'sales-sync'>;
export type SalesSyncWindow = (typeof SALES_SYNC_WINDOWS)[number];
/** `credentials:` — when a credential counts as expiring soon. */
export type CredentialsConfig = z.output<typeof credentials>;

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
  /** `network:` the canary and the burst rule (src/state/connectivity.ts). */
  network?: NetworkConfig;
  /** `vendorLinks:` explicit target → status-page links. */
  vendorLinks?: Record<string, string | null>;
  /** Credential expiry thresholds; absent in configs built in code (24 h then). */
  credentials?: CredentialsConfig;
  /** The console's time zone (IANA name), when set. */
  timezone?: string;
}

export type NetworkConfig = z.output<typeof network>;

/** `webhooks:` — where the receiver listens and the secrets it verifies with. */
export type WebhooksConfig = z.output<typeof webhooks>;

