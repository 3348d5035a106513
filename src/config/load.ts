/** Loading a config: read, `${VAR}` substituted (environment, then ./.env), validated, paths made absolute. */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve, isAbsolute } from 'node:path';
import { parseEnv } from 'node:util';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { isSecretName } from '../text/redact.js';
import { ConfigError, describeIssues, formatPath } from './errors.js';
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
    ...(raw.timezone ? { timezone: raw.timezone } : {}),
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

