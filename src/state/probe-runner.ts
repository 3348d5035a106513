import type { Target } from './config.js';
import type { RunProbe } from './engine.js';
import { createHttpAgent } from '../probes/http-client.js';
import { probeHttp } from '../probes/http.js';
import { probeStatuspage } from '../probes/statuspage.js';
import { probeShopify } from '../probes/shopify.js';
import { probeChatwoot } from '../probes/chatwoot.js';
import { createGaProber } from '../probes/ga.js';
import { createMcpProber } from '../probes/mcp.js';

/** Dispatches each target to its probe and owns what probes share: the HTTP agent and MCP sessions. */
export interface ProbeRunner {
  run: RunProbe;
  /** Closes MCP sessions (ending their process groups) and the HTTP agent. */
  close(): Promise<void>;
  /** For process exit and signals: kill every MCP child process group now. */
  killAllSync(): void;
}

export function createProbeRunner(opts: { now?: () => number } = {}): ProbeRunner {
  const dispatcher = createHttpAgent();
  const mcp = createMcpProber(opts.now ? { now: opts.now } : {});
  // One GA client per target, kept: its token cache and channel would otherwise be rebuilt every interval.
  const ga = createGaProber();
  const run: RunProbe = (target: Target, ctx) => {
    const c = { ...ctx, dispatcher };
    switch (target.kind) {
      case 'http':
        return probeHttp(target, c);
      case 'statuspage':
        return probeStatuspage(target, c);
      case 'shopify':
        return probeShopify(target, c);
      case 'chatwoot':
        return probeChatwoot(target, c);
      case 'ga':
        return ga.probe(target, c);
      case 'mcp':
        return mcp.probe(target, c);
    }
  };
  return {
    run,
    async close() {
      await Promise.allSettled([mcp.close(), ga.close(), dispatcher.close()]);
    },
    killAllSync: () => mcp.killAllSync(),
  };
}
