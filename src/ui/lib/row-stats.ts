import type { ProbeResult } from '../../probes/types.js';
import type { State, TargetState } from '../../state/store.js';
import { firstIndexAtOrAfter, type SampleList, type WindowStats } from '../../state/stats.js';
import { statsSince } from './sliding-stats.js';

/** The rolling window rows and details summarise: the last hour. */
export const ROW_WINDOW_MS = 60 * 60 * 1000;

/**
 * Where the last hour before `now` begins, snapped to the oldest sample inside it (Infinity when none is):
 * the same window as `now - 1 h`, as a value that changes only when a sample ages out, so a clock tick that
 * ages nothing out changes nothing. Samples out of time order get the exact boundary.
 */
export function hourFrom(samples: SampleList, now: number): number {
  const from = now - ROW_WINDOW_MS;
  const i = firstIndexAtOrAfter(samples, from);
  if (i < 0) return from;
  return i < samples.length ? samples.at(i)!.at : Infinity;
}

/** Stats over the last hour of samples. */
export function lastHour(samples: SampleList, now: number): WindowStats {
  return statsSince(samples, hourFrom(samples, now));
}

/**
 * Since when the stats have data: the oldest sample any target holds (a journal from an earlier run counts), or
 * the console's start when that is older. A number, so a selector on it re-renders nothing until it changes.
 */
export function seenSince(state: Pick<State, 'startedAt' | 'targets'>): number {
  let since = state.startedAt;
  for (const t of Object.values(state.targets)) since = Math.min(since, t.samples.at(0)?.at ?? Infinity);
  return since;
}

/** A target's own: its oldest sample, or the console's start. */
export function targetSeenSince(t: Pick<TargetState, 'samples'>, startedAt: number): number {
  return Math.min(startedAt, t.samples.at(0)?.at ?? Infinity);
}

/**
 * The window that uptime and p50/p95 really stand on, as a column title or detail label says it: "1h" once an hour
 * has been seen, before that how much has ("14m", "40s"). Whole minutes and seconds, rounded down: never more.
 */
export function windowLabel(since: number, now: number): string {
  const seen = Math.max(0, now - since);
  if (seen >= ROW_WINDOW_MS) return '1h';
  if (seen >= 60_000) return `${Math.floor(seen / 60_000)}m`;
  return `${Math.floor(seen / 1000)}s`;
}

const SHORT_NAMES: Record<string, string> = {
  throttle: 'thr',
  tokensPerHour: 'tok/h',
  tokensPerDay: 'tok/d',
  tokensPerProjectPerHour: 'proj/h',
};

/** The tightest headroom a result reports, as "throttle 85%" (or null). */
export function headroomLabel(r: ProbeResult | null): string | null {
  const h = r?.headroom?.filter((x) => x.limit > 0);
  if (!h?.length) return null;
  const worst = h.reduce((a, b) => (b.remaining / b.limit < a.remaining / a.limit ? b : a));
  const short = SHORT_NAMES[worst.name] ?? worst.name.slice(0, 6);
  return `${short} ${Math.round((100 * worst.remaining) / worst.limit)}%`;
}

/** The one-line problem of a result: error, or degraded reason. */
export function problemOf(r: ProbeResult | null): string {
  if (!r) return '';
  if (r.status === 'down') return `${r.error.kind}: ${r.error.message}`;
  if (r.status === 'degraded') return r.error ? `${r.error.kind}: ${r.error.message}` : r.reason;
  return '';
}
