import { existsSync } from 'node:fs';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { SSEClientTransport, SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import type { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike, Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { McpTarget } from '../config/config.js';
import { isSecretName } from '../text/redact.js';
import { classify, messageOf } from './classify.js';
import { excerpt, statusError, transportError } from './http-client.js';
import { ProcessTransport, within } from './mcp-stdio.js';
import type { Phase, ProbeContext, ProbeError, ProbeResult } from './types.js';

/** Keeps MCP sessions warm between checks and owns every child process it starts. */
export interface McpProber {
  /** One check: warm session ping + tools/list; a cold start (fresh spawn/connect + initialize) when there is
   *  no session, when the warm one broke, or when target.coldStartMinutes have passed since the last cold start. */
  probe(target: McpTarget, ctx: ProbeContext): Promise<ProbeResult>;
  /** Closes every session and ends every child process group. Idempotent. */
  close(): Promise<void>;
  /** Synchronous last resort for process 'exit' / signals: SIGKILL every child process group. */
  killAllSync(): void;
}

export type McpTransportKind = 'stdio' | 'streamable-http' | 'sse';

export interface McpProberOptions {
  /** The clock for the cold-start cadence (tests inject one). */
  now?: () => number;
  /** Milliseconds a child gets between SIGTERM and SIGKILL. */
  killGraceMs?: number;
}

const CLIENT_INFO = { name: 'pitwall', version: '0.1.0' };
const TOOL_NAMES_SHOWN = 50;
const MAX_TOOL_PAGES = 20;
/** How long a Streamable HTTP session's DELETE may take before the client is closed anyway. */
const TERMINATE_MS = 1_000;
/** Statuses that mean "not a Streamable HTTP endpoint": try the legacy HTTP+SSE transport. Never 401/403. */
const FALLBACK_STATUSES = new Set([400, 404, 405]);
/** Statuses a warm Streamable HTTP / SSE session gets once the server forgot it (restart): start a new one. */
const SESSION_GONE_STATUSES = new Set([400, 404]);

interface Session {
  key: string;
  kind: McpTransportKind;
  client: Client;
  transport: Transport;
  proc: ProcessTransport | null;
  http: HttpRecorder | null;
  state: { closed: boolean; protocolVersion: string | null };
  coldStartedAt: number;
  coldStartMs: number;
}

/** The SDK's client side, loaded on the first check rather than with this module (see loadCore). */
interface Core {
  Client: typeof Client;
  McpError: typeof McpError;
  ErrorCode: typeof ErrorCode;
}
/** The HTTP transports (eventsource, OAuth helpers): loaded only for an HTTP target. */
interface HttpTransports {
  SSEClientTransport: typeof SSEClientTransport;
  SseError: typeof SseError;
  StreamableHTTPClientTransport: typeof StreamableHTTPClientTransport;
  StreamableHTTPError: typeof StreamableHTTPError;
}

// The SDK's modules, once imported. Until then no error can be one of their classes, which the checks below rely on.
let core: Core | undefined;
let httpTransports: HttpTransports | undefined;

/**
 * Loads the SDK's client (zod schemas, JSON Schema validation: the bulk of a cold `pitwall check`). A stdio
 * server is spawned before this is awaited, so its boot overlaps the load instead of following it.
 */
async function loadCore(): Promise<Core> {
  if (core) return core;
  const [client, types] = await Promise.all([import('@modelcontextprotocol/sdk/client/index.js'), import('@modelcontextprotocol/sdk/types.js')]);
  return (core = { Client: client.Client, McpError: types.McpError, ErrorCode: types.ErrorCode });
}

async function loadHttpTransports(): Promise<HttpTransports> {
  if (httpTransports) return httpTransports;
  const [sse, streamable] = await Promise.all([
    import('@modelcontextprotocol/sdk/client/sse.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
  ]);
  return (httpTransports = {
    SSEClientTransport: sse.SSEClientTransport,
    SseError: sse.SseError,
    StreamableHTTPClientTransport: streamable.StreamableHTTPClientTransport,
    StreamableHTTPError: streamable.StreamableHTTPError,
  });
}

function isMcpError(err: unknown): err is McpError {
  return core !== undefined && err instanceof core.McpError;
}

function isMcpErrorCode(err: unknown, code: 'ConnectionClosed' | 'RequestTimeout'): err is McpError {
  return isMcpError(err) && err.code === core!.ErrorCode[code];
}

function isStreamableHttpError(err: unknown): err is StreamableHTTPError {
  return httpTransports !== undefined && err instanceof httpTransports.StreamableHTTPError;
}

function isSseError(err: unknown): err is SseError {
  return httpTransports !== undefined && err instanceof httpTransports.SseError;
}

type Opened = { ok: true; session: Session } | { ok: false; error: ProbeError; details: Record<string, unknown> };
type Exercised =
  | { ok: true; phases: Phase[]; tools: string[] | null }
  | { ok: false; phases: Phase[]; err: unknown; phase: string };

/** Creates the prober the engine calls for `kind: mcp` targets. */
export function createMcpProber(opts: McpProberOptions = {}): McpProber {
  const now = opts.now ?? Date.now;
  const killGraceMs = opts.killGraceMs ?? 2_000;
  const sessions = new Map<string, Session>();
  const procs = new Set<ProcessTransport>();
  const pending = new Set<Promise<void>>();
  const queues = new Map<string, Promise<void>>();
  let closed = false;

  const track = (p: Promise<void>) => {
    const settled = p.catch(() => {});
    pending.add(settled);
    void settled.then(() => pending.delete(settled));
  };

  /** Ends a session in the background (tracked, so close() waits for it). */
  const retire = (id: string | null, s: Session, graceful: boolean) => {
    if (id !== null && sessions.get(id) === s) sessions.delete(id);
    track(teardown(s, graceful, procs));
  };

  async function check(target: McpTarget, ctx: ProbeContext): Promise<ProbeResult> {
    const started = performance.now();
    const deadline = started + ctx.timeoutMs;
    if (closed) return down({ kind: 'connection', message: 'the MCP prober is closed' }, ctx, [], {});
    if (ctx.signal.aborted) return down({ kind: 'timeout', message: `no answer within ${ctx.timeoutMs} ms` }, ctx, [], {});
    const key = fingerprint(target);
    let s = sessions.get(target.id);
    if (s && (s.key !== key || s.state.closed || now() - s.coldStartedAt >= target.coldStartMinutes * 60_000)) {
      retire(target.id, s, !s.state.closed);
      s = undefined;
    }
    let warmError: ProbeError | null = null;
    if (s) {
      const warm = await exercise(s, ctx, deadline);
      if (warm.ok) return success(s, 'warm', warm.phases, warm.tools, ctx);
      const error = describeFailure(warm.err, ctx, warm.phase, s.kind, s.proc, s.http, target);
      const lost = !ctx.signal.aborted && error.kind !== 'timeout' && sessionGone(s, warm.err);
      retire(target.id, s, false);
      if (!lost) return down(error, ctx, warm.phases, { ...sessionDetails(s), session: 'warm' });
      warmError = error;
    }

    const t0 = performance.now();
    const opened = await open(target, ctx, deadline, key);
    const initMs = performance.now() - t0;
    const phases: Phase[] = [{ name: 'connect+initialize', ms: initMs }];
    const reconnect = warmError ? { reconnectedAfter: warmError.message } : {};
    if (!opened.ok) return down(opened.error, ctx, phases, { ...opened.details, session: 'cold', ...reconnect });
    s = opened.session;
    s.coldStartMs = initMs;
    s.coldStartedAt = now();
    if (closed) {
      retire(null, s, true);
      return down({ kind: 'connection', message: 'the MCP prober is closed' }, ctx, phases, {});
    }
    sessions.set(target.id, s);
    const cold = await exercise(s, ctx, deadline);
    phases.push(...cold.phases);
    if (cold.ok) return success(s, 'cold', phases, cold.tools, ctx, reconnect);
    retire(target.id, s, false);
    const error = describeFailure(cold.err, ctx, cold.phase, s.kind, s.proc, s.http, target);
    return down(error, ctx, phases, { ...sessionDetails(s), session: 'cold', ...reconnect });
  }

  async function open(target: McpTarget, ctx: ProbeContext, deadline: number, key: string): Promise<Opened> {
    if (target.transport === 'stdio') {
      const proc = new ProcessTransport({
        command: target.command,
        args: target.args,
        env: childEnvironment(process.env, target.env),
        ...(target.cwd ? { cwd: target.cwd } : {}),
        killGraceMs,
      });
      procs.add(proc);
      // Spawned before the SDK is loaded: the server's boot (often the slowest part) overlaps the load.
      void proc.spawn();
      const attempt = await connect(proc, ctx, deadline);
      const base = { key, kind: 'stdio' as const, transport: proc, proc, http: null, coldStartedAt: 0, coldStartMs: 0 };
      if (attempt.ok) return { ok: true, session: { ...base, client: attempt.client, state: attempt.state } };
      track(stopProc(proc, false, procs));
      const error = describeFailure(attempt.err, ctx, 'initialize', 'stdio', proc, null, target);
      return { ok: false, error, details: { transport: 'stdio', ...procDetails(proc) } };
    }

    // Streamable HTTP first; the legacy HTTP+SSE transport only when the endpoint says it is not one (400/404/405).
    const url = new URL(target.url);
    let http: HttpTransports;
    try {
      http = await untilAborted(loadHttpTransports(), ctx.signal);
    } catch (err) {
      return { ok: false, error: describeFailure(err, ctx, 'initialize', 'streamable-http', null, null, target), details: { transport: 'streamable-http' } };
    }
    const { SSEClientTransport, StreamableHTTPClientTransport } = http;
    const rec = new HttpRecorder();
    const streamable = new StreamableHTTPClientTransport(url, { requestInit: { headers: target.headers }, fetch: rec.fetch });
    const first = await connect(streamable, ctx, deadline);
    const base = { key, proc: null, http: rec, coldStartedAt: 0, coldStartMs: 0 };
    if (first.ok) {
      return { ok: true, session: { ...base, kind: 'streamable-http', transport: streamable, client: first.client, state: first.state } };
    }
    void first.client?.close().catch(() => {});
    const firstError = describeFailure(first.err, ctx, 'initialize', 'streamable-http', null, rec, target);
    const status = httpStatusOf(first.err, rec);
    if (ctx.signal.aborted || status === undefined || !FALLBACK_STATUSES.has(status)) {
      return { ok: false, error: firstError, details: { transport: 'streamable-http' } };
    }

    const sseRec = new HttpRecorder();
    const sse = new SSEClientTransport(url, { requestInit: { headers: target.headers }, fetch: sseRec.fetch });
    const second = await connect(sse, ctx, deadline);
    if (second.ok) {
      return { ok: true, session: { ...base, http: sseRec, kind: 'sse', transport: sse, client: second.client, state: second.state } };
    }
    void second.client?.close().catch(() => {});
    const sseStatus = httpStatusOf(second.err, sseRec);
    if (!ctx.signal.aborted && sseStatus !== undefined && FALLBACK_STATUSES.has(sseStatus)) {
      return {
        ok: false,
        error: {
          kind: 'http',
          httpStatus: sseStatus,
          message: `not an MCP endpoint: Streamable HTTP got HTTP ${status}, legacy SSE got HTTP ${sseStatus}`,
          ...(firstError.evidence ? { evidence: firstError.evidence } : {}),
        },
        details: { transport: 'sse', fallbackFrom: 'streamable-http' },
      };
    }
    const error = describeFailure(second.err, ctx, 'initialize', 'sse', null, sseRec, target);
    return { ok: false, error, details: { transport: 'sse', fallbackFrom: 'streamable-http' } };
  }

  return {
    probe(target, ctx) {
      const before = queues.get(target.id) ?? Promise.resolve();
      // One check per target at a time: a retry must not race a still-running check into a second spawn.
      const run = before.then(() =>
        check(target, ctx).catch((err: unknown) =>
          down({ kind: 'protocol', message: `MCP check failed: ${messageOf(err)}` }, ctx, [], {}),
        ),
      );
      const settled = run.then(() => {});
      queues.set(target.id, settled);
      void settled.then(() => {
        if (queues.get(target.id) === settled) queues.delete(target.id);
      });
      return run;
    },

    async close() {
      closed = true;
      for (const [id, s] of [...sessions]) retire(id, s, true);
      // Children of checks still connecting are not sessions yet; stop them too.
      for (const proc of [...procs]) track(stopProc(proc, true, procs));
      while (pending.size > 0) await Promise.all([...pending]);
    },

    killAllSync() {
      for (const proc of procs) proc.killSync();
    },
  };
}

type Connected =
  | { ok: true; client: Client; state: Session['state'] }
  | { ok: false; client: Client | null; err: unknown };

/** connect + initialize, bounded by the check's signal even where the SDK is not (SSE start, spawn). */
async function connect(transport: Transport, ctx: ProbeContext, deadline: number): Promise<Connected> {
  let sdk: Core;
  try {
    sdk = await untilAborted(loadCore(), ctx.signal);
  } catch (err) {
    // Out of time while loading: the transport never started (an early-spawned child is stopped by the caller).
    return { ok: false, client: null, err };
  }
  const client = new sdk.Client(CLIENT_INFO, { capabilities: {} });
  const state: Session['state'] = { closed: false, protocolVersion: null };
  client.onclose = () => {
    state.closed = true;
  };
  // Out-of-band transport errors (a dropped GET stream, stderr noise) are not failures of the check.
  client.onerror = () => {};
  const setVersion = transport.setProtocolVersion?.bind(transport);
  transport.setProtocolVersion = (version: string) => {
    state.protocolVersion = version;
    setVersion?.(version);
  };
  try {
    await untilAborted(client.connect(transport, requestOptions(ctx, deadline)), ctx.signal);
    return { ok: true, client, state };
  } catch (err) {
    return { ok: false, client, err };
  }
}

/** ping, then tools/list (all pages) when the server offers tools. */
async function exercise(s: Session, ctx: ProbeContext, deadline: number): Promise<Exercised> {
  const phases: Phase[] = [];
  let phase = 'ping';
  try {
    let t = performance.now();
    await untilAborted(s.client.ping(requestOptions(ctx, deadline)), ctx.signal);
    phases.push({ name: 'ping', ms: performance.now() - t });
    if (!s.client.getServerCapabilities()?.tools) return { ok: true, phases, tools: null };
    phase = 'tools/list';
    t = performance.now();
    const tools: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await untilAborted(s.client.listTools(cursor ? { cursor } : undefined, requestOptions(ctx, deadline)), ctx.signal);
      for (const tool of page.tools) tools.push(tool.name);
      cursor = page.nextCursor;
    } while (cursor && ++pages < MAX_TOOL_PAGES);
    phases.push({ name: 'tools/list', ms: performance.now() - t });
    return { ok: true, phases, tools };
  } catch (err) {
    return { ok: false, phases, err, phase };
  }
}

function requestOptions(ctx: ProbeContext, deadline: number) {
  return { signal: ctx.signal, timeout: Math.max(1, Math.round(deadline - performance.now())) };
}

/** Rejects as soon as `signal` aborts; the abandoned promise's own rejection is swallowed. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
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

async function teardown(s: Session, graceful: boolean, procs: Set<ProcessTransport>): Promise<void> {
  if (s.proc) {
    await stopProc(s.proc, graceful, procs);
  } else if (s.kind === 'streamable-http' && !s.state.closed) {
    // The SDK's close() only aborts fetches: without a DELETE the server keeps the session until it expires.
    const t = s.transport as StreamableHTTPClientTransport;
    await within(t.terminateSession(), TERMINATE_MS);
  }
  await s.client.close().catch(() => {});
}

async function stopProc(proc: ProcessTransport, graceful: boolean, procs: Set<ProcessTransport>): Promise<void> {
  await proc.stop(graceful);
  procs.delete(proc);
}

/** Whether a warm session failed because it is gone (child exited, server forgot it) rather than broken. */
function sessionGone(s: Session, err: unknown): boolean {
  if (s.proc) return s.proc.garbage === null && s.proc.exit !== null;
  if (s.state.closed && !(isMcpError(err) && !isConnectionClosed(err))) return true;
  const status = httpStatusOf(err, s.http);
  return status !== undefined && SESSION_GONE_STATUSES.has(status);
}

function success(
  s: Session,
  session: 'warm' | 'cold',
  phases: Phase[],
  tools: string[] | null,
  ctx: ProbeContext,
  extra: Record<string, unknown> = {},
): ProbeResult {
  // The latency that can make a server "slow" is how fast it answers (ping + tools/list). A cold start
  // (spawn, npx, initialize) is measured and reported on its own (phases, details.coldStartMs): an npx launch
  // taking seconds every coldStartMinutes must not paint the server degraded.
  const latencyMs = phases.filter((p) => p.name !== 'connect+initialize').reduce((sum, p) => sum + p.ms, 0);
  const details: Record<string, unknown> = {
    ...sessionDetails(s),
    session,
    ...(tools
      ? { toolCount: tools.length, toolNames: tools.slice(0, TOOL_NAMES_SHOWN) }
      : { toolCount: 0, toolNames: [], toolsOffered: false }),
    ...extra,
  };
  return classify({ latencyMs, details, degradedMs: ctx.degradedMs, phases });
}

function down(error: ProbeError, ctx: ProbeContext, phases: Phase[], details: Record<string, unknown>): ProbeResult {
  return classify({ latencyMs: null, error, details, degradedMs: ctx.degradedMs, phases });
}

function sessionDetails(s: Session): Record<string, unknown> {
  const info = s.client.getServerVersion();
  return {
    transport: s.kind,
    ...(info ? { serverInfo: { name: info.name, version: info.version } } : {}),
    ...(s.state.protocolVersion ? { protocolVersion: s.state.protocolVersion } : {}),
    coldStartMs: Math.round(s.coldStartMs),
    coldStartAt: new Date(s.coldStartedAt).toISOString(),
    ...(s.proc ? procDetails(s.proc) : {}),
  };
}

function procDetails(proc: ProcessTransport): Record<string, unknown> {
  return { ...(proc.pid !== null ? { pid: proc.pid } : {}), stderrTail: proc.stderrTail() };
}

function fingerprint(t: McpTarget): string {
  return t.transport === 'stdio'
    ? JSON.stringify(['stdio', t.command, t.args, t.env, t.cwd ?? null])
    : JSON.stringify(['http', t.url, t.headers]);
}

/**
 * The environment a stdio MCP server starts with: ours (proxies, NODE_EXTRA_CA_CERTS, npm settings — without them
 * `npx` can hang behind a corporate proxy or CA), less anything named like a secret, plus the target's own `env`.
 * The SDK's default (HOME, PATH, SHELL, TERM, USER only) made `npx` servers time out where a shell starts them fine.
 */
export function childEnvironment(parent: NodeJS.ProcessEnv, own: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parent)) if (v !== undefined && !isSecretName(k)) out[k] = v;
  return { ...out, ...own };
}

/** Remembers the last non-2xx answer the SDK's transports saw, for the status, Retry-After and evidence. */
class HttpRecorder {
  last: { status: number; headers: Record<string, string> } | null = null;
  readonly fetch: FetchLike = async (url, init) => {
    let res: Response;
    try {
      res = await fetch(url, init);
    } catch (err) {
      // A transport failure now must not be read as the HTTP status of some earlier answer.
      this.last = null;
      throw err;
    }
    // A 405 to the optional GET stream only says the server offers no server-initiated stream: not a failure.
    const optionalStream = (init?.method ?? 'GET') === 'GET' && res.status === 405;
    if (!res.ok && !optionalStream) this.last = { status: res.status, headers: Object.fromEntries(res.headers) };
    return res;
  };
}

function httpStatusOf(err: unknown, rec: HttpRecorder | null): number | undefined {
  if ((isStreamableHttpError(err) || isSseError(err)) && typeof err.code === 'number' && err.code >= 100) {
    return err.code;
  }
  return rec?.last?.status;
}

function isConnectionClosed(err: unknown): boolean {
  return isMcpErrorCode(err, 'ConnectionClosed') && /Connection closed$/.test(err.message);
}

/** "MCP error -32603: MCP error -32603: boom" → "boom". */
function stripMcpPrefix(message: string): string {
  return message.replace(/^(?:MCP error -?\d+: )+/, '');
}

/** Maps whatever a phase threw to the shared error vocabulary, preferring what the child process showed. */
function describeFailure(
  err: unknown,
  ctx: ProbeContext,
  phase: string,
  kind: McpTransportKind,
  proc: ProcessTransport | null,
  rec: HttpRecorder | null,
  target: McpTarget,
): ProbeError {
  const tail = proc?.stderrTail() ?? '';
  const withTail = (e: ProbeError): ProbeError => (tail && !e.evidence ? { ...e, evidence: tail } : e);

  if (proc?.garbage != null) {
    return {
      kind: 'protocol',
      message: `server wrote non-JSON-RPC to stdout during ${phase}: "${excerpt(proc.garbage, 120)}"`,
      evidence: [`stdout: ${proc.garbage}`, tail && `stderr:\n${tail}`].filter(Boolean).join('\n'),
    };
  }
  if (proc?.spawnError) return withTail(spawnFailure(proc.spawnError, target));
  if (proc?.exit && !proc.exit.byUs) {
    const { code, signal } = proc.exit;
    const how = code !== null ? `exited with code ${code}` : `was killed by ${signal ?? 'a signal'}`;
    const last = telltaleLine(tail);
    return withTail({ kind: 'protocol', message: `server ${how} during ${phase}${last ? `: ${excerpt(last, 160)}` : ''}` });
  }
  if (ctx.signal.aborted || isMcpErrorCode(err, 'RequestTimeout')) {
    return withTail({ kind: 'timeout', message: `no answer to ${phase} within ${ctx.timeoutMs} ms` });
  }
  if (isMcpError(err) && !isConnectionClosed(err)) {
    return withTail({
      kind: 'protocol',
      message: `${phase} failed with JSON-RPC error ${err.code}: ${stripMcpPrefix(err.message)}`,
      code: err.code,
    });
  }
  if (isConnectionClosed(err)) return withTail({ kind: 'protocol', message: `the server closed the connection during ${phase}` });

  if (kind !== 'stdio') {
    const status = httpStatusOf(err, rec);
    const body = messageOf(err).replace(/^(Streamable HTTP error|SSE error): /, '');
    if (status !== undefined && status >= 400) {
      const headers = rec?.last?.status === status ? rec.last.headers : {};
      const what = kind === 'sse' ? 'MCP SSE' : 'MCP HTTP';
      return statusError({ ok: true, status, headers, text: body, latencyMs: 0, phases: [] }, what);
    }
    if (isStreamableHttpError(err) && err.code === -1) {
      // A login page or a proxy's error page where the MCP endpoint should be.
      const type = /content type: (.*)$/.exec(body)?.[1] ?? 'an unexpected content type';
      return { kind: 'bad_response', message: `${phase} got ${type}, not JSON or an event stream: is this an MCP endpoint?` };
    }
    if (!isSchemaError(err) && !(err instanceof SyntaxError)) {
      return transportError(err, { signal: ctx.signal, timeoutMs: ctx.timeoutMs });
    }
  }
  if (isSchemaError(err) || err instanceof SyntaxError) {
    return withTail({ kind: 'protocol', message: `invalid answer to ${phase}: ${excerpt(messageOf(err), 200)}` });
  }
  return withTail({ kind: 'protocol', message: `${phase} failed: ${messageOf(err)}` });
}

/** The stderr line that most likely says why: the last one naming an error, else the last one. */
function telltaleLine(tail: string): string | undefined {
  const lines = tail.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.findLast((l) => /error|exception|fatal|panic|traceback|not found|denied|refused/i.test(l)) ?? lines.at(-1);
}

function isSchemaError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ZodError' || err.name === '$ZodError');
}

function spawnFailure(err: NodeJS.ErrnoException, target: McpTarget): ProbeError {
  const command = target.transport === 'stdio' ? target.command : '';
  const cwd = target.transport === 'stdio' ? target.cwd : undefined;
  const code = err.code ?? 'spawn';
  if (code === 'ENOENT' && cwd && !existsSync(cwd)) {
    return { kind: 'connection', code, message: `cannot start "${command}": working directory ${cwd} does not exist` };
  }
  if (code === 'ENOENT') {
    return { kind: 'connection', code, message: `command not found: "${command}" (check the path, or that it is installed and on PATH)` };
  }
  if (code === 'EACCES') return { kind: 'connection', code, message: `cannot run "${command}": permission denied (is it executable?)` };
  return { kind: 'connection', code, message: `cannot start "${command}": ${messageOf(err)}` };
}
