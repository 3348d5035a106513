import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { decodeRequest, encodeResponse, errorEnvelope, gaRoutes, matchRoute, type GaFailure } from './ga-contract.js';
import { sendJson, startPeer } from './serve.js';
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
  /** The request path (the property is in it: /v1beta/properties/123:runReport). */
  path: string;
  /** Whether an `authorization` header came with the call. */
  authorized: boolean;
}

export interface GaPeer {
  /** host:port, the shape of a ga target's `endpoint` (with `insecure: true`: plain http). */
  address: string;
  /** http://127.0.0.1:port, the same peer as a URL endpoint. */
  url: string;
  /** The HTTP server (benchmarks instrument it like the other peers). */
  server: Server;
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

const EXHAUSTED: GaFailure = {
  status: 'RESOURCE_EXHAUSTED',
  details:
    'Exhausted property tokens per hour for a project per property. These quota tokens will return in under an hour. To learn more, see https://developers.google.com/analytics/devguides/reporting/data/v1/quotas',
};

/** Error answers per mode, worded like the real API's. */
const FAILURES: Partial<Record<GaPeerMode, GaFailure>> = {
  exhausted: EXHAUSTED,
  denied: {
    status: 'PERMISSION_DENIED',
    details:
      'User does not have sufficient permissions for this property. To learn more about Property ID, see https://developers.google.com/analytics/devguides/reporting/data/v1/property-id.',
  },
  unauthenticated: {
    status: 'UNAUTHENTICATED',
    details:
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  },
  unavailable: { status: 'UNAVAILABLE', details: 'The service is currently unavailable.' },
  invalid: {
    status: 'INVALID_ARGUMENT',
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

/** One answer of a report method: a body to encode, a refusal, or none at all (hang). */
type Outcome = { body: object } | { failure: GaFailure } | null;

/**
 * A loopback HTTP server speaking the Analytics Data API v1beta's REST surface (RunReport, RunRealtimeReport), routed
 * and decoded from the .proto contract (ga-contract.ts), answering in proto3 JSON or Google's JSON error envelope.
 */
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
  /** Mode failures, the property's shape and the quota, as both report methods check them; null to go on. */
  const gate = (req: RunReportRequest): GaFailure | null => {
    const failure = FAILURES[mode];
    if (failure) return failure;
    if (!/^properties\/\d+$/.test(req.property ?? '')) {
      return { status: 'INVALID_ARGUMENT', details: `Invalid property: "${req.property ?? ''}". Expected properties/<numeric id>.` };
    }
    return null;
  };

  const runRealtimeReport = (req: RunReportRequest): Outcome => {
    realtimeCalls.push({ property: req.property ?? '', metrics: (req.metrics ?? []).map((m) => m.name ?? ''), dimensionFilter: req.dimensionFilter ?? null, minuteRanges: req.minuteRanges ?? [] });
    if (mode === 'hang') return null;
    const refused = gate(req) ?? unknownName(req, true);
    if (refused) return { failure: refused };
    // Realtime requests draw on their own quota (tokens per hour for realtime); the peer does not meter them.
    const got = realtimeReport(req, { purchases, otherEventsPerMinute: 12, activeUsers: opts.metricValue ?? 42 }, clock());
    return got.ok ? { body: got.body } : { failure: got.failure };
  };

  const runReport = (req: RunReportRequest, http: IncomingMessage): Outcome => {
    calls.push({
      property: req.property ?? '',
      metrics: (req.metrics ?? []).map((m) => m.name ?? ''),
      dateRanges: (req.dateRanges ?? []).map((d) => ({ startDate: d.startDate ?? '', endDate: d.endDate ?? '' })),
      limit: req.limit ?? '0',
      returnPropertyQuota: req.returnPropertyQuota === true,
      path: http.url ?? '',
      authorized: http.headers.authorization !== undefined,
    });
    if (mode === 'hang') return null; // never answers; close() drops the connection
    const refused = gate(req) ?? unknownName(req, false) ?? badDate(req);
    if (refused) return { failure: refused };
    if (TOKEN_BUCKETS.some((b) => quota[b] < tokensPerCall)) return { failure: EXHAUSTED }; // a drained bucket answers like the real API
    for (const b of TOKEN_BUCKETS) quota[b] -= tokensPerCall;
    const rows = coreRows(req, purchases, opts.metricValue ?? 42, timeZone, clock());
    return { body: report(req, mode === 'no-quota' ? null : propertyQuota(quota, tokensPerCall), rows, timeZone) };
  };

  const handlers: Record<string, (req: RunReportRequest, http: IncomingMessage) => Outcome> = { RunReport: runReport, RunRealtimeReport: runRealtimeReport };
  const refuse = (res: ServerResponse, f: GaFailure) => {
    const { httpStatus, body } = errorEnvelope(f);
    sendJson(res, httpStatus, body);
  };

  // The .proto parsed and protobufjs's converters generated now, not inside the first request's handling time.
  for (const { request, response } of gaRoutes()) for (const t of [request, response]) t.toObject(t.fromObject({}));

  const peer = await startPeer((req, res, text) => {
    const path = (req.url ?? '').split('?')[0]!;
    const matched = matchRoute(req.method ?? '', path);
    if (!matched) {
      // Google's front end answers an unknown URL with an HTML page, not the JSON envelope.
      res.writeHead(404, { 'content-type': 'text/html; charset=UTF-8' });
      res.end(`<!DOCTYPE html><html lang=en><title>Error 404 (Not Found)!!1</title><p>The requested URL <code>${escapeHtml(path)}</code> was not found on this server.</p></html>`);
      return;
    }
    const handler = handlers[matched.route.method];
    if (!handler) return refuse(res, { status: 'UNIMPLEMENTED', details: `the pitwall GA peer serves RunReport and RunRealtimeReport, not ${matched.route.method}` });
    const decoded = decodeRequest(matched.route, text, matched.bound);
    if (!decoded.ok) return refuse(res, decoded.failure);
    const outcome = handler(decoded.request as RunReportRequest, req);
    if (!outcome) return;
    const send = () => ('failure' in outcome ? refuse(res, outcome.failure) : sendJson(res, 200, encodeResponse(matched.route, outcome.body)));
    if (mode !== 'slow' || 'failure' in outcome) return send();
    peer.timers.after(slowMs, send);
  });

  return {
    address: `127.0.0.1:${peer.port}`,
    url: peer.url,
    server: peer.server,
    port: peer.port,
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
    // Drops connections in flight (hang, slow) and pending slow answers.
    close: () => peer.close(),
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
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
function badDate(req: RunReportRequest): GaFailure | null {
  for (const r of req.dateRanges ?? []) {
    for (const d of [r.startDate ?? '', r.endDate ?? '']) {
      if (!/^(\d{4}-\d{2}-\d{2}|today|yesterday|\d+daysAgo)$/.test(d)) {
        return { status: 'INVALID_ARGUMENT', details: `Invalid date: "${d}". Dates must be YYYY-MM-DD, NdaysAgo, yesterday, or today.` };
      }
    }
  }
  return null;
}
