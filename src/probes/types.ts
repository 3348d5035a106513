import type { ErrorKind, Status } from '../shared/status.js';

export { ERROR_KINDS, type ErrorKind, type Status } from '../shared/status.js';

/** What went wrong, as a value. `evidence` is raw material for the detail view and escalations. */
export interface ProbeError {
  kind: ErrorKind;
  message: string;
  /** HTTP status, when there was one. */
  httpStatus?: number;
  /** Google's status name (GA's error envelope) or a JSON-RPC error code, when there was one. */
  code?: string | number;
  /** Milliseconds the upstream asked us to wait (Retry-After, Shopify throttle restore). */
  retryAfterMs?: number;
  /** A short excerpt of the body / stderr that shows the failure. Redacted at output, not here. */
  evidence?: string;
}

/** One timed phase of a check (connect, ttfb, initialize, ping, tools/list…). */
export interface Phase {
  name: string;
  ms: number;
}

/** A named sub-check inside one target (Shopify's per-tile queries, Chatwoot's profile vs conversations). */
export interface SubCheck {
  name: string;
  status: Status;
  latencyMs: number | null;
  error: ProbeError | null;
  details?: Record<string, unknown>;
  /** The dashboard tile this sub-check feeds (Shopify orders → sales-pulse…). */
  tile?: import('../config/config.js').TileId;
}

/** Remaining capacity an upstream reports: Shopify throttle bucket, GA tokens per hour, HTTP rate-limit headers. */
export interface Headroom {
  /** e.g. "throttle", "tokensPerHour". */
  name: string;
  remaining: number;
  limit: number;
}

interface ResultBase {
  latencyMs: number | null;
  details: Record<string, unknown>;
  phases?: Phase[];
  subChecks?: SubCheck[];
  headroom?: Headroom[];
}

/** The outcome of one probe run. `down` always carries an error; `up` never does. */
export type ProbeResult =
  | (ResultBase & { status: 'up'; error: null })
  | (ResultBase & {
      status: 'degraded';
      error: ProbeError | null;
      reason: string;
      /** 'sub-check' when only some sub-checks are impaired (so only their tiles are); else the whole target is. */
      cause?: 'sub-check';
    })
  | (ResultBase & { status: 'down'; error: ProbeError });

/** The keep-alive agents the engine hands to every HTTP probe (http-client.ts createHttpAgents): one per scheme. */
export interface HttpAgents {
  readonly http: import('node:http').Agent;
  /** Built on first use: node:https brings tls and crypto. */
  readonly https: import('node:https').Agent;
  /** Ends every pooled connection (the agents stay usable: a later exchange opens a new one). */
  close(): void;
}

/** Everything a probe needs from outside, handed in by the engine. */
export interface ProbeContext {
  signal: AbortSignal;
  /** The shared keep-alive agents, Node's own http/https (see createHttpAgents); without them, Node's global agents. */
  dispatcher?: HttpAgents;
  /** Milliseconds; the latency over which an answer counts as degraded. */
  degradedMs: number;
  /** Milliseconds allowed for the whole run; the signal aborts at this point. */
  timeoutMs: number;
}
