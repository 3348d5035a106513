// Many targets: `pitwall check --json` over 4,000 and 20,000 HTTP targets on one loopback app-health peer (its own
// process, 127.0.0.1 only), whole process to whole process; then SIGTERM sent to a 20,000-target check at two
// moments (500 answered, half answered) and the time until it is gone. And the store alone: the
// reducer's cost per dispatch for a check of 2,000 and of 20,000 targets (three dispatches per target), whose ratio
// says whether a dispatch's cost grows with the number of targets (it must not: issue #17).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, BINARY_FLAGS, dist, report, round, startPeerHost, writeConfig } from './lib.mjs';

const SIZES = (process.env.BENCH_MANY_SIZES ?? '4000,20000').split(',').map(Number);
const { configFromObject } = await dist('config/config.js');
const { initialState, reduce } = await dist('state/store.js');

const host = await startPeerHost('health');
if (!host.url.startsWith('http://127.0.0.1:')) throw new Error(`refusing a non-loopback peer: ${host.url}`);
const dir = mkdtempSync(join(tmpdir(), 'pitwall-bench-many-'));
const targets = (n) => Array.from({ length: n }, (_, i) => ({ id: `t-${i}`, kind: 'http', url: host.url }));
const served = () => host.call('count');

/** Runs `pitwall check --json` on `config`; with `stopAt`, sends SIGTERM once the peer has answered that many. */
function check(config, n, stopAt) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...BINARY_FLAGS, CLI, 'check', '-c', config, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    let sentAt = null;
    child.stdout.on('data', (d) => (bytes += d.length));
    child.stderr.on('data', (d) => (stderr += d));
    const base = served();
    const poll = stopAt
      ? setInterval(async () => {
          const now = (await served()) - (await base);
          if (sentAt === null && now >= stopAt) {
            sentAt = performance.now();
            child.kill('SIGTERM');
          }
        }, 20)
      : null;
    const guard = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      clearTimeout(guard);
      const end = performance.now();
      resolve({ n, code, signal, ms: Math.round(end - t0), exitAfterSigtermMs: sentAt === null ? null : Math.round(end - sentAt), bytes, stderr: stderr.slice(0, 300) });
    });
  });
}

// The store alone, in this process: a whole check's dispatches.
function reducerNsPerDispatch(n) {
  const config = configFromObject({ store: 'Bench', feedbackFile: '/tmp/x.md', targets: targets(n) });
  let state = initialState(config, { now: 0 });
  const result = { status: 'up', latencyMs: 1, error: null, details: {} };
  const t0 = performance.now();
  for (const id of state.order) {
    state = reduce(state, { type: 'probe-started', id, at: 1 });
    state = reduce(state, { type: 'probe-finished', id, at: 2, result, attempts: 1, nextAt: null });
    state = reduce(state, { type: 'scheduled', id, nextAt: 3 });
  }
  return ((performance.now() - t0) * 1e6) / (3 * n);
}

const figures = { sizes: SIZES, checks: [], sigterm: [] };
try {
  reducerNsPerDispatch(2_000); // warm
  const small = reducerNsPerDispatch(2_000);
  const large = reducerNsPerDispatch(20_000);
  figures.reducer = { ns2k: Math.round(small), ns20k: Math.round(large), ratio: round(large / small, 2) };
  for (const n of SIZES) {
    const config = writeConfig(join(dir, String(n)), targets(n), { defaults: { intervalSeconds: 30, timeoutMs: 10_000, degradedMs: 10_000, retries: 0 } });
    const r = await check(config, n);
    figures.checks.push({ ...r, usPerTarget: round((r.ms * 1000) / n, 0) });
  }
  const largest = Math.max(...SIZES);
  const config = join(dir, String(largest), 'pitwall.yaml');
  for (const at of [500, Math.round(largest / 2)]) figures.sigterm.push({ at, ...(await check(config, largest, at)) });
  figures.allChecked = figures.checks.every((c) => c.code !== null && c.code <= 2 && c.bytes > 0);
  figures.worstSigtermMs = Math.max(...figures.sigterm.map((s) => s.exitAfterSigtermMs ?? Infinity));
  figures.sigtermAllHandled = figures.sigterm.every((s) => s.code === 130);
  figures.met = figures.allChecked && figures.sigtermAllHandled && figures.worstSigtermMs <= 2_000 && figures.reducer.ratio < 2;
} finally {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
}
report(figures);
