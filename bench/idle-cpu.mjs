// Idle CPU: the real console in a pseudo-terminal (tmux), 15 loopback targets every 5 s, CPU time over
// wall time for a minute. Side by side, in the same minute: a shell loop running `curl` for exactly the
// same HTTP requests every 5 s (recorded from one `pitwall check` round): the no-tool baseline.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BINARY_FLAGS, CLI, CLI_COMMAND, privateTmux, report, round, sleep, startPeerHost, treeCpuMs, writeConfig } from './lib.mjs';

const SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const WARMUP_MS = 5_000;
const DROP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);
const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/** A shell script that replays one round of requests with curl every 5 s. */
function curlLoop(requests, dir) {
  const lines = requests.map((r, i) => {
    const args = ['curl', '-sS', '-o', '/dev/null', '-X', r.method];
    for (const [k, v] of Object.entries(r.headers)) if (!DROP_HEADERS.has(k)) args.push('-H', q(`${k}: ${v}`));
    if (r.body) {
      const file = join(dir, `body-${i}.txt`);
      writeFileSync(file, r.body);
      args.push('--data-binary', q(`@${file}`));
    }
    args.push(q(r.url));
    return `  ${args.join(' ')}`;
  });
  const script = join(dir, 'curl-loop.sh');
  writeFileSync(script, `while :; do\n${lines.join('\n')}\n  sleep 5\ndone\n`);
  return script;
}

const host = await startPeerHost('fifteen');
const dir = mkdtempSync(join(tmpdir(), 'pitwall-bench-idle-'));
const tmux = privateTmux('idle');
let loop;
try {
  const config = writeConfig(dir, host.targets);

  // One round of `pitwall check`, recorded at the peers: the requests the curl loop repeats.
  await host.call('record-start');
  try {
    execFileSync(process.execPath, [...BINARY_FLAGS, CLI, 'check', '-c', config, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error(`pitwall check against the bench peers did not report all up (exit ${err.status}): ${err.stdout}`);
  }
  const requests = await host.call('record-stop');
  const script = curlLoop(requests, dir);

  tmux.start('idle', `exec ${CLI_COMMAND} watch -c ${config} --state-dir ${join(dir, 'state')}`);
  const pid = tmux.pid('idle');
  loop = spawn('sh', [script], { detached: true, stdio: 'ignore' });

  // Warm-up: every target checked once (start-up is measured elsewhere), then a few quiet seconds.
  const t0w = performance.now();
  let screen = '';
  while ((screen.match(/✔ up /g) ?? []).length < host.targets.length) {
    if (performance.now() - t0w > 30_000) throw new Error(`expected ${host.targets.length} targets up within 30 s:\n${screen}`);
    await sleep(200);
    screen = tmux.screen('idle');
  }
  await sleep(WARMUP_MS);

  const p0 = treeCpuMs(pid);
  const c0 = treeCpuMs(loop.pid);
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const p1 = treeCpuMs(pid);
  const c1 = treeCpuMs(loop.pid);
  const wall = performance.now() - t0;
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

  const pitwallPct = (100 * (p1 - p0)) / wall;
  const curlPct = (100 * (c1 - c0)) / wall;
  tmux.keys('idle', 'q');
  report({
    seconds: round(wall / 1000, 1),
    targets: host.targets.length,
    requestsPerRound: requests.length,
    pitwallCpuMs: round(p1 - p0, 0),
    pitwallPct: round(pitwallPct, 2),
    curlCpuMs: round(c1 - c0, 0),
    curlPct: round(curlPct, 2),
    ratio: round(pitwallPct / curlPct, 2),
    pitwallRssMiB: round(rssKiB / 1024, 1),
  });
} finally {
  if (loop?.pid) {
    try {
      process.kill(-loop.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await sleep(300);
  tmux.kill();
  await host.close();
  rmSync(dir, { recursive: true, force: true });
}
