/**
 * A lean Analytics Data API v1beta client: the two unary calls pitwall makes (RunReport, RunRealtimeReport) over the
 * API's REST/JSON surface, through the project's HTTP client (Node's http/https, the engine's keep-alive agents). The paths are
 * the `google.api.http` annotations of analytics_data_api.proto (@google-analytics/data, build/protos):
 * `POST /v1beta/{property=properties/*}:runReport` and `…:runRealtimeReport`, body `*`; bodies and answers in the
 * proto3 JSON mapping (https://protobuf.dev/programming-guides/json/: lowerCamelCase names, enums as strings, int64 as
 * strings). gRPC (grpc-js, HTTP/2, protobufjs reflection of the whole .proto tree) cost the console ~8 MiB resident
 * for these two calls (issue 18); the message types below are type-only imports. Google auth is loaded only when a
 * target is not insecure.
 */
import type { protos } from '@google-analytics/data';
import type { AuthClient, GoogleAuth } from 'google-auth-library';
import { messageOf } from './classify.js';
import { excerpt, httpExchange, parseJsonBody, parseRetryAfter, statusError, type HttpAnswer } from './http-client.js';
import type { HttpAgents, ProbeError } from './types.js';

export type RunReportRequest = protos.google.analytics.data.v1beta.IRunReportRequest;
export type RunReportResponse = protos.google.analytics.data.v1beta.IRunReportResponse;
export type RunRealtimeReportRequest = protos.google.analytics.data.v1beta.IRunRealtimeReportRequest;
export type RunRealtimeReportResponse = protos.google.analytics.data.v1beta.IRunRealtimeReportResponse;

/** What one call needs from the run: its budget, the run's abort and the engine's HTTP agent. */
export interface GaCallOptions {
  timeoutMs: number;
  signal: AbortSignal;
  dispatcher?: HttpAgents | undefined;
}

/** An answer and how long the exchange itself took (token lookup excluded). */
export interface GaAnswer<T> {
  value: T;
  latencyMs: number;
}

/** A failed call, already in the probes' error vocabulary. */
export class GaCallError extends Error {
  readonly error: ProbeError;
  constructor(error: ProbeError) {
    super(error.message);
    this.error = error;
  }
}

/** How the client authenticates: none (a plaintext loopback peer), a built auth client, or ADC. */
export type GaAuth = { kind: 'insecure' } | { kind: 'client'; client: AuthClient } | { kind: 'adc'; scopes: string[] };

/** The real API's root (https://analyticsdata.googleapis.com/$discovery/rest?version=v1beta: rootUrl). */
export const GA_API_URL = 'https://analyticsdata.googleapis.com';

/**
 * The API root a target's `endpoint` names: a full http(s) URL as given; `host:port` (the gRPC-era form) as
 * `http://` when the target is insecure (a plaintext loopback peer), else `https://`; none: the real API.
 */
export function gaBaseUrl(endpoint: string | undefined, insecure: boolean): string {
  if (!endpoint) return GA_API_URL;
  if (/^https?:\/\//i.test(endpoint)) return endpoint.replace(/\/+$/, '');
  return `${insecure ? 'http' : 'https'}://${endpoint}`;
}

/** The Google auth library, imported on first use (insecure targets never load it). */
export async function authLibrary(): Promise<typeof import('google-auth-library')> {
  return import('google-auth-library');
}

/**
 * google.rpc.Code names by HTTP status, for an error envelope without `status` or a bare status
 * (https://cloud.google.com/apis/design/errors#http_mapping; google/rpc/code.proto).
 */
const CODE_BY_HTTP: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** One target's client: its API root and its credentials (with their token cache). */
export class GaDataClient {
  private auth: AuthClient | null = null;
  private closed = false;
  readonly baseUrl: string;
  private readonly authSpec: GaAuth;

  /** `baseUrl` is the API root (https://analyticsdata.googleapis.com for the real API); see gaBaseUrl. */
  constructor(baseUrl: string, auth: GaAuth) {
    this.baseUrl = baseUrl;
    this.authSpec = auth;
  }

  /** Loads the credentials (ADC's lookup may ask the GCE metadata server). Insecure: nothing to load. */
  async initialize(): Promise<void> {
    if (this.authSpec.kind === 'insecure') return;
    if (this.authSpec.kind === 'client') {
      this.auth = this.authSpec.client;
      return;
    }
    const { GoogleAuth } = await authLibrary();
    const adc: GoogleAuth = new GoogleAuth({ scopes: this.authSpec.scopes });
    // As the gapic client (beta_analytics_data_client.js): a service account signs its own JWT, no token exchange.
    adc.useJWTAccessWithScope = true;
    adc.defaultServicePath = new URL(GA_API_URL).host;
    // Throws "Could not load the default credentials" when ADC finds nothing (as the gapic client's initialize()).
    const client = await adc.getClient();
    if (!this.closed) this.auth = client;
  }

  /** RunReport: one unary call, no retries (the engine owns them). */
  runReport(request: RunReportRequest, opts: GaCallOptions): Promise<GaAnswer<RunReportResponse>> {
    return this.unary('runReport', 'RunReport', request, opts);
  }

  /** RunRealtimeReport: one unary call, no retries. */
  runRealtimeReport(request: RunRealtimeReportRequest, opts: GaCallOptions): Promise<GaAnswer<RunRealtimeReportResponse>> {
    return this.unary('runRealtimeReport', 'RunRealtimeReport', request, opts);
  }

  private async unary<T>(verb: string, name: string, request: { property?: string | null }, opts: GaCallOptions): Promise<GaAnswer<T>> {
    const timeout = (): GaCallError => new GaCallError({ kind: 'timeout', message: `no ${name} answer within ${opts.timeoutMs} ms` });
    if (opts.signal.aborted) throw timeout();
    if (this.authSpec.kind !== 'insecure' && !this.auth) throw new Error('the Analytics Data client is not initialized');
    const { property, ...rest } = request;
    // body "*": every field the path does not bind goes in the body; the path keeps property's "/" (properties/123).
    const url = `${this.baseUrl}/v1beta/${(property ?? '').split('/').map(encodeURIComponent).join('/')}:${verb}`;
    // The run's own budget bounds the call even when the caller's signal never fires.
    const signal = AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.auth) Object.assign(headers, await this.authorization(url, signal, timeout));
    const answer = await httpExchange({
      url,
      method: 'POST',
      headers,
      body: JSON.stringify(rest, int64AsString),
      signal,
      timeoutMs: opts.timeoutMs,
      ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    });
    if (!answer.ok) throw answer.error.kind === 'timeout' ? timeout() : new GaCallError(answer.error);
    if (answer.status !== 200) throw new GaCallError(envelopeError(answer, name));
    const parsed = parseJsonBody(answer);
    if (!parsed.ok) throw new GaCallError({ ...parsed.error, message: `${name} answer: ${parsed.error.message}` });
    if (!parsed.json || typeof parsed.json !== 'object' || Array.isArray(parsed.json)) {
      throw new GaCallError({ kind: 'bad_response', message: `${name} answered with JSON that is not an object`, evidence: excerpt(answer.text) });
    }
    return { value: parsed.json as T, latencyMs: answer.latencyMs };
  }

  /** The Authorization header from the auth client (its token cache), bounded by the call's signal. */
  private async authorization(url: string, signal: AbortSignal, timeout: () => GaCallError): Promise<Record<string, string>> {
    const auth = this.auth!;
    const got = auth.getRequestHeaders(url).then(
      (h) => ({ ok: true as const, h }),
      (err: unknown) => ({ ok: false as const, err }),
    );
    const aborted = new Promise<null>((resolve) => {
      if (signal.aborted) resolve(null);
      signal.addEventListener('abort', () => resolve(null), { once: true });
    });
    const outcome = await Promise.race([got, aborted]);
    if (!outcome) throw timeout();
    if (!outcome.ok) throw new GaCallError({ kind: 'auth', message: `Google token failed: ${messageOf(outcome.err).split('\n')[0]}` });
    const plain: Record<string, string> = {};
    outcome.h.forEach((value, key) => (plain[key] = value));
    return plain;
  }

  /** Forgets the credentials; a pending initialize() keeps none. */
  close(): void {
    this.closed = true;
    this.auth = null;
  }
}

/** proto3 JSON writes int64 as a string (RunReportRequest.limit and offset are int64). */
function int64AsString(key: string, value: unknown): unknown {
  return (key === 'limit' || key === 'offset') && typeof value === 'number' ? String(value) : value;
}

/**
 * A non-200 answer → ProbeError. Google's JSON error envelope `{"error":{"code","message","status","details"}}`
 * (google.rpc.Status, https://cloud.google.com/apis/design/errors#http_mapping) is read for its status name; anything
 * else (a proxy's HTML page, garbage) is worded by its HTTP status like any HTTP upstream.
 */
function envelopeError(a: HttpAnswer, name: string): ProbeError {
  const parsed = parseJsonBody(a);
  const json = parsed.ok ? parsed.json : null;
  const err = json && typeof json === 'object' ? (json as { error?: unknown }).error : undefined;
  if (!err || typeof err !== 'object') return statusError(a, `${name} HTTP`);
  const e = err as { status?: unknown; message?: unknown };
  const status = typeof e.status === 'string' && /^[A-Z_]{1,40}$/.test(e.status) ? e.status : (CODE_BY_HTTP[a.status] ?? `HTTP_${a.status}`);
  const detail = excerpt(typeof e.message === 'string' && e.message ? e.message : `HTTP ${a.status}`);
  const base = { code: status, httpStatus: a.status, message: `${status}: ${detail}` };
  switch (status) {
    case 'UNAUTHENTICATED':
    case 'PERMISSION_DENIED':
      return { ...base, kind: 'auth' };
    case 'RESOURCE_EXHAUSTED': {
      const retryAfterMs = parseRetryAfter(a.headers['retry-after']);
      return { ...base, kind: 'rate_limited', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    case 'DEADLINE_EXCEEDED':
      return { ...base, kind: 'timeout' };
    case 'UNAVAILABLE':
    case 'CANCELLED':
      return { ...base, kind: 'connection' };
    default:
      return { ...base, kind: 'bad_response' };
  }
}

