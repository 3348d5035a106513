import type { ProbeResult } from '../../probes/types.js';
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
