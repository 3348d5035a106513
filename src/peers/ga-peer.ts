import * as grpc from '@grpc/grpc-js';
import { gaServiceDefinition } from '../probes/ga-client.js';
import { peerTimers } from './delay.js';
import { coreRows, realtimeReport, unknownName } from './ga-reports.js';

/** How the fake Analytics Data API answers RunReport. */
export const GA_PEER_MODES = [
  'healthy',
  'slow',
  'exhausted',
  'denied',
  'unauthenticated',
  'unavailable',
  'invalid',
  'hang',
  'no-quota',
] as const;
export type GaPeerMode = (typeof GA_PEER_MODES)[number];

/** Remaining tokens / requests per PropertyQuota field (data.proto, google.analytics.data.v1beta). */
export interface GaQuota {
  tokensPerDay: number;
  tokensPerHour: number;
  concurrentRequests: number;
  serverErrorsPerProjectPerHour: number;
  potentiallyThresholdedRequestsPerHour: number;
  tokensPerProjectPerHour: number;
}

/** A standard (non-360) property's documented allowances, from the PropertyQuota comments in data.proto. */
export const STANDARD_QUOTA: Readonly<GaQuota> = {
  tokensPerDay: 200_000,
  tokensPerHour: 40_000,
  concurrentRequests: 10,
  serverErrorsPerProjectPerHour: 10,
  potentiallyThresholdedRequestsPerHour: 120,
  tokensPerProjectPerHour: 14_000,
};

export interface GaPeerOptions {
  mode?: GaPeerMode;
  /** Starting remaining values; the rest come from STANDARD_QUOTA. */
  quota?: Partial<GaQuota>;
  /** Tokens each RunReport takes from the day, hour and project-hour buckets. Default 5 ("most requests consume fewer than 10"). */
  tokensPerCall?: number;
  /** Delay of the `slow` mode. Default 2500 ms (over the default 2 s degraded threshold). */
  slowMs?: number;
  /** The metric value every row carries (purchase metrics are counted from `purchases` instead). */
  metricValue?: number;
  /** When each purchase event GA received happened (ms): what ecommercePurchases, transactions and realtime count. */
  purchases?: number[];
  /** The property's time zone, as RunReport's metadata states it (default America/Los_Angeles). */
  timeZone?: string;
  /** Millisecond clock for realtime's "minutes ago" and "today"; inject a fixed one in tests. */
  now?: () => number;
}

/** One RunReport the peer received, for assertions. */
export interface GaPeerCall {
  property: string;
  metrics: string[];
  dateRanges: { startDate: string; endDate: string }[];
  limit: string;
  returnPropertyQuota: boolean;
  /** The `x-goog-request-params` routing header the gapic client sends. */
  requestParams: string | null;
  /** Whether an `authorization` header came with the call. */
  authorized: boolean;
}

export interface GaPeer {
  /** host:port, the shape of a ga target's `endpoint`. */
  address: string;
  port: number;
  calls: GaPeerCall[];
  /** The remaining quota right now. */
  readonly quota: GaQuota;
  setMode(mode: GaPeerMode): void;
  setQuota(quota: Partial<GaQuota>): void;
  /** Replaces the purchase events GA has received (drift, or none at all). */
  setPurchases(purchases: number[]): void;
  /** Every RunRealtimeReport the peer received. */
  realtimeCalls: { property: string; metrics: string[]; dimensionFilter: unknown; minuteRanges: unknown }[];
  /** Cancels calls in flight (hang, slow) and stops listening. */
  close(): Promise<void>;
}

const EXHAUSTED = {
  code: grpc.status.RESOURCE_EXHAUSTED,
  details:
    'Exhausted property tokens per hour for a project per property. These quota tokens will return in under an hour. To learn more, see https://developers.google.com/analytics/devguides/reporting/data/v1/quotas',
};

/** Error answers per mode, worded like the real API's. */
const FAILURES: Partial<Record<GaPeerMode, { code: grpc.status; details: string }>> = {
  exhausted: EXHAUSTED,
  denied: {
    code: grpc.status.PERMISSION_DENIED,
    details:
      'User does not have sufficient permissions for this property. To learn more about Property ID, see https://developers.google.com/analytics/devguides/reporting/data/v1/property-id.',
  },
  unauthenticated: {
    code: grpc.status.UNAUTHENTICATED,
    details:
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  },
  unavailable: { code: grpc.status.UNAVAILABLE, details: 'The service is currently unavailable.' },
  invalid: {
    code: grpc.status.INVALID_ARGUMENT,
    details: 'Field activeUser is not a valid metric. For a list of valid dimensions and metrics, see https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema',
  },
};

const TOKEN_BUCKETS = ['tokensPerDay', 'tokensPerHour', 'tokensPerProjectPerHour'] as const;

interface RunReportRequest {
  property?: string;
  metrics?: { name?: string }[];
  dimensions?: { name?: string }[];
  dimensionFilter?: { filter?: { fieldName?: string; stringFilter?: { value?: string; matchType?: string } } } | null;
  minuteRanges?: { startMinutesAgo?: number; endMinutesAgo?: number }[];
  dateRanges?: { startDate?: string; endDate?: string }[];
  limit?: string;
  returnPropertyQuota?: boolean;
}

/** A real gRPC server on 127.0.0.1 (a free port) speaking the Analytics Data API v1beta's RunReport. */
export async function startGaPeer(opts: GaPeerOptions = {}): Promise<GaPeer> {
  let mode: GaPeerMode = opts.mode ?? 'healthy';
  const quota: GaQuota = { ...STANDARD_QUOTA, ...opts.quota };
  const tokensPerCall = opts.tokensPerCall ?? 5;
  const slowMs = opts.slowMs ?? 2500;
  const calls: GaPeerCall[] = [];
  const realtimeCalls: GaPeer['realtimeCalls'] = [];
  let purchases = [...(opts.purchases ?? [])];
  const timeZone = opts.timeZone ?? 'America/Los_Angeles';
  const clock = opts.now ?? Date.now;
  const timers = peerTimers();
  /** Mode failures, the property's shape and the quota, as both report methods check them; null to go on. */
  const gate = (req: RunReportRequest): { code: grpc.status; details: string } | null => {
    const failure = FAILURES[mode];
    if (failure) return failure;
    if (!/^properties\/\d+$/.test(req.property ?? '')) {
      return { code: grpc.status.INVALID_ARGUMENT, details: `Invalid property: "${req.property ?? ''}". Expected properties/<numeric id>.` };
    }
    return null;
  };

  const runRealtimeReport: grpc.handleUnaryCall<RunReportRequest, unknown> = (call, callback) => {
    const req = call.request;
    realtimeCalls.push({ property: req.property ?? '', metrics: (req.metrics ?? []).map((m) => m.name ?? ''), dimensionFilter: req.dimensionFilter ?? null, minuteRanges: req.minuteRanges ?? [] });
    if (mode === 'hang') return;
    const refused = gate(req) ?? unknownName(req, true);
    if (refused) return callback(refused);
    // Realtime requests draw on their own quota (tokens per hour for realtime); the peer does not meter them.
    const got = realtimeReport(req, { purchases, otherEventsPerMinute: 12, activeUsers: opts.metricValue ?? 42 }, clock());
    if (!got.ok) return callback(got.failure);
    if (mode !== 'slow') return callback(null, got.body);
    timers.after(slowMs, () => callback(null, got.body));
  };

  const runReport: grpc.handleUnaryCall<RunReportRequest, unknown> = (call, callback) => {
    const req = call.request;
    const requestParams = call.metadata.get('x-goog-request-params')[0];
    calls.push({
      property: req.property ?? '',
      metrics: (req.metrics ?? []).map((m) => m.name ?? ''),
      dateRanges: (req.dateRanges ?? []).map((d) => ({ startDate: d.startDate ?? '', endDate: d.endDate ?? '' })),
      limit: req.limit ?? '0',
      returnPropertyQuota: req.returnPropertyQuota === true,
      requestParams: requestParams === undefined ? null : String(requestParams),
      authorized: call.metadata.get('authorization').length > 0,
    });
    if (mode === 'hang') return; // never answers; close() cancels it
    const refused = gate(req) ?? unknownName(req, false) ?? badDate(req);
    if (refused) return callback(refused);
    if (TOKEN_BUCKETS.some((b) => quota[b] < tokensPerCall)) return callback(EXHAUSTED); // a drained bucket answers like the real API
    for (const b of TOKEN_BUCKETS) quota[b] -= tokensPerCall;
    const rows = coreRows(req, purchases, opts.metricValue ?? 42, timeZone, clock());
    const body = report(req, mode === 'no-quota' ? null : propertyQuota(quota, tokensPerCall), rows, timeZone);
    if (mode !== 'slow') return callback(null, body);
    timers.after(slowMs, () => callback(null, body));
  };

  const server = new grpc.Server();
  server.addService(gaServiceDefinition(false), { RunReport: runReport, RunRealtimeReport: runRealtimeReport });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });

  return {
    address: `127.0.0.1:${port}`,
    port,
    calls,
    realtimeCalls,
    setPurchases(next) {
      purchases = [...next];
    },
    get quota() {
      return { ...quota };
    },
    setMode(next) {
      mode = next;
    },
    setQuota(next) {
      Object.assign(quota, next);
    },
    close: () =>
      new Promise<void>((resolve) => {
        timers.clear();
        // forceShutdown cancels hanging calls; tryShutdown would wait for them forever.
        server.forceShutdown();
        resolve();
      }),
  };
}

function propertyQuota(q: GaQuota, used: number) {
  return {
    tokensPerDay: { consumed: used, remaining: q.tokensPerDay },
    tokensPerHour: { consumed: used, remaining: q.tokensPerHour },
    concurrentRequests: { consumed: 0, remaining: q.concurrentRequests },
    serverErrorsPerProjectPerHour: { consumed: 0, remaining: q.serverErrorsPerProjectPerHour },
    potentiallyThresholdedRequestsPerHour: { consumed: 0, remaining: q.potentiallyThresholdedRequestsPerHour },
    tokensPerProjectPerHour: { consumed: used, remaining: q.tokensPerProjectPerHour },
  };
}

/** A RunReportResponse in the documented shape: the rows, the asked-for headers, the property's zone. */
function report(req: RunReportRequest, quota: ReturnType<typeof propertyQuota> | null, rows: ReturnType<typeof coreRows>, timeZone: string) {
  const metrics = (req.metrics ?? []).map((m) => m.name ?? '');
  return {
    dimensionHeaders: (req.dimensions ?? []).map((d) => ({ name: d.name ?? '' })),
    metricHeaders: metrics.map((name) => ({ name, type: 'TYPE_INTEGER' })),
    rows,
    rowCount: rows.length,
    metadata: { currencyCode: 'USD', timeZone },
    ...(quota ? { propertyQuota: quota } : {}),
    kind: 'analyticsData#runReport',
  };
}

/** GA's date forms: YYYY-MM-DD, today, yesterday, NdaysAgo; anything else is refused. */
function badDate(req: RunReportRequest): { code: grpc.status; details: string } | null {
  for (const r of req.dateRanges ?? []) {
    for (const d of [r.startDate ?? '', r.endDate ?? '']) {
      if (!/^(\d{4}-\d{2}-\d{2}|today|yesterday|\d+daysAgo)$/.test(d)) {
        return { code: grpc.status.INVALID_ARGUMENT, details: `Invalid date: "${d}". Dates must be YYYY-MM-DD, NdaysAgo, yesterday, or today.` };
      }
    }
  }
  return null;
}
