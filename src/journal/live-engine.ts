/**
 * The engine as a long-running pitwall runs it (the console, `pitwall mcp`): a store seeded with the
 * journal's recent history, probe results redacted on the way in and journaled, events and blockers
 * journaled as the store changes.
 */
import type { Config } from '../config/config.js';
import { createEngine, type Engine } from '../state/engine.js';
import { attachJournal, type Journal } from './journal.js';
import { createProbeRunner, type ProbeRunner } from '../state/probe-runner.js';
import type { Redactor } from '../text/redact.js';
import { HOUR_MS } from '../shared/time.js';
import { createStore, initialState, type Store } from '../state/store.js';

export interface LiveEngineOptions {
  config: Config;
  journal: Journal;
  redactor: Redactor;
  /** Store notification batching (the console: 50 ms, one frame); 0 notifies synchronously. */
  batchMs?: number;
  demo?: boolean;
  /** How much journal history seeds the store. Default: one hour. */
  historyMs?: number;
  now?: () => number;
}

export interface LiveEngine {
  store: Store;
  engine: Engine;
  /** Exposed for process exit and signals (killAllSync ends MCP child process groups). */
  runner: ProbeRunner;
  /** Stops scheduling, aborts runs in flight (their aborted results are not journaled), closes the runner. */
  stop(): Promise<void>;
}

/** Builds the store, engine and probe runner; call `engine.start()` when ready. */
export function createLiveEngine(opts: LiveEngineOptions): LiveEngine {
  const { config, journal, redactor } = opts;
  const now = opts.now ?? Date.now;
  const store = createStore(initialState(config, { now: now(), demo: opts.demo ?? false }), { batchMs: opts.batchMs ?? 0 });
  // History, not last-known status: a green from an hour ago must not show as green now.
  const history = journal.load(now() - (opts.historyMs ?? HOUR_MS));
  store.dispatch({ type: 'history-loaded', samples: history.samples, events: history.events, blockers: history.blockers });
  const detach = attachJournal(store, journal);
  const runner = createProbeRunner();
  let live = true;
  const engine = createEngine({
    config,
    store,
    // Results are redacted on the way in: nothing downstream (store, journal, feedback file, MCP) holds a raw secret.
    // Redacted on the way in, failures too: a probe that throws may quote a secret in its message.
    runProbe: (target, ctx) =>
      runner.run(target, ctx).then(
        (r) => redactor.value(r),
        (err: unknown) => {
          throw new Error(redactor.text(err instanceof Error ? err.message : String(err)));
        },
      ),
    // With how the run went: a cold start or a stall keeps its sample out of p50/p95 after a restart and in the report.
    onResult: (id, result, at, _attempts, run) => {
      if (live) journal.appendResult(id, result, at, run);
    },
    ...(opts.now ? { now: opts.now } : {}),
  });
  return {
    store,
    engine,
    runner,
    async stop() {
      // Detach first: stop() aborts runs in flight, and their "timeout" results are not news.
      live = false;
      detach();
      engine.stop();
      await runner.close();
    },
  };
}
