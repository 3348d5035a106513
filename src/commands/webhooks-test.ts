/**
 * `pitwall webhooks test`: load-tests the app's webhook endpoint with correctly signed deliveries, then
 * probes that it enforces signatures: a bad signature, a missing one and (Chatwoot) a stale timestamp
 * must be refused. A replayed delivery is reported but is not a finding: Shopify expects endpoints to
 * answer 200 to duplicates and stay idempotent.
 */
import { randomBytes } from 'node:crypto';
import { createHttpAgents, httpExchange } from '../probes/http-client.js';
import type { HttpAgents } from '../probes/types.js';
import { createRedactor } from '../text/redact.js';
import { percentile } from '../state/stats.js';
import { buildDelivery, topicsOf, type Delivery } from '../server/webhooks/payloads.js';
import type { WebhookSource } from '../state/webhook-stats.js';
import { formatLatency } from '../text/format.js';
import { EXIT, UsageError } from './exit.js';
import { compareText } from '../shared/builtins.js';

export interface WebhooksTestOptions {
  /** The endpoint URL the deliveries are POSTed to. */
  to: string;
  kind: string;
  /** The signing secret, or `env:VARNAME` to read it from the environment. Never printed. */
  secret: string;
  count?: number | string;
  concurrency?: number | string;
  topic?: string;
  record?: boolean;
  /** Appends the markdown result to the feedback file (wired by the CLI). */
  appendEntry?: (markdown: string) => Promise<void>;
  /** Standard output: the report. */
  write: (text: string) => void;
  /** Standard error: the progress line (only when a TTY) and warnings. */
  stderr?: { write(text: string): void; isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  /** Per request. */
  timeoutMs?: number;
  now?: () => number;
}

export type ProbeOutcome = 'rejected' | 'ACCEPTED' | 'inconclusive';

/** One enforcement probe: a forgery (a finding when accepted) or the replay (information only). */
export interface EnforcementProbe {
  name: 'bad signature' | 'missing signature' | 'stale timestamp' | 'replayed delivery';
  forgery: boolean;
  status: number | null;
  /** For forgeries; the replay has none. */
  outcome: ProbeOutcome | null;
  detail: string;
}

export interface WebhooksTestReport {
  kind: WebhookSource;
  /** Origin and path only: credentials and query strings are never echoed. */
  endpoint: string;
  topics: string[];
  count: number;
  concurrency: number;
  delivered: number;
  elapsedMs: number;
  /** Deliveries answered 2xx per second of wall time. */
  throughput: number;
  latency: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  /** "HTTP 500" → 3, "timeout" → 1 … */
  errors: Record<string, number>;
  probes: EnforcementProbe[];
  ok: boolean;
  startedAt: number;
}

const LIMITS = { count: [1, 100_000], concurrency: [1, 256] } as const;

function intOption(name: 'count' | 'concurrency', v: number | string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = typeof v === 'number' ? v : /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  const [min, max] = LIMITS[name];
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: expected a whole number from ${min} to ${max}, got "${v}"`);
  return n;
}

/** Resolves `env:NAME` or returns the literal. */
function resolveSecret(secret: string, env: NodeJS.ProcessEnv): string {
  const m = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(secret);
  if (!m) {
    if (secret.startsWith('env:')) throw new UsageError('--secret: expected env:VARNAME with a valid variable name');
    if (!secret) throw new UsageError('--secret: expected the signing secret or env:VARNAME');
    return secret;
  }
  const value = env[m[1]!];
  if (!value) throw new UsageError(`--secret: environment variable ${m[1]} is not set`);
  return value;
}

function parseEndpoint(to: string): { url: URL; shown: string } {
  let url: URL;
  try {
    url = new URL(to);
  } catch {
    throw new UsageError(`--to: expected an http(s) URL, got "${to}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--to: expected an http(s) URL, got "${url.protocol}"`);
  return { url, shown: `${url.origin}${url.pathname}` };
}

interface Sent {
  status: number | null;
  ms: number;
  errorKey?: string;
}

async function send(agents: HttpAgents, url: URL, d: Delivery, timeoutMs: number): Promise<Sent> {
  const signal = AbortSignal.timeout(timeoutMs);
  const a = await httpExchange({ url, method: 'POST', headers: d.headers, body: d.body, signal, dispatcher: agents, timeoutMs });
  if (a.ok) return { status: a.status, ms: a.latencyMs };
  const e = a.error;
  const errorKey = e.kind === 'timeout' ? 'timeout' : `${e.kind === 'protocol' ? 'protocol' : 'connection'} error${e.code ? ` (${e.code})` : ''}`;
  return { status: null, ms: a.latencyMs, errorKey };
}

/** Runs the load and the probes; the structured result (for tests and the CLI's formatter). */
export async function loadTestWebhooks(opts: WebhooksTestOptions): Promise<WebhooksTestReport> {
  if (opts.kind !== 'shopify' && opts.kind !== 'chatwoot') throw new UsageError(`--kind: expected shopify or chatwoot, got "${opts.kind}"`);
  const kind: WebhookSource = opts.kind;
  const { url, shown } = parseEndpoint(opts.to);
  const secret = resolveSecret(opts.secret, opts.env ?? process.env);
  const count = intOption('count', opts.count, 100);
  const concurrency = Math.min(intOption('concurrency', opts.concurrency, 10), count);
  const allowed = topicsOf(kind);
  if (opts.topic !== undefined && !allowed.includes(opts.topic)) {
    throw new UsageError(`--topic: ${kind} topics are ${allowed.join(', ')} (got "${opts.topic}")`);
  }
  if (opts.record && !opts.appendEntry) throw new UsageError('--record: no feedback file to record to (check feedbackFile in pitwall.yaml)');
  const topics = opts.topic ? [opts.topic] : [...allowed];
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const now = opts.now ?? Date.now;
  const run = randomBytes(6).toString('hex');
  const startedAt = now();
  const tty = opts.stderr?.isTTY ? opts.stderr : undefined;

  const agent = createHttpAgents({ maxSockets: concurrency });
  try {
    // The load: C workers pulling sequence numbers until `count` are sent.
    const latencies: number[] = [];
    const errors: Record<string, number> = {};
    let next = 0;
    let done = 0;
    let delivered = 0;
    let firstDelivered: Delivery | null = null;
    let lastPaint = 0;
    const paint = (final = false) => {
      if (!tty) return;
      const t = performance.now();
      if (!final && t - lastPaint < 100) return;
      lastPaint = t;
      const failed = done - delivered;
      tty.write(final ? '\r\x1b[2K' : `\r\x1b[2Kwebhooks test: ${done}/${count} sent · ${failed} failed`);
    };
    const t0 = performance.now();
    const worker = async () => {
      while (next < count) {
        const seq = next++;
        const d = buildDelivery(kind, topics[seq % topics.length]!, { run, seq, now: now(), signWith: secret });
        const r = await send(agent, url, d, timeoutMs);
        done++;
        latencies.push(r.ms);
        if (r.status !== null && r.status >= 200 && r.status < 300) {
          delivered++;
          firstDelivered ??= d;
        } else {
          const key = r.errorKey ?? `HTTP ${r.status}`;
          errors[key] = (errors[key] ?? 0) + 1;
        }
        paint();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const elapsedMs = performance.now() - t0;
    paint(true);
    latencies.sort((a, b) => a - b);

    // The probes, one at a time, each with a fresh id so a de-duplicating endpoint cannot mask the answer.
    const probes: EnforcementProbe[] = [];
    const forge = async (name: EnforcementProbe['name'], d: Delivery) => {
      const r = await send(agent, url, d, timeoutMs);
      const outcome: ProbeOutcome =
        r.status === null || r.status >= 500 ? 'inconclusive' : r.status >= 200 && r.status < 300 ? 'ACCEPTED' : 'rejected';
      const detail =
        r.status === null
          ? `no answer: ${r.errorKey}`
          : outcome === 'ACCEPTED'
            ? `answered ${r.status}: the endpoint processes ${name === 'stale timestamp' ? 'replayed old deliveries' : 'unsigned or forged deliveries'}`
            : outcome === 'inconclusive'
              ? `answered ${r.status}: neither accepted nor cleanly refused`
              : `answered ${r.status}`;
      probes.push({ name, forgery: true, status: r.status, outcome, detail });
    };
    const probeBase = { run, now: now() };
    await forge('bad signature', buildDelivery(kind, topics[0]!, { ...probeBase, seq: count + 1, signWith: `${secret}-forged` }));
    await forge('missing signature', buildDelivery(kind, topics[0]!, { ...probeBase, seq: count + 2, signWith: null }));
    if (kind === 'chatwoot') {
      const stale = Math.floor(now() / 1000) - 10 * 60;
      await forge('stale timestamp', buildDelivery(kind, topics[0]!, { ...probeBase, seq: count + 3, signWith: secret, timestampSec: stale }));
    }
    const replay: Delivery = firstDelivered ?? buildDelivery(kind, topics[0]!, { ...probeBase, seq: 0, signWith: secret });
    const r = await send(agent, url, replay, timeoutMs);
    probes.push({
      name: 'replayed delivery',
      forgery: false,
      status: r.status,
      outcome: null,
      detail:
        r.status === null
          ? `no answer: ${r.errorKey}`
          : r.status >= 200 && r.status < 300
            ? `answered ${r.status} (right, if it was not processed twice: ${kind === 'shopify' ? 'Shopify expects idempotent 200s' : 'Chatwoot retries reuse X-Chatwoot-Delivery'})`
            : `answered ${r.status} (the sender will retry a non-2xx; duplicates should get a 200)`,
    });

    const ok = delivered === count && probes.every((p) => !p.forgery || p.outcome === 'rejected');
    return {
      kind,
      endpoint: shown,
      topics,
      count,
      concurrency,
      delivered,
      elapsedMs,
      throughput: elapsedMs > 0 ? (delivered * 1000) / elapsedMs : 0,
      latency: {
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        max: latencies.length ? latencies[latencies.length - 1]! : null,
      },
      errors,
      probes,
      ok,
      startedAt,
    };
  } finally {
    agent.close();
  }
}

/** The report as markdown: printed, and appended to the feedback file with --record. */
export function formatWebhooksReport(r: WebhooksTestReport): string {
  const when = `${new Date(r.startedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const errors = Object.entries(r.errors).sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));
  const findings = r.probes.filter((p) => p.outcome === 'ACCEPTED');
  const unclear = r.probes.filter((p) => p.outcome === 'inconclusive');
  const lines = [
    `### Webhook test · ${r.kind} · ${when}`,
    `Endpoint \`${r.endpoint}\` · ${r.topics.join(', ')} · ${r.count} deliveries, concurrency ${r.concurrency}`,
    '',
    `- Delivered: ${r.delivered}/${r.count} in ${formatLatency(r.elapsedMs)} (${r.throughput.toFixed(1)}/s)`,
    `- Latency: p50 ${formatLatency(r.latency.p50)} · p95 ${formatLatency(r.latency.p95)} · p99 ${formatLatency(r.latency.p99)} · max ${formatLatency(r.latency.max)}`,
    `- Errors: ${errors.length ? errors.map(([k, n]) => `${k} ×${n}`).join(', ') : 'none'}`,
    ...r.probes.map((p) => {
      const label = p.name[0]!.toUpperCase() + p.name.slice(1);
      if (!p.forgery) return `- ${label}: information, ${p.detail}`;
      const word = p.outcome === 'ACCEPTED' ? '**ACCEPTED** (security finding)' : p.outcome === 'rejected' ? 'rejected' : '**inconclusive**';
      return `- ${label}: ${word}, ${p.detail}`;
    }),
  ];
  const why: string[] = [];
  if (r.delivered < r.count) why.push(`${r.count - r.delivered} of ${r.count} deliveries failed`);
  if (findings.length) why.push(`${findings.map((p) => p.name).join(', ')} ACCEPTED`);
  if (unclear.length) why.push(`${unclear.map((p) => p.name).join(', ')} inconclusive`);
  lines.push(r.ok ? '- **Result: PASS**: everything delivered, every forgery rejected.' : `- **Result: FAIL**: ${why.join('; ')}.`);
  return `${lines.join('\n')}\n`;
}

/** `pitwall webhooks test`. Returns 0 when all was delivered and every forgery refused, 2 otherwise. */
export async function runWebhooksTest(opts: WebhooksTestOptions): Promise<number> {
  const report = await loadTestWebhooks(opts);
  // The secret never goes into the report, but scrub it anyway in case an endpoint echoed it into an error.
  const redactor = createRedactor([resolveSecret(opts.secret, opts.env ?? process.env)]);
  const text = redactor.text(formatWebhooksReport(report));
  opts.write(text);
  if (opts.record && opts.appendEntry) {
    try {
      await opts.appendEntry(text);
    } catch (err) {
      opts.stderr?.write(`pitwall: could not record the result: ${redactor.text((err as Error).message)}\n`);
      return EXIT.down;
    }
  }
  return report.ok ? EXIT.ok : EXIT.down;
}
