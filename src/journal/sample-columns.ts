// Over 300 lines on purpose: one data structure, its writer (filled straight from the journal's bytes) and its
// reader share the column layout's private constants and bit flags; split, each half would re-declare them.
import type { ErrorKind, Headroom, Status } from '../probes/types.js';
import type { JournalSample } from './records.js';
import { CODE_STATUS, STATUS_CODE } from '../shared/status.js';
import { sliceIndex } from '../shared/numbers.js';

/**
 * A target's samples as the journal loads them, oldest first, in columns: times and latencies in Float64Arrays,
 * status and flags in a byte each, error kinds as a byte code, messages (rare) by index, headroom entries in
 * columns of their own. A 72-hour load is ~780,000 samples: as objects (boxed doubles, a headroom array for
 * every shopify-admin sample) they were most of the load's time in allocation and garbage collection.
 * Reads like a readonly array: `length`, `at(i)` (negative from the end), iteration, and the few array
 * methods callers use (`slice`, `filter`, `some`, `map`); each sample read is a fresh JournalSample object.
 */
export class SampleColumns implements Iterable<JournalSample> {
  /** The samples, in order; the same values read back as JournalSample objects. */
  static from(samples: Iterable<JournalSample>): SampleColumns {
    const w = new SampleColumnsWriter();
    for (const s of samples) w.push(s);
    return w.finish();
  }

  readonly length: number;
  private readonly c: Columns;

  // Built by SampleColumnsWriter.finish(), never by hand. Plain fields: child processes in the tests load this
  // file with Node's type stripping.
  constructor(columns: Columns) {
    this.c = columns;
    this.length = columns.n;
  }

  /** The sample at `index` (negative counts from the end, as Array.prototype.at), or undefined. */
  at(index: number): JournalSample | undefined {
    const k = Math.trunc(index) || 0;
    const i = k < 0 ? this.length + k : k;
    return i >= 0 && i < this.length ? sampleAt(this.c, i) : undefined;
  }

  /** The time of the sample at `index` (0 ≤ index < length), without building the sample. */
  timeAt(index: number): number {
    return this.c.at[index]!;
  }

  /** The status of the sample at `index` (0 ≤ index < length), without building the sample. */
  statusAt(index: number): Status {
    return CODE_STATUS[this.c.flags[index]! & STATUS_BITS]!;
  }

  /** The samples in [start, end) as a new array, with Array.prototype.slice's arguments. */
  slice(start = 0, end = this.length): JournalSample[] {
    const out: JournalSample[] = [];
    for (let i = sliceIndex(start, this.length), to = sliceIndex(end, this.length); i < to; i++) out.push(sampleAt(this.c, i));
    return out;
  }

  filter(keep: (s: JournalSample, index: number) => boolean): JournalSample[] {
    const out: JournalSample[] = [];
    for (let i = 0; i < this.length; i++) {
      const s = sampleAt(this.c, i);
      if (keep(s, i)) out.push(s);
    }
    return out;
  }

  some(test: (s: JournalSample, index: number) => boolean): boolean {
    for (let i = 0; i < this.length; i++) if (test(sampleAt(this.c, i), i)) return true;
    return false;
  }

  map<T>(f: (s: JournalSample, index: number) => T): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.length; i++) out.push(f(sampleAt(this.c, i), i));
    return out;
  }

  *[Symbol.iterator](): Iterator<JournalSample> {
    for (let i = 0; i < this.length; i++) yield sampleAt(this.c, i);
  }

  /** As an array in JSON (a report or a test that prints what was loaded). */
  toJSON(): JournalSample[] {
    return this.slice();
  }
}

/**
 * What consumers of loaded samples read: SampleColumns, or a plain array of samples (tests, samples built in code).
 * Callbacks get the sample and its index, as Array's do (not the array).
 */
export interface JournalSampleList extends Iterable<JournalSample> {
  readonly length: number;
  at(index: number): JournalSample | undefined;
  slice(start?: number, end?: number): JournalSample[];
  filter(keep: (s: JournalSample, index: number) => boolean): JournalSample[];
  some(test: (s: JournalSample, index: number) => boolean): boolean;
  map<T>(f: (s: JournalSample, index: number) => T): T[];
}

// ---------------------------------------------------------------- the columns

/** flags: the status code (0 up, 1 degraded, 2 down) in the low two bits, then these. */
const STATUS_BITS = 3;
/** A failed check: latency null (a gap, never a zero). A flag, not NaN: NaN is a latency a sample in code may carry. */
const NO_LATENCY = 4;
/** The sample has a headroom list (possibly empty): its entries are those before hrEnd[i], after hrEnd[i - 1]. */
const HAS_HEADROOM = 8;
/** Kept out of p50/p95 (Sample.apart): the first after a cold start, or taken while pitwall's own loop stalled. */
const COLD = 16;
const STALLED = 32;

/** `row()`'s apart codes: none (0), a cold start, a stall. */
export const APART_COLD = 1;
export const APART_STALLED = 2;

/** kind codes: 0 none, 1…254 kindNames[code - 1]; past 254 distinct kinds (a hand-edited file), KIND_ELSEWHERE and `oddKinds`. */
const KIND_ELSEWHERE = 255;

interface Columns {
  n: number;
  at: Float64Array;
  latency: Float64Array;
  flags: Uint8Array;
  /** Allocated at the first sample with an error kind (many targets never fail). */
  kind: Uint8Array | null;
  kindNames: string[];
  oddKinds: Map<number, string>;
  messages: Map<number, string>;
  /** Attempts re-measured (JournalSample.remeasured), by index: rare, like messages. */
  remeasured: Map<number, number>;
  /** Headroom that does not fit the columns (a hand-edited line: a name that is no string, a limit missing), by index. */
  oddHeadroom: Map<number, readonly Headroom[]>;
  /** Allocated at the first sample with headroom; cumulative: entries of sample i end at hrEnd[i]. */
  hrEnd: Uint32Array | null;
  hrCount: number;
  hrName: string[];
  hrRemaining: Float64Array;
  hrLimit: Float64Array;
}

function sampleAt(c: Columns, i: number): JournalSample {
  const f = c.flags[i]!;
  // Keys in the order JSON.parse of a journal line gives them: at, status, latencyMs, errorKind, message, headroom,
  // apart, remeasured.
  const s: JournalSample = { at: c.at[i]!, status: CODE_STATUS[f & STATUS_BITS]!, latencyMs: f & NO_LATENCY ? null : c.latency[i]! };
  const k = c.kind ? c.kind[i]! : 0;
  if (k) s.errorKind = (k === KIND_ELSEWHERE ? c.oddKinds.get(i) : c.kindNames[k - 1]) as ErrorKind;
  const message = c.messages.get(i);
  if (message !== undefined) s.message = message;
  const odd = f & HAS_HEADROOM ? c.oddHeadroom.get(i) : undefined;
  if (odd) s.headroom = odd.map((h) => ({ ...h }));
  else if (f & HAS_HEADROOM) {
    const headroom: Headroom[] = [];
    for (let e = i ? c.hrEnd![i - 1]! : 0; e < c.hrEnd![i]!; e++) headroom.push({ name: c.hrName[e]!, remaining: c.hrRemaining[e]!, limit: c.hrLimit[e]! });
    s.headroom = headroom;
  }
  if (f & (COLD | STALLED)) s.apart = f & COLD ? 'cold' : 'stalled';
  const remeasured = c.remeasured.get(i);
  if (remeasured !== undefined) s.remeasured = remeasured;
  return s;
}

function grown<T extends Float64Array | Uint8Array | Uint32Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/**
 * Builds SampleColumns one sample at a time, growing its columns by doubling. The journal's reader appends what
 * it parses straight into one (`row` and `headroom`), so loading builds no object per sample.
 */
export class SampleColumnsWriter {
  private c: Columns = {
    n: 0,
    at: new Float64Array(64),
    latency: new Float64Array(64),
    flags: new Uint8Array(64),
    kind: null,
    kindNames: [],
    oddKinds: new Map(),
    messages: new Map(),
    remeasured: new Map(),
    oddHeadroom: new Map(),
    hrEnd: null,
    hrCount: 0,
    hrName: [],
    hrRemaining: new Float64Array(16),
    hrLimit: new Float64Array(16),
  };
  /** Whether every sample so far came at or after the one before. */
  private ordered = true;
  private lastAt = -Infinity;

  get length(): number {
    return this.c.n;
  }

  /**
   * Appends a sample: `status` 0 up, 1 degraded, 2 down; `apart` 0, APART_COLD or APART_STALLED; `remeasured` 0 for
   * none; then call `headroom` once per entry if `hasHeadroom`.
   * Strings are kept as given (the reader hands over the same id and kind string objects each time).
   */
  row(
    at: number,
    status: number,
    latencyMs: number | null,
    errorKind: string | undefined,
    message: string | undefined,
    hasHeadroom: boolean,
    apart = 0,
    remeasured = 0,
  ): void {
    // Anything else would read back as a status that is not one (or, masked, as "up"): refuse it here.
    if (!(status === 0 || status === 1 || status === 2)) throw new RangeError(`not a status code: ${status}`);
    const c = this.c;
    const i = c.n;
    if (i === c.at.length) this.grow();
    c.at[i] = at;
    if (at < this.lastAt) this.ordered = false;
    else this.lastAt = at;
    let f = status;
    if (latencyMs === null) f |= NO_LATENCY;
    else c.latency[i] = latencyMs;
    if (hasHeadroom) {
      f |= HAS_HEADROOM;
      c.hrEnd ??= new Uint32Array(c.at.length);
    }
    if (apart) f |= apart === APART_COLD ? COLD : STALLED;
    c.flags[i] = f;
    if (c.hrEnd) c.hrEnd[i] = c.hrCount;
    if (errorKind !== undefined) this.kind(i, errorKind);
    if (message !== undefined) c.messages.set(i, message);
    if (remeasured) c.remeasured.set(i, remeasured);
    c.n = i + 1;
  }

  /** One headroom entry of the sample just appended by `row(…, true)`. */
  headroom(name: string, remaining: number, limit: number): void {
    const c = this.c;
    const e = c.hrCount;
    if (e === c.hrRemaining.length) {
      c.hrRemaining = grown(c.hrRemaining, e * 2);
      c.hrLimit = grown(c.hrLimit, e * 2);
    }
    c.hrName.push(name);
    c.hrRemaining[e] = remaining;
    c.hrLimit[e] = limit;
    c.hrCount = e + 1;
    c.hrEnd![c.n - 1] = e + 1;
  }

  /** Appends a sample given as an object (a line JSON.parse read, a sample built in code). */
  push(s: JournalSample): void {
    const code = STATUS_CODE[s.status];
    if (code === undefined) throw new RangeError(`not a status: ${JSON.stringify(s.status)}`);
    const apart = s.apart === 'cold' ? APART_COLD : s.apart === 'stalled' ? APART_STALLED : 0;
    this.row(s.at, code, s.latencyMs ?? null, s.errorKind, s.message, s.headroom !== undefined, apart, s.remeasured ?? 0);
    if (!s.headroom) return;
    // JSON.parse reads whatever a line holds: entries without a string name and two numbers are kept as they are.
    if (s.headroom.every((h) => typeof h.name === 'string' && typeof h.remaining === 'number' && typeof h.limit === 'number')) {
      for (const h of s.headroom) this.headroom(h.name, h.remaining, h.limit);
    } else this.c.oddHeadroom.set(this.c.n - 1, s.headroom.map((h) => ({ ...h })));
  }

  /** The list, sorted by time if any sample came before the one appended ahead of it (stably: equal times keep their order). */
  finish(): SampleColumns {
    const c = this.c;
    const n = c.n;
    // Views, not copies: the spare capacity is at most what was used, and copying 780,000 samples is time.
    const trimmed: Columns = {
      ...c,
      at: c.at.subarray(0, n),
      latency: c.latency.subarray(0, n),
      flags: c.flags.subarray(0, n),
      kind: c.kind && c.kind.subarray(0, n),
      hrEnd: c.hrEnd && c.hrEnd.subarray(0, n),
    };
    return new SampleColumns(this.ordered ? trimmed : sortedByTime(trimmed));
  }

  private kind(i: number, name: string): void {
    const c = this.c;
    c.kind ??= new Uint8Array(c.at.length);
    let code = c.kindNames.indexOf(name) + 1;
    if (code === 0) {
      if (c.kindNames.length < KIND_ELSEWHERE - 1) code = c.kindNames.push(name);
      else {
        code = KIND_ELSEWHERE;
        c.oddKinds.set(i, name);
      }
    }
    c.kind[i] = code;
  }

  private grow(): void {
    const c = this.c;
    const size = c.at.length * 2;
    c.at = grown(c.at, size);
    c.latency = grown(c.latency, size);
    c.flags = grown(c.flags, size);
    if (c.kind) c.kind = grown(c.kind, size);
    if (c.hrEnd) c.hrEnd = grown(c.hrEnd, size);
  }
}

/** The columns reordered by time, stably (appends from two processes can interleave by a few milliseconds). */
function sortedByTime(c: Columns): Columns {
  const n = c.n;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // The index breaks ties: equal times keep the order they were appended in, whatever the sort's own stability.
  order.sort((a, b) => c.at[a]! - c.at[b]! || a - b);
  const out: Columns = {
    n,
    at: new Float64Array(n),
    latency: new Float64Array(n),
    flags: new Uint8Array(n),
    kind: c.kind && new Uint8Array(n),
    kindNames: c.kindNames,
    oddKinds: new Map(),
    messages: new Map(),
    remeasured: new Map(),
    oddHeadroom: new Map(),
    hrEnd: c.hrEnd && new Uint32Array(n),
    hrCount: c.hrCount,
    hrName: [],
    hrRemaining: new Float64Array(Math.max(1, c.hrCount)),
    hrLimit: new Float64Array(Math.max(1, c.hrCount)),
  };
  let e = 0;
  for (let j = 0; j < n; j++) {
    const i = order[j]!;
    out.at[j] = c.at[i]!;
    out.latency[j] = c.latency[i]!;
    out.flags[j] = c.flags[i]!;
    if (c.kind) out.kind![j] = c.kind[i]!;
    const odd = c.oddKinds.get(i);
    if (odd !== undefined) out.oddKinds.set(j, odd);
    const message = c.messages.get(i);
    if (message !== undefined) out.messages.set(j, message);
    const remeasured = c.remeasured.get(i);
    if (remeasured !== undefined) out.remeasured.set(j, remeasured);
    const oddHeadroom = c.oddHeadroom.get(i);
    if (oddHeadroom) out.oddHeadroom.set(j, oddHeadroom);
    if (c.hrEnd) {
      for (let k = i ? c.hrEnd[i - 1]! : 0; k < c.hrEnd[i]!; k++, e++) {
        out.hrName.push(c.hrName[k]!);
        out.hrRemaining[e] = c.hrRemaining[k]!;
        out.hrLimit[e] = c.hrLimit[k]!;
      }
      out.hrEnd![j] = e;
    }
  }
  return out;
}
