/** Config mistakes as one sentence naming the key: the error, and zod's issues described. */
import type { z } from 'zod';
import { REDACTED } from '../text/redact.js';
import { closestWord } from '../text/spelling.js';
import { KNOWN_KEYS, TARGET_KINDS } from './schema.js';

/** A user mistake in the config: one sentence naming the key. The CLI prints it and exits 3. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `targets[2].url` from ['targets', 2, 'url']. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(top level)';
}

/**
 * The first mistake as a sentence naming its key, then where the others are, so one run shows them all. `secrets`
 * (the `${VAR}` values and the values under secret-named keys) never appear in it: a token pasted into the wrong
 * key is a bad value, and the sentence goes to a terminal, a CI log, a pasted bug report.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], doc: unknown, secrets: readonly string[] = []): string {
  const first = describeIssue(issues[0]!, doc, secrets);
  const others = [...new Set(issues.slice(1).flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.map((k) => formatPath([...i.path, k])) : [formatPath(i.path)])))];
  if (issues[0]!.code === 'unrecognized_keys') others.unshift(...issues[0]!.keys.slice(1).map((k) => formatPath([...issues[0]!.path, k])));
  const text = others.length ? `${first} (also wrong: ${others.slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''})` : first;
  // Belt and braces for a secret inside a key name or a message: longest first, so a secret's prefix that is also
  // one cannot leave the rest of the longer secret behind.
  return [...secrets].filter((x) => x.length >= 4).sort((a, b) => b.length - a.length).reduce((out, x) => out.split(x).join(REDACTED), text);
}

/**
 * ` (got "ftp")` only for a value that looks like a mistyped word (letters and dashes, short) and is no secret:
 * anything else (`shpat_…`, a value from `${VAR}`) may be a credential in the wrong place, so it is not echoed.
 */
function got(value: unknown, secrets: readonly string[]): string {
  if (typeof value !== 'string' || !/^[A-Za-z][A-Za-z-]{0,23}$/.test(value)) return '';
  return secrets.some((x) => x.includes(value) || value.includes(x)) ? '' : ` (got ${JSON.stringify(value)})`;
}

function describeIssue(issue: z.core.$ZodIssue, doc: unknown, secrets: readonly string[]): string {
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
      return `${base}.kind: expected one of ${TARGET_KINDS.join(', ')}${got(at?.kind, secrets)}`;
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
