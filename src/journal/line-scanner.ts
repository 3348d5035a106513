/**
 * The journal's common lines parsed by hand, straight from the file's bytes: the sample line
 * `["id",at,st,lat,kind?,message?,headroom?,evidence?,apart?,remeasured?]` and the event line `{"ev":{…}}`. A line that is not exactly
 * that simple shape (escapes, non-ASCII, exponents, every other `{…}` record) is NOT_SIMPLE: the caller reads
 * it with parseLine (journal-lines.ts), so the journal reads the same as it would through JSON.parse.
 * The scanner's state is a LineScanner object (one per reader) handed to these functions.
 *
 * Over 300 lines on purpose: the byte-level JSON readers and the scanner are one hot path (every line of a
 * 38 MB journal); kept in one module, V8 sees the byte constants and small readers as its own and inlines them
 * (bench/journal-load.mjs).
 */
import { isCount } from './journal-lines.js';
import { APART_COLD, APART_STALLED, type SampleColumnsWriter } from './sample-columns.js';

// ---------------------------------------------------------------- JSON by the byte
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

/** The closing quote of a JSON string at i that is plain ASCII without escapes, or -1. */
function plainStringEnd(b: Buffer, i: number): number {
  if (b[i] !== QUOTE) return -1;
  for (;;) {
    const c = b[++i]!;
    if (c === QUOTE) return i;
    if (c < 0x20 || c === BACKSLASH || c >= 0x80) return -1;
  }
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

// ---------------------------------------------------------------- the scanner

/** scanLine(): not one of the shapes read by hand; read the line with parseLine. */
export const NOT_SIMPLE = -1;
/** scanLine(): a simple sample older than asked for; `at`. */
export const OLDER = 0;
/** scanLine(): a simple sample at or after the time asked for, appended to its target's columns: `id`, `at`. */
export const TAKEN = 1;
/** scanLine(): a valid sample line carrying evidence: `id`, `at`; appended too (without the evidence) if taken. */
export const EVIDENCE = 2;
/** scanLine(): a valid `{"ev":{…}}` line (not built): `at`, NaN if it has none. */
export const EVENT = 3;

/** Where a scan appends a target's samples. */
export type Into = (id: string) => SampleColumnsWriter;

/** Headroom entries of the line being read, held until the line is known to be whole: columns, not objects. */
interface HeadroomColumns {
  n: number;
  names: string[];
  remaining: Float64Array;
  limit: Float64Array;
}

/** A scanner: what the last scanLine() read (`at`, `end`, `id`) and its working state. One per reader. */
export interface LineScanner {
  /** The time of the line last scanned. */
  at: number;
  /** The index of the last scanned line's newline (-1 for OLDER when not validating). */
  end: number;
  /** The target id of the last sample scanned (when taken or carrying evidence). */
  id: string;
  /** The number readNumber() read (a typed array: a plain field would box every double it holds). */
  readonly num: Float64Array;
  readonly hr: HeadroomColumns;
  /** Ids, headroom names and error kinds: a few strings, read hundreds of thousands of times, kept by a cheap hash (two slots each). */
  readonly known: (string | undefined)[];
}

/**
 * A fresh scanner. Its state is an object handed to the module's functions (not a class, not closures): V8
 * optimises these functions once for every scanner, as fast as when this state was module variables.
 */
export function createLineScanner(): LineScanner {
  return {
    at: 0,
    end: -1,
    id: '',
    num: new Float64Array(1),
    hr: { n: 0, names: [], remaining: new Float64Array(16), limit: new Float64Array(16) },
    known: new Array<string | undefined>(512).fill(undefined),
  };
}

function keepHeadroom(hr: HeadroomColumns, name: string, remaining: number, limit: number): void {
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
function readNumber(num: Float64Array, b: Buffer, i: number): number {
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

const sameString = (str: string | undefined, b: Buffer, s: number, n: number): str is string => {
  if (str === undefined || str.length !== n) return false;
  let i = n - 1;
  while (i >= 0 && str.charCodeAt(i) === b[s + i]) i--;
  return i < 0;
};

/** The plain ASCII string b[s, e), the same string object each time it recurs. */
function knownString(known: (string | undefined)[], b: Buffer, s: number, e: number): string {
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

/** Headroom entries `["name",remaining,limit]` at i, into `sc.hr` if `keep`; returns the index after them, or -1. */
function readHeadroom(sc: LineScanner, b: Buffer, i: number, keep: boolean): number {
  if (b[i] !== LBRACKET) return -1;
  i++;
  if (b[i] === RBRACKET) return i + 1;
  for (;;) {
    if (b[i] !== LBRACKET) return -1;
    const nameEnd = plainStringEnd(b, i + 1);
    if (nameEnd < 0 || b[nameEnd + 1] !== COMMA) return -1;
    let p = readNumber(sc.num, b, nameEnd + 2);
    if (p < 0 || b[p] !== COMMA) return -1;
    const remaining = sc.num[0]!;
    p = readNumber(sc.num, b, p + 1);
    if (p < 0 || b[p] !== RBRACKET) return -1;
    if (keep) keepHeadroom(sc.hr, knownString(sc.known, b, i + 2, nameEnd), remaining, sc.num[0]!);
    i = p + 1;
    if (b[i] === RBRACKET) return i + 1;
    if (b[i] !== COMMA) return -1;
    i++;
  }
}

/** An event line `{"ev":{…}}`: its time (the inner object's last "at", NaN if none) into sc.at. */
function scanEvent(sc: LineScanner, b: Buffer, s: number): number {
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
        i = readNumber(sc.num, b, i);
        at = sc.num[0]!;
      } else i = skipValue(b, i, 2);
      if (i < 0) return NOT_SIMPLE;
      i = space(b, i);
      if (b[i] === RBRACE) break;
      if (b[i] !== COMMA) return NOT_SIMPLE;
      i = space(b, i + 1);
    }
  }
  if (b[i + 1] !== RBRACE || b[i + 2] !== NEWLINE) return NOT_SIMPLE;
  sc.at = at;
  sc.end = i + 2;
  return EVENT;
}

/**
 * Reads the line at b[s] (which ends with a newline) if it is one of the common shapes, as parseLine would:
 * a sample (its evidence only checked), an event (only checked). A sample at or after `since` is appended to
 * `into(id)`, straight from the bytes; one older than `since` (or any, without `into`) is not, and is only
 * checked to the end when `validate` (a line that would not parse must count as skipped).
 * Returns NOT_SIMPLE, OLDER, TAKEN, EVIDENCE or EVENT; see `sc`.
 */
export function scanLine(sc: LineScanner, b: Buffer, s: number, since: number, validate: boolean, into: Into | null): number {
  if (b[s] === LBRACE) return scanEvent(sc, b, s);
  if (b[s] !== LBRACKET) return NOT_SIMPLE;
  const idEnd = plainStringEnd(b, s + 1);
  if (idEnd < 0 || b[idEnd + 1] !== COMMA) return NOT_SIMPLE;
  let p = readNumber(sc.num, b, idEnd + 2);
  if (p < 0 || b[p] !== COMMA) return NOT_SIMPLE;
  const at = sc.num[0]!;
  const st = b[p + 1]! - ZERO;
  if (st < 0 || st > 2 || b[p + 2] !== COMMA) return NOT_SIMPLE;
  sc.at = at;
  sc.end = -1;
  const take = into !== null && at >= since;
  if (!take && !validate) return OLDER;
  p += 3;
  let latencyMs: number | null = null;
  if (isNull(b, p)) p += 4;
  else {
    p = readNumber(sc.num, b, p);
    if (p < 0) return NOT_SIMPLE;
    latencyMs = sc.num[0]!;
  }
  // Trailing fields, each optional: error kind, message, headroom, evidence, apart, re-measures.
  let apart = 0;
  let remeasured = 0;
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
      sc.hr.n = 0;
      p = readHeadroom(sc, b, p, take);
      if (p < 0) return NOT_SIMPLE;
    } else if (field === 7 && b[p] === LBRACE) {
      p = skipValue(b, p, 1);
      if (p < 0) return NOT_SIMPLE;
      evidence = true;
    } else if (field === 8) {
      // "cold" or "stalled"; any other plain string is ignored, as parseLine ignores it.
      const end = plainStringEnd(b, p);
      if (end < 0) return NOT_SIMPLE;
      apart = sameString('cold', b, p + 1, end - p - 1) ? APART_COLD : sameString('stalled', b, p + 1, end - p - 1) ? APART_STALLED : 0;
      p = end + 1;
    } else if (field === 9) {
      p = readNumber(sc.num, b, p);
      if (p < 0) return NOT_SIMPLE;
      remeasured = isCount(sc.num[0]) ? sc.num[0]! : 0;
    } else return NOT_SIMPLE;
  }
  if (b[p] !== RBRACKET || b[p + 1] !== NEWLINE) return NOT_SIMPLE;
  sc.end = p + 1;
  sc.id = evidence || take ? knownString(sc.known, b, s + 2, idEnd) : '';
  if (!take) return evidence ? EVIDENCE : OLDER;
  // Hundreds of thousands of these may be taken: into columns, no object per sample or headroom list.
  const w = into!(sc.id);
  const kind = kindStart >= 0 ? knownString(sc.known, b, kindStart, kindEnd) : undefined;
  w.row(at, st, latencyMs, kind, msgStart >= 0 ? b.toString('latin1', msgStart, msgEnd) : undefined, headroom, apart, remeasured);
  const hr = sc.hr;
  for (let k = 0; headroom && k < hr.n; k++) w.headroom(hr.names[k]!, hr.remaining[k]!, hr.limit[k]!);
  return evidence ? EVIDENCE : TAKEN;
}

