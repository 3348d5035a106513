import type { Headroom, ProbeError, ProbeResult, SubCheck } from './types.js';

const SUB_CHECK_REASON = 'sub-check ';

/** Headroom below this fraction of the limit makes a target degraded. */
export const LOW_HEADROOM = 0.1;

interface Outcome {
  latencyMs: number | null;
  error?: ProbeError | null;
  details?: Record<string, unknown>;
  degradedMs: number;
  headroom?: Headroom[];
  subChecks?: SubCheck[];
  phases?: ProbeResult['phases'];
  /** A probe-specific reason to be degraded (e.g. a status page saying "minor"). */
  degradedReason?: string | null;
}

/**
 * The status rules, in one place: any error but rate_limited is down; rate limited, slow, low headroom,
 * a degraded sub-check or a probe-specific reason is degraded; otherwise up.
 */
export function classify(o: Outcome): ProbeResult {
  const base = {
    latencyMs: o.latencyMs,
    details: o.details ?? {},
    ...(o.phases ? { phases: o.phases } : {}),
    ...(o.subChecks ? { subChecks: o.subChecks } : {}),
    ...(o.headroom ? { headroom: o.headroom } : {}),
  };
  if (o.error && o.error.kind !== 'rate_limited') return { ...base, status: 'down', error: o.error };
  const reason = degradedReason(o);
  if (reason) {
    const bySubCheck = reason.startsWith(SUB_CHECK_REASON);
    return { ...base, status: 'degraded', error: o.error ?? null, reason, ...(bySubCheck ? { cause: 'sub-check' as const } : {}) };
  }
  return { ...base, status: 'up', error: null };
}

function degradedReason(o: Outcome): string | null {
  if (o.error) return `rate limited: ${o.error.message}`;
  if (o.degradedReason) return o.degradedReason;
  const low = (o.headroom ?? []).find((h) => h.limit > 0 && h.remaining / h.limit < LOW_HEADROOM);
  if (low) return `${low.name} headroom ${Math.round((100 * low.remaining) / low.limit)}% left`;
  const badSub = (o.subChecks ?? []).find((s) => s.status !== 'up');
  if (badSub) return `${SUB_CHECK_REASON}${badSub.name} is ${badSub.status}`;
  if (o.latencyMs !== null && o.latencyMs > o.degradedMs) return `slow: ${Math.round(o.latencyMs)} ms > ${o.degradedMs} ms`;
  return null;
}

/** Turns anything thrown into a message without a stack. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
