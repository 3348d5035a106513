/** What every redacted value is replaced with. */
export const REDACTED = '[redacted]';

const SECRET_WORDS = '(?:token|secret|password|passwd|authorization|api[-_]?key|(?:private|access|secret)[-_]?key|cookie|signature)';

/** Field and header names whose values are secrets wherever they appear. */
const SECRET_NAME = /(token|secret|password|passwd|authorization|api[-_]?key|(?:private|access|secret)[-_]?key|cookie|signature)$/i;

/** True for a field or header name whose value is a secret wherever it appears. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Redacts secrets from anything before it leaves the process (screen, JSON, files). */
export interface Redactor {
  text(s: string): string;
  value<T>(v: T): T;
}

/**
 * Builds the one redactor everyone calls. `secrets` are the literal values that came from `${VAR}`
 * substitution; they are scrubbed from every string, including messages upstreams echoed back.
 */
export function createRedactor(secrets: Iterable<string> = []): Redactor {
  // Longest first so a secret containing another is scrubbed whole. Very short values (e.g. "1")
  // would shred ordinary text; the key-name rule still covers them where they are fields.
  const list = [...new Set(secrets)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  const text = (s: string): string => {
    let out = s;
    for (const secret of list) out = out.split(secret).join(REDACTED);
    // Bearer tokens and the like in free text, whatever their origin.
    out = out.replace(/\b(Bearer|Basic|token)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`);
    // "key": "value" in echoed JSON, for any key named like a secret (pubsub_token, refresh_token, X-Api-Key…).
    out = out.replace(new RegExp(`("[\\w-]*${SECRET_WORDS}"\\s*:\\s*")(?!\\[redacted\\])[^"]+`, 'gi'), `$1${REDACTED}`);
    // key=value in query strings and forms.
    out = out.replace(new RegExp(`(\\b[\\w-]*${SECRET_WORDS}=)(?!\\[redacted\\])[^&\\s"']+`, 'gi'), `$1${REDACTED}`);
    // key: value in free text, for the unmistakable names only ("signature: rejected" is English, not a secret).
    out = out.replace(
      /((?:access[_-]?token|api[_-]?key|api_access_token|secret|password|x-shopify-access-token)["']?\s*[:=]\s*["']?)(?!\[redacted\]|(?:Bearer|Basic|token)\s)[^"'\s,&}]+/gi,
      `$1${REDACTED}`,
    );
    return out;
  };
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return text(v);
    if (depth > 20 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (v instanceof Date) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = SECRET_NAME.test(k) && typeof x === 'string' ? REDACTED : walk(x, depth + 1);
    }
    return out;
  };
  return { text, value: <T,>(v: T) => walk(v, 0) as T };
}
