/**
 * Sales Pulse in sync: Shopify's order count against GA4's purchases over the same window, per configured window.
 * An API answering 200 can still feed a wrong dashboard; this check compares the numbers the tile shows.
 */
import type { SalesSyncTarget, SalesSyncWindow } from '../config/config.js';
import { classify } from './classify.js';
import type { GaProber, Made } from './ga.js';
import { closedHourPurchases, realtimePurchases, REALTIME_MINUTES, type GaPurchaseCount } from './ga-purchases.js';
import { shopifyOrdersCount } from './shopify.js';
import type { ProbeContext, ProbeError, ProbeResult, SubCheck } from './types.js';

export interface SalesSyncDeps {
  /** The GA prober whose cached client (channel, token cache) the ga target already uses. */
  ga: GaProber;
  now?: () => Date;
}

/** One window's comparison, as the row, the detail view and the report read it. */
export interface SalesComparison {
  window: SalesSyncWindow;
  from: string;
  to: string;
  shopifyOrders: number;
  /** "AT_LEAST" when Shopify capped the count (ordersCount's limit). */
  shopifyPrecision: string;
  gaPurchases: number;
  difference: number;
  /** |difference| / Shopify's count (0 when both are 0). */
  relative: number;
  verdict: 'in sync' | 'drift' | 'ga-empty';
  /** One line: "last 30 min: Shopify 42 orders, GA 38 purchases (−4, 10%)". */
  summary: string;
}

const LABEL: Record<SalesSyncWindow, string> = { 'realtime-30m': `last ${REALTIME_MINUTES} min`, 'closed-hour': 'closed hour' };

/** Runs every window; the worst one is the target's status (down: a source failed, or GA shows no purchase at all). */
export async function probeSalesSync(target: SalesSyncTarget, ctx: ProbeContext, deps: SalesSyncDeps): Promise<ProbeResult> {
  const now = (deps.now ?? (() => new Date()))();
  const t0 = performance.now();
  const subs = await Promise.all(target.windows.map((w) => compareWindow(target, ctx, deps, w, now)));
  const latencyMs = performance.now() - t0;
  const comparisons = subs.flatMap((s) => (s.details?.comparison ? [s.details.comparison as SalesComparison] : []));
  const details: Record<string, unknown> = {
    shopifyTarget: target.shopify,
    gaTarget: target.ga,
    tolerance: target.tolerance,
    comparisons,
    // What a row or a report line shows: every window's numbers in one line.
    comparison: subs.map((s) => (s.details?.comparison ? (s.details.comparison as SalesComparison).summary : `${s.name}: ${s.error?.message ?? 'no answer'}`)).join(' · '),
  };
  const down = subs.find((s) => s.status === 'down');
  if (down) return classify({ latencyMs: null, error: { ...down.error!, message: `${down.name}: ${down.error!.message}` }, details, subChecks: subs, degradedMs: Infinity });
  const drift = subs.find((s) => s.status === 'degraded');
  // Latency is not judged here: the sources' own targets do that.
  return classify({ latencyMs, details, subChecks: subs, degradedMs: Infinity, degradedReason: drift ? `out of sync: ${(drift.details!.comparison as SalesComparison).summary}` : null });
}

async function compareWindow(target: SalesSyncTarget, ctx: ProbeContext, deps: SalesSyncDeps, window: SalesSyncWindow, now: Date): Promise<SubCheck> {
  const name = LABEL[window];
  const t0 = performance.now();
  const { shopify, ga } = target.sources;
  let gaCount: Made<GaPurchaseCount>;
  let orders: Awaited<ReturnType<typeof shopifyOrdersCount>>;
  if (window === 'realtime-30m') {
    const from = new Date(now.getTime() - REALTIME_MINUTES * 60_000);
    [gaCount, orders] = await Promise.all([realtimePurchases(deps.ga, ga, ctx, now), shopifyOrdersCount(shopify, ctx, from, now)]);
  } else {
    // The hour's bounds come from GA's answer (the property's time zone), so GA goes first.
    gaCount = await closedHourPurchases(deps.ga, ga, ctx, { now, delayHours: target.delayHours, metric: target.gaMetric });
    orders = gaCount.ok ? await shopifyOrdersCount(shopify, ctx, gaCount.value.from, gaCount.value.to) : { ok: false, error: gaCount.error };
  }
  const latencyMs = performance.now() - t0;
  const fail = (source: string, error: ProbeError): SubCheck => ({
    name,
    tile: 'sales-pulse',
    status: 'down',
    latencyMs: null,
    error: { ...error, message: `${source}: ${error.message}` },
  });
  if (!gaCount.ok) return fail('GA', gaCount.error);
  if (!orders.ok) return fail('Shopify', orders.error);
  const c = compare(window, orders.count, orders.precision, gaCount.value, target.tolerance);
  const sub: SubCheck = { name, tile: 'sales-pulse', status: 'up', latencyMs, error: null, details: { comparison: c } };
  if (c.verdict === 'ga-empty') {
    return {
      ...sub,
      status: 'down',
      error: { kind: 'bad_response', code: 'GA_NO_PURCHASES', message: `GA shows no purchases while Shopify shows ${c.shopifyOrders} orders: is the GA tag or the purchase event broken?` },
    };
  }
  return c.verdict === 'drift' ? { ...sub, status: 'degraded' } : sub;
}

/**
 * Drift when the counts differ by more than the absolute AND the relative tolerance (GA misses some purchases:
 * consent, ad blockers). GA at zero while Shopify has more orders than the absolute tolerance is its own verdict.
 */
export function compare(
  window: SalesSyncWindow,
  shopifyOrders: number,
  shopifyPrecision: string,
  ga: GaPurchaseCount,
  tolerance: { absolute: number; relative: number },
): SalesComparison {
  const difference = ga.count - shopifyOrders;
  const relative = shopifyOrders === 0 ? (ga.count === 0 ? 0 : 1) : Math.abs(difference) / shopifyOrders;
  const verdict =
    ga.count === 0 && shopifyOrders > tolerance.absolute
      ? 'ga-empty'
      : Math.abs(difference) > tolerance.absolute && relative > tolerance.relative
        ? 'drift'
        : 'in sync';
  const capped = shopifyPrecision === 'AT_LEAST' ? '+' : '';
  const sign = difference > 0 ? '+' : difference < 0 ? '−' : '±';
  const where = ga.dateHour ? ` ${ga.from.toISOString().slice(11, 16)}–${ga.to.toISOString().slice(11, 16)} UTC` : '';
  return {
    window,
    from: ga.from.toISOString(),
    to: ga.to.toISOString(),
    shopifyOrders,
    shopifyPrecision,
    gaPurchases: ga.count,
    difference,
    relative: Math.round(relative * 1000) / 1000,
    verdict,
    summary: `${LABEL[window]}${where}: Shopify ${shopifyOrders}${capped} orders, GA ${ga.count} purchases (${sign}${Math.abs(difference)}, ${Math.round(relative * 100)}%)`,
  };
}
