import type { Config } from '../config/config.js';
import { createEngine } from '../state/engine.js';
import { resolveStateDir } from '../journal/journal.js';
import { startSpawnRecord } from '../journal/spawn-record.js';
import { createMetrics, parseMetricsListen, type Metrics } from '../server/metrics.js';
import { eventRecord, followStore, ndjsonLines } from '../server/ndjson.js';
import { createProbeRunner } from '../state/probe-runner.js';
import { createRedactor, type Redactor } from '../text/redact.js';
import { createStore, initialState, type EngineEvent, type Store } from '../state/store.js';
import { UsageError } from './exit.js';
import { onlyTargets } from './only.js';

export interface ServeOptions {
  /** `HOST:PORT` (or `PORT`, on 127.0.0.1) for GET /metrics. */
  metrics?: string;
  /** One JSON line per result and per event instead of a human log of events. */
  ndjson?: boolean;
  /** Watch only these target ids. */
  only?: string[];
  write: (text: string) => void;
  /** Resolves runServe when aborted (the CLI aborts on SIGINT/SIGTERM). */
  signal: AbortSignal;
  /** Lets the caller kill MCP children synchronously at process exit. */
  onRunner?: (runner: { killAllSync(): void }) => void;
  /** Told the /metrics URL once it listens (port 0 picks a free port). */
  onListening?: (url: string) => void;
  /** Where the spawn record lives (journal/spawn-record.ts); default: the config's stateDir, else the default. */
  stateDir?: string;
}

/**
 * `pitwall serve`: the engine without a UI, for a server or a container. Checks every target on its
 * interval until `signal` aborts; optionally serves /metrics and writes NDJSON. Resolves with 0.
 */
export async function runServe(config: Config, opts: ServeOptions): Promise<number> {
  const cfg = onlyTargets(config, opts.only);
  if (opts.metrics !== undefined) {
    try {
      parseMetricsListen(opts.metrics);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  if (opts.signal.aborted) return 0;

  const redactor = createRedactor(cfg.secrets);
  const store = createStore(initialState(cfg, { now: Date.now() }));
  const runner = createProbeRunner();
  opts.onRunner?.(runner);
  const engine = createEngine({
    config: cfg,
    store,
    // Redacted on the way in too, as in the console: nothing downstream ever holds a raw secret.
    runProbe: (target, ctx) => runner.run(target, ctx).then((r) => redactor.value(r)),
  });

  let metrics: Metrics | null = null;
  let url: string | null = null;
  const detach = opts.ndjson ? ndjsonLines(store, { write: opts.write, redactor }) : textLog(store, opts.write, redactor);
  try {
    if (opts.metrics !== undefined) {
      metrics = createMetrics(store, cfg);
      url = (await metrics.listen(opts.metrics)).url;
      opts.onListening?.(url);
    }
  } catch (err) {
    detach();
    await Promise.allSettled([metrics?.close(), runner.close()]);
    throw new UsageError((err as Error).message);
  }

  const ids = cfg.targets.map((t) => t.id);
  const notice = `watching ${ids.length} target${ids.length === 1 ? '' : 's'} (${ids.join(', ')})${url ? `; metrics on ${url}` : ''}`;
  store.dispatch({ type: 'event', event: { type: 'notice', at: Date.now(), level: 'info', message: notice } });
  // What this run spawns is recorded; what a killed run left is ended (said in the log).
  const record = startSpawnRecord({
    stateDir: opts.stateDir ?? resolveStateDir({ config: cfg }),
    command: 'serve',
    say: (message, level) => store.dispatch({ type: 'event', event: { type: 'notice', at: Date.now(), level, message } }),
  });

  engine.start();
  await new Promise<void>((resolve) => {
    if (opts.signal.aborted) resolve();
    else opts.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  store.dispatch({ type: 'event', event: { type: 'notice', at: Date.now(), level: 'info', message: 'stopping' } });
  // Detach first: engine.stop() aborts runs in flight, and their aborted results are not news.
  detach();
  engine.stop();
  await Promise.allSettled([runner.close(), metrics?.close(), record.leftovers]);
  record.close();
  return 0;
}

/** `pitwall check --json --watch`: the same stream as `serve --ndjson`, without /metrics. */
export function runWatchJson(config: Config, opts: Omit<ServeOptions, 'metrics' | 'ndjson' | 'onListening'>): Promise<number> {
  return runServe(config, { ...opts, ndjson: true });
}

/** Without --ndjson: one readable line per event (transitions, notices), for `docker logs` and journald. */
function textLog(store: Store, write: (text: string) => void, redactor: Redactor): () => void {
  return followStore(store, { onEvent: (e) => write(redactor.text(`${eventLine(e)}\n`)) });
}

function eventLine(e: EngineEvent): string {
  const at = new Date(e.at).toISOString();
  switch (e.type) {
    case 'transition': {
      const why = e.errorKind ? `  ${e.errorKind}: ${e.message ?? ''}` : e.message ? `  ${e.message}` : '';
      return `${at} ${e.targetId} ${e.from ?? 'new'} → ${e.to}${why}`;
    }
    case 'notice':
      return `${at} ${e.level}: ${e.message}`;
    default: {
      const { type, at: _at, ...rest } = eventRecord(e);
      return `${at} ${type} ${Object.values(rest).join(' ')}`.trimEnd();
    }
  }
}
