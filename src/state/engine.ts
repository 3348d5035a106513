import type { ProbeContext, ProbeError, ProbeResult } from '../probes/types.js';
import { messageOf } from '../probes/classify.js';
import type { Config, Target } from '../config/config.js';
import type { Store } from './store.js';

/** Runs one probe attempt; the engine owns timing, retries and scheduling around it. */
export type RunProbe = (target: Target, ctx: ProbeContext) => Promise<ProbeResult>;

export interface EngineOptions {
  config: Config;
  store: Store;
  runProbe: RunProbe;
  /** Probes in flight at once, across all targets. */
  maxConcurrency?: number;
  now?: () => number;
  random?: () => number;
  /** Called with every finished run (the journal listens here). */
  onResult?: (targetId: string, result: ProbeResult, at: number, attempts: number) => void;
}

export interface RunOutcome {
  result: ProbeResult;
  attempts: number;
  at: number;
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
/** The most the first round's waves are spread apart (see firstRunOffsets). */
const WAVE_STEP_MAX_MS = 100;

/**
 * When each target's first run starts, relative to start(): the first `limit` targets at once (a small config
 * is all checked immediately), every further wave of `limit` a step later, the waves spread over at most the
 * target's interval. Runs keep their phase after that, so 300 targets on a 1 s interval are not 300 timers
 * firing in the same millisecond, queueing behind the concurrency limit, every second.
 */
export function firstRunOffsets(intervalsMs: readonly number[], limit: number): number[] {
  const waves = Math.ceil(intervalsMs.length / limit);
  return intervalsMs.map((interval, i) => Math.floor(i / limit) * Math.min(Math.floor(interval / waves), WAVE_STEP_MAX_MS));
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
  const byId = new Map(config.targets.map((t) => [t.id, t]));
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const planned = new Map<string, number>();
  const running = new Set<string>();
  const inflight = new Set<AbortController>();
  const limit = Math.max(1, opts.maxConcurrency ?? 16);
  const queue: (() => void)[] = [];
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
    queue.shift()?.();
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

  async function attempt(target: Target): Promise<ProbeResult> {
    const ac = new AbortController();
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
      return await Promise.race([
        runProbe(target, ctx).catch((err: unknown): ProbeResult => {
          if (ac.signal.aborted) return timedOut;
          return { status: 'down', latencyMs: null, error: { kind: 'protocol', message: `the ${target.kind} probe failed: ${messageOf(err)}` }, details: {} };
        }),
        // A probe that ignores its signal must not hold the run (or the screen) hostage.
        new Promise<ProbeResult>((resolve) => {
          hardStop = setTimeout(() => resolve(timedOut), target.timeoutMs + HARD_STOP_GRACE_MS);
        }),
      ]);
    } finally {
      clearTimeout(abortTimer);
      clearTimeout(overdueTimer);
      clearTimeout(hardStop);
      inflight.delete(ac);
    }
  }

  async function runWithRetries(target: Target): Promise<RunOutcome> {
    for (let n = 1; ; n++) {
      await acquire();
      let result: ProbeResult;
      try {
        result = await attempt(target);
      } finally {
        release();
      }
      if (stopped || n > target.retries || !isTransient(result.error)) return { result, attempts: n, at: now() };
      const wait = result.error?.retryAfterMs ?? backoffMs(n, target.intervalSeconds * 1000, random);
      await sleep(wait);
      if (stopped) return { result, attempts: n, at: now() };
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
      const outcome = await runWithRetries(target);
      // A run cut short by stop() says nothing about the target: record nothing rather than a fake "down".
      if (stopped) return null;
      const nextAt = started && !stopped ? nextRunAt(target, Math.min(startedAt, outcome.at), outcome) : null;
      // Schedule first: nothing after this line may stop a target from being checked again.
      if (nextAt !== null) schedule(id, nextAt);
      store.dispatch({ type: 'probe-finished', id, at: outcome.at, result: outcome.result, attempts: outcome.attempts, nextAt: paused ? null : nextAt });
      // What a probe saw happen between checks (an MCP server that died, a tool schema that changed): one event each.
      const seen = outcome.result.details['events'];
      if (Array.isArray(seen)) {
        for (const message of seen) if (typeof message === 'string') store.dispatch({ type: 'event', event: { type: 'notice', at: outcome.at, level: 'warn', message } });
      }
      try {
        opts.onResult?.(id, outcome.result, outcome.at, outcome.attempts);
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
      const t0 = now();
      const offsets = firstRunOffsets(config.targets.map((t) => t.intervalSeconds * 1000), limit);
      config.targets.forEach((t, i) => schedule(t.id, t0 + offsets[i]!));
    },
    stop() {
      stopped = true;
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
      const results = await Promise.all(list.map(async (id) => [id, await run(id)] as const));
      const out = new Map<string, RunOutcome>();
      for (const [id, r] of results) if (r) out.set(id, r);
      return out;
    },
  };
}
