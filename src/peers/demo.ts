import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { configFromObject, type Config } from '../config/config.js';
import { startChatwootPeer, type ChatwootPeerMode } from './chatwoot-peer.js';
import { startGaPeer, type GaPeerMode } from './ga-peer.js';
import { startHealthPeer, type HealthMode } from './health-peer.js';
import { mcpFixtureCommand, startStreamableHttpPeer, type McpPeerMode } from './mcp-peer.js';
import { startShopifyPeer, type ShopifyPeerMode } from './shopify-peer.js';
import { startStatuspagePeer, type StatuspageMode } from './statuspage-peer.js';

/** The fault a demo target is in; `f` cycles healthy → slow → rate-limited → down → healthy. */
export const FAULTS = ['healthy', 'slow', 'rate-limited', 'down'] as const;
export type Fault = (typeof FAULTS)[number];

/** A running demo: the loopback services, the config pointing at them, and fault injection. */
export interface Demo {
  config: Config;
  /** The fresh temp folder holding the demo's feedback file. */
  dir: string;
  /** Puts a target into a fault; returns false for a target without faults. */
  setFault(targetId: string, fault: Fault): boolean;
  /** Moves a target to its next fault and returns it (null: this target has none). */
  cycleFault(targetId: string): Fault | null;
  faultOf(targetId: string): Fault | null;
  /** Runs the scripted launch-day story; resolves when it ends (or is stopped). */
  runScript(opts?: { onStep?: (text: string) => void; speed?: number }): Promise<void>;
  close(): Promise<void>;
}

const SLOW_MS = 3_000;

/** The server-everything entry file, started with our own Node (never npx: no network, no surprise install). */
function everythingCommand(): { command: string; args: string[] } {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('@modelcontextprotocol/server-everything/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin: Record<string, string> | string };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : Object.values(pkg.bin)[0]!;
  return { command: process.execPath, args: [join(dirname(pkgPath), bin), 'stdio'] };
}

/**
 * The demo's store name: never the real store's, so a screen of demo green is never read as the launch's (issue 19).
 */
export const DEMO_STORE = 'pitwall demo shop (not real)';

/** Starts every demo service on 127.0.0.1 (free ports) and builds the config that watches them. */
export async function startDemo(): Promise<Demo> {
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-demo-'));
  mkdirSync(join(dir, 'feedback'));
  writeFileSync(join(dir, 'feedback', 'integrations.md'), '# Integrations log (pitwall demo)\n');
  const [shopify, chatwoot, ga, health, shopifyStatus, githubStatus, mcpHttp] = await Promise.all([
    startShopifyPeer({ accessToken: 'shpat_demo_not_a_secret', shop: { name: DEMO_STORE, myshopifyDomain: 'pitwall-demo.myshopify.com' } }),
    startChatwootPeer({ apiToken: 'cw_demo_not_a_secret' }),
    startGaPeer(),
    startHealthPeer(),
    startStatuspagePeer({ name: 'Shopify' }),
    startStatuspagePeer({ name: 'GitHub' }),
    startStreamableHttpPeer({ name: 'github-mcp (demo)', token: 'ghp_demo_not_a_secret', slowMs: SLOW_MS }),
  ]);
  const peers = [shopify, chatwoot, ga, health, shopifyStatus, githubStatus, mcpHttp];
  const everything = everythingCommand();
  // A 2026-07-28-only server (SDK v2), so the demo shows both protocol eras (server-everything speaks 2025).
  const fixture = mcpFixtureCommand('v2Server', 'stdio', 'modern');
  const config = configFromObject(
    {
      store: DEMO_STORE,
      feedbackFile: join(dir, 'feedback', 'integrations.md'),
      defaults: { intervalSeconds: 5, timeoutMs: 5_000, degradedMs: 2_000, retries: 1 },
      targets: [
        { id: 'shopify-admin', kind: 'shopify', shop: 'pitwall-demo.myshopify.com', accessToken: shopify.accessToken, endpoint: shopify.url, tiles: ['sales-pulse', 'inventory-watch', 'fulfillment-flow', 'seo-pulse'] },
        { id: 'chatwoot', kind: 'chatwoot', baseUrl: chatwoot.url, accountId: chatwoot.accountId, apiToken: chatwoot.apiToken, tiles: ['cx-pulse'] },
        { id: 'ga', kind: 'ga', propertyId: '123456789', endpoint: ga.address, insecure: true, tiles: ['sales-pulse', 'seo-pulse'] },
        { id: 'app-health', kind: 'http', url: `${health.url}/health`, expectJson: { path: 'status', equals: 'ok' }, tiles: ['cx-pulse', 'sales-pulse', 'seo-pulse', 'inventory-watch', 'fulfillment-flow'] },
        { id: 'mcp-shopify', kind: 'mcp', transport: 'stdio', command: everything.command, args: everything.args, intervalSeconds: 15, timeoutMs: 8_000, degradedMs: 2_000 },
        { id: 'mcp-github', kind: 'mcp', transport: 'http', url: mcpHttp.endpoint, headers: { Authorization: 'Bearer ghp_demo_not_a_secret' }, intervalSeconds: 10 },
        { id: 'mcp-fly', kind: 'mcp', transport: 'stdio', command: fixture.command, args: fixture.args, intervalSeconds: 15 },
        { id: 'shopify-status', kind: 'statuspage', url: shopifyStatus.url, intervalSeconds: 10 },
        { id: 'github-status', kind: 'statuspage', url: githubStatus.url, intervalSeconds: 10 },
      ],
    },
    dir,
  );

  type Setter = (f: Fault) => void;
  const setters: Record<string, Setter> = {
    'shopify-admin': (f) => {
      const mode: Record<Fault, ShopifyPeerMode> = { healthy: 'healthy', slow: 'slow', 'rate-limited': 'throttled', down: 'html502' };
      shopify.setMode(mode[f], { slowMs: SLOW_MS });
    },
    chatwoot: (f) => {
      const mode: Record<Fault, ChatwootPeerMode> = { healthy: 'healthy', slow: 'slow', 'rate-limited': 'http429', down: 'http401' };
      // Only the conversations call is slow: the probe makes two calls in a row, and both slow would time out.
      chatwoot.setMode(mode[f], { slowMs: SLOW_MS, ...(f === 'slow' ? { only: 'conversations' as const } : {}) });
    },
    ga: (f) => {
      const mode: Record<Fault, GaPeerMode> = { healthy: 'healthy', slow: 'slow', 'rate-limited': 'exhausted', down: 'unavailable' };
      ga.setMode(mode[f]);
    },
    'app-health': (f) => {
      const mode: Record<Fault, HealthMode> = { healthy: 'ok', slow: 'slow', 'rate-limited': 'http429', down: 'failing' };
      health.setMode(mode[f], SLOW_MS);
    },
    'mcp-github': (f) => {
      const mode: Record<Fault, McpPeerMode> = { healthy: 'ok', slow: 'slow', 'rate-limited': 'http429', down: 'hang' };
      mcpHttp.setMode(mode[f]);
    },
    'shopify-status': (f) => {
      const mode: Record<Fault, StatuspageMode> = { healthy: 'operational', slow: 'minor', 'rate-limited': 'http429', down: 'major' };
      shopifyStatus.setMode(mode[f]);
    },
    'github-status': (f) => {
      const mode: Record<Fault, StatuspageMode> = { healthy: 'operational', slow: 'minor', 'rate-limited': 'http429', down: 'critical' };
      githubStatus.setMode(mode[f]);
    },
  };
  const faults = new Map<string, Fault>(Object.keys(setters).map((id) => [id, 'healthy']));
  let stopScript: (() => void) | null = null;

  const setFault = (id: string, f: Fault) => {
    const set = setters[id];
    if (!set) return false;
    set(f);
    faults.set(id, f);
    return true;
  };

  return {
    config,
    dir,
    setFault,
    faultOf: (id) => faults.get(id) ?? null,
    cycleFault(id) {
      const cur = faults.get(id);
      if (!cur) return null;
      const next = FAULTS[(FAULTS.indexOf(cur) + 1) % FAULTS.length]!;
      setFault(id, next);
      return next;
    },
    runScript({ onStep, speed = 1 } = {}) {
      // A two-minute launch-day story: a Shopify throttle storm, an MCP server that hangs, a vendor incident.
      const story: [number, string, () => void][] = [
        [10, 'Launch email goes out: orders surge and Shopify starts throttling', () => setFault('shopify-admin', 'rate-limited')],
        [25, 'Shopify throttle storm: the Admin API returns 502s', () => setFault('shopify-admin', 'down')],
        [35, 'Shopify status page reports a partial outage', () => setFault('shopify-status', 'down')],
        [50, 'The GitHub MCP server stops answering', () => setFault('mcp-github', 'down')],
        [65, 'Shopify recovers; the status page still says minor', () => (setFault('shopify-admin', 'healthy'), setFault('shopify-status', 'slow'))],
        [80, 'Chatwoot slows down under the support rush', () => setFault('chatwoot', 'slow')],
        [95, 'The GitHub MCP server is back', () => setFault('mcp-github', 'healthy')],
        [110, 'All clear', () => (setFault('chatwoot', 'healthy'), setFault('shopify-status', 'healthy'))],
      ];
      return new Promise<void>((resolve) => {
        const timers = story.map(([at, text, act]) =>
          setTimeout(() => {
            act();
            onStep?.(text);
          }, (at * 1000) / speed),
        );
        const end = setTimeout(() => finish(), (120 * 1000) / speed);
        const finish = () => {
          for (const t of [...timers, end]) clearTimeout(t);
          stopScript = null;
          resolve();
        };
        stopScript = finish;
      });
    },
    async close() {
      stopScript?.();
      await Promise.allSettled(peers.map((p) => p.close()));
    },
  };
}
