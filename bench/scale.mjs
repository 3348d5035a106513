// Scale: 300 HTTP targets every second for 60 s through the real engine and probe runner, against one
// loopback app-health peer in its own process (127.0.0.1 only; at most 300 × 61 requests). Drift is a run's
// actual start (the probe called) minus its planned start (the engine's schedule); a skipped run is a
// planned slot the schedule jumped over.
import { dist, pct, report, round, sleep, startPeerHost } from './lib.mjs';

const TARGETS = Number(process.env.BENCH_SCALE_TARGETS ?? 300);
const SECONDS = Number(process.env.BENCH_SCALE_SECONDS ?? 60);
const INTERVAL_MS = 1000;

const { configFromObject } = await dist('config/config.js');
const { createEngine } = await dist('state/engine.js');
const { createProbeRunner } = await dist('state/probe-runner.js');
const { createStore, initialState } = await dist('state/store.js');

const host = await startPeerHost('health');
if (!host.url.startsWith('http://127.0.0.1:')) throw new Error(`refusing a non-loopback peer: ${host.url}`);
const config = configFromObject({
  store: 'Bench',
  feedbackFile: '/tmp/x.md',
  defaults: { intervalSeconds: INTERVAL_MS / 1000, timeoutMs: 900, retries: 0 },
  targets: Array.from({ length: TARGETS }, (_, i) => ({ id: `t-${i}`, kind: 'http', url: host.url })),
});

const inner = createStore(initialState(config, { now: Date.now() }), { batchMs: 50 });
const planned = new Map(); // id → the planned start of its next run
const plans = new Map(); // id → every planned start, in order
const drift = [];
const counted = new Map(); // id → the planned start its last counted run had
let remeasures = 0;
const durations = [];
let runs = 0;
let failures = 0;
const failureKinds = {};
// The store sees every schedule the engine makes: that is the plan.
const store = {
  ...inner,
  dispatch(action) {
    if (action.type === 'scheduled' && action.nextAt !== null) {
      planned.set(action.id, action.nextAt);
      (plans.get(action.id) ?? plans.set(action.id, []).get(action.id)).push(action.nextAt);
    }
    inner.dispatch(action);
  },
};
const runner = createProbeRunner();
let stopAt = Infinity;
const engine = createEngine({
  config,
  store,
  runProbe: async (target, ctx) => {
    const at = performance.timeOrigin + performance.now();
    // The engine measures an attempt again when pitwall's own loop stalled during it (engine.ts): that call is not
    // a scheduled run, and its start is not a drift.
    const remeasure = counted.get(target.id) === planned.get(target.id);
    counted.set(target.id, planned.get(target.id));
    if (remeasure) remeasures++;
    else if (at < stopAt) {
      drift.push(at - planned.get(target.id));
      runs++;
    }
    const r = await runner.run(target, ctx);
    const finished = at < stopAt - 1000; // runs cut short by stop() are not failures
    if (finished) durations.push(performance.timeOrigin + performance.now() - at);
    if (finished && r.status === 'down') {
      failures++;
      const k = `${r.error.kind}: ${r.error.message.slice(0, 60)}`;
      failureKinds[k] = (failureKinds[k] ?? 0) + 1;
    }
    return r;
  },
});

const cpu0 = process.cpuUsage();
const t0 = Date.now();
engine.start();
stopAt = t0 + SECONDS * 1000;
await sleep(SECONDS * 1000);
engine.stop();
const cpu = process.cpuUsage(cpu0);
await runner.close();
const requests = await host.call('count');
await host.close();
if (requests > TARGETS * (SECONDS + 2) + remeasures) throw new Error(`${requests} requests: more than the ${TARGETS * (SECONDS + 2)} this benchmark allows itself`);

// A skipped run: two consecutive planned starts more than one interval apart.
let skipped = 0;
let slipped = 0;
for (const list of plans.values()) {
  for (let i = 1; i < list.length; i++) {
    const gap = list[i] - list[i - 1];
    if (gap > INTERVAL_MS) slipped++;
    skipped += Math.max(0, Math.round(gap / INTERVAL_MS) - 1);
  }
}
report({
  targets: TARGETS,
  seconds: SECONDS,
  runs,
  expectedRuns: TARGETS * SECONDS,
  failures,
  failureKinds,
  remeasures,
  requests,
  driftP50: round(pct(drift, 50), 2),
  driftP99: round(pct(drift, 99), 2),
  driftMax: round(Math.max(...drift), 2),
  probeP50: round(pct(durations, 50), 2),
  probeP99: round(pct(durations, 99), 2),
  skipped,
  slipped,
  cpuPct: round((100 * (cpu.user + cpu.system)) / 1000 / (SECONDS * 1000), 1),
});
