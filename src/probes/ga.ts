import { readFile } from 'node:fs/promises';
import type { AuthClient } from 'google-auth-library';
import type { GaTarget } from '../config/config.js';
import { classify, messageOf } from './classify.js';
import { authLibrary, GaCallError, gaBaseUrl, GaDataClient, type GaAuth, type GaAnswer, type RunReportResponse } from './ga-client.js';
import type { Headroom, Phase, ProbeContext, ProbeError, ProbeResult } from './types.js';

/** The PropertyQuota fields of a RunReportResponse (google.analytics.data.v1beta, data.proto). */
export const GA_QUOTA_FIELDS = [
  'tokensPerDay',
  'tokensPerHour',
  'concurrentRequests',
  'serverErrorsPerProjectPerHour',
  'potentiallyThresholdedRequestsPerHour',
  'tokensPerProjectPerHour',
] as const;
export type GaQuotaField = (typeof GA_QUOTA_FIELDS)[number];

/** One quota group as the API reports it: `consumed` is what *this* request cost, `remaining` is what is left. */
export interface GaQuotaStatus {
  consumed: number;
  remaining: number;
}

/**
 * Documented allowances (the PropertyQuota comments in data.proto). The API reports only what one request
 * consumed and what remains, so consumed + remaining is not the limit; the limit is the tier's allowance.
 */
export const GA_QUOTA_LIMITS = {
  standard: { tokensPerDay: 200_000, tokensPerHour: 40_000, tokensPerProjectPerHour: 14_000, concurrentRequests: 10, serverErrorsPerProjectPerHour: 10 },
  analytics360: { tokensPerDay: 2_000_000, tokensPerHour: 400_000, tokensPerProjectPerHour: 140_000, concurrentRequests: 50, serverErrorsPerProjectPerHour: 50 },
} as const;
export type GaTier = keyof typeof GA_QUOTA_LIMITS;

const HEADROOM_FIELDS = ['tokensPerHour', 'tokensPerDay', 'tokensPerProjectPerHour'] as const;
const GA_API_HOST = 'analyticsdata.googleapis.com';
const READONLY_SCOPE = 'https://www.googleapis.com/auth/analytics.readonly';
const NO_CREDENTIALS = 'no Google credentials: set credentialsFile or GOOGLE_APPLICATION_CREDENTIALS';

export type Made<T> = { ok: true; value: T } | { ok: false; error: ProbeError };

/**
 * One small RunReport (activeUsers today, limit 1, returnPropertyQuota) through GaDataClient (ga-client.ts).
 * The client is built and closed inside the run; createGaProber keeps one per target instead.
 */
export async function probeGa(target: GaTarget, ctx: ProbeContext): Promise<ProbeResult> {
  const made = await makeClient(target, ctx.signal);
  if (!made.ok) return classify({ latencyMs: null, error: made.error, degradedMs: ctx.degradedMs, details: baseDetails(target) });
  const client = made.value;
  const init = await initialize(client, ctx);
  try {
    return await runReport(client, target, ctx, init, true);
  } finally {
    closeClient(client);
  }
}

/** A GA prober that keeps one client (one token cache) per target until close(). */
export interface GaProber {
  probe(target: GaTarget, ctx: ProbeContext): Promise<ProbeResult>;
  /** Runs one call on the target's cached client (sales-sync's reports); setup and call failures come back as errors. */
  call<T>(target: GaTarget, ctx: ProbeContext, fn: (client: GaDataClient) => Promise<T>, method?: string): Promise<Made<T>>;
  /** Closes every cached client; call once on shutdown. */
  close(): Promise<void>;
}

/**
 * Caches the client per target: the OAuth token cache lives on the client, so with user credentials
 * (authorized_user, gcloud ADC) a fresh client per run costs a token exchange every interval. Connections are the
 * engine's HTTP agent's (ctx.dispatcher), kept alive across runs. A client whose setup failed is dropped, not cached.
 */
export function createGaProber(): GaProber {
  const clients = new Map<string, { client: GaDataClient; init: Promise<Init> }>();
  /** The target's client, built on first use; `fresh` when this call built it. A failed setup is dropped, not cached. */
  const clientFor = async (target: GaTarget, ctx: ProbeContext) => {
    const key = JSON.stringify([target.id, target.endpoint ?? null, target.insecure, target.credentialsFile ?? null]);
    let entry = clients.get(key);
    const fresh = !entry;
    if (!entry) {
      const made = await makeClient(target, ctx.signal);
      if (!made.ok) return made;
      entry = { client: made.value, init: initialize(made.value, ctx) };
      clients.set(key, entry);
    }
    const init = await entry.init;
    if (init.error && clients.get(key) === entry) {
      clients.delete(key);
      closeClient(entry.client);
    }
    return { ok: true as const, client: entry.client, init, fresh };
  };
  return {
    async probe(target, ctx) {
      const got = await clientFor(target, ctx);
      if (!got.ok) return classify({ latencyMs: null, error: got.error, degradedMs: ctx.degradedMs, details: baseDetails(target) });
      return runReport(got.client, target, ctx, got.init, got.fresh);
    },
    async call(target, ctx, fn, method = 'RunReport') {
      const got = await clientFor(target, ctx);
      if (!got.ok) return got;
      if (got.init.error) return { ok: false, error: got.init.error };
      // The shared wording names RunReport; say the method this call made.
      const named = (e: ProbeError): ProbeError => ({ ...e, message: e.message.replace(/\bRunReport\b/, method) });
      if (ctx.signal.aborted) return { ok: false, error: named(timeoutError(ctx)) };
      try {
        return { ok: true, value: await fn(got.client) };
      } catch (err) {
        return { ok: false, error: named(callError(err)) };
      }
    },
    async close() {
      const all = [...clients.values()];
      clients.clear();
      for (const e of all) closeClient(e.client);
    },
  };
}

/** The outcome of `client.initialize()`: credentials loaded and the stub built, or why not. */
interface Init {
  ms: number;
  error: ProbeError | null;
}

/** Runs initialize() up to the abort. Its failure is kept as a value, reported by the run that needs the client. */
async function initialize(client: GaDataClient, ctx: ProbeContext): Promise<Init> {
  const t0 = performance.now();
  const done = client.initialize().then(
    () => null,
    (err: unknown) => err,
  );
  const outcome = await untilAborted(done, ctx.signal);
  const ms = performance.now() - t0;
  if (outcome === ABORTED) return { ms, error: { kind: 'timeout', message: `loading Google credentials took over ${ctx.timeoutMs} ms` } };
  if (outcome === null) return { ms, error: null };
  return { ms, error: credentialsError(outcome) };
}

/** The RunReport itself; `fresh` adds the init phase when this run built the client. */
async function runReport(client: GaDataClient, target: GaTarget, ctx: ProbeContext, init: Init, fresh: boolean): Promise<ProbeResult> {
  const details = baseDetails(target);
  const phases: Phase[] = fresh ? [{ name: 'init', ms: init.ms }] : [];
  if (init.error) return classify({ latencyMs: null, error: init.error, degradedMs: ctx.degradedMs, details, phases });
  if (ctx.signal.aborted) return classify({ latencyMs: null, error: timeoutError(ctx), degradedMs: ctx.degradedMs, details, phases });
  const t0 = performance.now();
  let answer: GaAnswer<RunReportResponse>;
  try {
    answer = await client.runReport(
      {
        property: details.property,
        dateRanges: [{ startDate: 'today', endDate: 'today' }],
        metrics: [{ name: 'activeUsers' }],
        limit: 1,
        returnPropertyQuota: true,
      },
      // No retries here: the engine owns them (a retry would hide failures and stretch the latency).
      { timeoutMs: ctx.timeoutMs, signal: ctx.signal, dispatcher: ctx.dispatcher },
    );
  } catch (err) {
    phases.push({ name: 'runReport', ms: performance.now() - t0 });
    return classify({ latencyMs: null, error: callError(err), degradedMs: ctx.degradedMs, details, phases });
  }
  // The exchange's own time: the token lookup (cached, or an OAuth refresh) is not the Data API's latency.
  const { value: response, latencyMs } = answer;
  phases.push({ name: 'runReport', ms: latencyMs });
  const base = { latencyMs, degradedMs: ctx.degradedMs, phases };
  const activeUsers = Number(response.rows?.[0]?.metricValues?.[0]?.value ?? 0);
  const reportDetails = { ...details, rowCount: Number(response.rowCount ?? 0), activeUsers };
  const quota = readQuota(response.propertyQuota);
  if (!quota) {
    return classify({
      ...base,
      details: reportDetails,
      error: {
        kind: 'bad_response',
        message: 'RunReport answered without propertyQuota (tokensPerHour, tokensPerDay) although returnPropertyQuota was true',
        evidence: JSON.stringify(response.propertyQuota ?? null).slice(0, 300),
      },
    });
  }
  const tier = tierOf(quota);
  const limits = GA_QUOTA_LIMITS[tier];
  const headroom: Headroom[] = HEADROOM_FIELDS.filter((f) => quota[f]).map((f) => ({ name: f, remaining: quota[f]!.remaining, limit: limits[f] }));
  return classify({
    ...base,
    headroom,
    details: { ...reportDetails, quota, quotaTier: tier, quotaLimitSource: `documented ${tier === 'standard' ? 'standard' : 'Analytics 360'} property allowance` },
  });
}

function baseDetails(target: GaTarget) {
  return {
    property: `properties/${target.propertyId}`,
    endpoint: gaBaseUrl(target.endpoint, target.insecure),
    auth: target.insecure ? 'none (insecure)' : target.credentialsFile ? 'credentialsFile' : 'application default credentials',
  };
}

/** Builds the client. Insecure: no Google auth at all (plain http for host:port). Else credentialsFile or ADC. */
async function makeClient(target: GaTarget, signal: AbortSignal): Promise<Made<GaDataClient>> {
  let auth: GaAuth = { kind: 'adc', scopes: [READONLY_SCOPE] };
  if (target.insecure) {
    auth = { kind: 'insecure' };
  } else if (target.credentialsFile) {
    const made = await authClientFromFile(target.credentialsFile, signal);
    if (!made.ok) return made;
    auth = { kind: 'client', client: made.value };
  }
  try {
    return { ok: true, value: new GaDataClient(gaBaseUrl(target.endpoint, target.insecure), auth) };
  } catch (err) {
    return { ok: false, error: { kind: 'protocol', message: `cannot build the Analytics Data client: ${messageOf(err)}` } };
  }
}

/**
 * Reads a service-account or authorized-user key file with the type-specific constructors google-auth-library
 * recommends (keyFilename / fromJSON print a deprecation warning, and would load any credential type the file names).
 */
async function authClientFromFile(path: string, signal: AbortSignal): Promise<Made<AuthClient>> {
  const fail = (message: string): Made<never> => ({ ok: false, error: { kind: 'auth', message } });
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(path, { encoding: 'utf8', signal })) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof SyntaxError) return fail(`credentialsFile ${path} is not JSON`);
    return fail(`cannot read credentialsFile ${path}: ${messageOf(err)}`);
  }
  const str = (k: string) => (typeof json[k] === 'string' ? (json[k] as string) : undefined);
  const universeDomain = str('universe_domain');
  if (json.type === 'service_account') {
    const email = str('client_email');
    const key = str('private_key');
    if (!email || !key) return fail(`credentialsFile ${path} lacks client_email or private_key`);
    const { JWT } = await authLibrary();
    const jwt = new JWT({ email, key, keyId: str('private_key_id'), scopes: [READONLY_SCOPE], ...(universeDomain ? { universeDomain } : {}) });
    // A self-signed JWT with the scope, no token exchange, as the gapic client sets it up
    // (@google-analytics/data build/src/v1beta/beta_analytics_data_client.js: useJWTAccessWithScope, defaultServicePath).
    jwt.useJWTAccessWithScope = true;
    jwt.defaultServicePath = GA_API_HOST;
    return { ok: true, value: jwt };
  }
  if (json.type === 'authorized_user') {
    const clientId = str('client_id');
    const clientSecret = str('client_secret');
    const refreshToken = str('refresh_token');
    if (!clientId || !clientSecret || !refreshToken) return fail(`credentialsFile ${path} lacks client_id, client_secret or refresh_token`);
    const { UserRefreshClient } = await authLibrary();
    return { ok: true, value: new UserRefreshClient({ clientId, clientSecret, refreshToken, ...(universeDomain ? { universeDomain } : {}) }) };
  }
  return fail(
    `credentialsFile ${path} has type ${JSON.stringify(json.type ?? null)}; only service_account and authorized_user are read here (point GOOGLE_APPLICATION_CREDENTIALS at other kinds)`,
  );
}

function credentialsError(err: unknown): ProbeError {
  const message = messageOf(err);
  if (/could not load the default credentials/i.test(message)) return { kind: 'auth', message: NO_CREDENTIALS };
  return { kind: 'auth', message: `Google credentials failed: ${message.split('\n')[0]}` };
}

/** A failed call → ProbeError: the client's own (GaCallError), anything else thrown is a protocol failure. */
function callError(err: unknown): ProbeError {
  if (err instanceof GaCallError) return err.error;
  return { kind: 'protocol', message: `RunReport failed: ${messageOf(err)}` };
}

function timeoutError(ctx: ProbeContext): ProbeError {
  return { kind: 'timeout', message: `no RunReport answer within ${ctx.timeoutMs} ms` };
}

type Quota = Partial<Record<GaQuotaField, GaQuotaStatus>>;

/** The quota groups present; null when the hourly and daily token groups are missing (nothing to watch). */
function readQuota(raw: unknown): Quota | null {
  if (!raw || typeof raw !== 'object') return null;
  const out: Quota = {};
  for (const f of GA_QUOTA_FIELDS) {
    const s = (raw as Record<string, unknown>)[f] as { consumed?: unknown; remaining?: unknown } | null | undefined;
    // proto3 JSON parsers take an integer as a number or a decimal string (int64 is always written as one); a field
    // at its default (0) is left out (https://protobuf.dev/programming-guides/json/).
    const remaining = int(s?.remaining);
    if (s && remaining !== null) out[f] = { consumed: int(s.consumed) ?? 0, remaining };
  }
  return out.tokensPerHour && out.tokensPerDay ? out : null;
}

function int(v: unknown): number | null {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d{1,15}$/.test(v)) return Number(v);
  return null;
}

/** Analytics 360 when any group has more left than a standard property is ever given. */
function tierOf(q: Quota): GaTier {
  const std = GA_QUOTA_LIMITS.standard;
  const over = (Object.keys(std) as (keyof typeof std)[]).some((f) => (q[f]?.remaining ?? 0) > std[f]);
  return over ? 'analytics360' : 'standard';
}

const ABORTED = Symbol('aborted');

/** Waits for `p` or the abort, whichever is first; `p` never rejects here. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then((v) => {
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    });
  });
}

/** Drops the credentials; an initialize() still loading them finishes in the background and keeps none. */
function closeClient(client: GaDataClient): void {
  client.close();
}
