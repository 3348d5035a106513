import type { McpTarget } from '../../config/config.js';
import { formatDuration } from '../../text/format.js';
import { classify, messageOf } from '../classify.js';
import type { ProcessTransport } from '../mcp-stdio.js';
import type { Phase, ProbeContext, ProbeError, ProbeResult } from '../types.js';
import { fingerprint } from './env.js';
import { describeFailure } from './errors.js';
import { exercise, openSession, procDetails, sessionGone, stopProc, teardown, type Session, type ToolsSeen } from './session.js';

/** Keeps MCP sessions warm between checks and owns every child process it starts. */
export interface McpProber {
  /** One check: warm liveness + tools/list; a cold start (fresh spawn/connect + era negotiation) when there is
   *  no session, when the warm one broke, or when target.coldStartMinutes have passed since the last cold start. */
  probe(target: McpTarget, ctx: ProbeContext): Promise<ProbeResult>;
  /** Closes every session and ends every child process group. Idempotent. */
  close(): Promise<void>;
  /** Synchronous last resort for process 'exit' / signals: SIGKILL every child process group. */
  killAllSync(): void;
}

export interface McpProberOptions {
  /** The clock for the cold-start cadence and the respawn backoff (tests inject one). */
  now?: () => number;
  /** Milliseconds a child gets between SIGTERM and SIGKILL. */
  killGraceMs?: number;
}

const TOOL_NAMES_SHOWN = 50;
/** Failed starts of a stdio server before respawns back off, the first wait, and the longest. */
const BACKOFF_AFTER = 2;
const BACKOFF_FIRST_MS = 30_000;
const BACKOFF_MAX_MS = 15 * 60_000;
const CAPABILITY_NOTE =
  'pitwall declares no client capabilities (no roots, sampling or elicitation): a server may list fewer tools to it than to an agent that declares them';

/** Per target, across sessions: failed starts (for the backoff) and the last tool list (for drift). */
interface Memory {
  failures: number;
  lastFailure: { at: number; error: ProbeError; details: Record<string, unknown> } | null;
  tools: ToolsSeen | null;
}

/** Milliseconds to wait before the next start after `failures` failed ones (0: start now). */
export function respawnBackoffMs(failures: number): number {
  if (failures < BACKOFF_AFTER) return 0;
  return Math.min(BACKOFF_FIRST_MS * 2 ** (failures - BACKOFF_AFTER), BACKOFF_MAX_MS);
}

/** Creates the prober the engine calls for `kind: mcp` targets. */
export function createMcpProber(opts: McpProberOptions = {}): McpProber {
  const now = opts.now ?? Date.now;
  const killGraceMs = opts.killGraceMs ?? 2_000;
  const sessions = new Map<string, Session>();
  const memory = new Map<string, Memory>();
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
  const remember = (id: string): Memory => {
    let m = memory.get(id);
    if (!m) memory.set(id, (m = { failures: 0, lastFailure: null, tools: null }));
    return m;
  };

  async function check(target: McpTarget, ctx: ProbeContext): Promise<ProbeResult> {
    const deadline = performance.now() + ctx.timeoutMs;
    if (closed) return down({ kind: 'connection', message: 'the MCP prober is closed' }, ctx, [], {});
    if (ctx.signal.aborted) return down({ kind: 'timeout', message: `no answer within ${ctx.timeoutMs} ms` }, ctx, [], {});
    const mem = remember(target.id);
    const events: string[] = [];
    const key = fingerprint(target);
    let s = sessions.get(target.id);
    if (s?.proc?.exit && !s.proc.exit.byUs) {
      // Died between checks: leave a trace, whatever the restart below finds.
      const { code, signal } = s.proc.exit;
      const how = code !== null ? `code ${code}` : `signal ${signal ?? '?'}`;
      const why = s.proc.errorHeadline ? `: ${s.proc.errorHeadline.slice(0, 160)}` : '';
      events.push(`${target.id}: the server exited (${how}) after ${formatDuration(now() - s.coldStartedAt)}${why}; restarted`);
    }
    if (s && (s.key !== key || s.state.closed || now() - s.coldStartedAt >= target.coldStartMinutes * 60_000)) {
      retire(target.id, s, !s.state.closed);
      s = undefined;
    }
    let warmError: ProbeError | null = null;
    if (s) {
      const warm = await exercise(s, ctx, deadline);
      if (warm.ok) return success(s, 'warm', warm.phases, warm.tools, ctx, target, mem, events);
      const error = describeFailure(warm.err, { ctx, phase: warm.phase, kind: s.kind, proc: s.proc, rec: s.http, target });
      const lost = !ctx.signal.aborted && error.kind !== 'timeout' && sessionGone(s, warm.err);
      retire(target.id, s, false);
      if (!lost) return down(error, ctx, warm.phases, { ...sessionDetails(s), session: 'warm' }, events);
      warmError = error;
    }

    // A stdio server that keeps failing to start is not respawned at full rate (a fresh `npx` launch each interval).
    const wait = target.transport === 'stdio' && mem.lastFailure ? mem.lastFailure.at + respawnBackoffMs(mem.failures) - now() : 0;
    if (wait > 0 && mem.lastFailure) {
      const { error, details } = mem.lastFailure;
      const respawn = { failedStarts: mem.failures, nextStartAt: new Date(now() + wait).toISOString(), backoffMs: wait };
      // First, so a narrow row still shows it: the server is not being started right now, on purpose.
      const message = `backing off (${mem.failures} failed starts, next start in ${formatDuration(wait)}): ${error.message}`;
      return down({ ...error, message }, ctx, [], { ...details, session: 'backoff', respawn }, events);
    }

    const t0 = performance.now();
    const opened = await openSession(target, ctx, deadline, key, { killGraceMs, procs, track });
    const initMs = performance.now() - t0;
    const reconnect = warmError ? { reconnectedAfter: warmError.message } : {};
    if (!opened.ok) {
      const details = { ...opened.details, session: 'cold', ...reconnect };
      mem.failures += 1;
      mem.lastFailure = { at: now(), error: opened.error, details };
      return down(opened.error, ctx, [{ name: 'connect', ms: initMs }], details, events);
    }
    s = opened.session;
    const phases: Phase[] = [{ name: s.client.getProtocolEra() === 'modern' ? 'connect+discover' : 'connect+initialize', ms: initMs }];
    s.coldStartMs = initMs;
    s.coldStartedAt = now();
    if (closed) {
      retire(null, s, true);
      return down({ kind: 'connection', message: 'the MCP prober is closed' }, ctx, phases, {});
    }
    sessions.set(target.id, s);
    const cold = await exercise(s, ctx, deadline);
    phases.push(...cold.phases);
    if (cold.ok) {
      mem.failures = 0;
      mem.lastFailure = null;
      return success(s, 'cold', phases, cold.tools, ctx, target, mem, events, reconnect);
    }
    retire(target.id, s, false);
    const error = describeFailure(cold.err, { ctx, phase: cold.phase, kind: s.kind, proc: s.proc, rec: s.http, target });
    return down(error, ctx, phases, { ...sessionDetails(s), session: 'cold', ...reconnect }, events);
  }

  return {
    probe(target, ctx) {
      const before = queues.get(target.id) ?? Promise.resolve();
      // One check per target at a time: a retry must not race a still-running check into a second spawn.
      const run = before.then(() =>
        check(target, ctx).catch((err: unknown) => down({ kind: 'protocol', message: `MCP check failed: ${messageOf(err)}` }, ctx, [], {})),
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

/** "added x; removed y; changed z" between two tool lists, or null when the schemas are the same. */
function drift(before: ToolsSeen, after: ToolsSeen): string | null {
  if (before.hash === after.hash) return null;
  const added = after.names.filter((n) => !before.schemas.has(n));
  const removed = [...before.schemas.keys()].filter((n) => !after.schemas.has(n));
  const changed = after.names.filter((n) => before.schemas.has(n) && before.schemas.get(n) !== after.schemas.get(n));
  const list = (what: string, names: string[]) => (names.length ? `${what} ${names.slice(0, 10).join(', ')}${names.length > 10 ? '…' : ''}` : '');
  return [list('added', added), list('removed', removed), list('changed', changed)].filter(Boolean).join('; ') || 'reordered';
}

function success(
  s: Session,
  session: 'warm' | 'cold',
  phases: Phase[],
  tools: ToolsSeen | null,
  ctx: ProbeContext,
  target: McpTarget,
  mem: Memory,
  events: string[],
  extra: Record<string, unknown> = {},
): ProbeResult {
  if (tools) {
    const changed = mem.tools ? drift(mem.tools, tools) : null;
    if (changed) events.push(`${target.id}: tool schemas changed (${changed})`);
    mem.tools = tools;
  }
  // The latency that can make a server "slow" is how fast it answers (liveness + tools/list). A cold start
  // (spawn, npx, negotiation) is measured and reported on its own (phases, details.coldStartMs): an npx launch
  // taking seconds every coldStartMinutes must not paint the server degraded.
  const latencyMs = phases.filter((p) => !p.name.startsWith('connect')).reduce((sum, p) => sum + p.ms, 0);
  const details: Record<string, unknown> = {
    ...sessionDetails(s),
    session,
    ...(tools
      ? { toolCount: tools.names.length, toolNames: tools.names.slice(0, TOOL_NAMES_SHOWN), toolsHash: tools.hash }
      : { toolCount: 0, toolNames: [], toolsOffered: false }),
    clientCapabilities: CAPABILITY_NOTE,
    // The token's end, when the server says it (GitHub's hosted MCP server does); the runner turns it into a sub-check.
    ...(s.http?.tokenExpiration ? { tokenExpiration: s.http.tokenExpiration } : {}),
    ...extra,
    ...(events.length ? { events } : {}),
  };
  return classify({ latencyMs, details, degradedMs: ctx.degradedMs, phases });
}

function down(error: ProbeError, ctx: ProbeContext, phases: Phase[], details: Record<string, unknown>, events: string[] = []): ProbeResult {
  return classify({ latencyMs: null, error, details: { ...details, ...(events.length ? { events } : {}) }, degradedMs: ctx.degradedMs, phases });
}

function sessionDetails(s: Session): Record<string, unknown> {
  const info = s.client.getServerVersion();
  const era = s.client.getProtocolEra();
  const version = s.client.getNegotiatedProtocolVersion();
  return {
    transport: s.kind,
    ...(era ? { era: era === 'modern' ? 'modern (stateless, server/discover)' : 'legacy (initialize handshake)' } : {}),
    ...(version ? { protocolVersion: version } : {}),
    ...(info ? { serverInfo: { name: info.name, version: info.version } } : {}),
    coldStartMs: Math.round(s.coldStartMs),
    coldStartAt: new Date(s.coldStartedAt).toISOString(),
    ...(s.proc ? procDetails(s.proc) : {}),
  };
}
