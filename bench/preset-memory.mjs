// Memory of the real binary with the Hot Rod AN preset (`pitwall init`'s 13 targets: Shopify, Chatwoot, GA, app
// health, five MCP servers, four status pages) pointed at loopback peers (bench/peer-host.mjs 'preset'), per way
// of starting it: `node dist/cli.js`, `npm start`, the bin (./dist/cli.js through its shebang).
//   console  in tmux for BENCH_PRESET_SECONDS (default 90): pitwall's own process's RSS (MCP children are not
//            pitwall's heap: they are the servers), sampled every second; the peak (VmHWM) and the last reading, and
//            that last reading's split: anonymous (pitwall's own: heap, WASM memory, malloc) and file-backed (pages
//            of the node binary and libraries it has touched, shared with every process that maps them).
//            90 s, not less: V8 lets the old generation grow between full collections, and the figure settles only
//            after a few of them (at 30 s it read ~5 MiB lower than at 90).
//   check    `pitwall check --json` over the same config: the process's peak RSS (VmHWM, polled)
// The 72-hour figure (flat over 777,600 results) is memory.mjs's; this one is what a laptop sees in the first
// minutes, with every module a real run loads. One unmeasured console run comes first (BENCH_PRESET_WARMUP seconds,
// default 8): the first run after a build fills Node's compile cache, and without it the first way measured paid for
// that and the others did not.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BINARY_FLAGS, CLI, ROOT, privateTmux, report, round, sleep, startPeerHost, writeConfig } from './lib.mjs';

const SECONDS = Number(process.env.BENCH_PRESET_SECONDS ?? 90);
const WARMUP = Number(process.env.BENCH_PRESET_WARMUP ?? 8);
const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/** The ways of starting pitwall, as shell commands (`args` appended). */
const WAYS = {
  node: (args) => `exec ${q(process.execPath)} ${q(CLI)} ${args}`,
  npmStart: (args) => `cd ${q(ROOT)} && exec npm start --silent -- ${args}`,
  bin: (args) => `exec ${q(CLI)} ${args}`,
};

/** Pids of processes running dist/cli.js with `marker` on their command line. */
function pitwallPids(marker) {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (cmd.some((a) => a.endsWith('dist/cli.js')) && cmd.includes(marker) && /node$/.test(cmd[0] ?? '')) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

/** The pid of the node process whose command line ends with `marker`. */
function floorPid(marker) {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (cmd.at(-1) === marker && /node$/.test(cmd[0] ?? '')) return Number(name);
    } catch {
      // gone
    }
  }
  return null;
}

function memOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN);
    const rss = kb('VmRSS') / 1024;
    const hwm = kb('VmHWM') / 1024;
    // A process that has exited but not been reaped (a zombie) has no memory lines.
    return Number.isNaN(rss) || Number.isNaN(hwm) ? null : { rss, hwm, anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 };
  } catch {
    return null;
  }
}

const host = await startPeerHost('preset');
const work = mkdtempSync(join(tmpdir(), 'pitwall-bench-preset-'));
// PATH with this Node first: the bin's shebang (env node) and npm find the same one.
const env = { ...process.env, PATH: `${join(process.execPath, '..')}:${process.env.PATH}` };
const tmux = privateTmux('preset');
const results = {};
try {
  tmux.run('set-environment', '-g', 'PATH', env.PATH);
} catch {
  // no server yet: the first session gets PATH from the environment below
}
try {
  if (WARMUP > 0) {
    const dir = join(work, 'warmup');
    const config = writeConfig(dir, host.targets);
    tmux.start('warmup', `PATH=${q(env.PATH)}; export PATH; ${WAYS.bin(`watch -c ${q(config)} --state-dir ${q(join(dir, 'state'))}`)}`);
    await sleep(WARMUP * 1000);
    tmux.keys('warmup', 'q');
    await sleep(1500);
  }
  for (const [way, command] of Object.entries(WAYS)) {
    const dir = join(work, way);
    const config = writeConfig(dir, host.targets);
    const stateDir = join(dir, 'state');
    // Console
    const session = `c-${way}`;
    tmux.start(session, `PATH=${q(env.PATH)}; export PATH; ${command(`watch -c ${q(config)} --state-dir ${q(stateDir)}`)}`);
    let pid = null;
    const rss = [];
    let hwm = 0;
    let split = null;
    const t0 = performance.now();
    while (performance.now() - t0 < SECONDS * 1000) {
      await sleep(1000);
      pid ??= pitwallPids(config)[0] ?? null;
      const m = pid ? memOf(pid) : null;
      if (m) {
        rss.push(m.rss);
        hwm = Math.max(hwm, m.hwm);
        split = m;
      }
    }
    const screen = tmux.screen(session);
    tmux.keys(session, 'q');
    await sleep(1500);
    const up = (screen.match(/✔ up /g) ?? []).length;
    // check
    const check = spawn('sh', ['-c', command(`check -c ${q(config)} --json`)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let checkHwm = 0;
    let checkPid = null;
    const poll = setInterval(() => {
      checkPid ??= pitwallPids(config).find((p) => p !== pid) ?? null;
      const m = checkPid ? memOf(checkPid) : null;
      if (m) checkHwm = Math.max(checkHwm, m.hwm);
    }, 20);
    let out = '';
    check.stdout.on('data', (d) => (out += d));
    const code = await new Promise((res) => check.on('exit', res));
    clearInterval(poll);
    let checked = null;
    try {
      checked = JSON.parse(out).targets?.length ?? null;
    } catch {
      checked = null;
    }
    results[way] = {
      consoleRssMiB: round(rss.at(-1), 1),
      consolePeakRssMiB: round(hwm, 1),
      consoleAnonMiB: round(split?.anon, 1),
      consoleFileMiB: round(split?.file, 1),
      consoleUpRows: up,
      checkPeakRssMiB: round(checkHwm, 1),
      checkExit: code,
      checkTargets: checked,
    };
  }
  // The floor, the same way: a bare Node that waits, and Node with one Ink screen (bench/ink-floor.mjs), both with
  // the binary's flags, in tmux for the same time.
  const floors = {
    node: `exec ${q(process.execPath)} ${BINARY_FLAGS.map(q).join(' ')} -e 'setInterval(() => {}, 1000)' floor-node`,
    ink: `NODE_ENV=production exec ${q(process.execPath)} ${BINARY_FLAGS.map(q).join(' ')} ${q(join(ROOT, 'bench', 'ink-floor.mjs'))} floor-ink`,
  };
  for (const [name, command] of Object.entries(floors)) {
    tmux.start(`f-${name}`, command);
    await sleep(Math.min(SECONDS, 10) * 1000);
    const pid = floorPid(`floor-${name}`);
    results[`floor_${name}`] = pid ? round(memOf(pid)?.rss, 1) : null;
    tmux.keys(`f-${name}`, 'C-c');
  }
} finally {
  tmux.kill();
  await host.close();
  rmSync(work, { recursive: true, force: true });
}
execFileSync('true');
report({ seconds: SECONDS, targets: host.targets.length, ...results });
