import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ERROR_KINDS } from '../probes/types.js';
import { STATUS_VALUE } from '../shared/status.js';
import { held } from '../state/derive.js';
import { messageOf } from '../probes/classify.js';
import type { Config } from '../config/config.js';
import { followStore } from './ndjson.js';
import type { Store } from '../state/store.js';
import { listenHttp, parseListen, type Listening } from './webhooks/http-server.js';

/** What `pitwall_target_status` says for each status (the shared table's). */
export { STATUS_VALUE } from '../shared/status.js';

/** Probe duration buckets, seconds: loopback answers (5 ms) up to the longest sensible timeout (30 s). */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The host `--metrics PORT` binds when it names none: only this machine can scrape unless told otherwise. */
export const DEFAULT_METRICS_HOST = '127.0.0.1';

export interface MetricsOptions {
  /** pitwall's own process metrics (CPU, memory, event loop), prefixed `pitwall_`. Default true. */
  processMetrics?: boolean;
}

/** A Prometheus endpoint over the store. */
export interface Metrics {
  /** pitwall's own registry (never prom-client's global one). */
  registry: Registry;
  /** Node HTTP handler: GET/HEAD /metrics → the text exposition; anything else → 404. */
  handler(req: IncomingMessage, res: ServerResponse): void;
  /** Serves `handler` on `HOST:PORT` (or `PORT`, on 127.0.0.1). Rejects with one clear sentence. */
  listen(hostPort: string): Promise<{ url: string; close(): Promise<void> }>;
  /** Stops following the store and closes every listener. */
  close(): Promise<void>;
}

/** `HOST:PORT`, `[v6]:PORT`, `:PORT` or `PORT` → host and port; throws one sentence on anything else. */
export function parseMetricsListen(hostPort: string): { host: string; port: number } {
  const s = hostPort.trim();
  const bare = /^:?(\d{1,5})$/.exec(s);
  try {
    if (bare) return parseListen(`${DEFAULT_METRICS_HOST}:${bare[1]}`);
    return parseListen(s);
  } catch {
    throw new Error(`--metrics: expected HOST:PORT or PORT (e.g. 127.0.0.1:9464), got "${hostPort}"`);
  }
}

/**
 * Builds pitwall's metrics over the store. Gauges (status, headroom, MCP, blockers, outbox) are read
 * from the store snapshot at scrape time, so they are never stale and a target that has not been
 * checked yet has no `pitwall_target_status` series at all. Counters and the duration histogram follow
 * the store's sample rings (see followStore), so each run is counted exactly once, even when the
 * console batches notifications — and nothing needs wiring into the engine's single onResult hook.
 */
export function createMetrics(store: Store, config: Config, opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) {
    collectDefaultMetrics({ register: registry, prefix: 'pitwall_' });
    // Gauges named *_total break Prometheus naming (promtool flags them; prometheus/client_js#283), and each
    // is only the sum of its per-type sibling: `sum without (type) (pitwall_nodejs_active_handles)`.
    for (const name of ['handles', 'requests', 'resources']) registry.removeSingleMetric(`pitwall_nodejs_active_${name}_total`);
  }
  const snap = () => store.getSnapshot();

  new Gauge({
    name: 'pitwall_target_status',
    help: 'Latest status of a target: 1 up, 0.5 degraded, 0 down. No series until its first check finishes.',
    labelNames: ['target', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const t of Object.values(snap().targets)) {
        // No value while held as "pitwall offline": unknown is not 0.5 (degraded) to an alert rule.
        if (t.latest && !held(t.latest)) this.set({ target: t.id, kind: t.kind }, STATUS_VALUE[t.latest.status]);
      }
    },
  });
  new Gauge({
    name: 'pitwall_target_last_check_timestamp_seconds',
    help: 'When the latest check of a target finished, Unix seconds (alert when it stops moving).',
    labelNames: ['target', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const t of Object.values(snap().targets)) {
        if (t.checkedAt !== null) this.set({ target: t.id, kind: t.kind }, t.checkedAt / 1000);
      }
    },
  });
  new Gauge({
    name: 'pitwall_headroom_ratio',
    help: 'Remaining / limit of a capacity the upstream reports in the latest check (Shopify throttle bucket, GA tokens).',
    labelNames: ['target', 'name'],
    registers: [registry],
    collect() {
      this.reset();
      for (const t of Object.values(snap().targets)) {
        for (const h of t.latest?.headroom ?? []) {
          if (h.limit > 0) this.set({ target: t.id, name: h.name }, h.remaining / h.limit);
        }
      }
    },
  });
  new Gauge({
    name: 'pitwall_mcp_tools',
    help: 'Tools an MCP server listed in the latest check.',
    labelNames: ['target'],
    registers: [registry],
    collect() {
      this.reset();
      for (const t of Object.values(snap().targets)) {
        const n = t.kind === 'mcp' ? t.latest?.details.toolCount : undefined;
        if (typeof n === 'number') this.set({ target: t.id }, n);
      }
    },
  });
  new Gauge({
    name: 'pitwall_mcp_cold_start_seconds',
    help: 'How long the current MCP session took to start (spawn or connect, then initialize).',
    labelNames: ['target'],
    registers: [registry],
    collect() {
      this.reset();
      for (const t of Object.values(snap().targets)) {
        const ms = t.kind === 'mcp' ? t.latest?.details.coldStartMs : undefined;
        if (typeof ms === 'number') this.set({ target: t.id }, ms / 1000);
      }
    },
  });
  new Gauge({
    name: 'pitwall_open_blockers',
    help: 'BLOCKER entries written to the feedback file and not yet resolved.',
    registers: [registry],
    collect() {
      this.set(Object.keys(snap().blockers).length);
    },
  });
  new Gauge({
    name: 'pitwall_feedback_outbox_entries',
    help: 'Feedback-file entries waiting in the outbox after a failed write.',
    registers: [registry],
    collect() {
      this.set(snap().outbox);
    },
  });

  const duration = new Histogram({
    name: 'pitwall_probe_duration_seconds',
    help: 'Duration of probe runs that got an answer (up or degraded); down runs are counted in pitwall_probe_failures_total.',
    labelNames: ['target', 'kind'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const runs = new Counter({
    name: 'pitwall_probe_runs_total',
    help: 'Finished probe runs (retries included in one run), by resulting status.',
    labelNames: ['target', 'kind', 'status'],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'pitwall_probe_failures_total',
    help: 'Probe runs that ended with an error, by error kind (rate_limited counts although it is only degraded).',
    labelNames: ['target', 'kind', 'error_kind'],
    registers: [registry],
  });
  // Zero-initialised so rate() and increase() see the first failure instead of a series appearing at 1.
  for (const t of config.targets) {
    duration.zero({ target: t.id, kind: t.kind });
    for (const status of ['up', 'degraded', 'down'] as const) runs.inc({ target: t.id, kind: t.kind, status }, 0);
    for (const kind of ERROR_KINDS) failures.inc({ target: t.id, kind: t.kind, error_kind: kind }, 0);
  }

  const unfollow = followStore(store, {
    onRun({ target, sample }) {
      const labels = { target: target.id, kind: target.kind };
      runs.inc({ ...labels, status: sample.status });
      if (sample.latencyMs !== null && sample.status !== 'down') duration.observe(labels, sample.latencyMs / 1000);
      if (sample.errorKind) failures.inc({ ...labels, error_kind: sample.errorKind });
    },
  });

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found: pitwall serves GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`collecting metrics failed: ${messageOf(err)}\n`);
      },
    );
  };

  const listeners = new Set<Listening>();
  return {
    registry,
    handler,
    async listen(hostPort) {
      const { host, port } = parseMetricsListen(hostPort);
      let l: Listening;
      try {
        l = await listenHttp(handler, host, port);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === 'EADDRINUSE' ? 'the port is in use' : code === 'EADDRNOTAVAIL' ? 'no such address on this machine' : messageOf(err);
        throw new Error(`--metrics ${hostPort}: cannot listen (${why})`);
      }
      listeners.add(l);
      return {
        url: `${l.url}/metrics`,
        close: async () => {
          listeners.delete(l);
          await l.close();
        },
      };
    },
    async close() {
      unfollow();
      const all = [...listeners];
      listeners.clear();
      await Promise.all(all.map((l) => l.close()));
    },
  };
}
