// Latency truth: does a latency pitwall reports measure the upstream, or pitwall? The Hot Rod AN preset (13 targets:
// Shopify, Chatwoot, GA, app health, five MCP servers, four status pages) on loopback peers that report their own
// handling time (bench/peer-host.mjs 'preset': request in → response finished). For the plain HTTP targets (app
// health, the status pages) each sample pitwall journaled is paired with the request the peer saw, and for Shopify
// Admin (its GraphQL documents sent together) with the peer's span for them; the excess is pitwall's figure minus the
// peer's.
//   console  the real binary in tmux for BENCH_TRUTH_SECONDS (default 60), the app targets every 5 s
//   check    `pitwall check --json`, BENCH_TRUTH_CHECKS times (default 5): every sample there is its process's first
//   curl     `curl -w %{time_total}` against app health every 2 s in the same minute as the console: the no-tool figure
// "from the first round on": every warm sample counts. The first sample of each target in a console is the cold one
// (pitwall shows it apart and keeps it out of p50/p95); it is reported on its own line.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI_COMMAND, BINARY_FLAGS, CLI, pct, privateTmux, report, round, sleep, startPeerHost, writeConfig } from './lib.mjs';

const SECONDS = Number(process.env.BENCH_TRUTH_SECONDS ?? 60);
const CHECKS = Number(process.env.BENCH_TRUTH_CHECKS ?? 5);
const run = promisify(execFile);

const host = await startPeerHost('preset', { appIntervalSeconds: 5 });
const work = mkdtempSync(join(tmpdir(), 'pitwall-bench-truth-'));
const tmux = privateTmux('truth');
const urlOf = new Map(host.targets.filter((t) => t.kind === 'http' || t.kind === 'statuspage').map((t) => [t.id, t.url]));
urlOf.set('shopify-admin', null); // matched by the peer's port below

/**
 * The peer's record of the request a sample timed: the last one to that URL finished before the sample was taken.
 * A Shopify sample is several GraphQL documents sent together, and its latency is the slowest answer's: its truth is
 * the peer's span for them, from the first one's arrival to the last one's finish (the peer handles them one after
 * another, so the last also waited for the others, inside the peer).
 */
function truthFor(records, id, at) {
  const target = host.targets.find((t) => t.id === id);
  const match = (r) =>
    target.kind === 'shopify' ? r.url.startsWith(target.endpoint) && r.url.includes('/graphql.json') : target.kind === 'statuspage' ? r.url.startsWith(target.url) : r.url === target.url;
  let best = null;
  for (const r of records) if (match(r) && r.at <= at + 2 && (!best || r.at > best.at)) best = r;
  if (!best || target.kind !== 'shopify') return best;
  const batch = records.filter((r) => match(r) && r.end <= best.end && r.start >= best.end - 200);
  return { ...best, ms: best.end - Math.min(...batch.map((r) => r.start)) };
}

function figures(pairs) {
  const ours = pairs.map((p) => p.ours);
  const truth = pairs.map((p) => p.truth);
  const p50 = pct(ours, 50) - pct(truth, 50);
  const p95 = pct(ours, 95) - pct(truth, 95);
  return {
    samples: pairs.length,
    p50Ms: round(pct(ours, 50), 2),
    p95Ms: round(pct(ours, 95), 2),
    truthP50Ms: round(pct(truth, 50), 2),
    truthP95Ms: round(pct(truth, 95), 2),
    excessP50Ms: round(p50, 2),
    excessP95Ms: round(p95, 2),
    worstExcessMs: round(Math.max(...pairs.map((p) => p.ours - p.truth)), 1),
    ok: p50 <= 2 && p95 <= 5,
  };
}

let consoleFig;
let coldFig;
let curlFig;
let checkFig;
try {
  const dir = join(work, 'console');
  const config = writeConfig(dir, host.targets);
  const stateDir = join(dir, 'state');
  await host.call('truth');
  tmux.start('console', `exec ${CLI_COMMAND} watch -c ${config} --state-dir ${stateDir}`);
  // curl in the same minute, against the same peer
  const curl = [];
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{time_total}', urlOf.get('app-health')]);
    curl.push({ ours: Number(stdout) * 1000, at: Date.now() });
    await sleep(2000);
  }
  tmux.keys('console', 'q');
  await sleep(1500);
  const records = await host.call('truth');
  const journal = readdirSync(stateDir, { recursive: true }).map(String).find((f) => f.endsWith('.jsonl') || f.includes('journal'));
  const lines = readFileSync(join(stateDir, journal), 'utf8').split('\n');
  const seen = new Set();
  const warm = [];
  const cold = [];
  for (const line of lines) {
    if (!line.startsWith('[')) continue;
    const [id, at, , latencyMs] = JSON.parse(line);
    if (!urlOf.has(id) || typeof latencyMs !== 'number') continue;
    const truth = truthFor(records, id, at);
    if (!truth) continue;
    (seen.has(id) ? warm : cold).push({ id, ours: latencyMs, truth: truth.ms });
    seen.add(id);
  }
  consoleFig = figures(warm);
  coldFig = { samples: cold.length, excessMs: cold.map((c) => `${c.id} ${round(c.ours - c.truth, 1)}`) };
  const curlPairs = curl.map((c) => ({ ours: c.ours, truth: truthFor(records, 'app-health', c.at + 5)?.ms ?? NaN })).filter((p) => !Number.isNaN(p.truth));
  curlFig = figures(curlPairs);

  // check, one process at a time, after one unmeasured check: the peers' own first requests (accepting, parsing,
  // their code's first run) happen before the handling time they record, and a real vendor is warm.
  await run(process.execPath, [...BINARY_FLAGS, CLI, 'check', '-c', config, '--json'], { maxBuffer: 16 << 20 }).catch((e) => e);
  const pairs = [];
  for (let i = 0; i < CHECKS; i++) {
    await host.call('truth');
    const r = await run(process.execPath, [...BINARY_FLAGS, CLI, 'check', '-c', config, '--json'], { maxBuffer: 16 << 20 }).catch((e) => e);
    const recs = await host.call('truth');
    const doc = JSON.parse(r.stdout);
    for (const t of doc.targets ?? []) {
      if (!urlOf.has(t.id) || typeof t.latencyMs !== 'number') continue;
      const truth = truthFor(recs, t.id, Date.now());
      if (truth) pairs.push({ ours: t.latencyMs, truth: truth.ms });
    }
  }
  checkFig = figures(pairs);
} finally {
  tmux.kill();
  await host.close();
  rmSync(work, { recursive: true, force: true });
}
report({ seconds: SECONDS, console: consoleFig, consoleCold: coldFig, curl: curlFig, check: checkFig });
