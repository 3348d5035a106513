import type { Target } from '../config/config.js';
import type { RunProbe } from './engine.js';
import { createHttpAgents, loadFetchClasses, warmHttp } from '../probes/http-client.js';
import { probeHttp } from '../probes/http.js';
import { probeStatuspage } from '../probes/statuspage.js';
import type { GaProber } from '../probes/ga.js';
import type { McpProber } from '../probes/mcp.js';
import type { ProbeContext } from '../probes/types.js';

/** Dispatches each target to its probe and owns what probes share: the HTTP agent and MCP sessions. */
export interface ProbeRunner {
  run: RunProbe;
  /** Closes MCP sessions (ending their process groups) and the HTTP agent. */
  close(): Promise<void>;
  /** For process exit and signals: kill every MCP child process group now. */
  killAllSync(): void;
}

/** A module loaded on first use, once: `check --only mcp-x` must not load the GA and Shopify SDKs. */
function lazy<T>(load: () => Promise<T>) {
  let loading: Promise<T> | undefined;
  let value: T | undefined;
  return {
    get: () => (loading ??= load().then((v) => (value = v))),
    loaded: () => loading,
    value: () => value,
  };
}

export function createProbeRunner(opts: { now?: () => number } = {}): ProbeRunner {
  const agent = lazy(async () => createHttpAgents());
  const mcp = lazy<McpProber>(async () => (await import('../probes/mcp.js')).createMcpProber(opts.now ? { now: opts.now } : {}));
  // One GA client per target, kept: its token cache and channel would otherwise be rebuilt every interval.
  const ga = lazy<GaProber>(async () => (await import('../probes/ga.js')).createGaProber());
  const shopify = lazy(async () => (await import('../probes/shopify.js')).probeShopify);
  const chatwoot = lazy(async () => (await import('../probes/chatwoot.js')).probeChatwoot);
  const salesSync = lazy(async () => (await import('../probes/sales-sync.js')).probeSalesSync);
  // Credentials before they expire: Shopify's refreshing token keeper (per target, in memory) and the sub-checks.
  const tokens = lazy(async () => (await import('../probes/shopify-token.js')).createShopifyTokens(opts.now ? { now: opts.now } : {}));
  const creds = lazy(async () => import('../probes/credentials.js'));
  const nowDate = () => new Date(opts.now ? opts.now() : Date.now());
  // The HTTP probes (GA's REST calls too) share one keep-alive agent; MCP brings its own transports.
  const http = async (ctx: ProbeContext) => ({ ...ctx, dispatcher: await agent.get() });
  const run: RunProbe = async (target: Target, ctx) => {
    switch (target.kind) {
      case 'http':
        return probeHttp(target, await http(ctx));
      case 'statuspage':
        return probeStatuspage(target, await http(ctx));
      case 'shopify': {
        const c = await http(ctx);
        const prepared = await (await tokens.get()).prepare(target, c, target.expiry);
        return (await creds.get()).withCredentials(await (await shopify.get())(prepared.target, c), prepared.subChecks);
      }
      case 'chatwoot':
        return (await chatwoot.get())(target, await http(ctx));
      case 'ga': {
        const { withCredentials, gaCredentialSubChecks } = await creds.get();
        return withCredentials(await (await ga.get()).probe(target, await http(ctx)), await gaCredentialSubChecks(target, nowDate()));
      }
      case 'mcp': {
        const result = await (await mcp.get()).probe(target, ctx);
        if (target.transport !== 'http') return result;
        const { withCredentials, mcpCredentialSubChecks } = await creds.get();
        return withCredentials(result, mcpCredentialSubChecks(result, target.expiry, nowDate()));
      }
      case 'sales-sync':
        // Shares the ga target's cached client, and the HTTP agent with the shopify target.
        // The shopify source's token through the same keeper: a refresh in flight (or due) is waited for, not raced.
        const c = await http(ctx);
        const shopifySource = (await (await tokens.get()).prepare(target.sources.shopify, c, target.expiry)).target;
        return (await salesSync.get())({ ...target, sources: { ...target.sources, shopify: shopifySource } }, c, { ga: await ga.get() });
    }
  };
  // Everything the targets need, loaded (and the agent built) before the engine's first round: compiling the GA
  // client or the MCP SDK takes the event loop for tens of milliseconds, which a loopback exchange timed meanwhile
  // would count as the upstream's.
  run.prepare = async (targets) => {
    const kinds = new Set(targets.map((t) => t.kind));
    const loads: Promise<unknown>[] = [];
    if (['http', 'statuspage', 'shopify', 'chatwoot', 'ga', 'sales-sync'].some((k) => kinds.has(k as Target['kind']))) loads.push(agent.get().then(warmHttp));
    if (kinds.has('shopify')) loads.push(shopify.get());
    if (kinds.has('chatwoot')) loads.push(chatwoot.get());
    if (kinds.has('ga') || kinds.has('sales-sync')) loads.push(ga.get());
    if (kinds.has('sales-sync')) loads.push(salesSync.get());
    if (kinds.has('mcp')) loads.push(mcp.get());
    if (kinds.has('shopify') || kinds.has('sales-sync') || targets.some((t) => t.kind === 'mcp' && t.transport === 'http')) loadFetchClasses();
    await Promise.all(loads);
  };
  return {
    run,
    async close() {
      await Promise.allSettled([mcp.loaded()?.then((p) => p.close()), ga.loaded()?.then((p) => p.close()), agent.loaded()?.then((a) => a.close())]);
    },
    killAllSync: () => mcp.value()?.killAllSync(),
  };
}
