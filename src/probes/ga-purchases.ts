/**
 * GA4 purchase counts for sales-sync, through the GA prober's cached client: the realtime report's last 30 minutes
 * (eventCount of `purchase` events) or one closed hour of RunReport (ecommercePurchases / transactions by dateHour).
 */
import type { GaTarget } from '../config/config.js';
import type { GaProber, Made } from './ga.js';
import type { ProbeContext } from './types.js';

/** Realtime reports cover the last 30 minutes on a standard property (60 on 360): minutes 29…0, the current one included. */
export const REALTIME_MINUTES = 30;

export interface GaPurchaseCount {
  count: number;
  /** The window counted, as instants (the realtime window is approximate to the minute). */
  from: Date;
  to: Date;
  /** The property's time zone (closed-hour), as RunReport states it. */
  timeZone?: string;
  /** The property-local hour counted (closed-hour), GA's dateHour `YYYYMMDDHH`. */
  dateHour?: string;
}

/**
 * The last 30 minutes: the Realtime API has no purchase metric, so it counts `purchase` events
 * (https://developers.google.com/analytics/devguides/reporting/data/v1/realtime-api-schema: eventCount, eventName).
 */
export async function realtimePurchases(prober: GaProber, target: GaTarget, ctx: ProbeContext, now: Date): Promise<Made<GaPurchaseCount>> {
  const got = await prober.call(target, ctx, async (client) => {
    const answer = await client.runRealtimeReport(
      {
        property: `properties/${target.propertyId}`,
        metrics: [{ name: 'eventCount' }],
        dimensionFilter: { filter: { fieldName: 'eventName', stringFilter: { matchType: 'EXACT', value: 'purchase' } } },
        minuteRanges: [{ startMinutesAgo: REALTIME_MINUTES - 1, endMinutesAgo: 0 }],
      },
      { timeoutMs: ctx.timeoutMs, signal: ctx.signal, dispatcher: ctx.dispatcher },
    );
    return answer.value;
  }, 'RunRealtimeReport');
  if (!got.ok) return got;
  const count = sumFirstMetric(got.value.rows);
  if (count === null) return { ok: false, error: { kind: 'bad_response', message: 'RunRealtimeReport rows carry no numeric eventCount', evidence: JSON.stringify(got.value.rows ?? null).slice(0, 300) } };
  return { ok: true, value: { count, from: new Date(now.getTime() - REALTIME_MINUTES * 60_000), to: now } };
}

/**
 * One closed, property-local hour `delayHours` back (GA processes standard properties' data with hours of delay):
 * RunReport by dateHour over the days around it, then the hour's row (no row: none). The hour's bounds come from the
 * time zone the response states, so Shopify is asked about the same instants even in a half-hour-offset zone.
 */
export async function closedHourPurchases(
  prober: GaProber,
  target: GaTarget,
  ctx: ProbeContext,
  opts: { now: Date; delayHours: number; metric: 'ecommercePurchases' | 'transactions' },
): Promise<Made<GaPurchaseCount>> {
  const at = new Date(opts.now.getTime() - opts.delayHours * 3_600_000);
  const day = (offset: number) => new Date(at.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  const got = await prober.call(target, ctx, async (client) => {
    const answer = await client.runReport(
      {
        property: `properties/${target.propertyId}`,
        dimensions: [{ name: 'dateHour' }],
        metrics: [{ name: opts.metric }],
        // Dates are the property's; a day either side of the UTC date covers every zone.
        dateRanges: [{ startDate: day(-1), endDate: day(1) }],
        limit: 100,
      },
      { timeoutMs: ctx.timeoutMs, signal: ctx.signal, dispatcher: ctx.dispatcher },
    );
    return answer.value;
  });
  if (!got.ok) return got;
  const timeZone = got.value.metadata?.timeZone;
  if (!timeZone || !validZone(timeZone)) {
    return { ok: false, error: { kind: 'bad_response', message: `RunReport states no usable time zone (${JSON.stringify(timeZone ?? null)}): cannot place the hour` } };
  }
  const { start, dateHour } = localHour(at, timeZone);
  const row = (got.value.rows ?? []).find((r) => r.dimensionValues?.[0]?.value === dateHour);
  const count = row ? sumFirstMetric([row]) : 0;
  if (count === null) return { ok: false, error: { kind: 'bad_response', message: `RunReport's ${opts.metric} for ${dateHour} is not a number` } };
  return { ok: true, value: { count, from: start, to: new Date(start.getTime() + 3_600_000), timeZone, dateHour } };
}

type Rows = { metricValues?: { value?: string | null }[] | null }[] | null | undefined;

/** The first metric summed over the rows (none: 0); null when a value is not a number. */
function sumFirstMetric(rows: Rows): number | null {
  let sum = 0;
  for (const r of rows ?? []) {
    const v = Number(r.metricValues?.[0]?.value);
    if (!Number.isFinite(v)) return null;
    sum += v;
  }
  return sum;
}

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The start of the local hour holding `at` in `timeZone`, and its GA dateHour (YYYYMMDDHH, local). */
export function localHour(at: Date, timeZone: string): { start: Date; dateHour: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const start = new Date(at.getTime() - (Number(parts.minute) * 60 + Number(parts.second)) * 1000 - at.getUTCMilliseconds());
  return { start, dateHour: `${parts.year}${parts.month}${parts.day}${parts.hour}` };
}
