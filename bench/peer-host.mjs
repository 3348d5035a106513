// Hosts loopback peers (the same fakes as the tests and the demo, from dist/peers) in their own process.
// Started by lib.mjs startPeerHost(set, opts); talks over IPC:
//   → {type:'ready', info}   ← {id, cmd:'setMode'|'record-start'|'record-stop'|'count'|'close', …} → {id, result}
// Sets:
//   fifteen  Shopify Admin, Chatwoot, two status pages and an app health endpoint, and 15 targets on them
//   health   one app health endpoint; opts: {mode, delayMs}
//   preset   the Hot Rod AN preset (`pitwall init`) on loopback: Shopify, Chatwoot, GA (REST), app health, five MCP
//            servers (three stdio, two Streamable HTTP), four status pages; info.targets is the preset's list
// Every HTTP peer reports its own handling time (request in → response finished): ← {cmd:'truth'} → the records
// since the last call, {url, at, ms, start, end}; the latency-truth benchmark subtracts it from what pitwall measured.
import { dirname, join } from 'node:path';
import { dist, fifteenTargets } from './lib.mjs';

const [set = 'fifteen', rawOpts = '{}'] = process.argv.slice(2);
const opts = JSON.parse(rawOpts);

const { startHealthPeer } = await dist('peers/health-peer.js');
const peers = {};
/** Peers without an HTTP server of their own: closed, not instrumented. */
const others = [];
let info;

if (set === 'health') {
  peers.health = await startHealthPeer({ mode: opts.mode ?? 'ok', delayMs: opts.delayMs ?? 0 });
  info = { url: `${peers.health.url}/health` };
} else if (set === 'fifteen') {
  const { startShopifyPeer } = await dist('peers/shopify-peer.js');
  const { startChatwootPeer } = await dist('peers/chatwoot-peer.js');
  const { startStatuspagePeer } = await dist('peers/statuspage-peer.js');
  const [shopify, chatwoot, health, shopifyStatus, githubStatus] = await Promise.all([
    // A bucket large enough for three Admin targets every 5 s: the bench measures pitwall, not throttling.
    startShopifyPeer({ accessToken: 'shpat_bench_not_a_secret', maximumAvailable: 20_000, restoreRate: 1_000 }),
    startChatwootPeer({ apiToken: 'cw_bench_not_a_secret' }),
    startHealthPeer(),
    startStatuspagePeer({ name: 'Shopify' }),
    startStatuspagePeer({ name: 'GitHub' }),
  ]);
  Object.assign(peers, { shopify, chatwoot, health, shopifyStatus, githubStatus });
  const targets = fifteenTargets({
    health: `${health.url}/health`,
    shopify: { url: shopify.url, token: shopify.accessToken },
    chatwoot: { url: chatwoot.url, accountId: chatwoot.accountId, token: chatwoot.apiToken },
    shopifyStatus: shopifyStatus.url,
    githubStatus: githubStatus.url,
  });
  info = { targets };
} else if (set === 'preset') {
  const { startShopifyPeer } = await dist('peers/shopify-peer.js');
  const { startChatwootPeer } = await dist('peers/chatwoot-peer.js');
  const { startStatuspagePeer } = await dist('peers/statuspage-peer.js');
  const { startGaPeer } = await dist('peers/ga-peer.js');
  const { startStreamableHttpPeer, mcpFixtureCommand } = await dist('peers/mcp-peer.js');
  const [shopify, chatwoot, health, shopifyStatus, githubStatus, supabaseStatus, flyStatus, ga, githubMcp, context7Mcp] = await Promise.all([
    startShopifyPeer({ accessToken: 'shpat_bench_not_a_secret', maximumAvailable: 20_000, restoreRate: 1_000 }),
    startChatwootPeer({ apiToken: 'cw_bench_not_a_secret' }),
    startHealthPeer(),
    startStatuspagePeer({ name: 'Shopify' }),
    startStatuspagePeer({ name: 'GitHub' }),
    startStatuspagePeer({ name: 'Supabase' }),
    startStatuspagePeer({ name: 'Fly.io' }),
    startGaPeer(),
    startStreamableHttpPeer({ name: 'github-mcp (bench)', token: 'ghp_bench_not_a_secret' }),
    startStreamableHttpPeer({ name: 'context7 (bench)' }),
  ]);
  Object.assign(peers, { shopify, chatwoot, health, shopifyStatus, githubStatus, supabaseStatus, flyStatus, ga, githubMcp, context7Mcp });
  const stdio = mcpFixtureCommand('healthy');
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const everythingPkg = require.resolve('@modelcontextprotocol/server-everything/package.json');
  const { bin } = require(everythingPkg);
  const everything = { command: process.execPath, args: [join(dirname(everythingPkg), typeof bin === 'string' ? bin : Object.values(bin)[0]), 'stdio'] };
  const every = Number(opts.intervalSeconds ?? 60);
  // The preset's targets, ids, kinds and intervals (src/commands/init.ts), pointed at the peers above.
  info = {
    targets: [
      { id: 'shopify-admin', kind: 'shopify', shop: 'hotrodan.myshopify.com', accessToken: shopify.accessToken, endpoint: shopify.url, subChecks: ['orders', 'products', 'inventory', 'fulfillment'], tiles: ['sales-pulse', 'seo-pulse', 'inventory-watch', 'fulfillment-flow'], intervalSeconds: opts.appIntervalSeconds ?? 30 },
      { id: 'chatwoot', kind: 'chatwoot', baseUrl: chatwoot.url, accountId: chatwoot.accountId, apiToken: chatwoot.apiToken, tiles: ['cx-pulse'], intervalSeconds: opts.appIntervalSeconds ?? 30 },
      { id: 'ga', kind: 'ga', propertyId: '123456789', endpoint: ga.address, insecure: true, tiles: ['sales-pulse', 'seo-pulse'], intervalSeconds: opts.appIntervalSeconds ?? 30 },
      { id: 'app-health', kind: 'http', url: `${health.url}/health`, tiles: ['cx-pulse', 'sales-pulse', 'seo-pulse', 'inventory-watch', 'fulfillment-flow'], intervalSeconds: opts.appIntervalSeconds ?? 30 },
      { id: 'mcp-shopify', kind: 'mcp', transport: 'stdio', command: everything.command, args: everything.args, intervalSeconds: every, timeoutMs: 60_000, degradedMs: 10_000 },
      { id: 'mcp-context7', kind: 'mcp', transport: 'http', url: context7Mcp.endpoint, intervalSeconds: every, timeoutMs: 60_000, degradedMs: 10_000 },
      { id: 'mcp-github', kind: 'mcp', transport: 'http', url: githubMcp.endpoint, headers: { Authorization: 'Bearer ghp_bench_not_a_secret' }, intervalSeconds: every, timeoutMs: 20_000 },
      { id: 'mcp-supabase', kind: 'mcp', transport: 'stdio', command: stdio.command, args: stdio.args, intervalSeconds: every, timeoutMs: 60_000, degradedMs: 10_000 },
      { id: 'mcp-fly', kind: 'mcp', transport: 'stdio', command: stdio.command, args: stdio.args, intervalSeconds: every, timeoutMs: 30_000, degradedMs: 10_000 },
      { id: 'shopify-status', kind: 'statuspage', url: shopifyStatus.url, intervalSeconds: every },
      { id: 'github-status', kind: 'statuspage', url: githubStatus.url, intervalSeconds: every },
      { id: 'supabase-status', kind: 'statuspage', url: supabaseStatus.url, intervalSeconds: every },
      { id: 'fly-status', kind: 'statuspage', url: flyStatus.url, intervalSeconds: every },
    ],
    healthUrl: `${health.url}/health`,
  };
} else {
  throw new Error(`unknown peer set ${set}`);
}

// Idle connections are kept 65 s, as the vendors' front ends do; Node's default (5 s) would drop them at
// exactly the probe interval and make every check pay a new TCP connection.
for (const p of Object.values(peers)) p.server.keepAliveTimeout = Number(process.env.BENCH_PEER_KEEPALIVE_MS ?? 65_000);

// Every request any peer sees: counted always, recorded (for the curl baseline) on demand.
let count = 0;
let recording = null;
let truth = [];
for (const p of Object.values(peers)) {
  p.server.on('request', (req, res) => {
    count++;
    const t0 = performance.now();
    const url = `http://127.0.0.1:${p.port}${req.url}`;
    // start/end: the same instants in epoch ms at performance.now()'s resolution, for requests that overlap.
    res.once('finish', () => truth.push({ url, at: Date.now(), ms: performance.now() - t0, start: performance.timeOrigin + t0, end: performance.timeOrigin + performance.now() }));
    if (!recording) return;
    const chunks = [];
    const rec = { method: req.method, url: `http://127.0.0.1:${p.port}${req.url}`, headers: { ...req.headers }, body: '' };
    recording.push(rec);
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => (rec.body = Buffer.concat(chunks).toString('utf8')));
  });
}

process.on('message', async (m) => {
  let result = null;
  switch (m.cmd) {
    case 'setMode':
      peers[m.peer].setMode(m.mode, m.tune);
      break;
    case 'record-start':
      recording = [];
      break;
    case 'record-stop':
      result = recording;
      recording = null;
      break;
    case 'count':
      result = count;
      break;
    case 'truth':
      result = truth;
      truth = [];
      break;
    case 'close':
      await Promise.allSettled([...Object.values(peers), ...others].map((p) => p.close()));
      process.exit(0);
  }
  process.send({ id: m.id, result });
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', info });
