/**
 * The journal's lines, fast: read and written a chunk at a time straight from and to the file's bytes,
 * and the common sample line `["id",at,st,lat,kind?,message?,headroom?]` parsed by hand. A line that is not
 * exactly that simple shape (escapes, non-ASCII, exponents, evidence, every `{…}` record) goes to
 * JSON.parse, so the journal reads the same as it would line by line through JSON.parse.
 */
import { readSync, writeSync } from 'node:fs';
import type { ErrorKind, Status } from '../probes/types.js';
import type { Evidence, JournalSample, ReportSummary, ResolvedRecord } from './records.js';
import type { SampleColumnsWriter } from './sample-columns.js';
import type { Blocker, EngineEvent } from '../state/store.js';

export const CODE_STATUS: readonly Status[] = ['up', 'degraded', 'down'];

/** One journal line, parsed. */
export type Rec =
  | { kind: 'sample'; id: string; sample: JournalSample; evidence?: Evidence }
  | { kind: 'event'; event: EngineEvent }
  | { kind: 'opened'; blocker: Blocker }
  | { kind: 'resolved'; resolved: ResolvedRecord }
  | { kind: 'report'; summary: ReportSummary }
  | { kind: 'header' };

/** Any journal line through JSON.parse: the reference the fast path must agree with. Null if it is not a record. */
export function parseLine(line: string): Rec | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (Array.isArray(v)) {
    const [id, at, st, lat, kind, msg, head, ev] = v as unknown[];
    if (typeof id !== 'string' || typeof at !== 'number' || typeof st !== 'number' || !CODE_STATUS[st]) return null;
    // Headroom entries that are not arrays: not a line we wrote (and destructuring one would throw).
    if (Array.isArray(head) && !head.every(Array.isArray)) return null;
    const sample: JournalSample = { at, status: CODE_STATUS[st], latencyMs: typeof lat === 'number' ? lat : null };
    if (typeof kind === 'string') sample.errorKind = kind as ErrorKind;
    if (typeof msg === 'string') sample.message = msg;
    if (Array.isArray(head)) sample.headroom = (head as [string, number, number][]).map(([name, remaining, limit]) => ({ name, remaining, limit }));
    return ev && typeof ev === 'object' ? { kind: 'sample', id, sample, evidence: ev as Evidence } : { kind: 'sample', id, sample };
  }
  if (v === null || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (o.ev && typeof o.ev === 'object') return { kind: 'event', event: o.ev as EngineEvent };
  if (o.bo && typeof o.bo === 'object') return { kind: 'opened', blocker: o.bo as Blocker };
  if (o.br && typeof o.br === 'object') return { kind: 'resolved', resolved: o.br as ResolvedRecord };
  if (o.rp && typeof o.rp === 'object') return { kind: 'report', summary: o.rp as ReportSummary };
  if (o.journal !== undefined) return { kind: 'header' };
  return null;
}

/** The time a record is filed under (compaction keeps what is younger than the retention); null for the header. */
export function recordAt(r: Rec): number | null {
  switch (r.kind) {
    case 'sample':
      return r.sample.at;
    case 'event':
      return r.event.at;
    case 'opened':
      return r.blocker.openedAt;
    case 'resolved':
      return r.resolved.at;
    case 'report':
      return r.summary.at;
    case 'header':
      return null;
  }
}

// ---------------------------------------------------------------- lines from the file

const CHUNK_BYTES = 1 << 20;

/**
 * Reads bytes [from, to) of the file a chunk at a time and calls onChunk(view, offset) with runs of
 * complete lines: `view` ends with a newline, `offset` is the file offset of view[0]. Memory stays at one
 * chunk (or the longest line). Returns the file offset just after the last newline: what follows, if
 * anything, is a torn line or one still being written.
 */
export function readChunks(fd: number, from: number, to: number, onChunk: (view: Buffer, offset: number) => void): number {
  let buf = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(to - from, 1)));
  let filled = 0;
  let base = from;
  let pos = from;
  while (pos < to) {
    if (filled === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, filled);
      buf = bigger;
    }
    const n = readSync(fd, buf, filled, Math.min(buf.length - filled, to - pos), pos);
    if (n === 0) break;
    pos += n;
    const last = buf.lastIndexOf(0x0a, filled + n - 1);
    // The carried-over start of a line holds no newline: one before it is from an earlier chunk.
    if (last < filled) {
      filled += n;
      continue;
    }
    onChunk(buf.subarray(0, last + 1), base);
    filled = filled + n - (last + 1);
    if (filled > 0) buf.copy(buf, 0, last + 1, last + 1 + filled);
    base += last + 1;
  }
  return base;
}

/** Writes whole lines to a file through a chunk-sized buffer. */
export function lineWriter(fd: number): { bytes(src: Buffer, start: number, end: number): void; line(text: string): void; flush(): void } {
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  const writeAll = (src: Buffer, start: number, end: number) => {
    while (start < end) start += writeSync(fd, src, start, end - start);
  };
  const w = {
    bytes(src: Buffer, start: number, end: number) {
      if (end - start > buf.length - used) w.flush();
      if (end - start > buf.length) writeAll(src, start, end);
      else used += src.copy(buf, used, start, end);
    },
    line(text: string) {
      const b = Buffer.from(`${text}\n`);
      w.bytes(b, 0, b.length);
    },
    flush() {
      writeAll(buf, 0, used);
      used = 0;
    },
  };
  return w;
}

// ---------------------------------------------------------------- the common lines by hand

/** scanLine: not one of the shapes read by hand; read the line with parseLine. */
export const NOT_SIMPLE = -1;
/** scanLine: a simple sample older than asked for; `fast.at`. */
export const OLDER = 0;
/** scanLine: a simple sample at or after the time asked for, appended to its target's columns: `fast.id`, `fast.at`. */
export const TAKEN = 1;
/** scanLine: a valid sample line carrying evidence: `fast.id`, `fast.at`; appended too (without the evidence) if taken. */
export const EVIDENCE = 2;
/** scanLine: a valid `{"ev":{…}}` line (not built): `fast.at`, NaN if it has none. */
export const EVENT = 3;

/** What the last scanLine() read; `end` is the index of the line's newline (-1 for OLDER when not validating). */
export const fast: { at: number; end: number; id: string } = { at: 0, end: -1, id: '' };

const NEWLINE = 0x0a;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
/** Deeper than this, JSON.parse judges (a recursive check could run out of stack). */
const MAX_DEPTH = 64;
/** Exact powers of ten: an integer below 2^53 divided by one is the correctly rounded decimal, as JSON.parse reads it. */
const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

// Every reader below stops at the line's newline (it is none of the bytes any of them accepts), so none
// reads past a chunk from readChunks, which ends with one.

/** The number readNumber() read (a typed array: a module `let` would box every double it holds). */
const num = new Float64Array(1);
/** Headroom entries of the line being read, held until the line is known to be whole: columns, not objects. */
const hr = { n: 0, names: [] as string[], remaining: new Float64Array(16), limit: new Float64Array(16) };

function keepHeadroom(name: string, remaining: number, limit: number): void {
  const k = hr.n++;
  if (k === hr.remaining.length) {
    const rem = new Float64Array(k * 2);
    const lim = new Float64Array(k * 2);
    rem.set(hr.remaining);
    lim.set(hr.limit);
    hr.remaining = rem;
    hr.limit = lim;
  }
  hr.names[k] = name;
  hr.remaining[k] = remaining;
  hr.limit[k] = limit;
}

/**
 * A JSON number at i, into `num`; returns the index after it, or -1 if there is none or it has an exponent
 * (JSON.parse reads those). Up to 15 digits are computed exactly; longer ones go through Number(), which
 * reads JSON's number grammar as JSON.parse does.
 */
function readNumber(b: Buffer, i: number): number {
  const start = i;
  if (b[i] === MINUS) i++;
  let m = 0;
  let digits = 0;
  let c = b[i]!;
  if (c === ZERO) {
    c = b[++i]!;
    digits = 1;
  } else if (c > ZERO && c <= NINE) {
    do {
      m = m * 10 + (c - ZERO);
      digits++;
      c = b[++i]!;
    } while (c >= ZERO && c <= NINE);
  } else return -1;
  let frac = 0;
  if (c === DOT) {
    c = b[++i]!;
    while (c >= ZERO && c <= NINE) {
      m = m * 10 + (c - ZERO);
      frac++;
      c = b[++i]!;
    }
    if (frac === 0) return -1;
    digits += frac;
  }
  if (c === 0x65 || c === 0x45) return -1;
  if (digits > 15) num[0] = Number(b.toString('latin1', start, i));
  else {
    const v = frac ? m / POW10[frac]! : m;
    num[0] = b[start] === MINUS ? -v : v;
  }
  return i;
}

/** The closing quote of a JSON string at i that is plain ASCII without escapes, or -1. */
function plainStringEnd(b: Buffer, i: number): number {
  if (b[i] !== QUOTE) return -1;
  for (;;) {
    const c = b[++i]!;
    if (c === QUOTE) return i;
    if (c < 0x20 || c === BACKSLASH || c >= 0x80) return -1;
  }
}

/** Ids, headroom names and error kinds: a few strings, read hundreds of thousands of times, kept by a cheap hash (two slots each). */
const known: (string | undefined)[] = new Array<string | undefined>(512).fill(undefined);

const sameString = (str: string | undefined, b: Buffer, s: number, n: number): str is string => {
  if (str === undefined || str.length !== n) return false;
  let i = n - 1;
  while (i >= 0 && str.charCodeAt(i) === b[s + i]) i--;
  return i < 0;
};

/** The plain ASCII string b[s, e), the same string object each time it recurs. */
function knownString(b: Buffer, s: number, e: number): string {
  const n = e - s;
  const slot = (n > 1 ? (n * 7 + b[s]! * 3 + b[e - 1]! * 31 + b[e - 2]! * 5) & 255 : n) * 2;
  const first = known[slot];
  if (sameString(first, b, s, n)) return first;
  const second = known[slot + 1];
  if (sameString(second, b, s, n)) return second;
  const str = b.toString('latin1', s, e);
  known[first === undefined ? slot : slot + 1] = str;
  return str;
}

const isNull = (b: Buffer, i: number) => b[i] === 0x6e && b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c;
const isHex = (c: number) => (c >= ZERO && c <= NINE) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);

/** JSON whitespace other than the newline (which ends the line). */
function space(b: Buffer, i: number): number {
  let c = b[i];
  while (c === 0x20 || c === 0x09 || c === 0x0d) c = b[++i];
  return i;
}

/** The index after the JSON string at i, or -1. Bytes ≥ 0x80 are UTF-8 (or, if invalid, U+FFFD): all allowed in a string. */
function skipString(b: Buffer, i: number): number {
  if (b[i] !== QUOTE) return -1;
  for (;;) {
    const c = b[++i]!;
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      const d = b[++i]!;
      if (d === 0x75) {
        if (!isHex(b[i + 1]!) || !isHex(b[i + 2]!) || !isHex(b[i + 3]!) || !isHex(b[i + 4]!)) return -1;
        i += 4;
      } else if (d !== QUOTE && d !== BACKSLASH && d !== 0x2f && d !== 0x62 && d !== 0x66 && d !== 0x6e && d !== 0x72 && d !== 0x74) return -1;
    } else if (c < 0x20) return -1;
  }
}

/** The index after the JSON number at i (any, exponent too), or -1. */
function skipNumber(b: Buffer, i: number): number {
  if (b[i] === MINUS) i++;
  let c = b[i]!;
  if (c === ZERO) c = b[++i]!;
  else if (c > ZERO && c <= NINE) while (c >= ZERO && c <= NINE) c = b[++i]!;
  else return -1;
  if (c === DOT) {
    const from = ++i;
    for (c = b[i]!; c >= ZERO && c <= NINE; ) c = b[++i]!;
    if (i === from) return -1;
  }
  if (c === 0x65 || c === 0x45) {
    c = b[++i]!;
    if (c === 0x2b || c === MINUS) c = b[++i]!;
    const from = i;
    while (c >= ZERO && c <= NINE) c = b[++i]!;
    if (i === from) return -1;
  }
  return i;
}

/** The index after the JSON value at i, checked as JSON.parse would, or -1. */
function skipValue(b: Buffer, i: number, depth: number): number {
  const c = b[i]!;
  if (c === QUOTE) return skipString(b, i);
  if (c === LBRACE || c === LBRACKET) {
    if (depth > MAX_DEPTH) return -1;
    const close = c === LBRACE ? RBRACE : RBRACKET;
    i = space(b, i + 1);
    if (b[i] === close) return i + 1;
    for (;;) {
      if (c === LBRACE) {
        i = skipString(b, i);
        if (i < 0) return -1;
        i = space(b, i);
        if (b[i] !== COLON) return -1;
        i = space(b, i + 1);
      }
      i = skipValue(b, i, depth + 1);
      if (i < 0) return -1;
      i = space(b, i);
      if (b[i] === close) return i + 1;
      if (b[i] !== COMMA) return -1;
      i = space(b, i + 1);
    }
  }
  if (c === 0x6e) return isNull(b, i) ? i + 4 : -1;
  if (c === 0x74) return b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65 ? i + 4 : -1;
  if (c === 0x66) return b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65 ? i + 5 : -1;
  return skipNumber(b, i);
}

/** Headroom entries `["name",remaining,limit]` at i, into `hr` if `keep`; returns the index after them, or -1. */
function readHeadroom(b: Buffer, i: number, keep: boolean): number {
  if (b[i] !== LBRACKET) return -1;
  i++;
  if (b[i] === RBRACKET) return i + 1;
  for (;;) {
    if (b[i] !== LBRACKET) return -1;
    const nameEnd = plainStringEnd(b, i + 1);
    if (nameEnd < 0 || b[nameEnd + 1] !== COMMA) return -1;
    let p = readNumber(b, nameEnd + 2);
    if (p < 0 || b[p] !== COMMA) return -1;
    const remaining = num[0]!;
    p = readNumber(b, p + 1);
    if (p < 0 || b[p] !== RBRACKET) return -1;
    if (keep) keepHeadroom(knownString(b, i + 2, nameEnd), remaining, num[0]!);
    i = p + 1;
    if (b[i] === RBRACKET) return i + 1;
    if (b[i] !== COMMA) return -1;
    i++;
  }
}

/** An event line `{"ev":{…}}`: its time (the inner object's last "at", NaN if none) into fast.at. */
function scanEvent(b: Buffer, s: number): number {
  // `{"ev":{` exactly; anything else (spaces, other keys) is JSON.parse's to judge.
  if (b[s + 1] !== QUOTE || b[s + 2] !== 0x65 || b[s + 3] !== 0x76 || b[s + 4] !== QUOTE || b[s + 5] !== COLON || b[s + 6] !== LBRACE) return NOT_SIMPLE;
  let at = NaN;
  let i = space(b, s + 7);
  if (b[i] !== RBRACE) {
    for (;;) {
      const key = i;
      i = skipString(b, i);
      if (i < 0) return NOT_SIMPLE;
      // A key with escapes might spell "at": JSON.parse decides.
      for (let k = key + 1; k < i - 1; k++) if (b[k] === BACKSLASH) return NOT_SIMPLE;
      const isAt = i - key === 4 && b[key + 1] === 0x61 && b[key + 2] === 0x74;
      i = space(b, i);
      if (b[i] !== COLON) return NOT_SIMPLE;
      i = space(b, i + 1);
      if (isAt) {
        i = readNumber(b, i);
        at = num[0]!;
      } else i = skipValue(b, i, 2);
      if (i < 0) return NOT_SIMPLE;
      i = space(b, i);
      if (b[i] === RBRACE) break;
      if (b[i] !== COMMA) return NOT_SIMPLE;
      i = space(b, i + 1);
    }
  }
  if (b[i + 1] !== RBRACE || b[i + 2] !== NEWLINE) return NOT_SIMPLE;
  fast.at = at;
  fast.end = i + 2;
  return EVENT;
}

/**
 * Reads the line at b[s] (which ends with a newline) if it is one of the common shapes, as parseLine would:
 * a sample (its evidence only checked), an event (only checked). A sample at or after `since` is appended to
 * `into(id)`, straight from the bytes; one older than `since` (or any, without `into`) is not, and is only
 * checked to the end when `validate` (a line that would not parse must count as skipped).
 * Returns NOT_SIMPLE, OLDER, TAKEN, EVIDENCE or EVENT; see `fast`.
 */
export function scanLine(b: Buffer, s: number, since: number, validate: boolean, into: ((id: string) => SampleColumnsWriter) | null): number {
  if (b[s] === LBRACE) return scanEvent(b, s);
  if (b[s] !== LBRACKET) return NOT_SIMPLE;
  const idEnd = plainStringEnd(b, s + 1);
  if (idEnd < 0 || b[idEnd + 1] !== COMMA) return NOT_SIMPLE;
  let p = readNumber(b, idEnd + 2);
  if (p < 0 || b[p] !== COMMA) return NOT_SIMPLE;
  const at = num[0]!;
  const st = b[p + 1]! - ZERO;
  if (st < 0 || st > 2 || b[p + 2] !== COMMA) return NOT_SIMPLE;
  fast.at = at;
  fast.end = -1;
  const take = into !== null && at >= since;
  if (!take && !validate) return OLDER;
  p += 3;
  let latencyMs: number | null = null;
  if (isNull(b, p)) p += 4;
  else {
    p = readNumber(b, p);
    if (p < 0) return NOT_SIMPLE;
    latencyMs = num[0]!;
  }
  // Trailing fields, each optional: error kind, message, headroom, evidence.
  let kindStart = -1;
  let kindEnd = -1;
  let msgStart = -1;
  let msgEnd = -1;
  let headroom = false;
  let evidence = false;
  for (let field = 4; b[p] === COMMA; field++) {
    p++;
    if (isNull(b, p)) p += 4;
    else if (field === 4 || field === 5) {
      const end = plainStringEnd(b, p);
      if (end < 0) return NOT_SIMPLE;
      if (field === 4) {
        kindStart = p + 1;
        kindEnd = end;
      } else {
        msgStart = p + 1;
        msgEnd = end;
      }
      p = end + 1;
    } else if (field === 6) {
      headroom = true;
      hr.n = 0;
      p = readHeadroom(b, p, take);
      if (p < 0) return NOT_SIMPLE;
    } else if (field === 7 && b[p] === LBRACE) {
      p = skipValue(b, p, 1);
      if (p < 0 || b[p] !== RBRACKET || b[p + 1] !== NEWLINE) return NOT_SIMPLE;
      evidence = true;
      break;
    } else return NOT_SIMPLE;
  }
  if (!evidence && (b[p] !== RBRACKET || b[p + 1] !== NEWLINE)) return NOT_SIMPLE;
  fast.end = p + 1;
  fast.id = evidence || take ? knownString(b, s + 2, idEnd) : '';
  if (!take) return evidence ? EVIDENCE : OLDER;
  // Hundreds of thousands of these may be taken: into columns, no object per sample or headroom list.
  const w = into!(fast.id);
  const kind = kindStart >= 0 ? knownString(b, kindStart, kindEnd) : undefined;
  w.row(at, st, latencyMs, kind, msgStart >= 0 ? b.toString('latin1', msgStart, msgEnd) : undefined, headroom);
  for (let k = 0; headroom && k < hr.n; k++) w.headroom(hr.names[k]!, hr.remaining[k]!, hr.limit[k]!);
  return evidence ? EVIDENCE : TAKEN;
}
