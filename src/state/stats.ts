import type { ErrorKind, Status } from '../probes/types.js';

/** One probe run as history keeps it. A failed check has latencyMs null: a gap, never a zero. */
export interface Sample {
  at: number;
  status: Status;
  latencyMs: number | null;
  errorKind?: ErrorKind;
}

/** The nearest-rank percentile of already sorted values, or null when there are none. */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
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
export function windowStats(samples: readonly Sample[], from = -Infinity, to = Infinity): WindowStats {
  // A typed array sorts numerically in native code: several times faster than sort((a, b) => a - b) on an hour
  // of 1-second samples, and every row asks for its hour's percentiles.
  const latencies = new Float64Array(samples.length);
  let n = 0;
  const errorsByKind: Partial<Record<ErrorKind, number>> = {};
  let checks = 0;
  let failures = 0;
  for (const s of samples) {
    if (s.at < from || s.at >= to) continue;
    checks++;
    if (s.status === 'down') failures++;
    if (s.errorKind) errorsByKind[s.errorKind] = (errorsByKind[s.errorKind] ?? 0) + 1;
    if (s.latencyMs !== null) latencies[n++] = s.latencyMs;
  }
  const sorted = latencies.subarray(0, n).sort();
  return {
    checks,
    failures,
    uptimePct: checks === 0 ? null : (100 * (checks - failures)) / checks,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: n ? sorted[n - 1]! : null,
    errorsByKind,
  };
}

const RANK: Record<Status, number> = { up: 0, degraded: 1, down: 2 };

/** The worse of statuses; `unknown` (nothing checked yet) only when there is nothing else. */
export function worstStatus(statuses: Iterable<Status | null>): Status | null {
  let worst: Status | null = null;
  for (const s of statuses) if (s && (worst === null || RANK[s] > RANK[worst])) worst = s;
  return worst;
}
