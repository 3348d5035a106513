import { existsSync } from 'node:fs';
import type { McpTarget } from '../../config/config.js';
import { messageOf } from '../classify.js';
import { excerpt, statusError, transportError } from '../http-client.js';
import type { ProcessTransport } from '../mcp-stdio.js';
import type { ProbeContext, ProbeError } from '../types.js';
import type { HttpRecorder } from './http-recorder.js';
import { protocolError, sdkErrorCode, sdkHttpStatus, sseErrorStatus } from './sdk.js';

export type McpTransportKind = 'stdio' | 'streamable-http' | 'sse';

/** JSON-RPC codes with a meaning of their own (spec 2026-07-28, "Error codes"). */
const INTERNAL_ERROR = -32603;
const UNSUPPORTED_PROTOCOL_VERSION = -32022;

/** Where a failure happened, for the message and the evidence. */
export interface FailureScene {
  ctx: ProbeContext;
  phase: string;
  kind: McpTransportKind;
  proc: ProcessTransport | null;
  rec: HttpRecorder | null;
  target: McpTarget;
  /** The protocol version pitwall offered when it failed (the legacy handshake's, or the modern probe's). */
  offered?: string;
}

/** The HTTP status behind an SDK transport error, or the last failing answer the recorder saw. */
export function httpStatusOf(err: unknown, rec: HttpRecorder | null): number | undefined {
  if (protocolError(err)) return undefined;
  return sdkHttpStatus(err) ?? sseErrorStatus(err) ?? rec?.last?.status;
}

/** "MCP error -32603: MCP error -32603: boom" → "boom". */
function stripMcpPrefix(message: string): string {
  return message.replace(/^(?:MCP error -?\d+: )+/, '');
}

/** A -32022 answer (as a JSON-RPC error, or inside an HTTP 400 body): the versions the server does speak. */
function versionRejection(err: unknown, rec: HttpRecorder | null): { supported: string[]; requested?: string } | null {
  const rpc = protocolError(err);
  let data: unknown = rpc?.code === UNSUPPORTED_PROTOCOL_VERSION ? rpc.data : undefined;
  if (data === undefined && rec?.last && /-32022/.test(rec.last.body)) {
    try {
      const body = JSON.parse(rec.last.body) as { error?: { code?: number; data?: unknown } };
      if (body.error?.code === UNSUPPORTED_PROTOCOL_VERSION) data = body.error.data;
    } catch {
      // Not JSON: no version list to report.
    }
  }
  if (data === undefined && rpc?.code !== UNSUPPORTED_PROTOCOL_VERSION) return null;
  const d = (data ?? {}) as { supported?: unknown; requested?: unknown };
  const supported = Array.isArray(d.supported) ? d.supported.filter((v): v is string => typeof v === 'string') : [];
  return { supported, ...(typeof d.requested === 'string' ? { requested: d.requested } : {}) };
}

function hasAuthorization(target: McpTarget): boolean {
  return target.transport !== 'stdio' && Object.keys(target.headers).some((k) => k.toLowerCase() === 'authorization');
}

/**
 * A 401/403, said with what to do: no token configured, an OAuth-protected server (RFC 9728: a `WWW-Authenticate`
 * challenge naming `resource_metadata`, spec 2025-06-18+ "Authorization"), or a token the server refused.
 */
function authFailure(status: number, rec: HttpRecorder | null, target: McpTarget): ProbeError {
  const challenge = rec?.last?.status === status ? (rec.last.headers['www-authenticate'] ?? '') : '';
  const metadata = /resource_metadata="?([^",\s]+)"?/i.exec(challenge)?.[1];
  const evidence = challenge ? { evidence: `WWW-Authenticate: ${excerpt(challenge, 300)}` } : {};
  const base = { kind: 'auth' as const, httpStatus: status, ...evidence };
  const configured = hasAuthorization(target);
  if (status === 401 && (metadata || /^bearer\b/i.test(challenge))) {
    const where = metadata ? ` (resource metadata at ${excerpt(metadata, 160)})` : '';
    const fix = configured
      ? 'the configured Authorization token was refused: get a fresh access token'
      : 'no token configured: pitwall runs no browser OAuth flow, so set headers.Authorization to "Bearer <access token>"';
    return { ...base, message: `HTTP 401: an OAuth-protected MCP server${where}; ${fix}` };
  }
  if (status === 401 && !configured) {
    return { ...base, message: 'HTTP 401 unauthorized: no token configured (this target sends no Authorization header; set headers.Authorization)' };
  }
  return { ...statusError({ ok: true, status, headers: rec?.last?.headers ?? {}, text: rec?.last?.body ?? '', latencyMs: 0, phases: [] }, 'MCP HTTP'), ...evidence };
}

/** Maps whatever a phase threw to the shared error vocabulary, preferring what the server itself said. */
export function describeFailure(err: unknown, scene: FailureScene): ProbeError {
  const { ctx, phase, kind, proc, rec, target } = scene;
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
    const last = proc.errorHeadline ?? telltaleLine(tail);
    return withTail({ kind: 'protocol', message: `server ${how} during ${phase}${last ? `: ${excerpt(last, 160)}` : ''}` });
  }
  const rejected = versionRejection(err, rec);
  if (rejected) {
    const speaks = rejected.supported.length ? `the server speaks only ${rejected.supported.join(', ')}` : 'the server rejected the protocol version';
    const offered = rejected.requested ?? scene.offered;
    return { kind: 'protocol', code: UNSUPPORTED_PROTOCOL_VERSION, message: `${speaks}; pitwall offered ${offered ?? 'an older version'}` };
  }
  const sdkCode = sdkErrorCode(err);
  if (ctx.signal.aborted || sdkCode === 'REQUEST_TIMEOUT') {
    return withTail({ kind: 'timeout', message: `no answer to ${phase} within ${ctx.timeoutMs} ms` });
  }
  const rpc = protocolError(err);
  if (rpc) {
    const text = excerpt(stripMcpPrefix(rpc.message), 200);
    // -32603 is the server's own failure (often its upstream: "fetch failed"): its words are the headline.
    const what = rpc.code === INTERNAL_ERROR ? `the server reported an internal error (${rpc.code}): ${text}` : `JSON-RPC error ${rpc.code}: ${text}`;
    return withTail({ kind: 'protocol', message: `${phase} failed: ${what}`, code: rpc.code });
  }
  if (sdkCode === 'CONNECTION_CLOSED') return withTail({ kind: 'protocol', message: `the server closed the connection during ${phase}` });
  if (sdkCode === 'ERA_NEGOTIATION_FAILED' && kind === 'stdio') {
    return withTail({ kind: 'protocol', message: `${phase}: ${excerpt(messageOf(err), 200)}` });
  }

  if (kind !== 'stdio') {
    const status = httpStatusOf(err, rec);
    if (status === 401 || status === 403) return authFailure(status, rec, target);
    if (status !== undefined && status >= 400) {
      const text = rec?.last?.status === status ? rec.last.body : messageOf(err);
      return statusError({ ok: true, status, headers: rec?.last?.headers ?? {}, text, latencyMs: 0, phases: [] }, kind === 'sse' ? 'MCP SSE' : 'MCP HTTP');
    }
    if (sdkCode === 'CLIENT_HTTP_UNEXPECTED_CONTENT') {
      // A login page or a proxy's error page where the MCP endpoint should be.
      const type = /content type:? (.*)$/i.exec(messageOf(err))?.[1] ?? 'an unexpected content type';
      return { kind: 'bad_response', message: `${phase} got ${excerpt(type, 80)}, not JSON or an event stream: is this an MCP endpoint?` };
    }
    if (sdkCode === 'ERA_NEGOTIATION_FAILED') {
      // The SDK wraps what went wrong under the probe (a refused connection, an HTML page): describe that.
      const cause = (err as Error).cause;
      if (cause !== undefined && cause !== err) return describeFailure(cause, scene);
      return { kind: 'protocol', message: `${phase}: ${excerpt(messageOf(err), 200)}` };
    }
    if (sdkCode === undefined && !isSchemaError(err) && !(err instanceof SyntaxError)) {
      return transportError(err, { signal: ctx.signal, timeoutMs: ctx.timeoutMs });
    }
  }
  if (isSchemaError(err) || err instanceof SyntaxError || sdkCode === 'INVALID_RESULT') {
    return withTail({ kind: 'protocol', message: `invalid answer to ${phase}: ${excerpt(messageOf(err), 200)}` });
  }
  return withTail({ kind: 'protocol', message: `${phase} failed: ${excerpt(messageOf(err), 200)}` });
}

/** The stderr line that most likely says why: the last one naming an error (not a stack frame), else the last one. */
function telltaleLine(tail: string): string | undefined {
  const lines = tail
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^at\s/.test(l));
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
