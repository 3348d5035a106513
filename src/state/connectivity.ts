/**
 * "Is it us or them?" (issue 21). Before a result is stored, the engine hands it here (`amend`):
 *
 * - pitwall's own network: a canary (a DNS lookup and/or one well-known HTTP(S) endpoint, config `network.canary`)
 *   failing, or several targets on different hosts failing to connect at once while none answers, means pitwall is
 *   probably offline. A connection or timeout failure is then held: stored as "unknown: pitwall offline", never as a
 *   transition to down, so nothing rings and no escalation is prefilled blaming a vendor. When connectivity is back
 *   the held targets are checked again at once.
 *   Anchor: Gatus's connectivity checker (github.com/TwiN/gatus, config/connectivity/connectivity.go: a TCP dial to a
 *   `checker.target` such as 1.1.1.1:53, re-checked every `interval`, default 60 s, at least 5 s; while it fails Gatus
 *   skips endpoint evaluations). pitwall still runs the checks (an answer is news) but does not believe a failure to
 *   connect while it cannot reach the canary itself.
 * - vendor links: a target's result carries the id of the statuspage target it depends on (`details.statusPage`),
 *   from `vendorLinks:` or the defaults below, so derive.ts can say "likely vendor incident: …" from the page's state.
 * - webhook silence: a Shopify result is judged against what the receiver saw (webhook-stats.ts, webhookSilence).
 */
import { lookup } from 'node:dns/promises';
import type { Config, NetworkConfig, Target } from '../config/config.js';
import { httpExchange } from '../probes/http-client.js';
import type { ProbeResult } from '../probes/types.js';
import type { State } from './store.js';
import { webhookSilence } from './webhook-stats.js';
import { HELD_REASON } from './derive.js';

/** Failures that say nothing about the upstream when pitwall itself cannot connect. */
const NETWORK_KINDS = new Set(['connection', 'timeout']);

/** A suspected burst asks the canary again at most this often (ms). */
const CANARY_MIN_GAP_MS = 5_000;

/** Vendors with a default link: a status page is theirs by URL host or by id/name; a target depends on them by kind or name. */
export const VENDORS = {
  shopify: { page: /shopifystatus\.com$|(^|\W)shopify/i, depends: (t: Target) => t.kind === 'shopify' || /shopify/i.test(t.id) },
  github: { page: /githubstatus\.com$|(^|\W)github/i, depends: (t: Target) => t.kind !== 'statuspage' && /github/i.test(describe(t)) },
  supabase: { page: /status\.supabase\.com$|(^|\W)supabase/i, depends: (t: Target) => t.kind !== 'statuspage' && /supabase/i.test(describe(t)) },
  fly: { page: /status\.flyio\.net$|(^|\W)fly(io)?($|\W)/i, depends: (t: Target) => t.kind !== 'statuspage' && /\.fly\.dev\b|(^|\W)fly($|\W)/i.test(describe(t)) },
} as const;

/** Everything that names what a target talks to: id, name, URL or command line. */
function describe(t: Target): string {
  const where = t.kind === 'mcp' ? (t.transport === 'http' ? t.url : [t.command, ...t.args].join(' ')) : (hostOf(t) ?? '');
  return `${t.id} ${t.name ?? ''} ${where}`;
}

/** The host a target connects to, or null when it connects to none (an MCP server over stdio). */
export function hostOf(t: Target): string | null {
  const url = (u: string) => {
    try {
      return new URL(u).hostname.replace(/^\[|\]$/g, '');
    } catch {
      return null;
    }
  };
  switch (t.kind) {
    case 'shopify':
      return t.endpoint ? url(t.endpoint) : t.shop;
    case 'chatwoot':
      return url(t.baseUrl);
    case 'ga':
      return t.endpoint ? t.endpoint.slice(0, t.endpoint.lastIndexOf(':')).replace(/^\[|\]$/g, '') : 'analyticsdata.googleapis.com';
    case 'mcp':
      return t.transport === 'http' ? url(t.url) : null;
    case 'sales-sync':
      return null; // no host of its own: its two sources are targets with their own rows
    default:
      return url(t.url);
  }
}

/** 127.0.0.0/8, ::1, localhost: a refusal there says nothing about pitwall's network (the burst rule skips them). */
export function isLoopback(host: string): boolean {
  return /^127\./.test(host) || host === '::1' || host === 'localhost' || host.endsWith('.localhost');
}

/** target id → the statuspage target it depends on: `vendorLinks:` first, then the vendor defaults. */
export function vendorLinksOf(config: Pick<Config, 'targets' | 'vendorLinks'>): Map<string, string> {
  const pages = config.targets.filter((t) => t.kind === 'statuspage');
  const links = new Map<string, string>();
  for (const t of config.targets) {
    if (t.kind === 'statuspage') continue;
    const explicit = config.vendorLinks?.[t.id];
    if (explicit !== undefined) {
      if (explicit !== null) links.set(t.id, explicit);
      continue;
    }
    // A sales-sync target compares two vendors' numbers: no default would be fair to both (its sources have their own).
    if (t.kind === 'sales-sync') continue;
    for (const v of Object.values(VENDORS)) {
      if (!v.depends(t)) continue;
      const page = pages.find((p) => v.page.test(hostOf(p) ?? '') || v.page.test(`${p.id} ${p.name ?? ''}`));
      if (page) {
        links.set(t.id, page.id);
        break;
      }
    }
  }
  return links;
}

/** One canary run: null when connected, else why not. */
export type Canary = (c: NonNullable<NetworkConfig['canary']>) => Promise<string | null>;

/** The real canary: resolve `dns`, then reach `url` (any HTTP answer counts: the network carried it). */
export const runCanary: Canary = async (c) => {
  if (c.dns) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        lookup(c.dns),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${c.timeoutMs} ms`)), c.timeoutMs))),
      ]);
    } catch (err) {
      return `canary: DNS lookup of ${c.dns} failed (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    } finally {
      clearTimeout(timer);
    }
  }
  if (c.url) {
    const a = await httpExchange({ url: c.url, method: 'HEAD', signal: AbortSignal.timeout(c.timeoutMs), timeoutMs: c.timeoutMs });
    if (!a.ok) return `canary: ${c.url} unreachable (${a.error.kind}: ${a.error.message})`;
  }
  return null;
};

export interface NetworkWatch {
  /** The result to store: held when pitwall is offline, with its vendor link, webhook silence judged. */
  amend(target: Target, result: ProbeResult, at: number, state: () => State): Promise<ProbeResult>;
  /** Why pitwall thinks it is offline now, or null. */
  offline(now: number): string | null;
  /** Runs the canary now (no-op without one). */
  checkCanary(): Promise<void>;
  /** Starts the periodic canary; `onBack` gets the held targets once connectivity is back. */
  start(onBack: (ids: string[]) => void): void;
  stop(): void;
}

/** Builds the watch for a config; `canary` and `now` are injectable for tests. */
export function createNetworkWatch(config: Pick<Config, 'targets' | 'vendorLinks' | 'network'>, opts: { now?: () => number; canary?: Canary } = {}): NetworkWatch {
  const now = opts.now ?? Date.now;
  const canaryOf = opts.canary ?? runCanary;
  const net = config.network;
  const burst = net?.burst ?? 3;
  const windowMs = (net?.burstWindowSeconds ?? 60) * 1000;
  const links = vendorLinksOf(config);
  const hosts = new Map(config.targets.map((t) => [t.id, hostOf(t)]));
  const failures = new Map<string, { at: number; host: string }>();
  const held = new Set<string>();
  let lastAnswerAt = -Infinity;
  let canaryDown: string | null = null;
  let canaryAt = -Infinity;
  let canaryRun: Promise<void> | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  let onBack: ((ids: string[]) => void) | null = null;
  let wasOffline = false;

  const burstReason = (t: number): string | null => {
    const recent = [...failures.entries()].filter(([, f]) => f.at >= t - windowMs && f.at > lastAnswerAt);
    const distinct = new Set(recent.map(([, f]) => f.host));
    if (distinct.size < burst) return null;
    // A canary that answered after the burst began outranks it: the network is fine, the vendors are not.
    if (net?.canary && canaryDown === null && canaryAt >= Math.min(...recent.map(([, f]) => f.at))) return null;
    return `${recent.length} targets failed to connect at once (${recent.map(([id]) => id).slice(0, 4).join(', ')}${recent.length > 4 ? ', …' : ''}) and none answered`;
  };
  const offline = (t: number) => canaryDown ?? burstReason(t);
  // Connectivity back: the held targets are checked again now rather than at their next interval.
  const settle = () => {
    const off = offline(now()) !== null;
    if (wasOffline && !off && held.size) {
      const ids = [...held];
      held.clear();
      onBack?.(ids);
    }
    wasOffline = off;
  };
  const checkCanary = async () => {
    if (!net?.canary) return;
    canaryRun ??= canaryOf(net.canary)
      .catch((err: unknown) => `canary: ${(err as Error).message}`)
      .then((why) => {
        canaryDown = why;
        canaryAt = now();
        canaryRun = null;
        settle();
      });
    await canaryRun;
  };

  return {
    async amend(target, result, at, state) {
      const host = hosts.get(target.id) ?? null;
      let r = result;
      // A failure to connect asks the canary first (unless it was asked moments ago), so even the first one is judged.
      if (r.status === 'down' && NETWORK_KINDS.has(r.error.kind) && net?.canary && now() - canaryAt > CANARY_MIN_GAP_MS) await checkCanary();
      if (host && !isLoopback(host)) {
        if (r.error && NETWORK_KINDS.has(r.error.kind)) failures.set(target.id, { at, host });
        else {
          failures.delete(target.id);
          lastAnswerAt = Math.max(lastAnswerAt, at);
        }
      }
      const why = offline(at);
      // Held whatever the target's own host: a sales-sync target (whose sources are remote) or a stdio MCP server
      // (whose API is) failing to connect while pitwall is offline says nothing about the vendors either.
      if (why && r.status === 'down' && NETWORK_KINDS.has(r.error.kind)) {
        held.add(target.id);
        r = {
          status: 'degraded',
          latencyMs: null,
          error: null,
          reason: `${HELD_REASON} (${why})`,
          details: { ...r.details, pitwallOffline: why, heldError: `${r.error.kind}: ${r.error.message}` },
          ...(r.phases ? { phases: r.phases } : {}),
        };
      } else held.delete(target.id);
      settle();
      const link = links.get(target.id);
      if (link) r = { ...r, details: { ...r.details, statusPage: link } };
      const webhooks = target.kind === 'shopify' ? state().webhooks : null;
      if (webhooks) r = webhookSilence(r, webhooks.stats, at);
      return r;
    },
    offline,
    checkCanary,
    start(back) {
      onBack = back;
      if (!net?.canary || timer) return;
      void checkCanary();
      timer = setInterval(() => void checkCanary(), net.canary.intervalSeconds * 1000);
      timer.unref?.();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
      onBack = null;
    },
  };
}
