// Frame cost: the console's full screen (160×50) over a store holding 15 targets with full history
// (3,600 samples each, all within the last hour: the most the row statistics ever walk), 500 events,
// two targets down, one degraded, an open blocker.
//   full   renderToString of the whole App from scratch (mount, layout, output): p95 of N after warm-up
//   update one probe result dispatched into a mounted console → the frame written (what every result costs)
//   tick   the console doing nothing but its 1 Hz clock for a few seconds: main-thread busy ms per second, and
//          the process's CPU time per second (all threads: GC and compiler too)
// React's build follows NODE_ENV, as in the binary; run.mjs says which one the binary uses.
import { EventEmitter } from 'node:events';
import { dist, fifteenTargets, pct, report, round, seeded, sleep, syntheticResult } from './lib.mjs';

const N = Number(process.env.BENCH_FRAMES ?? 100);
const COLUMNS = 160;
const ROWS = 50;

// renderToString has no stdout: without these, Ink's useWindowSize would spawn `tput` on every render
// (the binary never does: its stdout is a terminal).
process.env.COLUMNS = String(COLUMNS);
process.env.LINES = String(ROWS);

const { createElement: h } = await import('react');
const { render, renderToString } = await import('ink');
const { configFromObject } = await dist('config/config.js');
const { createStore, initialState, SAMPLE_CAPACITY } = await dist('state/store.js');
const { App } = await dist('ui/App.js');
const { StoreProvider } = await dist('ui/store-context.js');

const config = configFromObject({ store: 'Bench Store', feedbackFile: '/tmp/pitwall-bench/feedback/integrations.md', targets: fifteenTargets() });
const now = Date.now();
const store = createStore(initialState(config, { now: now - 3_600_000 }));
const rand = seeded(7);
for (const t of config.targets) {
  for (let i = SAMPLE_CAPACITY - 1; i >= 0; i--) {
    const at = now - i * 1000;
    store.dispatch({ type: 'probe-finished', id: t.id, at, result: syntheticResult(t.kind, rand), attempts: 1, nextAt: at + 5000 });
  }
}
const last = (id, result) => store.dispatch({ type: 'probe-finished', id, at: now, result, attempts: 1, nextAt: now + 5000 });
last('shopify-admin-2', { status: 'down', latencyMs: null, error: { kind: 'http', message: 'HTTP 502 (502 Bad Gateway)', httpStatus: 502 }, details: {} });
last('chatwoot-1', { status: 'down', latencyMs: null, error: { kind: 'auth', message: 'HTTP 401 unauthorized: check the token' }, details: {} });
last('github-status-1', { status: 'degraded', latencyMs: 80, error: null, reason: 'status page: minor (Partial outage)', details: {} });
store.dispatch({ type: 'blocker-opened', blocker: { id: 'B-bench', targetId: 'chatwoot-1', openedAt: now - 600_000, note: 'token rotated?' }, at: now - 600_000 });
for (let i = 0; i < 500; i++) store.dispatch({ type: 'event', event: { type: 'rerun', at: now - (500 - i) * 7000, targetId: config.targets[i % 15].id } });

const noop = () => {};
const actions = {
  rerun: noop,
  setPaused: noop,
  escalate: async () => ({ ok: true, message: '' }),
  resolve: async () => ({ ok: true, message: '' }),
  writeReport: async () => ({ ok: true, message: '' }),
  createFeedbackFile: async () => ({ ok: true, message: '' }),
  savePrefs: noop,
  quit: noop,
};
const tree = (s) => h(StoreProvider, { store: s, actions }, h(App, { size: { columns: COLUMNS, rows: ROWS }, feedbackMissing: false, nextReportAt: () => now + 1_800_000 }));

// Full render from scratch.
let screen = '';
for (let i = 0; i < 20; i++) screen = renderToString(tree(store), { columns: COLUMNS });
const full = [];
for (let i = 0; i < N; i++) {
  const t0 = performance.now();
  renderToString(tree(store), { columns: COLUMNS });
  full.push(performance.now() - t0);
}
const rowsShown = config.targets.filter((t) => screen.includes(t.id)).length;
if (rowsShown !== config.targets.length) throw new Error(`the frame shows ${rowsShown} of ${config.targets.length} targets:\n${screen}`);

// A mounted console (as the binary runs it, minus the terminal): fake streams in Ink's shape.
class Stdout extends EventEmitter {
  isTTY = true;
  columns = COLUMNS;
  rows = ROWS;
  writes = [];
  write = () => (this.writes.push(performance.now()), true);
}
class Stdin extends EventEmitter {
  isTTY = true;
  setEncoding = noop;
  setRawMode = noop;
  resume = noop;
  pause = noop;
  ref = noop;
  unref = noop;
  read = () => null;
}
const stdout = new Stdout();
// Same store, notified synchronously (the binary batches 50 ms; here each dispatch is one frame by design).
const live = createStore(store.getSnapshot());
const instance = render(tree(live), { stdout, stdin: new Stdin(), stderr: new Stdout(), debug: true, exitOnCtrlC: false, patchConsole: false, maxFps: 1000 });
await sleep(200);

const update = [];
for (let i = 0; i < N + 20; i++) {
  const t = config.targets[i % config.targets.length];
  const before = stdout.writes.length;
  const t0 = performance.now();
  live.dispatch({ type: 'probe-finished', id: t.id, at: Date.now(), result: syntheticResult(t.kind, rand), attempts: 1, nextAt: Date.now() + 5000 });
  for (let k = 0; k < 50 && stdout.writes.length === before; k++) await new Promise((r) => setImmediate(r));
  if (stdout.writes.length === before) throw new Error('a dispatched result produced no frame');
  if (i >= 20) update.push(stdout.writes[stdout.writes.length - 1] - t0);
  await sleep(2);
}

// Nothing but the clock: event-loop busy time per second.
const TICK_SECONDS = Number(process.env.BENCH_TICK_SECONDS ?? 5);
const frames0 = stdout.writes.length;
const elu0 = performance.eventLoopUtilization();
const cpu0 = process.cpuUsage();
await sleep(TICK_SECONDS * 1000);
const elu = performance.eventLoopUtilization(elu0);
const cpu = process.cpuUsage(cpu0);
const tickFrames = stdout.writes.length - frames0;
instance.unmount();

report({
  react: process.env.NODE_ENV === 'production' ? 'production' : 'development',
  columns: COLUMNS,
  rows: ROWS,
  samplesPerTarget: SAMPLE_CAPACITY,
  n: N,
  fullP50: round(pct(full, 50), 2),
  fullP95: round(pct(full, 95), 2),
  fullMax: round(Math.max(...full), 2),
  updateP50: round(pct(update, 50), 2),
  updateP95: round(pct(update, 95), 2),
  tickBusyMsPerSecond: round(elu.active / TICK_SECONDS, 1),
  tickCpuMsPerSecond: round((cpu.user + cpu.system) / 1000 / TICK_SECONDS, 1),
  tickFramesPerSecond: round(tickFrames / TICK_SECONDS, 1),
});
