import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, configFromObject, type SalesSyncTarget } from '../../src/config/config.js';
import { startGaPeer, type GaPeer } from '../../src/peers/ga-peer.js';
import { startShopifyPeer, type ShopifyPeer } from '../../src/peers/shopify-peer.js';
import { defaultWorld } from '../../src/peers/shopify-world.js';
import { createGaProber, type GaProber } from '../../src/probes/ga.js';
import { localHour } from '../../src/probes/ga-purchases.js';
import { probeSalesSync, type SalesComparison } from '../../src/probes/sales-sync.js';
import type { ProbeContext } from '../../src/probes/types.js';
import { salesSyncReportLines } from '../../src/state/derive.js';
import { initialState, reduce } from '../../src/state/store.js';

const TOKEN = 'shpat_sales_sync_test_token';
const NOW = Date.parse('2026-12-04T15:10:00Z');
const MIN = 60_000;
const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** `n` instants spread over the `minutes` before `end`, none on a boundary. */
const spread = (n: number, end: number, minutes: number) => Array.from({ length: n }, (_, i) => end - Math.round(((i + 0.5) * minutes * MIN) / n));

function salesSync(shopifyUrl: string, gaAddress: string, extra: Record<string, unknown> = {}): SalesSyncTarget {
  const config = configFromObject({
    targets: [
      { kind: 'shopify', id: 'shopify-admin', shop: 'hot-rod-an.myshopify.com', accessToken: TOKEN, apiVersion: '2026-10', endpoint: shopifyUrl },
      { kind: 'ga', id: 'ga', propertyId: '123456', endpoint: gaAddress, insecure: true },
      { kind: 'sales-sync', id: 'sales-sync', shopify: 'shopify-admin', ga: 'ga', ...extra },
    ],
  });
  return config.targets[2] as SalesSyncTarget;
}
const ctx = (): ProbeContext => ({ signal: AbortSignal.timeout(5000), timeoutMs: 5000, degradedMs: 1000 });
const comparisons = (d: Record<string, unknown>) => d.comparisons as SalesComparison[];

describe('sales-sync: Shopify orders against GA purchases over the same window', () => {
  let shop: ShopifyPeer;
  let ga: GaPeer;
  let prober: GaProber;
  const world = defaultWorld(NOW);

  beforeAll(async () => {
    shop = await startShopifyPeer({ accessToken: TOKEN, world, now: () => NOW });
    ga = await startGaPeer({ now: () => NOW });
    prober = createGaProber();
  });
  afterAll(async () => {
    await prober.close();
    await Promise.all([shop.close(), ga.close()]);
  });
  beforeEach(() => {
    ga.setMode('healthy');
    // 20 orders in the last 30 minutes, 15 more just before (outside the window), the older 500 of the default store.
    world.orders = [...spread(20, NOW, 29).map(iso), ...spread(15, NOW - 31 * MIN, 25).map(iso), ...defaultWorld(NOW).orders.slice(-500)];
  });

  it('is up when GA counts about as many purchases (within tolerance), and says both numbers and the window', async () => {
    ga.setPurchases([...spread(18, NOW, 29), ...spread(40, NOW - 40 * MIN, 60)]);
    const r = await probeSalesSync(salesSync(shop.url, ga.address), ctx(), { ga: prober, now: () => new Date(NOW) });
    expect(r.status).toBe('up');
    expect(r.details.comparison).toBe('last 30 min: Shopify 20 orders, GA 18 purchases (−2, 10%)');
    expect(comparisons(r.details)[0]).toMatchObject({ window: 'realtime-30m', from: '2026-12-04T14:40:00.000Z', to: '2026-12-04T15:10:00.000Z', shopifyOrders: 20, gaPurchases: 18, verdict: 'in sync' });
    // The realtime report asked GA for purchase events over minutes 29…0, and Shopify for the same half hour.
    expect(ga.realtimeCalls.at(-1)).toMatchObject({
      property: 'properties/123456',
      metrics: ['eventCount'],
      dimensionFilter: { filter: { fieldName: 'eventName', stringFilter: { matchType: 'EXACT', value: 'purchase' } } },
      minuteRanges: [{ startMinutesAgo: 29, endMinutesAgo: 0 }],
    });
    const q = shop.requests.filter((x) => x.query?.includes('PitwallSalesSync')).at(-1)!;
    expect(q.variables).toEqual({ window: "created_at:>='2026-12-04T14:40:00Z' created_at:<'2026-12-04T15:10:00Z'" });
  });

  it('is degraded when the counts drift past both tolerances', async () => {
    ga.setPurchases(spread(10, NOW, 29));
    const r = await probeSalesSync(salesSync(shop.url, ga.address), ctx(), { ga: prober, now: () => new Date(NOW) });
    expect(r.status).toBe('degraded');
    expect(r.status === 'degraded' && r.reason).toBe('out of sync: last 30 min: Shopify 20 orders, GA 10 purchases (−10, 50%)');
    expect(r.subChecks).toMatchObject([{ name: 'last 30 min', tile: 'sales-pulse', status: 'degraded' }]);
    // The hourly report says the comparison, with its verdict
    const config = configFromObject({ targets: [{ kind: 'sales-sync', id: 'sales-sync', shopify: 'shopify-admin', ga: 'ga' }, { kind: 'shopify', id: 'shopify-admin', shop: 'hot-rod-an.myshopify.com', accessToken: TOKEN }, { kind: 'ga', id: 'ga', propertyId: '1' }] });
    const state = reduce(initialState(config, { now: NOW }), { type: 'probe-finished', id: 'sales-sync', at: NOW, result: r, attempts: 1, nextAt: null });
    expect(salesSyncReportLines(state)).toEqual([
      '',
      '### Sales in sync (Shopify orders vs GA purchases, last check)',
      '',
      '- `sales-sync`: OUT OF SYNC — last 30 min: Shopify 20 orders, GA 10 purchases (−10, 50%)',
      '',
    ]);
  });

  it('stays up on a drift inside the absolute tolerance, however large relatively (low volume)', async () => {
    world.orders = spread(3, NOW, 29).map(iso);
    ga.setPurchases(spread(1, NOW, 29));
    const r = await probeSalesSync(salesSync(shop.url, ga.address), ctx(), { ga: prober, now: () => new Date(NOW) });
    expect(r.status).toBe('up');
    expect(comparisons(r.details)[0]).toMatchObject({ shopifyOrders: 3, gaPurchases: 1, difference: -2, relative: 0.667, verdict: 'in sync' });
  });

  it('is down when GA shows no purchase at all while Shopify shows orders', async () => {
    ga.setPurchases([]);
    const r = await probeSalesSync(salesSync(shop.url, ga.address), ctx(), { ga: prober, now: () => new Date(NOW) });
    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'bad_response', code: 'GA_NO_PURCHASES' });
    expect(r.error!.message).toBe('last 30 min: GA shows no purchases while Shopify shows 20 orders: is the GA tag or the purchase event broken?');
    expect(r.details.comparison).toBe('last 30 min: Shopify 20 orders, GA 0 purchases (−20, 100%)');
  });

  it('compares a closed hour in the property\'s own time zone, allowing GA\'s processing delay', async () => {
    // Given a property in a half-hour-offset zone: its hours start at :30 UTC
    const kolkata = await startGaPeer({ now: () => NOW, timeZone: 'Asia/Kolkata' });
    try {
      const { start } = localHour(new Date(NOW - 12 * 3_600_000), 'Asia/Kolkata');
      expect(iso(start.getTime())).toBe('2026-12-04T02:30:00Z');
      world.orders = [...spread(30, start.getTime() + 60 * MIN, 60).map(iso), ...spread(9, start.getTime(), 30).map(iso)];
      kolkata.setPurchases([...spread(27, start.getTime() + 60 * MIN, 60), ...spread(50, start.getTime(), 120)]);
      const t = salesSync(shop.url, kolkata.address, { windows: ['closed-hour'], gaMetric: 'transactions' });
      // When it runs
      const r = await probeSalesSync(t, ctx(), { ga: prober, now: () => new Date(NOW) });
      // Then GA's dateHour and Shopify's window are the same local hour, 02:30–03:30 UTC
      expect(r.status).toBe('up');
      expect(comparisons(r.details)[0]).toMatchObject({ window: 'closed-hour', from: '2026-12-04T02:30:00.000Z', to: '2026-12-04T03:30:00.000Z', shopifyOrders: 30, gaPurchases: 27 });
      expect(r.details.comparison).toBe('closed hour 02:30–03:30 UTC: Shopify 30 orders, GA 27 purchases (−3, 10%)');
      expect(kolkata.calls.at(-1)).toMatchObject({ metrics: ['transactions'], dateRanges: [{ startDate: '2026-12-03', endDate: '2026-12-05' }] });
    } finally {
      await kolkata.close();
    }
  });

  it('is down with the source\'s own error when GA refuses (no comparison is not "in sync")', async () => {
    ga.setMode('denied');
    const r = await probeSalesSync(salesSync(shop.url, ga.address), ctx(), { ga: prober, now: () => new Date(NOW) });
    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'auth', code: 'PERMISSION_DENIED' });
    expect(r.error!.message).toMatch(/^last 30 min: GA: PERMISSION_DENIED: User does not have sufficient permissions/);
  });

  it('is down with a timeout, within the budget, when GA never answers', async () => {
    ga.setMode('hang');
    const short: ProbeContext = { signal: AbortSignal.timeout(400), timeoutMs: 400, degradedMs: 1000 };
    const r = await probeSalesSync(salesSync(shop.url, ga.address), short, { ga: prober, now: () => new Date(NOW) });
    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'timeout', message: 'last 30 min: GA: no RunRealtimeReport answer within 400 ms' });
  });

  it('is down when the Shopify token is refused', async () => {
    ga.setPurchases(spread(18, NOW, 29));
    const t = salesSync(shop.url, ga.address);
    const wrong = { ...t, sources: { ...t.sources, shopify: { ...t.sources.shopify, accessToken: 'shpat_wrong' } } };
    const r = await probeSalesSync(wrong, ctx(), { ga: prober, now: () => new Date(NOW) });
    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'auth', httpStatus: 401 });
    expect(r.error!.message).toMatch(/^last 30 min: Shopify: /);
  });
});

describe('the GA peer answers reports as the API does', () => {
  let ga: GaPeer;
  let prober: GaProber;
  const target = () => configFromObject({ targets: [{ kind: 'ga', id: 'ga', propertyId: '1', endpoint: ga.address, insecure: true }] }).targets[0] as never;
  beforeAll(async () => {
    ga = await startGaPeer({ now: () => NOW });
    prober = createGaProber();
  });
  afterAll(async () => {
    await prober.close();
    await ga.close();
  });

  it('refuses a metric RunReport does not know, in GA\'s words', async () => {
    const r = await prober.call(target(), ctx(), (c) => c.runReport({ property: 'properties/1', metrics: [{ name: 'purchases' }], dateRanges: [{ startDate: 'today', endDate: 'today' }] }, ctx()));
    expect(r).toMatchObject({ ok: false, error: { kind: 'bad_response', code: 'INVALID_ARGUMENT' } });
    expect(!r.ok && r.error.message).toMatch(/^INVALID_ARGUMENT: Field purchases is not a valid metric\. For a list of valid dimensions and metrics, see .*\/api-schema$/);
  });

  it('refuses a core metric in a realtime report (the realtime schema is its own)', async () => {
    const r = await prober.call(target(), ctx(), (c) => c.runRealtimeReport({ property: 'properties/1', metrics: [{ name: 'ecommercePurchases' }] }, ctx()));
    expect(!r.ok && r.error.message).toMatch(/^INVALID_ARGUMENT: Field ecommercePurchases is not a valid metric\. .*realtime-api-schema$/);
  });

  it('refuses a realtime window past 29 minutes on a standard property, and a date it cannot read', async () => {
    const rt = await prober.call(target(), ctx(), (c) => c.runRealtimeReport({ property: 'properties/1', metrics: [{ name: 'activeUsers' }], minuteRanges: [{ startMinutesAgo: 45 }] }, ctx()));
    expect(!rt.ok && rt.error.code).toBe('INVALID_ARGUMENT');
    const core = await prober.call(target(), ctx(), (c) => c.runReport({ property: 'properties/1', metrics: [{ name: 'activeUsers' }], dateRanges: [{ startDate: 'last week', endDate: 'today' }] }, ctx()));
    expect(!core.ok && core.error.message).toBe('INVALID_ARGUMENT: Invalid date: "last week". Dates must be YYYY-MM-DD, NdaysAgo, yesterday, or today.');
  });
});

describe('sales-sync config', () => {
  const base = [
    { kind: 'shopify', id: 'shop', shop: 'hot-rod-an.myshopify.com', accessToken: 'x' },
    { kind: 'ga', id: 'ga', propertyId: '1' },
  ];
  it('names the key when a source id is missing or of the wrong kind', () => {
    expect(() => configFromObject({ targets: [...base, { kind: 'sales-sync', id: 's', shopify: 'nope', ga: 'ga' }] })).toThrow(
      new ConfigError('targets[2].shopify: no target has the id "nope" (expected the id of a shopify target)'),
    );
    expect(() => configFromObject({ targets: [...base, { kind: 'sales-sync', id: 's', shopify: 'shop', ga: 'shop' }] })).toThrow(
      new ConfigError('targets[2].ga: "shop" is a shopify target, not a ga one'),
    );
  });
  it('defaults to the realtime window and 2 orders / 20% tolerance', () => {
    const t = configFromObject({ targets: [...base, { kind: 'sales-sync', id: 's', shopify: 'shop', ga: 'ga' }] }).targets[2] as SalesSyncTarget;
    expect(t).toMatchObject({ windows: ['realtime-30m'], tolerance: { absolute: 2, relative: 0.2 }, delayHours: 12, gaMetric: 'ecommercePurchases' });
    expect(t.sources.shopify.id).toBe('shop');
  });
});
