// Hosts loopback peers (the same fakes as the tests and the demo, from dist/peers) in their own process.
// Started by lib.mjs startPeerHost(set, opts); talks over IPC:
//   → {type:'ready', info}   ← {id, cmd:'setMode'|'record-start'|'record-stop'|'count'|'close', …} → {id, result}
// Sets:
//   fifteen  Shopify Admin, Chatwoot, two status pages and an app health endpoint, and 15 targets on them
//   health   one app health endpoint; opts: {mode, delayMs}
import { dist, fifteenTargets } from './lib.mjs';

const [set = 'fifteen', rawOpts = '{}'] = process.argv.slice(2);
const opts = JSON.parse(rawOpts);

const { startHealthPeer } = await dist('peers/health-peer.js');
const peers = {};
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
} else {
  throw new Error(`unknown peer set ${set}`);
}

// Idle connections are kept 65 s, as the vendors' front ends do; Node's default (5 s) would drop them at
// exactly the probe interval and make every check pay a new TCP connection.
for (const p of Object.values(peers)) p.server.keepAliveTimeout = Number(process.env.BENCH_PEER_KEEPALIVE_MS ?? 65_000);

// Every request any peer sees: counted always, recorded (for the curl baseline) on demand.
let count = 0;
let recording = null;
for (const p of Object.values(peers)) {
  p.server.on('request', (req) => {
    count++;
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
    case 'close':
      await Promise.allSettled(Object.values(peers).map((p) => p.close()));
      process.exit(0);
  }
  process.send({ id: m.id, result });
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', info });
