import { createHash } from 'node:crypto';
import type { Client, PriorDiscovery, Transport } from '@modelcontextprotocol/client';
import type { McpTarget } from '../../config/config.js';
import { ProcessTransport, within } from '../mcp-stdio.js';
import type { Phase, ProbeContext, ProbeError } from '../types.js';
import { childEnvironment } from './env.js';
import { describeFailure, httpStatusOf, type McpTransportKind } from './errors.js';
import { HttpRecorder } from './http-recorder.js';
import { LEGACY_VERSION, loadSdk, MODERN_VERSION, protocolError, sdkErrorCode, type Sdk } from './sdk.js';
import { compareText } from '../../shared/builtins.js';

const CLIENT_INFO = { name: 'pitwall', version: '0.1.0' };
/** How long a Streamable HTTP session's DELETE may take before the client is closed anyway. */
const TERMINATE_MS = 1_000;
/** Statuses that mean "not a Streamable HTTP endpoint": try the legacy HTTP+SSE transport. Never 401/403. */
const FALLBACK_STATUSES = new Set([400, 404, 405]);
/** Statuses a warm legacy session gets once the server forgot it (restart): start a new one. */
const SESSION_GONE_STATUSES = new Set([400, 404]);
/**
 * The share of a stdio check's budget the era probe (`server/discover`) may use. A legacy server may never answer
 * an unknown request before `initialize` (the SDK reads that silence as "legacy" on stdio), and the handshake that
 * follows needs time of its own.
 */
const STDIO_PROBE_SHARE = 0.5;

/** One connected MCP client and what it runs on. */
export interface Session {
  key: string;
  kind: McpTransportKind;
  client: Client;
  transport: Transport;
  proc: ProcessTransport | null;
  http: HttpRecorder | null;
  state: { closed: boolean };
  coldStartedAt: number;
  coldStartMs: number;
}

/** The tool list a check saw: names (in order) and one hash per tool's schemas, for drift. */
export interface ToolsSeen {
  names: string[];
  schemas: Map<string, string>;
  hash: string;
}

export type Opened = { ok: true; session: Session } | { ok: false; error: ProbeError; details: Record<string, unknown> };
export type Exercised = { ok: true; phases: Phase[]; tools: ToolsSeen | null } | { ok: false; phases: Phase[]; err: unknown; phase: string };

type Connected = { ok: true; client: Client; state: Session['state'] } | { ok: false; client: Client | null; err: unknown };

export interface OpenOptions {
  killGraceMs: number;
  /** Every child process started, so close()/killAllSync() reach those of checks still connecting. */
  procs: Set<ProcessTransport>;
  /** Runs a teardown in the background, tracked so the prober's close() waits for it. */
  track: (p: Promise<void>) => void;
}

/** Spawns or connects, then negotiates the era (server/discover, else the 2025 initialize handshake). */
export async function openSession(target: McpTarget, ctx: ProbeContext, deadline: number, key: string, o: OpenOptions): Promise<Opened> {
  if (target.transport === 'stdio') {
    let attempt = await connectStdio(target, ctx, deadline, o, undefined);
    // A legacy server that exits on the unknown `server/discover` (the SDK's in-place probe then fails with
    // ERA_NEGOTIATION_FAILED, "connection closed during the probe"): start it again for the 2025 handshake.
    if (!attempt.connected.ok && sdkErrorCode(attempt.connected.err) === 'ERA_NEGOTIATION_FAILED' && attempt.proc.spawnError === null && !ctx.signal.aborted) {
      o.track(stopProc(attempt.proc, false, o.procs));
      attempt = await connectStdio(target, ctx, deadline, o, { kind: 'legacy' });
    }
    // A 2026-07-28-only server still booting when the era probe timed out: the SDK took the silence for a legacy
    // server, and the 2025 initialize got -32022 naming the modern revision. Start it again, pinned to that era.
    if (!attempt.connected.ok && !ctx.signal.aborted && rejectsFor(attempt.connected.err, MODERN_VERSION)) {
      o.track(stopProc(attempt.proc, false, o.procs));
      attempt = await connectStdio(target, ctx, deadline, o, undefined, { pin: MODERN_VERSION });
    }
    const { proc, connected, prior } = attempt;
    const base = { key, kind: 'stdio' as const, transport: proc, proc, http: null, coldStartedAt: 0, coldStartMs: 0 };
    if (connected.ok) return { ok: true, session: { ...base, client: connected.client, state: connected.state } };
    o.track(stopProc(proc, false, o.procs));
    const offered = offeredVersion(connected.client, prior);
    const error = describeFailure(connected.err, { ctx, phase: proc.lastMethod ?? connectPhase(offered), kind: 'stdio', proc, rec: null, target, offered });
    return { ok: false, error, details: { transport: 'stdio', ...procDetails(proc) } };
  }

  // Streamable HTTP first; the legacy HTTP+SSE transport only when the endpoint says it is not one (400/404/405).
  const url = new URL(target.url);
  let sdk: Sdk;
  try {
    sdk = await untilAborted(loadSdk(), ctx.signal);
  } catch (err) {
    const error = describeFailure(err, { ctx, phase: 'server/discover', kind: 'streamable-http', proc: null, rec: null, target });
    return { ok: false, error, details: { transport: 'streamable-http' } };
  }
  const rec = new HttpRecorder();
  const streamable = new sdk.StreamableHTTPClientTransport(url, { requestInit: { headers: target.headers }, fetch: rec.fetch });
  const first = await connect(streamable, ctx, deadline, 'auto');
  const base = { key, proc: null, coldStartedAt: 0, coldStartMs: 0 };
  if (first.ok) return { ok: true, session: { ...base, http: rec, kind: 'streamable-http', transport: streamable, client: first.client, state: first.state } };
  void first.client?.close().catch(() => {});
  const offered = offeredVersion(first.client);
  const scene = { ctx, phase: rec.lastMethod ?? connectPhase(offered), kind: 'streamable-http' as const, proc: null, rec, target, offered };
  const firstError = describeFailure(first.err, scene);
  const status = httpStatusOf(first.err, rec);
  if (ctx.signal.aborted || status === undefined || !FALLBACK_STATUSES.has(status) || protocolError(first.err) || firstError.code === -32022) {
    return { ok: false, error: firstError, details: { transport: 'streamable-http' } };
  }

  const sseRec = new HttpRecorder();
  const sse = new sdk.SSEClientTransport(url, { requestInit: { headers: target.headers }, fetch: sseRec.fetch });
  const second = await connect(sse, ctx, deadline, 'legacy');
  if (second.ok) return { ok: true, session: { ...base, http: sseRec, kind: 'sse', transport: sse, client: second.client, state: second.state } };
  void second.client?.close().catch(() => {});
  const sseStatus = httpStatusOf(second.err, sseRec);
  if (!ctx.signal.aborted && sseStatus !== undefined && FALLBACK_STATUSES.has(sseStatus)) {
    const evidence = firstError.evidence ? { evidence: firstError.evidence } : {};
    const message = `not an MCP endpoint: Streamable HTTP got HTTP ${status}, legacy SSE got HTTP ${sseStatus}`;
    return { ok: false, error: { kind: 'http', httpStatus: sseStatus, message, ...evidence }, details: { transport: 'sse', fallbackFrom: 'streamable-http' } };
  }
  const error = describeFailure(second.err, { ...scene, phase: sseRec.lastMethod ?? 'initialize', kind: 'sse', rec: sseRec, offered: LEGACY_VERSION });
  return { ok: false, error, details: { transport: 'sse', fallbackFrom: 'streamable-http' } };
}

async function connectStdio(
  target: McpTarget & { transport: 'stdio' },
  ctx: ProbeContext,
  deadline: number,
  o: OpenOptions,
  prior: PriorDiscovery | undefined,
  mode: Mode = 'auto',
) {
  const proc = new ProcessTransport({
    command: target.command,
    args: target.args,
    env: childEnvironment(process.env, target.env),
    ...(target.cwd ? { cwd: target.cwd } : {}),
    killGraceMs: o.killGraceMs,
  });
  o.procs.add(proc);
  // Spawned before the SDK is loaded: the server's boot (often the slowest part) overlaps the load.
  void proc.spawn();
  const connected = await connect(proc, ctx, deadline, mode, prior);
  return { proc, connected, prior };
}

/** connect + era negotiation, bounded by the check's signal even where the SDK is not (SSE start, spawn). */
/** How the SDK picks the era: probe and fall back, the 2025 handshake only, or exactly one modern revision. */
type Mode = 'auto' | 'legacy' | { pin: string };

/** Whether a connect failed on a -32022 whose supported list names `version`. */
function rejectsFor(err: unknown, version: string): boolean {
  const rpc = protocolError(err);
  const supported = rpc?.code === -32022 ? (rpc.data as { supported?: unknown } | undefined)?.supported : undefined;
  return Array.isArray(supported) && supported.includes(version);
}

async function connect(transport: Transport, ctx: ProbeContext, deadline: number, mode: Mode, prior?: PriorDiscovery): Promise<Connected> {
  let sdk: Sdk;
  try {
    sdk = await untilAborted(loadSdk(), ctx.signal);
  } catch (err) {
    // Out of time while loading: the transport never started (an early-spawned child is stopped by the caller).
    return { ok: false, client: null, err };
  }
  const opts = requestOptions(ctx, deadline);
  // Only `auto` on stdio has something to do after a silent probe (the 2025 handshake): the rest may wait it all.
  const probeMs = mode === 'auto' && transport instanceof ProcessTransport ? Math.max(1, Math.round(opts.timeout * STDIO_PROBE_SHARE)) : opts.timeout;
  // No client capabilities: a health check needs none (no roots, sampling or elicitation to offer).
  const client = new sdk.Client(CLIENT_INFO, { capabilities: {}, versionNegotiation: { mode, probe: { timeoutMs: probeMs } } });
  const state: Session['state'] = { closed: false };
  client.onclose = () => {
    state.closed = true;
  };
  // Out-of-band transport errors (a dropped GET stream, stderr noise) are not failures of the check.
  client.onerror = () => {};
  try {
    await untilAborted(client.connect(transport, { ...opts, ...(prior ? { prior } : {}) }), ctx.signal);
    return { ok: true, client, state };
  } catch (err) {
    return { ok: false, client, err };
  }
}

/** The version pitwall offered when a connect failed: the modern one unless the SDK fell back to initialize. */
function offeredVersion(client: Client | null, prior?: PriorDiscovery): string {
  return prior?.kind === 'legacy' || client?.getProtocolEra() === 'legacy' ? LEGACY_VERSION : MODERN_VERSION;
}

/** The step a failed connect was on: the 2026 era probe, or the 2025 handshake after the fallback. */
function connectPhase(offered: string): string {
  return offered === MODERN_VERSION ? 'server/discover' : 'initialize';
}

/**
 * The liveness round-trip (ping in the 2025 era; `server/discover`, the cheapest request, in 2026-07-28, which
 * has no ping), then tools/list (all pages) when the server offers tools.
 */
export async function exercise(s: Session, ctx: ProbeContext, deadline: number): Promise<Exercised> {
  const phases: Phase[] = [];
  const modern = s.client.getProtocolEra() === 'modern';
  let phase = modern ? 'server/discover' : 'ping';
  try {
    let t = performance.now();
    const opts = requestOptions(ctx, deadline);
    await untilAborted(modern ? s.client.discover(opts) : s.client.ping(opts), ctx.signal);
    phases.push({ name: phase, ms: performance.now() - t });
    if (!s.client.getServerCapabilities()?.tools) return { ok: true, phases, tools: null };
    phase = 'tools/list';
    t = performance.now();
    // `bypass`: the SDK's response cache must not answer for the server.
    const page = await untilAborted(s.client.listTools(undefined, { ...requestOptions(ctx, deadline), cacheMode: 'bypass' }), ctx.signal);
    phases.push({ name: 'tools/list', ms: performance.now() - t });
    return { ok: true, phases, tools: toolsSeen(page.tools) };
  } catch (err) {
    return { ok: false, phases, err, phase };
  }
}

function toolsSeen(tools: { name: string; inputSchema?: unknown; outputSchema?: unknown }[]): ToolsSeen {
  const schemas = new Map<string, string>();
  for (const t of tools) schemas.set(t.name, sha(JSON.stringify([t.inputSchema ?? null, t.outputSchema ?? null])));
  const hash = sha(JSON.stringify([...schemas].sort(([a], [b]) => compareText(a, b))));
  return { names: tools.map((t) => t.name), schemas, hash };
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function requestOptions(ctx: ProbeContext, deadline: number) {
  return { signal: ctx.signal, timeout: Math.max(1, Math.round(deadline - performance.now())) };
}

/** Rejects as soon as `signal` aborts; the abandoned promise's own rejection is swallowed. */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}

export async function teardown(s: Session, graceful: boolean, procs: Set<ProcessTransport>): Promise<void> {
  if (s.proc) {
    await stopProc(s.proc, graceful, procs);
  } else if (s.kind === 'streamable-http' && !s.state.closed && s.transport.sessionId !== undefined) {
    // The SDK's close() only aborts fetches: without a DELETE a 2025-era server keeps the session until it expires.
    const t = s.transport as InstanceType<Sdk['StreamableHTTPClientTransport']>;
    await within(t.terminateSession(), TERMINATE_MS);
  }
  await s.client.close().catch(() => {});
}

export async function stopProc(proc: ProcessTransport, graceful: boolean, procs: Set<ProcessTransport>): Promise<void> {
  await proc.stop(graceful);
  procs.delete(proc);
}

/** Whether a warm session failed because it is gone (child exited, server forgot it) rather than broken. */
export function sessionGone(s: Session, err: unknown): boolean {
  if (s.proc) return s.proc.garbage === null && s.proc.exit !== null;
  if (s.state.closed && !(protocolError(err) && sdkErrorCode(err) !== 'CONNECTION_CLOSED')) return true;
  const status = httpStatusOf(err, s.http);
  return status !== undefined && SESSION_GONE_STATUSES.has(status) && s.client.getProtocolEra() !== 'modern';
}

export function procDetails(proc: ProcessTransport): Record<string, unknown> {
  return { ...(proc.pid !== null ? { pid: proc.pid } : {}), stderrTail: proc.stderrTail() };
}
