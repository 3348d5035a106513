// Shared helpers for the benchmarks: percentiles, process CPU from /proc, a private tmux server,
// the loopback peer host and the bench config. Every benchmark imports pitwall from dist/ (built by
// `npm run bench`), so what is measured is what ships.
import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release, type as osType } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli.js');
/**
 * The V8 flags the binary runs with, from its shebang (`#!/usr/bin/env -S node --max-semi-space-size=2`). The
 * benchmarks start it with them, and run the in-process ones (frame, memory, journal, scale) with them too: those
 * stand in for the binary's process, whose young generation the flags size.
 */
// What follows the last " node" of the first line: the same rule as scripts/dev.sh's sed. Then the flags the entry
// sets at run time (src/cli.ts, `setFlagsFromString('--…')`: code flushing), which the in-process benchmarks would
// otherwise run without; given twice to the binary, they are the same setting.
const entry = readFileSync(CLI, 'utf8');
export const BINARY_FLAGS = [
  ...(/^#!.* node(.*)$/.exec(entry.split('\n', 1)[0])?.[1] ?? '').trim().split(/\s+/).filter(Boolean),
  ...[...entry.matchAll(/setFlagsFromString\('(--[^']+)'\)/g)].map((m) => m[1]),
];
const shellQuote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
/** The command line that starts the binary as an installed pitwall does, for a shell (tmux). */
export const CLI_COMMAND = [process.execPath, ...BINARY_FLAGS, CLI].map(shellQuote).join(' ');

/** Imports a module from dist/ ("state/store.js"). */
export const dist = (rel) => import(new URL(`../dist/${rel}`, import.meta.url).href);

/** Nearest-rank percentile (p in 0..100) of numbers, or null for none. */
export function pct(values, p) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
export const median = (values) => pct(values, 50);
export const round = (n, digits = 1) => (n === null || n === undefined ? null : Math.round(n * 10 ** digits) / 10 ** digits);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The one line a benchmark prints for run.mjs: its figures as JSON. */
export function report(figures) {
  process.stdout.write(`BENCH-RESULT ${JSON.stringify(figures)}\n`);
}

// ---------------------------------------------------------------- CPU time from /proc

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** [pid, ppid, utime+stime+cutime+cstime in ms] for one process, or null once it is gone. */
function statOf(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
  const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  return { pid, ppid: Number(f[1]), ms: (ticks * 1000) / CLK_TCK };
}

/**
 * CPU time (ms) of a process and all its descendants: every live process's own time plus what it
 * reaped from dead children (cutime/cstime), so a dead `curl` counts once, in its shell.
 */
export function treeCpuMs(rootPid) {
  const all = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = statOf(Number(name));
    if (s) all.push(s);
  }
  const children = new Map();
  for (const s of all) (children.get(s.ppid) ?? children.set(s.ppid, []).get(s.ppid)).push(s);
  const root = all.find((s) => s.pid === rootPid);
  if (!root) return null;
  let ms = 0;
  const stack = [root];
  while (stack.length) {
    const s = stack.pop();
    ms += s.ms;
    stack.push(...(children.get(s.pid) ?? []));
  }
  return ms;
}

// ---------------------------------------------------------------- tmux on a private socket

/** A tmux server of our own (its own socket), so no one else's sessions are touched. */
export function privateTmux(name) {
  const socket = `pitwall-bench-${name}-${process.pid}`;
  const run = (...args) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  return {
    run,
    /** Starts a detached session running `command` (through sh) in a cols×rows terminal. */
    start(session, command, { cols = 160, rows = 50 } = {}) {
      run('new-session', '-d', '-s', session, '-x', String(cols), '-y', String(rows), command);
      run('set-option', '-t', session, 'remain-on-exit', 'on');
    },
    pid: (session) => Number(run('display-message', '-p', '-t', session, '#{pane_pid}').trim()),
    screen: (session) => run('capture-pane', '-p', '-t', session),
    keys: (session, ...keys) => void run('send-keys', '-t', session, ...keys),
    kill() {
      let socketPath = null;
      try {
        socketPath = run('display-message', '-p', '#{socket_path}').trim();
        run('kill-server');
      } catch {
        // already gone
      }
      // tmux leaves its socket file behind when its server is killed.
      if (socketPath) rmSync(socketPath, { force: true });
    },
  };
}

export function hasTmux() {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- loopback peers in their own process

/**
 * Starts the loopback peers in a child process (bench/peer-host.mjs), so the harness blocking on tmux
 * or the engine under test never delays a peer's answer. Resolves with what the host reports.
 */
export function startPeerHost(set, opts = {}) {
  const child = fork(fileURLToPath(new URL('./peer-host.mjs', import.meta.url)), [set, JSON.stringify(opts)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map();
  let seq = 0;
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`peer host exited (${code}) before it was ready`)));
    child.on('message', (m) => {
      if (m.type === 'ready') {
        child.removeAllListeners('exit');
        resolve({
          ...m.info,
          pid: child.pid,
          /** Sends a command to the host and waits for its answer. */
          call(cmd, args = {}) {
            const id = ++seq;
            child.send({ id, cmd, ...args });
            return new Promise((res) => waiting.set(id, res));
          },
          close: () =>
            new Promise((res) => {
              if (child.exitCode !== null) return res();
              child.once('exit', () => res());
              child.send({ id: 0, cmd: 'close' });
            }),
        });
      } else if (m.id && waiting.has(m.id)) {
        waiting.get(m.id)(m.result);
        waiting.delete(m.id);
      }
    });
  });
}

/** Writes a config (JSON is valid YAML) and an empty feedback file into `dir`; returns the config path. */
export function writeConfig(dir, targets, extra = {}) {
  mkdirSync(join(dir, 'feedback'), { recursive: true });
  writeFileSync(join(dir, 'feedback', 'integrations.md'), '# Integrations (pitwall bench)\n');
  const path = join(dir, 'pitwall.yaml');
  writeFileSync(
    path,
    JSON.stringify(
      { store: 'Bench Store', feedbackFile: 'feedback/integrations.md', defaults: { intervalSeconds: 5, timeoutMs: 5000, retries: 0 }, targets, ...extra },
      null,
      2,
    ),
  );
  return path;
}

// ---------------------------------------------------------------- the machine

export function machine() {
  const c = cpus();
  let distro = '';
  try {
    distro = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {
    // not Linux, or no os-release
  }
  return {
    cpu: c[0]?.model?.trim() ?? 'unknown',
    cores: c.length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    os: `${distro || osType()} (kernel ${release()})`,
    node: process.version,
    loadavg: loadavg().map((n) => round(n, 2)),
  };
}

// ---------------------------------------------------------------- the 15 targets and synthetic history

/**
 * The benchmark's 15 targets: five app health endpoints, three Shopify Admin, three Chatwoot, four status
 * pages. Pass the peers' addresses (bench/peer-host.mjs), or nothing for a config that is never probed.
 */
export function fifteenTargets(at = {}) {
  const nowhere = 'http://127.0.0.1:9';
  const health = at.health ?? `${nowhere}/health`;
  const shopify = at.shopify ?? { url: nowhere, token: 'shpat_bench' };
  const chatwoot = at.chatwoot ?? { url: nowhere, accountId: 1, token: 'cw_bench' };
  const tiles = ['sales-pulse', 'inventory-watch', 'fulfillment-flow', 'seo-pulse', 'cx-pulse'];
  const targets = [];
  for (let i = 1; i <= 5; i++) targets.push({ id: `app-health-${i}`, kind: 'http', url: health, expectJson: { path: 'status', equals: 'ok' }, tiles: [tiles[i - 1]] });
  for (let i = 1; i <= 3; i++) {
    targets.push({ id: `shopify-admin-${i}`, kind: 'shopify', shop: 'hotrodan.myshopify.com', accessToken: shopify.token, endpoint: shopify.url, tiles: tiles.slice(0, 4) });
  }
  for (let i = 1; i <= 3; i++) {
    targets.push({ id: `chatwoot-${i}`, kind: 'chatwoot', baseUrl: chatwoot.url, accountId: chatwoot.accountId, apiToken: chatwoot.token, tiles: ['cx-pulse'] });
  }
  for (let i = 1; i <= 2; i++) targets.push({ id: `shopify-status-${i}`, kind: 'statuspage', url: at.shopifyStatus ?? nowhere });
  for (let i = 1; i <= 2; i++) targets.push({ id: `github-status-${i}`, kind: 'statuspage', url: at.githubStatus ?? nowhere });
  return targets;
}

/** A seeded PRNG (mulberry32): the same synthetic history on every run. */
export function seeded(seed = 42) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A plausible probe result: mostly up (20–400 ms), about 1% degraded (slow), about 0.5% down (timeout or
 * HTTP 503 with a body excerpt); Shopify-like targets report throttle headroom.
 */
export function syntheticResult(kind, rand) {
  const x = rand();
  const headroom = kind === 'shopify' ? { headroom: [{ name: 'throttle', remaining: Math.round(800 + rand() * 1200), limit: 2000 }] } : {};
  if (x < 0.0025) return { status: 'down', latencyMs: null, error: { kind: 'timeout', message: 'no answer within 5000 ms' }, details: {}, ...headroom };
  if (x < 0.005) {
    return {
      status: 'down',
      latencyMs: null,
      error: { kind: 'http', message: 'HTTP 503, expected 200', httpStatus: 503, evidence: '{"status":"error","checks":{"database":"down"}}' },
      details: { httpStatus: 503 },
      ...headroom,
    };
  }
  const latencyMs = Math.round((20 + rand() ** 3 * 380) * 10) / 10;
  if (x < 0.015) return { status: 'degraded', latencyMs: latencyMs + 2000, error: null, reason: `slow: ${Math.round(latencyMs + 2000)} ms over 2000 ms`, details: {}, ...headroom };
  return { status: 'up', latencyMs, error: null, details: { httpStatus: 200 }, ...headroom };
}

/**
 * Feeds `hours` of history through a store and a journal, as the console wires them (attachJournal, the
 * engine's dispatches and onResult), on a fake clock: every target every `intervalMs`.
 * Calls onHour(hour, clock) after each simulated hour. Returns the end time and the journal.
 * The history ends now unless `start` is given.
 */
export async function feedHistory({ hours, dir, configPath, intervalMs = 5000, start, onHour = () => {} }) {
  // By default the history ends now, so a console started over this journal sees it as its own.
  start ??= Date.now() - (Date.now() % intervalMs) - hours * 3_600_000;
  const { configFromObject } = await dist('config/config.js');
  const { createStore, initialState } = await dist('state/store.js');
  const { attachJournal, openJournal } = await dist('journal/journal.js');
  const config = configFromObject({ store: 'Bench Store', feedbackFile: join(dir, 'integrations.md'), targets: fifteenTargets() });
  let clock = start;
  const now = () => clock;
  const store = createStore(initialState(config, { now: clock }));
  const journal = openJournal({ dir, configPath, now });
  const detach = attachJournal(store, journal);
  const rand = seeded(1);
  const steps = Math.round((hours * 3_600_000) / intervalMs);
  const perHour = Math.round(3_600_000 / intervalMs);
  for (let step = 1; step <= steps; step++) {
    clock = start + step * intervalMs;
    for (const t of config.targets) {
      const result = syntheticResult(t.kind, rand);
      store.dispatch({ type: 'probe-started', id: t.id, at: clock });
      store.dispatch({ type: 'probe-finished', id: t.id, at: clock, result, attempts: 1, nextAt: clock + intervalMs });
      store.dispatch({ type: 'scheduled', id: t.id, nextAt: clock + intervalMs });
      journal.appendResult(t.id, result, clock);
    }
    if (step % perHour === 0) await onHour(step / perHour, clock, store);
  }
  return { end: clock, store, journal, detach, config };
}
