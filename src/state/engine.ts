import type { ProbeContext, ProbeError, ProbeResult } from '../probes/types.js';
import { messageOf } from '../probes/classify.js';
import type { Config, Target } from '../config/config.js';
import type { Store } from './store.js';
import { createLoopWatch, type LoopWatch } from './loop-watch.js';
import { createNetworkWatch, type NetworkWatch } from './connectivity.js';

/**
 * Runs one probe attempt; the engine owns timing, retries and scheduling around it. A runner that loads code on
 * first use says what to load up front (`prepare`): the engine awaits it before the first round's clocks start,
 * so no module is compiled on the event loop while another target's exchange is being timed.
 */
export type RunProbe = ((target: Target, ctx: ProbeContext) => Promise<ProbeResult>) & {
  prepare?: (targets: readonly Target[]) => Promise<void>;
};

export interface EngineOptions {
  config: Config;
  store: Store;
  runProbe: RunProbe;
  /** Probes in flight at once, across all targets. */
  maxConcurrency?: number;
  now?: () => number;
  random?: () => number;
  /** How late pitwall's own event loop ran during an attempt (default: the real one, loop-watch.ts). */
  loopWatch?: LoopWatch;
  /** Called with every finished run (the journal listens here; `run` says whether its sample is kept apart). */
  onResult?: (targetId: string, result: ProbeResult, at: number, attempts: number, run: Pick<RunOutcome, 'cold' | 'stalls' | 'stalledMs'>) => void;
  /** Is it us or them (connectivity.ts): default, one built from the config. */
  network?: NetworkWatch;
}

export interface RunOutcome {
  result: ProbeResult;
  attempts: number;
  at: number;
  /**
   * The first sample after a cold start (this process's first exchange with the target: new connection, TLS,
   * channel; or a new MCP session). Shown apart; it does not enter p50/p95.
   */
  cold: boolean;
  /** Attempts measured again because pitwall's own event loop stalled during them (see STALL_MS). */
  stalls: number;
  /** The stall (ms) the kept attempt still overlapped, when every re-measure stalled too; else 0. */
  stalledMs: number;
}

export interface Engine {
  /** Schedules every target: a first run now, then every interval. */
  start(): void;
  /** Stops scheduling and aborts runs in flight. */
  stop(): void;
  /** Runs one target (or all, with no id) now, out of turn. Returns false for an unknown id. */
  rerun(id?: string): boolean;
  setPaused(paused: boolean): void;
  /** Runs the given targets (default all) once, concurrently, with retries; for `pitwall check`. */
  checkOnce(ids?: readonly string[]): Promise<Map<string, RunOutcome>>;
}

/** Grace past a target's timeout before the engine stops waiting on a probe that ignores its signal. */
const HARD_STOP_GRACE_MS = 250;
const BACKOFF_BASE_MS = 500;
/** The most two targets' first runs are spread apart (see firstRunOffsets). */
const PHASE_STEP_MAX_MS = 100;
/** An attempt during which pitwall's own loop ran this late (ms) measured pitwall, not the upstream. */
export const STALL_MS = 8;
/** How many times a stalled attempt is measured again before its sample is kept, flagged. */
export const STALL_REMEASURES = 2;
/**
 * Re-measures allowed per second across all targets. Past it a stalled sample is kept, flagged: on a machine too busy
 * to time anything, asking every upstream again would only add load (300 targets a second, bench/scale.mjs).
 */
export const REMEASURES_PER_SECOND = 10;
/** The pause before a re-measure, so the stall (a spawn, a frame, a module) is over. */
const STALL_PAUSE_MS = 50;
/** `pitwall check` starts MCP servers this far apart: a spawn and an initialize stall the loop for tens of ms. */
export const SPAWN_GAP_MS = 120;
/**
 * In `pitwall check`, the HTTP targets start this far apart: started together, each one's answer waited while the
 * others' were parsed (cold code, in a process that just started), and every latency read ~20 ms over the peer's.
 */
export const CHECK_STEP_MS = 15;
/**
 * In `pitwall check`, the longest the HTTP targets' starts are spread over: 15 targets keep CHECK_STEP_MS apart, but
 * 20,000 of them at 15 ms would take five minutes to start (the concurrency limit paces them anyway).
 */
export const CHECK_SPREAD_MS = 1_000;
/** In `pitwall check`, the most the HTTP targets run alone before GA and the MCP servers start. */
export const HEAD_START_MS = 300;

/**
 * When each target's first run starts, relative to start(): one target after another, `step` apart, the step at
 * most PHASE_STEP_MAX_MS and small enough that the round fits in the target's interval. Runs keep their phase
 * after that, so targets do not all fire in the same window (on two cores, each one's exchange would be timed
 * while the others are parsed and drawn), and 300 targets on a 1 s interval spread over the second.
 */
export function firstRunOffsets(intervalsMs: readonly number[]): number[] {
  const n = intervalsMs.length;
  return intervalsMs.map((interval, i) => i * Math.min(Math.floor(interval / n), PHASE_STEP_MAX_MS));
}

/**
 * Whether a result's only fault is a latency that a stall of pitwall's own loop (`stalledMs`) explains: slow, or
 * slow sub-checks, by no more than the stall. A result slower than the threshold even without the stall stays slow.
 */
export function slowOnly(r: ProbeResult, degradedMs: number, stalledMs: number): r is ProbeResult & { status: 'degraded' } {
  if (r.status !== 'degraded' || r.error) return false;
  const explained = (ms: number | null) => ms !== null && ms - stalledMs <= degradedMs;
  if (r.reason.startsWith('slow: ')) return explained(r.latencyMs);
  const bad = (r.subChecks ?? []).filter((c) => c.status !== 'up');
  return r.cause === 'sub-check' && bad.length > 0 && bad.every((c) => c.status === 'degraded' && !c.error && explained(c.latencyMs));
}

/** A slow-only result as up, saying why in its details (the stall is counted on the target: store.ts). */
function upDespiteStall(r: ProbeResult & { status: 'degraded' }): ProbeResult {
  const { reason, cause: _cause, status: _status, error: _error, ...rest } = r;
  const subChecks = r.subChecks?.map((c) => (c.status === 'degraded' && !c.error ? { ...c, status: 'up' as const } : c));
  return { ...rest, ...(subChecks ? { subChecks } : {}), status: 'up', error: null, details: { ...r.details, slowWhilePitwallStalled: reason } };
}

/** Transient failures worth an immediate retry: never auth, never rate limits, never a wrong answer. */
export function isTransient(error: ProbeError | null): boolean {
  if (!error) return false;
  if (error.kind === 'timeout' || error.kind === 'connection') return true;
  return error.kind === 'http' && (error.httpStatus ?? 0) >= 500;
}

/** Exponential backoff with full jitter, never longer than `capMs`. */
export function backoffMs(attempt: number, capMs: number, random: () => number): number {
  const ceiling = Math.min(capMs, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The scheduler: per-target timers, bounded concurrency, timeouts, retries, Retry-After. */
export function createEngine(opts: EngineOptions): Engine {
  const { config, store, runProbe } = opts;
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const loop = opts.loopWatch ?? createLoopWatch();
  const net = opts.network ?? createNetworkWatch(config, { now });
  /** Targets with a first sample in this process: their next is warm. */
  const warmed = new Set<string>();
  /** When the re-measures of the last second were made (REMEASURES_PER_SECOND). */
  const remeasures: number[] = [];
  const mayRemeasure = () => {
    const t = now();
    while (remeasures.length && remeasures[0]! <= t - 1000) remeasures.shift();
    if (remeasures.length >= REMEASURES_PER_SECOND) return false;
    remeasures.push(t);
    return true;
  };
  // Only what these targets need: `check --only mcp-x` must not load the GA and Shopify clients.
  const prepare = (targets: readonly Target[]) =>
    (runProbe.prepare?.(targets) ?? Promise.resolve()).catch(() => {
      // A module that fails to load fails its probe, with its message; nothing to say here.
    });
  const byId = new Map(config.targets.map((t) => [t.id, t]));
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const planned = new Map<string, number>();
  const running = new Set<string>();
  const inflight = new Set<AbortController>();
  const limit = Math.max(1, opts.maxConcurrency ?? 16);
  // A FIFO with a head index: Array#shift on 20,000 waiting runs moves the rest each time (quadratic in a check).
  let queue: (() => void)[] = [];
  let head = 0;
  let active = 0;
  let started = false;
  let stopped = false;
  let paused = false;

  const acquire = () =>
    new Promise<void>((resolve) => {
      if (active < limit) {
        active++;
        resolve();
      } else queue.push(() => (active++, resolve()));
    });
  const release = () => {
    active--;
    const next = queue[head];
    if (!next) return;
    queue[head++] = undefined as never;
    // Drop the run part now and then (a queue that never drains in a long watch must not keep every slot it had).
    if (head === queue.length || (head >= 1024 && head * 2 >= queue.length)) {
      queue = queue.slice(head);
      head = 0;
    }
    next();
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(t);
        sleepers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      sleepers.add(wake);
    });
  const sleepers = new Set<() => void>();

  async function attempt(target: Target): Promise<{ result: ProbeResult; stalledMs: number }> {
    const ac = new AbortController();
    const watch = loop.begin();
    inflight.add(ac);
    let hardStop: ReturnType<typeof setTimeout> | undefined;
    const abortTimer = setTimeout(() => ac.abort(new DOMException(`no answer within ${target.timeoutMs} ms`, 'TimeoutError')), target.timeoutMs);
    // Past the slow threshold with no answer: the store stops showing the last check's green (derive.ts shownStatus).
    const since = now();
    const overdueTimer = target.degradedMs < target.timeoutMs ? setTimeout(() => store.dispatch({ type: 'probe-overdue', id: target.id, since }), target.degradedMs) : undefined;
    const ctx: ProbeContext = { signal: ac.signal, timeoutMs: target.timeoutMs, degradedMs: target.degradedMs };
    const timedOut: ProbeResult = {
      status: 'down',
      latencyMs: null,
      error: { kind: 'timeout', message: `no answer within ${target.timeoutMs} ms` },
      details: {},
    };
    try {
      const result = await Promise.race([
        runProbe(target, ctx).catch((err: unknown): ProbeResult => {
          if (ac.signal.aborted) return timedOut;
          return { status: 'down', latencyMs: null, error: { kind: 'protocol', message: `the ${target.kind} probe failed: ${messageOf(err)}` }, details: {} };
        }),
        // A probe that ignores its signal must not hold the run (or the screen) hostage.
        new Promise<ProbeResult>((resolve) => {
          hardStop = setTimeout(() => resolve(timedOut), target.timeoutMs + HARD_STOP_GRACE_MS);
        }),
      ]);
      return { result, stalledMs: watch() };
    } finally {
      watch();
      clearTimeout(abortTimer);
      clearTimeout(overdueTimer);
      clearTimeout(hardStop);
      inflight.delete(ac);
    }
  }

  async function runWithRetries(target: Target): Promise<RunOutcome> {
    let stalls = 0;
    const isCold = (result: ProbeResult) => !warmed.has(target.id) || result.details.session === 'cold';
    const done = (result: ProbeResult, attempts: number, stalledMs: number): RunOutcome => {
      const cold = isCold(result);
      if (result.status !== 'down') warmed.add(target.id);
      // Still stalled after every re-measure: the latency is pitwall's, so it cannot make the target slow.
      if (stalledMs && slowOnly(result, target.degradedMs, stalledMs)) result = upDespiteStall(result);
      return { result, attempts, at: now(), cold, stalls, stalledMs };
    };
    for (let n = 1; ; n++) {
      await acquire();
      let got: { result: ProbeResult; stalledMs: number };
      try {
        got = await attempt(target);
      } finally {
        release();
      }
      const { result } = got;
      // A latency taken while our own loop stalled measured pitwall: measure again (it is not a retry). Only an
      // answer whose latency is what it says: a rate limit or low headroom is not asked about again. Nor a cold
      // start: it is kept out of p50/p95 anyway, and measuring again would time a warm session in its place.
      const stalled = got.stalledMs >= STALL_MS && (result.status === 'up' || slowOnly(result, target.degradedMs, got.stalledMs));
      if (stalled && !stopped && !isCold(result) && stalls < STALL_REMEASURES && mayRemeasure()) {
        stalls++;
        await sleep(STALL_PAUSE_MS);
        n--;
        continue;
      }
      const stalledMs = stalled ? Math.round(got.stalledMs) : 0;
      if (stopped || n > target.retries || !isTransient(result.error)) return done(result, n, stalledMs);
      const wait = result.error?.retryAfterMs ?? backoffMs(n, target.intervalSeconds * 1000, random);
      await sleep(wait);
      if (stopped) return done(result, n, stalledMs);
    }
  }

  function nextRunAt(target: Target, startedAt: number, outcome: RunOutcome): number {
    const interval = target.intervalSeconds * 1000;
    // Keep the cadence fixed to the plan (no drift), but never in the past.
    let next = Math.max(startedAt + interval, outcome.at);
    const wait = outcome.result.error?.kind === 'rate_limited' ? outcome.result.error.retryAfterMs : undefined;
    if (wait !== undefined) next = Math.max(next, outcome.at + wait);
    return next;
  }

  function schedule(id: string, at: number) {
    clearTimeout(timers.get(id));
    planned.set(id, at);
    store.dispatch({ type: 'scheduled', id, nextAt: paused ? null : at });
    if (paused || stopped) return;
    timers.set(
      id,
      setTimeout(() => void run(id), Math.max(0, at - now())),
    );
  }

  async function run(id: string): Promise<RunOutcome | null> {
    const target = byId.get(id);
    if (!target || running.has(id) || stopped) return null;
    timers.delete(id);
    running.add(id);
    const startedAt = planned.get(id) ?? now();
    store.dispatch({ type: 'probe-started', id, at: now() });
    try {
      const ran = await runWithRetries(target);
      // A run cut short by stop() says nothing about the target: record nothing rather than a fake "down".
      if (stopped) return null;
      // Held while pitwall is offline, linked to its vendor's status page, webhook silence judged (connectivity.ts).
      const result = await net.amend(target, ran.result, ran.at, store.getSnapshot).catch(() => ran.result);
      if (stopped) return null;
      const outcome = { ...ran, result };
      const nextAt = started && !stopped ? nextRunAt(target, Math.min(startedAt, outcome.at), outcome) : null;
      // Schedule first: nothing after this line may stop a target from being checked again.
      if (nextAt !== null) schedule(id, nextAt);
      store.dispatch({
        type: 'probe-finished',
        id,
        at: outcome.at,
        result: outcome.result,
        attempts: outcome.attempts,
        nextAt: paused ? null : nextAt,
        ...(outcome.cold ? { cold: true } : {}),
        ...(outcome.stalls ? { stalls: outcome.stalls } : {}),
        ...(outcome.stalledMs ? { stalledMs: outcome.stalledMs } : {}),
      });
      // What a probe saw happen between checks (an MCP server that died, a tool schema that changed): one event each.
      const seen = outcome.result.details['events'];
      if (Array.isArray(seen)) {
        for (const message of seen) if (typeof message === 'string') store.dispatch({ type: 'event', event: { type: 'notice', at: outcome.at, level: 'warn', message } });
      }
      try {
        opts.onResult?.(id, outcome.result, outcome.at, outcome.attempts, outcome);
      } catch (err) {
        // The journal's disk may be full: say so, keep checking.
        store.dispatch({ type: 'event', event: { type: 'notice', at: now(), level: 'error', message: `could not record ${id}'s result: ${messageOf(err)}` } });
      }
      return outcome;
    } finally {
      running.delete(id);
    }
  }

  return {
    start() {
      if (started) return;
      started = true;
      // Connectivity back: the targets held as "pitwall offline" are checked again now.
      net.start((ids) => {
        for (const id of ids) {
          if (running.has(id) || stopped) continue;
          clearTimeout(timers.get(id));
          planned.set(id, now());
          void run(id);
        }
      });
      const begin = () => {
        if (stopped) return;
        const t0 = now();
        const offsets = firstRunOffsets(config.targets.map((t) => t.intervalSeconds * 1000));
        config.targets.forEach((t, i) => schedule(t.id, t0 + offsets[i]!));
      };
      // What the first round needs is loaded before its clocks start (a runner without `prepare`: at once).
      if (runProbe.prepare) void prepare(config.targets).then(begin);
      else begin();
    },
    stop() {
      stopped = true;
      net.stop();
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      for (const ac of inflight) ac.abort(new DOMException('pitwall is stopping', 'AbortError'));
      for (const wake of sleepers) wake();
      sleepers.clear();
    },
    rerun(id) {
      const ids = id === undefined ? [...byId.keys()] : [id];
      if (id !== undefined && !byId.has(id)) return false;
      store.dispatch({ type: 'event', event: { type: 'rerun', at: now(), targetId: id ?? null } });
      for (const x of ids) {
        if (running.has(x)) continue;
        clearTimeout(timers.get(x));
        planned.set(x, now());
        void run(x);
      }
      return true;
    },
    setPaused(p) {
      if (p === paused) return;
      paused = p;
      store.dispatch({ type: 'paused', paused: p, at: now() });
      if (p) {
        for (const [id, t] of timers) {
          clearTimeout(t);
          store.dispatch({ type: 'scheduled', id, nextAt: null });
        }
        timers.clear();
      } else if (started) {
        for (const id of byId.keys()) if (!running.has(id)) schedule(id, Math.max(now(), planned.get(id) ?? now()));
      }
    },
    async checkOnce(ids) {
      const list = ids ?? [...byId.keys()];
      await Promise.all([prepare(list.flatMap((id) => byId.get(id) ?? [])), net.checkCanary()]);
      // The HTTP exchanges first, together (each takes a millisecond on loopback; GA's REST calls are among them); the
      // MCP servers once those have answered or after HEAD_START_MS, whichever is first, SPAWN_GAP_MS apart: a spawn or
      // an initialize holds the loop for tens of milliseconds, and an exchange timed meanwhile would be measured again
      // (or kept out of p50/p95) rather than read honestly the first time.
      const heavy = (id: string) => byId.get(id)?.kind === 'mcp';
      const lightIds = list.filter((id) => !heavy(id));
      const step = Math.min(CHECK_STEP_MS, CHECK_SPREAD_MS / lightIds.length);
      const light = Promise.all(
        lightIds.map(async (id, i) => {
          if (i) await sleep(i * step);
          return [id, await run(id)] as const;
        }),
      );
      let spawns = 0;
      const later = list.filter(heavy).map(async (id) => {
        const wait = byId.get(id)?.kind === 'mcp' ? SPAWN_GAP_MS * spawns++ : 0;
        await Promise.race([light, sleep(HEAD_START_MS)]);
        if (wait) await sleep(wait);
        return [id, await run(id)] as const;
      });
      const results = [...(await light), ...(await Promise.all(later))];
      const out = new Map<string, RunOutcome>();
      for (const [id, r] of results) if (r) out.set(id, r);
      return out;
    },
  };
}
