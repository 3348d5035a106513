/**
 * What the webhook receiver has seen, as immutable snapshots: deliveries per topic per minute, rejections
 * by reason, duplicates, delivery lag and the last event. Bounded: 60 minutes of buckets, the last 1,000
 * lag samples.
 */
import type { ProbeResult } from '../probes/types.js';
import { percentile } from './stats.js';
import { formatLatency } from '../text/format.js';
import { compareText } from '../shared/builtins.js';

export type WebhookSource = 'shopify' | 'chatwoot';

/** Why a delivery was refused. */
export const REJECT_REASONS = [
  'bad_signature',
  'missing_signature',
  'missing_timestamp',
  'stale_timestamp',
  'too_large',
  'malformed_json',
  'missing_headers',
  'not_found',
  'method_not_allowed',
  'internal_error',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

const REASON_WORDS: Record<RejectReason, string> = {
  bad_signature: 'bad signature',
  missing_signature: 'missing signature',
  missing_timestamp: 'missing timestamp',
  stale_timestamp: 'stale timestamp',
  too_large: 'too large',
  malformed_json: 'malformed JSON',
  missing_headers: 'missing headers',
  not_found: 'unknown path',
  method_not_allowed: 'not a POST',
  internal_error: 'internal error',
};

export interface TopicTotal {
  source: WebhookSource;
  topic: string;
  count: number;
}

export interface MinuteBucket {
  /** Epoch ms of the minute's start. */
  minute: number;
  /** Verified first-time deliveries in that minute, by topic. */
  topics: Record<string, number>;
}

export interface LastEvent {
  source: WebhookSource;
  topic: string;
  id: string | null;
  at: number;
}

/** One snapshot of the receiver's counters. */
export interface WebhookStats {
  startedAt: number;
  /** Verified first-time deliveries. */
  delivered: number;
  topics: TopicTotal[];
  /** Oldest first; only minutes that had deliveries, at most the last 60. */
  perMinute: MinuteBucket[];
  rejected: Partial<Record<RejectReason, number>>;
  rejectedTotal: number;
  /** Verified deliveries already seen (same webhook/event/delivery id): answered 200, not counted twice. */
  duplicates: number;
  /** Shopify's X-Shopify-Triggered-At to our receipt. */
  lag: { samples: number; p50Ms: number | null; p95Ms: number | null; maxMs: number | null };
  last: LastEvent | null;
}

const MINUTES_KEPT = 60;
const LAG_SAMPLES_KEPT = 1000;

/** The mutable side the receiver writes to; `snapshot()` hands out immutable copies. */
export interface WebhookStatsCollector {
  delivered(e: { source: WebhookSource; topic: string; id: string | null; at: number; lagMs?: number }): void;
  duplicate(): void;
  rejected(reason: RejectReason): void;
  snapshot(): WebhookStats;
}

export function createWebhookStats(startedAt: number): WebhookStatsCollector {
  let delivered = 0;
  let duplicates = 0;
  let last: LastEvent | null = null;
  const totals = new Map<string, TopicTotal>();
  const minutes: MinuteBucket[] = [];
  const rejected: Partial<Record<RejectReason, number>> = {};
  const lags: number[] = [];
  let lagNext = 0;

  return {
    delivered(e) {
      delivered++;
      const key = `${e.source} ${e.topic}`;
      const t = totals.get(key);
      if (t) t.count++;
      else totals.set(key, { source: e.source, topic: e.topic, count: 1 });
      const minute = Math.floor(e.at / 60_000) * 60_000;
      let bucket = minutes.at(-1);
      if (!bucket || bucket.minute !== minute) {
        bucket = { minute, topics: {} };
        minutes.push(bucket);
        if (minutes.length > MINUTES_KEPT) minutes.shift();
      }
      bucket.topics[e.topic] = (bucket.topics[e.topic] ?? 0) + 1;
      if (e.lagMs !== undefined && Number.isFinite(e.lagMs)) {
        if (lags.length < LAG_SAMPLES_KEPT) lags.push(e.lagMs);
        else lags[lagNext] = e.lagMs;
        lagNext = (lagNext + 1) % LAG_SAMPLES_KEPT;
      }
      last = { source: e.source, topic: e.topic, id: e.id, at: e.at };
    },
    duplicate() {
      duplicates++;
    },
    rejected(reason) {
      rejected[reason] = (rejected[reason] ?? 0) + 1;
    },
    snapshot() {
      const sorted = [...lags].sort((a, b) => a - b);
      return {
        startedAt,
        delivered,
        topics: [...totals.values()].map((t) => ({ ...t })),
        perMinute: minutes.map((m) => ({ minute: m.minute, topics: { ...m.topics } })),
        rejected: { ...rejected },
        rejectedTotal: Object.values(rejected).reduce((a, b) => a + b, 0),
        duplicates,
        lag: {
          samples: sorted.length,
          p50Ms: percentile(sorted, 50),
          p95Ms: percentile(sorted, 95),
          maxMs: sorted.length ? sorted[sorted.length - 1]! : null,
        },
        last: last ? { ...last } : null,
      };
    },
  };
}

/** "14:05 UTC" */
function hhmm(at: number): string {
  return `${new Date(at).toISOString().slice(11, 16)} UTC`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Markdown bullet lines for the hourly report. Pure: the same stats always give the same lines. */
export function summarizeWebhooks(stats: WebhookStats): string[] {
  if (stats.delivered === 0 && stats.rejectedTotal === 0 && stats.duplicates === 0) {
    return [`- Webhooks: none received since ${hhmm(stats.startedAt)}`];
  }
  const lines: string[] = [];
  const bySource = (['shopify', 'chatwoot'] as const)
    .map((source) => {
      const topics = stats.topics.filter((t) => t.source === source).sort((a, b) => b.count - a.count || compareText(a.topic, b.topic));
      return topics.length ? `${source} ${topics.map((t) => `${t.topic} ${t.count}`).join(', ')}` : '';
    })
    .filter(Boolean);
  lines.push(`- Webhooks received: ${plural(stats.delivered, 'delivery', 'deliveries')}${bySource.length ? ` (${bySource.join('; ')})` : ''}`);
  const busiest = stats.perMinute.reduce<{ minute: number; n: number } | null>((best, m) => {
    const n = Object.values(m.topics).reduce((a, b) => a + b, 0);
    return !best || n > best.n ? { minute: m.minute, n } : best;
  }, null);
  if (busiest) lines.push(`- Busiest minute: ${hhmm(busiest.minute)}, ${plural(busiest.n, 'delivery', 'deliveries')}`);
  if (stats.rejectedTotal > 0) {
    const reasons = REJECT_REASONS.filter((r) => stats.rejected[r]).map((r) => `${REASON_WORDS[r]} ${stats.rejected[r]}`);
    lines.push(`- **Rejected: ${stats.rejectedTotal}** (${reasons.join(', ')})`);
  } else {
    lines.push('- Rejected: none');
  }
  if (stats.duplicates > 0) lines.push(`- Duplicates: ${stats.duplicates} (answered 200, not processed twice)`);
  if (stats.lag.samples > 0) {
    lines.push(
      `- Delivery lag (Shopify triggered-at → received): p50 ${formatLatency(stats.lag.p50Ms)} · p95 ${formatLatency(stats.lag.p95Ms)} · max ${formatLatency(stats.lag.maxMs)} (${plural(stats.lag.samples, 'sample')})`,
    );
  }
  if (stats.last) {
    lines.push(`- Last event: ${stats.last.source} ${stats.last.topic}${stats.last.id ? ` \`${stats.last.id}\`` : ''} at ${new Date(stats.last.at).toISOString().slice(11, 19)} UTC`);
  }
  return lines;
}

/** Shopify's X-Shopify-Topic form of a WebhookSubscriptionTopic name: ORDERS_CREATE → orders/create. */
export function topicHeader(topic: string): string {
  const i = topic.lastIndexOf('_');
  return i < 0 ? topic.toLowerCase() : `${topic.slice(0, i)}/${topic.slice(i + 1)}`.toLowerCase();
}

/**
 * Issue 21: with the receiver running, a Shopify result whose `webhooks` sub-check found ORDERS_CREATE subscribed at
 * the app URL, and whose store counted new orders over the last `silentMinutes`, while the receiver (up that long)
 * got no orders/create delivery in that time: the pipe is broken though every API is up. The sub-check turns
 * degraded and so does an up target. Only orders/create is judged: an order's creation always fires it, while the
 * other topics may rightly stay quiet for an hour.
 */
export function webhookSilence(result: ProbeResult, stats: WebhookStats, now: number): ProbeResult {
  const sub = result.subChecks?.find((s) => s.name === 'webhooks');
  const d = sub?.details as { topics?: Record<string, string>; recentOrders?: unknown; silentMinutes?: unknown } | undefined;
  if (!sub || sub.status !== 'up' || d?.topics?.ORDERS_CREATE !== 'subscribed') return result;
  const minutes = typeof d.silentMinutes === 'number' ? d.silentMinutes : 15;
  const orders = typeof d.recentOrders === 'number' ? d.recentOrders : 0;
  const since = now - minutes * 60_000;
  if (orders === 0 || stats.startedAt > since) return result;
  const topic = topicHeader('ORDERS_CREATE');
  if (stats.perMinute.some((m) => m.minute + 60_000 > since && (m.topics[topic] ?? 0) > 0)) return result;
  const message = `no ${topic} delivery for ${minutes} min while Shopify counted ${plural(orders, 'new order')}: the webhook pipe is broken`;
  const subChecks = result.subChecks!.map((s) =>
    s === sub ? { ...s, status: 'degraded' as const, error: { kind: 'bad_response' as const, code: 'WEBHOOK_SILENT', message } } : s,
  );
  if (result.status !== 'up') return { ...result, subChecks };
  return { ...result, subChecks, status: 'degraded', error: null, reason: 'sub-check webhooks is degraded', cause: 'sub-check' };
}
