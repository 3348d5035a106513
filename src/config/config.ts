import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve, isAbsolute } from 'node:path';
import { parseEnv } from 'node:util';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { isSecretName } from '../text/redact.js';
import { closestWord } from '../text/spelling.js';

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

/** A user mistake in the config: one sentence naming the key. The CLI prints it and exits 3. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

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

const schema = z.strictObject({
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
});

/** Every key the schema knows, anywhere: what a mistyped key is compared with. */
const KNOWN_KEYS = keysOf(schema);

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

type RawConfig = z.output<typeof schema>;
type RawTarget = RawConfig['targets'][number];
type Timing = { intervalSeconds: number; timeoutMs: number; degradedMs: number; retries: number };

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
}

/** `webhooks:` — where the receiver listens and the secrets it verifies with. */
export type WebhooksConfig = z.output<typeof webhooks>;

/** Reads, substitutes, validates. Throws ConfigError with one sentence naming the key. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const path = resolve(file);
  if (!existsSync(path)) throw new ConfigError(`config file not found: ${path} (run "pitwall init" to write one)`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config ${path}: ${(err as Error).message}`);
  }
  return parseConfig(text, { path, env });
}

/** Parses config text. `path` anchors relative paths and the optional `.env` beside it. */
export function parseConfig(text: string, opts: { path?: string | null; env?: NodeJS.ProcessEnv } = {}): Config {
  const path = opts.path ?? null;
  const baseDir = path ? dirname(path) : process.cwd();
  const doc = parseDocument(text);
  const env = { ...readDotEnv(baseDir), ...(opts.env ?? process.env) };
  const secrets: string[] = [];
  const substituted = substitute(doc, [], env, secrets);
  const parsed = schema.safeParse(substituted);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, substituted));
  return finish(parsed.data, path, baseDir, secrets);
}

/** One `${VAR}` a config uses: its name, where it is first used, and whether it has a value. */
export interface ConfigVariable {
  name: string;
  /** The first key that uses it, e.g. `targets[0].accessToken`. */
  at: string;
  /** Set (non-empty) in the environment or in the `.env` beside the config. */
  set: boolean;
}

/**
 * Every `${VAR}` the config's values use (comments do not count), in order of first use, each with
 * whether it is set. `pitwall doctor` lists all the missing ones; parseConfig stops at the first.
 */
export function configVariables(text: string, opts: { path?: string | null; env?: NodeJS.ProcessEnv } = {}): ConfigVariable[] {
  const path = opts.path ?? null;
  const doc = parseDocument(text);
  const env = { ...readDotEnv(path ? dirname(path) : process.cwd()), ...(opts.env ?? process.env) };
  const found = new Map<string, ConfigVariable>();
  const walk = (v: unknown, at: PathPart[]): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(VAR_REF)) {
        const name = m[1]!;
        if (!found.has(name)) found.set(name, { name, at: formatPath(at), set: Boolean(env[name]) });
      }
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, [...at, i]));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
    }
  };
  walk(doc, []);
  return [...found.values()];
}

/** Validates a config built in code (the demo, tests) through the same schema. */
export function configFromObject(obj: unknown, baseDir = process.cwd()): Config {
  const parsed = schema.safeParse(obj);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, obj));
  return finish(parsed.data, null, baseDir, []);
}

/** Every string under a key named like a secret (accessToken, Authorization, env GITHUB_TOKEN…), literal or not. */
function literalSecrets(v: unknown, key = '', out: string[] = []): string[] {
  if (typeof v === 'string') {
    if (key && isSecretName(key) && v.length >= 4) out.push(v.replace(/^(Bearer|Basic|token)\s+/i, ''), v);
  } else if (Array.isArray(v)) {
    for (const x of v) literalSecrets(x, '', out);
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) literalSecrets(x, k, out);
  }
  return out;
}

function finish(raw: RawConfig, path: string | null, baseDir: string, substituted: string[]): Config {
  // Secrets: every ${VAR} value, and every value under a secret-looking key even when written literally.
  const secrets = [...new Set([...substituted, ...literalSecrets(raw.targets), ...literalSecrets(raw.webhooks ?? {})])];
  const seen = new Map<string, number>();
  raw.targets.forEach((t, i) => {
    const first = seen.get(t.id);
    if (first !== undefined) throw new ConfigError(`targets[${i}].id: "${t.id}" is already used by targets[${first}]`);
    seen.set(t.id, i);
  });
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const targets = raw.targets.map((t): Target => {
    const timing: Timing = {
      intervalSeconds: t.intervalSeconds ?? raw.defaults.intervalSeconds,
      timeoutMs: t.timeoutMs ?? raw.defaults.timeoutMs,
      degradedMs: t.degradedMs ?? raw.defaults.degradedMs,
      retries: t.retries ?? raw.defaults.retries,
    };
    if (t.kind === 'ga' && t.credentialsFile) return { ...t, ...timing, credentialsFile: abs(t.credentialsFile) };
    if (t.kind === 'mcp' && t.transport === 'stdio' && t.cwd) return { ...t, ...timing, cwd: abs(t.cwd) };
    return { ...t, ...timing } as Target;
  });
  return {
    path,
    store: raw.store,
    feedbackFile: abs(raw.feedbackFile),
    protectedFiles: raw.protectedFiles.map(abs),
    ...(raw.stateDir ? { stateDir: abs(raw.stateDir) } : {}),
    defaults: raw.defaults,
    targets,
    secrets,
    ...(raw.webhooks ? { webhooks: raw.webhooks } : {}),
  };
}

/** `${NAME}`: an environment variable reference inside a config value. */
const VAR_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function parseDocument(text: string): object {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true });
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    const what = (err as Error).message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const col = err instanceof YAMLParseError && err.linePos ? `, column ${err.linePos[0].col}` : '';
    throw new ConfigError(`config is not valid YAML${where}${col}: ${what}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError('config must be a mapping with at least a "targets" list');
  }
  return doc;
}

function readDotEnv(dir: string): Record<string, string> {
  const file = resolve(dir, '.env');
  if (!existsSync(file)) return {};
  try {
    return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

type PathPart = string | number;

/** `targets[2].url` from ['targets', 2, 'url']. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(top level)';
}

function substitute(v: unknown, path: PathPart[], env: Record<string, string | undefined>, secrets: string[]): unknown {
  if (typeof v === 'string') {
    return v.replace(VAR_REF, (_m, name: string) => {
      const value = env[name];
      if (value === undefined || value === '') {
        throw new ConfigError(`${formatPath(path)}: environment variable ${name} is not set`);
      }
      secrets.push(value);
      return value;
    });
  }
  if (Array.isArray(v)) return v.map((x, i) => substitute(x, [...path, i], env, secrets));
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, [...path, k], env, secrets)]));
  }
  return v;
}

/** The first mistake as a sentence naming its key, then where the others are, so one run shows them all. */
function describeIssues(issues: readonly z.core.$ZodIssue[], doc: unknown): string {
  const first = describeIssue(issues[0]!, doc);
  const others = [...new Set(issues.slice(1).flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.map((k) => formatPath([...i.path, k])) : [formatPath(i.path)])))];
  if (issues[0]!.code === 'unrecognized_keys') others.unshift(...issues[0]!.keys.slice(1).map((k) => formatPath([...issues[0]!.path, k])));
  return others.length ? `${first} (also wrong: ${others.slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''})` : first;
}

function describeIssue(issue: z.core.$ZodIssue, doc: unknown): string {
  const where = formatPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      if (issue.keys.length > 1) return `${where}: unknown keys ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      const near = closestWord(issue.keys[0]!, KNOWN_KEYS);
      const key = formatPath([...issue.path, issue.keys[0]!]);
      return near ? `${key}: unknown key, did you mean "${near}"? (unknown keys are not ignored)` : `${key}: unknown key (check the spelling; unknown keys are not ignored)`;
    }
    case 'invalid_union': {
      // A discriminated union: zod v4 points at the discriminator itself; say which values are allowed.
      const last = issue.path.at(-1);
      const objPath = last === 'kind' || last === 'transport' ? issue.path.slice(0, -1) : issue.path;
      const at = lookup(doc, objPath) as Record<string, unknown> | undefined;
      const base = formatPath(objPath);
      if (at?.kind === 'mcp') return `${base}.transport: expected "stdio" or "http"`;
      const got = at?.kind === undefined ? '' : ` (got ${JSON.stringify(at.kind)})`;
      return `${base}.kind: expected one of shopify, chatwoot, ga, mcp, statuspage, http${got}`;
    }
    case 'invalid_type':
      if (lookup(doc, issue.path) === undefined) return `${where}: required`;
      return `${where}: expected ${issue.expected}`;
    case 'invalid_value':
      return `${where}: expected one of ${issue.values.map((x) => JSON.stringify(x)).join(', ')}`;
    default:
      break;
  }
  return `${where}: ${issue.message}`;
}

function lookup(doc: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = doc;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p as string];
  }
  return cur;
}
