import { STATUS_CODE } from '../shared/status.js';
import type { ErrorKind, Status } from '../probes/types.js';
import { countsLatency, SampleHistory, type Sample } from './history.js';

export type { Sample } from './history.js';

/**
 * Why a run's sample is kept out of p50/p95, or undefined: the first after a cold start ('cold'; never measured again,
 * so a stall during it does not make it a "stalled" sample), else one that overlapped a stall of pitwall's own loop at
 * every re-measure ('stalled'). A failed check has no latency to keep apart. The store and the journal both ask here,
 * so a restarted console and the hourly report agree with the live one.
 */
export function apartOf(latencyMs: number | null, run: { cold?: boolean; stalledMs?: number }): Sample['apart'] {
  if (latencyMs === null) return undefined;
  return run.cold ? 'cold' : run.stalledMs ? 'stalled' : undefined;
}

/** The nearest-rank percentile of already sorted values, or null when there are none. */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  return sorted.length === 0 ? null : sorted[rankIndex(sorted.length, p)]!;
}

/**
 * Samples oldest first, read by position: a readonly array, or any immutable list that reads like one. The
 * stats below only count, index and iterate.
 */
export type SampleList = Iterable<Sample> & {
  readonly length: number;
  at(index: number): Sample | undefined;
  /** A list that can read one field without building the sample (the journal's columns) says so. */
  statusAt?(index: number): Status;
  timeAt?(index: number): number;
};

/** The status of the sample at `i` (0 ≤ i < length), without building it when the list can. */
export function statusAt(list: SampleList, i: number): Status {
  return list.statusAt ? list.statusAt(i) : list.at(i)!.status;
}

/** The time of the sample at `i` (0 ≤ i < length), without building it when the list can. */
export function timeAt(list: SampleList, i: number): number {
  return list.timeAt ? list.timeAt(i) : list.at(i)!.at;
}

export interface WindowStats {
  checks: number;
  failures: number;
  /** Percent of checks that were not down, or null with no checks. Degraded counts as available. */
  uptimePct: number | null;
  p50: number | null;
  p95: number | null;
  max: number | null;
  errorsByKind: Partial<Record<ErrorKind, number>>;
}

/** Stats over the samples in [from, to). */
export function windowStats(samples: SampleList, from = -Infinity, to = Infinity): WindowStats {
  const latencies = new Float64Array(samples.length);
  let n = 0;
  let max = -Infinity;
  const errorsByKind: Partial<Record<ErrorKind, number>> = {};
  let checks = 0;
  let failures = 0;
  for (const s of samples) {
    if (s.at < from || s.at >= to) continue;
    checks++;
    if (s.status === 'down') failures++;
    if (s.errorKind) errorsByKind[s.errorKind] = (errorsByKind[s.errorKind] ?? 0) + 1;
    if (countsLatency(s)) {
      latencies[n++] = s.latencyMs;
      if (s.latencyMs > max) max = s.latencyMs;
    }
  }
  // Two order statistics, not a sort: selection is linear, and every row asks for its hour's p50 and p95 each
  // time a sample comes or ages out.
  const values = latencies.subarray(0, n);
  const k50 = rankIndex(n, 50);
  const k95 = rankIndex(n, 95);
  if (n) {
    select(values, k50, 0, n - 1);
    select(values, k95, k50, n - 1);
  }
  return {
    checks,
    failures,
    uptimePct: checks === 0 ? null : (100 * (checks - failures)) / checks,
    p50: n ? values[k50]! : null,
    p95: n ? values[k95]! : null,
    max: n ? max : null,
    errorsByKind,
  };
}

/** The 0-based index of the nearest-rank percentile `p` among `n` sorted values (as `percentile` picks it). */
export function rankIndex(n: number, p: number): number {
  return Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
}

/**
 * Reorders `a[lo..hi]` so that `a[k]` holds the value a sort would put there, smaller-or-equal values before it
 * and greater-or-equal after (Hoare's selection, median-of-three pivot).
 */
function select(a: Float64Array, k: number, lo: number, hi: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as the pivot: sorted input (latencies often are, roughly) stays linear.
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) swap(a, i++, j--);
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/**
 * The index of the first sample at or after `at` in samples ordered by time (binary search), or -1 when the
 * samples are not in time order and no index can say which ones a window holds.
 */
export function firstIndexAtOrAfter(samples: SampleList, at: number): number {
  if (!isTimeOrdered(samples)) return -1;
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (samples.at(mid)!.at < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const ordered = new WeakMap<SampleList, boolean>();

/** Whether samples are in time order; checked once per (immutable) array. */
export function isTimeOrdered(samples: SampleList): boolean {
  if (samples instanceof SampleHistory) return samples.ordered;
  let known = ordered.get(samples);
  if (known === undefined) {
    known = true;
    let last = -Infinity;
    for (const x of samples) {
      if (x.at < last) {
        known = false;
        break;
      }
      last = x.at;
    }
    ordered.set(samples, known);
  }
  return known;
}

/** The worse of statuses; `unknown` (nothing checked yet) only when there is nothing else. */
export function worstStatus(statuses: Iterable<Status | null>): Status | null {
  let worst: Status | null = null;
  for (const s of statuses) if (s && (worst === null || STATUS_CODE[s] > STATUS_CODE[worst])) worst = s;
  return worst;
}
