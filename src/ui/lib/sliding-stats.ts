import type { ErrorKind } from '../../probes/types.js';
import { countsLatency } from '../../state/history.js';
import { firstIndexAtOrAfter, isTimeOrdered, rankIndex, windowStats, type Sample, type SampleList, type WindowStats } from '../../state/stats.js';

/**
 * The window [from, ∞) of one time-ordered samples array, kept up to date as the store appends to the array
 * and as the window's start moves on: its latencies stay sorted, so a new sample or one ageing out costs a
 * binary search and a shift, not a pass over the hour.
 */
interface Slide {
  samples: SampleList;
  /** Index of the first sample inside the window. */
  start: number;
  /** The window's latencies, ascending; the first `n` are used. */
  sorted: Float64Array;
  n: number;
  checks: number;
  failures: number;
  errors: Partial<Record<ErrorKind, number>>;
  /** The stats of the current content, until it changes. */
  stats: WindowStats | null;
}

// A slide belongs to one list at a time. The store never changes a list: a result makes a new one (the old
// samples, maybe less the oldest few, plus the new one), which finds its predecessor's slide through that list's
// newest sample and takes it over.
const byArray = new WeakMap<SampleList, Slide>();
const byNewest = new WeakMap<Sample, Slide>();
/** How many samples a new array may have gained at once and still take over its predecessor's slide. */
const MAX_APPENDED = 8;

/**
 * Stats over the samples at or after `from`, the same as `windowStats(samples, from)`. Cheap when called again
 * for the same array with the same or a later `from`, or for the array the store made from it.
 */
export function statsSince(samples: SampleList, from: number): WindowStats {
  if (!isTimeOrdered(samples)) return windowStats(samples, from, Infinity);
  let s = byArray.get(samples) ?? takeOver(samples);
  // The window only moves forward; asked for an earlier start (another clock), start over.
  if (!s || (s.start > 0 && samples.at(s.start - 1)!.at >= from)) s = fresh(samples, from);
  while (s.start < samples.length && samples.at(s.start)!.at < from) remove(s, samples.at(s.start++)!);
  return (s.stats ??= statsOf(s));
}

function fresh(samples: SampleList, from: number): Slide {
  const start = Math.max(0, firstIndexAtOrAfter(samples, from));
  const s: Slide = { samples, start, sorted: new Float64Array(samples.length + MAX_APPENDED), n: 0, checks: 0, failures: 0, errors: {}, stats: null };
  for (let i = start; i < samples.length; i++) {
    const x = samples.at(i)!;
    count(s, x, 1);
    if (countsLatency(x)) s.sorted[s.n++] = x.latencyMs;
  }
  s.sorted.subarray(0, s.n).sort();
  own(s, samples);
  return s;
}

/** The slide of the array `next` was made from, brought up to `next`, or undefined when there is none. */
function takeOver(next: SampleList): Slide | undefined {
  for (let k = 1; k <= MAX_APPENDED && k < next.length; k++) {
    const s = byNewest.get(next.at(-1 - k)!);
    if (!s) continue;
    const prev = s.samples;
    // `next` is `prev` less its `dropped` oldest samples, plus `k` new ones.
    const dropped = prev.length + k - next.length;
    if (dropped < 0 || next.at(0) !== prev.at(dropped) || prev.at(-1) !== next.at(-1 - k)) return undefined;
    for (let i = s.start; i < dropped; i++) remove(s, prev.at(i)!);
    s.start = Math.max(0, s.start - dropped);
    for (let i = next.length - k; i < next.length; i++) add(s, next.at(i)!);
    byArray.delete(prev);
    byNewest.delete(prev.at(-1)!);
    own(s, next);
    return s;
  }
  return undefined;
}

function own(s: Slide, samples: SampleList): void {
  s.samples = samples;
  byArray.set(samples, s);
  const newest = samples.at(-1);
  if (newest) byNewest.set(newest, s);
}

function add(s: Slide, x: Sample): void {
  count(s, x, 1);
  if (!countsLatency(x)) return;
  if (s.n === s.sorted.length) {
    const grown = new Float64Array(2 * s.sorted.length + MAX_APPENDED);
    grown.set(s.sorted);
    s.sorted = grown;
  }
  const at = upperBound(s.sorted, s.n, x.latencyMs);
  s.sorted.copyWithin(at + 1, at, s.n);
  s.sorted[at] = x.latencyMs;
  s.n++;
}

function remove(s: Slide, x: Sample): void {
  count(s, x, -1);
  if (!countsLatency(x)) return;
  const at = upperBound(s.sorted, s.n, x.latencyMs) - 1;
  s.sorted.copyWithin(at, at + 1, s.n);
  s.n--;
}

function count(s: Slide, x: Sample, by: 1 | -1): void {
  s.stats = null;
  s.checks += by;
  if (x.status === 'down') s.failures += by;
  if (x.errorKind) {
    const left = (s.errors[x.errorKind] ?? 0) + by;
    if (left > 0) s.errors[x.errorKind] = left;
    else delete s.errors[x.errorKind];
  }
}

function statsOf(s: Slide): WindowStats {
  const { n, sorted } = s;
  return {
    checks: s.checks,
    failures: s.failures,
    uptimePct: s.checks === 0 ? null : (100 * (s.checks - s.failures)) / s.checks,
    p50: n ? sorted[rankIndex(n, 50)]! : null,
    p95: n ? sorted[rankIndex(n, 95)]! : null,
    max: n ? sorted[n - 1]! : null,
    errorsByKind: { ...s.errors },
  };
}

/** The index after the last value ≤ `v` among the first `n` sorted values. */
function upperBound(a: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
