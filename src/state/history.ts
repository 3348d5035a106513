import { sliceIndex } from '../shared/numbers.js';
import type { ErrorKind, Status } from '../shared/status.js';

/** One probe run as history keeps it. A failed check has latencyMs null: a gap, never a zero. */
export interface Sample {
  at: number;
  status: Status;
  latencyMs: number | null;
  errorKind?: ErrorKind;
  /**
   * Kept out of p50/p95 (still an uptime check): the first sample after a cold start ('cold'), or one whose every
   * re-measure overlapped a stall of pitwall's own event loop ('stalled').
   */
  apart?: 'cold' | 'stalled';
}

/** Whether a sample's latency enters p50/p95: measured, and neither a cold start nor taken during a stall. */
export function countsLatency(s: Sample): s is Sample & { latencyMs: number } {
  return s.latencyMs !== null && !Number.isNaN(s.latencyMs) && s.apart === undefined;
}

/** Samples per chunk: an append copies at most this many, plus one pointer per chunk. */
const CHUNK = 64;

/**
 * A target's samples, oldest first: an immutable list that shares all its full chunks with the list it was made
 * from. The store makes a new history on every result; copying a whole hour (3,600 samples) each time was most of
 * what the process allocated, and the garbage grew V8's young generation to 128 MiB of resident memory.
 * Reads like a readonly array: `length`, `at(i)` (negative from the end), `slice`, iteration.
 */
export class SampleHistory implements Iterable<Sample> {
  static readonly empty = new SampleHistory([], 0, 0, true);

  /** Every chunk but the last is full (CHUNK samples). */
  private readonly chunks: readonly (readonly Sample[])[];
  /** How many samples of the first chunk have been dropped. */
  private readonly head: number;
  readonly length: number;
  /** Whether the samples are in time order (known as they are appended, so nobody walks the hour to ask). */
  readonly ordered: boolean;

  // Plain fields, not parameter properties: child processes in the tests load this file with Node's type stripping.
  private constructor(chunks: readonly (readonly Sample[])[], head: number, length: number, ordered: boolean) {
    this.chunks = chunks;
    this.head = head;
    this.length = length;
    this.ordered = ordered;
  }

  /** The sample at `index` (negative counts from the end, as Array.prototype.at), or undefined. */
  at(index: number): Sample | undefined {
    const i = index < 0 ? this.length + index : index;
    if (i < 0 || i >= this.length) return undefined;
    const k = this.head + i;
    return this.chunks[k >> 6]![k & (CHUNK - 1)];
  }

  /** The samples in [start, end) as a new array, with Array.prototype.slice's arguments. */
  slice(start = 0, end = this.length): Sample[] {
    const from = sliceIndex(start, this.length);
    const to = sliceIndex(end, this.length);
    const out: Sample[] = [];
    for (let i = from; i < to; i++) out.push(this.at(i)!);
    return out;
  }

  *[Symbol.iterator](): Iterator<Sample> {
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      for (let j = c === 0 ? this.head : 0; j < chunk.length; j++) yield chunk[j]!;
    }
  }

  /** This history with `added` appended, less its `drop` oldest samples. Shares every unchanged chunk. */
  append(added: readonly Sample[], drop = 0): SampleHistory {
    const gone = Math.min(Math.max(0, drop), this.length + added.length);
    if (!added.length && !gone) return this;
    let ordered = this.ordered;
    for (let i = 0, last = this.at(-1)?.at ?? -Infinity; ordered && i < added.length; last = added[i++]!.at) ordered = added[i]!.at >= last;
    const chunks = this.chunks.slice();
    let last = chunks.length && chunks[chunks.length - 1]!.length < CHUNK ? chunks.pop()!.slice() : [];
    for (const s of added) {
      if (last.length === CHUNK) {
        chunks.push(last);
        last = [];
      }
      last.push(s);
    }
    if (last.length) chunks.push(last);
    let head = this.head + gone;
    const whole = Math.floor(head / CHUNK);
    if (whole) {
      chunks.splice(0, whole);
      head -= whole * CHUNK;
    }
    return new SampleHistory(chunks, head, this.length + added.length - gone, ordered);
  }
}
