/** Loading a config: read, `${VAR}` substituted (environment, then ./.env), validated, paths made absolute. */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve, isAbsolute } from 'node:path';
import { parseEnv } from 'node:util';
import { isMap, isPair, isScalar, isSeq, parseDocument as parseYamlDocument, type YAMLError } from 'yaml';
import { isSecretName, looksLikeToken } from '../text/redact.js';
import { ConfigError, describeIssues, formatPath } from './errors.js';
import { linkTargets } from './links.js';
import { schema, type Config, type RawConfig, type Target, type Timing } from './schema.js';

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
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, substituted, [...secrets, ...literalSecrets(substituted)]));
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
  const walk = (v: unknown, at: (string | number)[]): void => {
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
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, obj, literalSecrets(obj)));
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

/**
 * Secrets hidden inside a URL or other string: the password of `https://user:pass@host` and the value of a
 * secret-named query parameter (`?api_key=…`, `&token=…`), as written and decoded.
 */
function embeddedSecrets(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') {
    for (const m of v.matchAll(/[?&]([\w.-]+)=([^&#\s"']+)/g)) if (isSecretName(m[1]!) && m[2]!.length >= 4) out.push(m[2]!, safeDecode(m[2]!));
    const auth = /^[a-z][\w+.-]*:\/\/[^/@\s:]*:([^/@\s]+)@/i.exec(v);
    if (auth && auth[1]!.length >= 4) out.push(auth[1]!, safeDecode(auth[1]!));
  } else if (Array.isArray(v)) {
    for (const x of v) embeddedSecrets(x, out);
  } else if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) embeddedSecrets(x, out);
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function finish(raw: RawConfig, path: string | null, baseDir: string, substituted: string[]): Config {
  // Secrets are the values of secret fields (tokens, keys, secret-named headers and env, webhook secrets, a URL's
  // password or secret-named query parameter), written literally or through ${VAR}. A ${VAR} value elsewhere (a GA
  // property id, a credentials file path, a base URL) is not a secret for coming from the environment: hiding it hid
  // the clue ("cannot read credentialsFile [redacted]"). One that looks like a token is kept as a secret anyway.
  const fields = [raw.targets, raw.webhooks ?? {}];
  const secrets = [
    ...new Set([...fields.flatMap((f) => literalSecrets(f)), ...fields.flatMap((f) => embeddedSecrets(f)), ...substituted.filter(looksLikeToken)]),
  ];
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
  const linked = linkTargets(targets, raw.credentials);
  return {
    path,
    store: raw.store,
    feedbackFile: abs(raw.feedbackFile),
    protectedFiles: raw.protectedFiles.map(abs),
    ...(raw.stateDir ? { stateDir: abs(raw.stateDir) } : {}),
    defaults: raw.defaults,
    targets: linked,
    secrets,
    ...(raw.webhooks ? { webhooks: raw.webhooks } : {}),
    ...(raw.network ? { network: raw.network } : {}),
    ...(raw.vendorLinks ? { vendorLinks: checkedLinks(raw.vendorLinks, targets) } : {}),
    credentials: raw.credentials,
    ...(raw.timezone ? { timezone: raw.timezone } : {}),
  };
}

/** `vendorLinks:` every key a target, every value a statuspage target (or null). */
function checkedLinks(links: Record<string, string | null>, targets: Target[]): Record<string, string | null> {
  for (const [from, to] of Object.entries(links)) {
    if (!targets.some((t) => t.id === from)) throw new ConfigError(`vendorLinks.${from}: there is no target "${from}"`);
    if (to !== null && !targets.some((t) => t.id === to && t.kind === 'statuspage')) throw new ConfigError(`vendorLinks.${from}: "${to}" is not a statuspage target`);
  }
  return links;
}

/** `${NAME}`: an environment variable reference inside a config value. */
const VAR_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function parseDocument(text: string): object {
  // parseDocument, not parse: parse() hands warnings (an unknown tag such as `!vault`) to process.emitWarning,
  // a seven-line YAMLWarning on stderr while the value silently becomes a plain string. A warning is a mistake here.
  const yaml = parseYamlDocument(text, { prettyErrors: true });
  const problem = yaml.errors[0] ?? yaml.warnings[0];
  if (problem) throw new ConfigError(describeYamlProblem(problem, yaml.contents));
  const doc: unknown = yaml.toJS({ maxAliasCount: 100 });
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError('config must be a mapping with at least a "targets" list');
  }
  return doc;
}

/** One sentence for a YAML error or warning: its line and column, what is wrong, and the key for an unknown tag. */
function describeYamlProblem(problem: YAMLError, contents: unknown): string {
  const line = problem.linePos?.[0];
  const where = line ? ` at line ${line.line}, column ${line.col}` : '';
  const what = problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  if (problem.code === 'TAG_RESOLVE_FAILED') {
    const tag = /^Unresolved tag: (\S+)/.exec(what)?.[1] ?? 'tag';
    const key = keyAt(contents, problem.pos[1], []);
    return `config${where}${key ? ` (${formatPath(key)})` : ''}: unknown YAML tag ${tag}; write the value itself, or "\${VAR}" to take it from the environment`;
  }
  return `config is not valid YAML${where}: ${what}`;
}

/** The key path of the first tagged node starting at or after `pos` (where a tag's value begins). */
function keyAt(node: unknown, pos: number, path: (string | number)[]): (string | number)[] | null {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : '?';
      const found = keyAt(pair.value, pos, [...path, key]);
      if (found) return found;
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const found = keyAt(item, pos, [...path, i]);
      if (found) return found;
    }
  }
  const n = node as { tag?: string; range?: [number, number, number] } | null;
  return n?.tag && n.range && n.range[0] >= pos ? path : null;
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

function substitute(v: unknown, path: (string | number)[], env: Record<string, string | undefined>, secrets: string[]): unknown {
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

