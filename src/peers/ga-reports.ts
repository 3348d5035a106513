/**
 * What the GA peer's reports contain and which names it accepts. Names come from Google's published schemas:
 * RunReport from https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema (a subset: the peer
 * refuses names outside it, stricter than GA only for names pitwall never sends), RunRealtimeReport from
 * https://developers.google.com/analytics/devguides/reporting/data/v1/realtime-api-schema (all of it). GA refuses an
 * unknown name with INVALID_ARGUMENT, and so does the peer.
 */
import type { GaFailure } from './ga-contract.js';

export const CORE_METRICS = new Set([
  'activeUsers', 'newUsers', 'totalUsers', 'active1DayUsers', 'active7DayUsers', 'active28DayUsers', 'sessions', 'engagedSessions',
  'engagementRate', 'bounceRate', 'averageSessionDuration', 'sessionsPerUser', 'screenPageViews', 'screenPageViewsPerSession',
  'eventCount', 'eventCountPerUser', 'keyEvents', 'userEngagementDuration', 'ecommercePurchases', 'transactions',
  'transactionsPerPurchaser', 'totalPurchasers', 'firstTimePurchasers', 'purchaseRevenue', 'totalRevenue', 'grossPurchaseRevenue',
  'averagePurchaseRevenue', 'itemsPurchased', 'itemRevenue', 'addToCarts', 'checkouts', 'cartToViewRate', 'purchaseToViewRate',
  'refundAmount', 'shippingAmount', 'taxAmount',
]);
export const CORE_DIMENSIONS = new Set([
  'date', 'dateHour', 'dateHourMinute', 'day', 'hour', 'minute', 'month', 'year', 'week', 'dayOfWeek', 'eventName', 'country', 'city',
  'deviceCategory', 'platform', 'sessionSource', 'sessionMedium', 'sessionCampaignName', 'sessionDefaultChannelGroup', 'pagePath',
  'pageTitle', 'landingPage', 'transactionId', 'itemName', 'itemId', 'currencyCode', 'streamId', 'streamName',
]);
export const REALTIME_METRICS = new Set(['activeUsers', 'eventCount', 'keyEvents', 'screenPageViews']);
export const REALTIME_DIMENSIONS = new Set([
  'appVersion', 'audienceId', 'audienceName', 'audienceResourceName', 'city', 'cityId', 'country', 'countryId', 'deviceCategory',
  'eventName', 'minutesAgo', 'platform', 'streamId', 'streamName', 'unifiedScreenName',
]);
/** Metrics the peer counts from its purchase events; any other valid metric reads the peer's fixed value. */
const PURCHASE_METRICS = new Set(['ecommercePurchases', 'transactions']);

const invalid = (details: string): GaFailure => ({ status: 'INVALID_ARGUMENT', details });

/** The first name GA would refuse, as GA words it; null when every name is known. */
export function unknownName(req: { metrics?: { name?: string }[]; dimensions?: { name?: string }[] }, realtime: boolean): GaFailure | null {
  const schema = realtime ? 'realtime-api-schema' : 'api-schema';
  const see = `For a list of valid dimensions and metrics, see https://developers.google.com/analytics/devguides/reporting/data/v1/${schema}`;
  const metrics = realtime ? REALTIME_METRICS : CORE_METRICS;
  const dims = realtime ? REALTIME_DIMENSIONS : CORE_DIMENSIONS;
  if (!(req.metrics ?? []).length && !(req.dimensions ?? []).length) return invalid('A request must have at least one metric or dimension.');
  for (const m of req.metrics ?? []) if (!metrics.has(m.name ?? '')) return invalid(`Field ${m.name ?? ''} is not a valid metric. ${see}`);
  for (const d of req.dimensions ?? []) {
    const name = d.name ?? '';
    if (!dims.has(name) && !(realtime && name.startsWith('customUser:'))) return invalid(`Field ${name} is not a valid dimension. ${see}`);
  }
  return null;
}

interface StringFilterExpr {
  filter?: { fieldName?: string; stringFilter?: { value?: string; matchType?: string } };
}

/** Realtime: eventCount of the events in the minute ranges (default the last 30 minutes), honouring an eventName filter. */
export function realtimeReport(
  req: { metrics?: { name?: string }[]; dimensionFilter?: StringFilterExpr | null; minuteRanges?: { startMinutesAgo?: number; endMinutesAgo?: number }[] },
  events: { purchases: number[]; otherEventsPerMinute: number; activeUsers: number },
  now: number,
): { ok: true; body: object } | { ok: false; failure: GaFailure } {
  const ranges = req.minuteRanges?.length ? req.minuteRanges : [{ startMinutesAgo: 29, endMinutesAgo: 0 }];
  for (const r of ranges) {
    const start = r.startMinutesAgo ?? 29;
    const end = r.endMinutesAgo ?? 0;
    // Standard properties keep 30 minutes of realtime data (minutes 0–29).
    if (start > 29) return { ok: false, failure: invalid(`startMinutesAgo ${start} is more than 29: standard properties can request up to 29 minutes ago.`) };
    if (end > start) return { ok: false, failure: invalid(`endMinutesAgo ${end} must be less than or equal to startMinutesAgo ${start}.`) };
  }
  const f = req.dimensionFilter?.filter;
  if (req.dimensionFilter && f?.fieldName !== 'eventName') return { ok: false, failure: { status: 'UNIMPLEMENTED', details: 'the pitwall GA peer filters on eventName only' } };
  const onlyPurchases = f?.stringFilter?.value === 'purchase';
  const minutesIn = (agoMin: number) => ranges.some((r) => agoMin <= (r.startMinutesAgo ?? 29) && agoMin >= (r.endMinutesAgo ?? 0));
  const purchases = events.purchases.filter((t) => t <= now && minutesIn(Math.floor((now - t) / 60_000))).length;
  const minutes = new Set(ranges.flatMap((r) => Array.from({ length: (r.startMinutesAgo ?? 29) - (r.endMinutesAgo ?? 0) + 1 }, (_, i) => i + (r.endMinutesAgo ?? 0)))).size;
  const eventCount = purchases + (onlyPurchases || f ? 0 : events.otherEventsPerMinute * minutes);
  const metrics = (req.metrics ?? []).map((m) => m.name ?? '');
  const value = (m: string) => (m === 'eventCount' || m === 'keyEvents' ? eventCount : events.activeUsers);
  // GA leaves rows out when nothing matched.
  const empty = metrics.every((m) => value(m) === 0);
  return {
    ok: true,
    body: {
      dimensionHeaders: [],
      metricHeaders: metrics.map((name) => ({ name, type: 'TYPE_INTEGER' })),
      rows: empty ? [] : [{ dimensionValues: [], metricValues: metrics.map((m) => ({ value: String(value(m)) })) }],
      rowCount: empty ? 0 : 1,
      kind: 'analyticsData#runRealtimeReport',
    },
  };
}

/** RunReport rows: purchase metrics counted from the events per date / dateHour (in the property's zone); others fixed. */
export function coreRows(
  req: { metrics?: { name?: string }[]; dimensions?: { name?: string }[]; dateRanges?: { startDate?: string; endDate?: string }[] },
  purchases: number[],
  fixedValue: number,
  timeZone: string,
  now: number,
): { dimensionValues: { value: string }[]; metricValues: { value: string }[] }[] {
  const metrics = (req.metrics ?? []).map((m) => m.name ?? '');
  const dims = (req.dimensions ?? []).map((d) => d.name ?? '');
  const ranges = (req.dateRanges ?? []).map((r) => [resolveDate(r.startDate ?? 'today', now, timeZone), resolveDate(r.endDate ?? 'today', now, timeZone)] as const);
  const local = (t: number) => localParts(t, timeZone);
  const inRange = (t: number) => ranges.length === 0 || ranges.some(([a, b]) => local(t).date >= a && local(t).date <= b);
  const keyOf = (t: number) => dims.map((d) => (d === 'dateHour' ? local(t).date.replace(/-/g, '') + local(t).hour : d === 'date' ? local(t).date.replace(/-/g, '') : '(not set)'));
  if (!metrics.some((m) => PURCHASE_METRICS.has(m))) {
    return [{ dimensionValues: dims.map(() => ({ value: '(not set)' })), metricValues: metrics.map(() => ({ value: String(fixedValue) })) }];
  }
  const groups = new Map<string, { key: string[]; n: number }>();
  for (const t of purchases.filter((p) => p <= now && inRange(p))) {
    const key = keyOf(t);
    const g = groups.get(key.join('\u0000')) ?? { key, n: 0 };
    g.n += 1;
    groups.set(key.join('\u0000'), g);
  }
  return [...groups.values()]
    .sort((a, b) => a.key.join().localeCompare(b.key.join()))
    .map((g) => ({ dimensionValues: g.key.map((value) => ({ value })), metricValues: metrics.map((m) => ({ value: String(PURCHASE_METRICS.has(m) ? g.n : fixedValue) })) }));
}

function localParts(t: number, timeZone: string): { date: string; hour: string } {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit' })
      .formatToParts(new Date(t))
      .map((x) => [x.type, x.value]),
  );
  return { date: `${p.year}-${p.month}-${p.day}`, hour: p.hour! };
}

/** GA's date forms: YYYY-MM-DD, today, yesterday, NdaysAgo (in the property's zone). */
function resolveDate(s: string, now: number, timeZone: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
  const ago = s === 'today' ? 0 : s === 'yesterday' ? 1 : Number(/^(\d+)daysAgo$/.exec(s)?.[1] ?? NaN);
  if (Number.isNaN(ago)) return s;
  return localParts(now - ago * 86_400_000, timeZone).date;
}
