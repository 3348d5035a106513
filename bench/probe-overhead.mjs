// Probe overhead: the latency pitwall reports for an HTTP check against a loopback server that answers
// after a known delay (0, 50, 500 ms), next to a bare node:http request to the same server from the same
// process (the baseline), alternating. The server runs in its own process (bench/peer-host.mjs).
// error = reported − delay; overhead = the median of (pitwall − the bare request next to it).
import { Agent, request } from 'node:http';
import { dist, median, pct, report, round, startPeerHost } from './lib.mjs';

const DELAYS = [0, 50, 500];
const N = Number(process.env.BENCH_PROBE_N ?? 15);

const { configFromObject } = await dist('config/config.js');
const { createProbeRunner } = await dist('state/probe-runner.js');
const host = await startPeerHost('health', { mode: 'slow', delayMs: 0 });
const config = configFromObject({ store: 'Bench', feedbackFile: '/tmp/x.md', targets: [{ id: 'app-health', kind: 'http', url: host.url, expectJson: { path: 'status', equals: 'ok' } }] });
const target = config.targets[0];
const runner = createProbeRunner();
// The baseline gets a keep-alive agent of its own, as pitwall's runner has one: the least code that sends the
// same request with the same client (Node's http), reading the body to its end.
const agent = new Agent({ keepAlive: true, timeout: 15_000 });

function bare() {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(host.url, { agent, headers: { accept: 'application/json' } }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(performance.now() - t0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
async function probe() {
  const r = await runner.run(target, { signal: AbortSignal.timeout(5000), timeoutMs: 5000, degradedMs: 2000 });
  if (r.latencyMs === null) throw new Error(`the probe failed: ${r.error?.message}`);
  return r.latencyMs;
}

const rows = {};
try {
  for (const delay of DELAYS) {
    // Delay 0 is the plain answer (no timer in the server: setTimeout(0) would add a millisecond).
    await host.call('setMode', { peer: 'health', mode: delay === 0 ? 'ok' : 'slow', tune: delay });
    for (let i = 0; i < 3; i++) await Promise.all([probe(), bare()]); // warm-up: connections, JIT
    const p = [];
    const b = [];
    for (let i = 0; i < N; i++) {
      // Alternate which goes first, so neither always meets a busier server.
      if (i % 2) {
        p.push(await probe());
        b.push(await bare());
      } else {
        b.push(await bare());
        p.push(await probe());
      }
    }
    const errors = p.map((x) => x - delay);
    rows[delay] = {
      pitwallMedian: round(median(p), 2),
      bareMedian: round(median(b), 2),
      bareMedianError: round(median(b) - delay, 2),
      medianError: round(median(errors), 2),
      p95Error: round(pct(errors, 95), 2),
      // Each probe against the bare request next to it: the server's and the machine's noise mostly cancels.
      overhead: round(median(p.map((x, k) => x - b[k])), 2),
    };
  }
} finally {
  await runner.close();
  agent.destroy();
  await host.close();
}
report({ n: N, delays: rows, worstMedianError: Math.max(...Object.values(rows).map((r) => r.medianError)), worstOverhead: Math.max(...Object.values(rows).map((r) => r.overhead)) });
