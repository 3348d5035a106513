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
 * The shortest piece of a known secret that is still redacted where a cut left only part of it (an excerpt cut at
 * 300 characters ends with its first 34 of 35): shorter pieces are too common to be a clue.
 */
const MIN_PIECE = 8;

/**
 * Token-shaped strings of the vendors pitwall talks to, wherever they appear: Shopify (shpat_, shpca_, shppa_,
 * shpss_), GitHub (ghp_ and kin, github_pat_), Supabase (sbp_), Fly (fo1_), Google (ya29., AIza), and JWTs.
 */
const TOKEN_SHAPED =
  /(?<![\w-])(?:shp(?:at|ca|pa|ss)_[A-Fa-f0-9]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}|sbp_[a-f0-9]{20,}|fo1_[\w-]{20,}|ya29\.[\w.-]{20,}|AIza[\w-]{30,}|eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,})/g;

/**
 * Every rule below is linear in the text's length: no rule can start inside a run of the characters it repeats
 * (the `(?<![\w-])` look-behinds), so a 200,000-character description cannot make the redactor quadratic.
 */
const RULES: readonly [RegExp, string][] = [
  // Bearer and Basic credentials in free text, whatever their origin; "token <value>" only when the value looks like
  // one (has a digit): "token\n\nResponse" and "token expired" are English. Same line only.
  [/(?<![\w-])(Bearer|Basic)[ \t]+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  [/(?<![\w-])(token)[ \t]+(?=[A-Za-z._~+/=-]*\d)[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  // "key": "value" in echoed JSON, for any key named like a secret (pubsub_token, refresh_token, X-Api-Key…).
  [new RegExp(`("[\\w-]*${SECRET_WORDS}"[ \\t]*:[ \\t]*")(?!\\[redacted\\])[^"]+`, 'gi'), `$1${REDACTED}`],
  // key=value in query strings and forms.
  [new RegExp(`((?<![\\w-])[\\w-]*${SECRET_WORDS}=)(?!\\[redacted\\])[^&\\s"']+`, 'gi'), `$1${REDACTED}`],
  // key: value in free text, for the unmistakable names only ("signature: rejected" is English, not a secret).
  [
    /((?<![\w-])(?:access[_-]?token|api[_-]?key|api_access_token|secret|password|x-shopify-access-token)["']?[ \t]*[:=][ \t]*["']?)(?!\[redacted\]|(?:Bearer|Basic|token)[ \t])[^"'\s,&}]+/gi,
    `$1${REDACTED}`,
  ],
  [TOKEN_SHAPED, REDACTED],
];

/** Whether a whole value is token-shaped (one of the vendor token formats above). */
export function looksLikeToken(value: string): boolean {
  TOKEN_SHAPED.lastIndex = 0;
  const m = TOKEN_SHAPED.exec(value.trim().replace(/^(?:Bearer|Basic|token)\s+/i, ''));
  TOKEN_SHAPED.lastIndex = 0;
  return m !== null;
}

/** C0 controls but tab and newline, DEL, and C1 controls: an upstream's terminal escapes, shown, never obeyed. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Upstream text made inert for a terminal or a file: each control character as a visible `\xNN`. */
export function escapeControls(s: string): string {
  return s.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * The forms a secret takes when an upstream echoes it back: as it is, URL-encoded, base64 (standard and URL-safe,
 * at each of the three byte alignments it can have inside a longer encoded string, so `Basic base64(user:secret)`
 * is caught too), and hex. Encoded forms shorter than MIN_PIECE are left out: they would shred ordinary text.
 */
export function secretForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, '+')]);
  const bytes = Buffer.from(secret, 'utf8');
  // Encoded on its own: whole, with its padding (its last character also carries a few of the secret's bits).
  forms.add(bytes.toString('base64'));
  forms.add(bytes.toString('base64url'));
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    // Characters whose six bits all come from the secret's bytes (bits 8k … 8(k+n) of the padded input).
    const from = Math.ceil((8 * k) / 6);
    const to = Math.floor((8 * (k + bytes.length) - 6) / 6);
    const core = b64.slice(from, to + 1);
    forms.add(core);
    forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  const hex = bytes.toString('hex');
  forms.add(hex);
  forms.add(hex.toUpperCase());
  return [...forms].filter((f) => f === secret || f.length >= MIN_PIECE);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Builds the one redactor everyone calls. `secrets` are the values of secret fields (tokens, keys, secret-named
 * headers and env); they are scrubbed from every string in every form an upstream may echo them back in, including
 * a piece of one left at either end of a cut excerpt. Control characters come out escaped (`\x1b`).
 */
export function createRedactor(secrets: Iterable<string> = []): Redactor {
  // Very short values (e.g. "1") would shred ordinary text; the key-name rule still covers them where they are fields.
  const list = [...new Set(secrets)].filter((s) => s.length >= 4);
  // Longest first so a secret containing another is scrubbed whole; one alternation, one pass over the text.
  const forms = [...new Set(list.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  const known = forms.length > 0 ? new RegExp(forms.map(escapeRegExp).join('|'), 'g') : null;
  const pieces = list.filter((s) => s.length > MIN_PIECE);
  const longest = pieces.reduce((n, s) => Math.max(n, s.length), 0);

  /** A piece of a secret at the end of a cut text ("…shpat_0123456789abcdef012345…") or at the start of a tail. */
  const cutPieces = (s: string): string => {
    let out = s;
    const trailer = /(?:…|\.\.\.)?\s*$/.exec(out)![0];
    let body = out.slice(0, out.length - trailer.length);
    for (const secret of pieces) {
      const head = secret.slice(0, MIN_PIECE);
      const tail = body.slice(-longest);
      for (let i = tail.indexOf(head); i >= 0; i = tail.indexOf(head, i + 1)) {
        if (secret.startsWith(tail.slice(i))) {
          body = body.slice(0, body.length - (tail.length - i)) + REDACTED;
          break;
        }
      }
      const start = body.slice(0, MIN_PIECE);
      if (start.length === MIN_PIECE) {
        for (let i = secret.indexOf(start, 1); i > 0; i = secret.indexOf(start, i + 1)) {
          const rest = secret.slice(i);
          if (body.startsWith(rest)) {
            body = REDACTED + body.slice(rest.length);
            break;
          }
        }
      }
    }
    out = body + trailer;
    return out;
  };

  const text = (s: string): string => {
    let out = known ? s.replace(known, REDACTED) : s;
    if (pieces.length > 0) out = cutPieces(out);
    for (const [rule, to] of RULES) out = out.replace(rule, to);
    return escapeControls(out);
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
