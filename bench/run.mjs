// `npm run bench` (after a build): every benchmark in its own process, one after the other so they do not
// compete for the two cores; one table on stdout, the same figures in bench/results.json.
//   node bench/run.mjs                 everything (about four minutes)
//   node bench/run.mjs frame scale     only these (figures in bench/results.partial.json)
// Everything runs against loopback peers (src/peers, from dist/) on 127.0.0.1; nothing leaves the machine.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BINARY_FLAGS, CLI, hasTmux, machine } from './lib.mjs';

if (Number(process.versions.node.split('.')[0]) < 22) {
  process.stderr.write(`bench: pitwall needs Node.js 22 or newer (this is ${process.version}); run "npm run bench", which brings one\n`);
  process.exit(3);
}
const HERE = fileURLToPath(new URL('.', import.meta.url));
// React's build follows NODE_ENV; the frame benchmark renders with the one the binary uses.
const binaryReact = /NODE_ENV\s*\?\?=\s*['"]production['"]/.test(readFileSync(CLI, 'utf8')) ? 'production' : 'development';

const BENCHES = [
  // The in-process stand-ins for the binary's process run with its V8 flags (lib.mjs: BINARY_FLAGS).
  { name: 'frame', file: 'frame.mjs', flags: BINARY_FLAGS, env: binaryReact === 'production' ? { NODE_ENV: 'production' } : { NODE_ENV: undefined } },
  { name: 'probe', file: 'probe-overhead.mjs' },
  { name: 'memory', file: 'memory.mjs', flags: ['--expose-gc', ...BINARY_FLAGS] },
  { name: 'journal', file: 'journal-load.mjs', flags: BINARY_FLAGS },
  { name: 'startup', file: 'startup.mjs', tmux: true },
  { name: 'escalation', file: 'escalation.mjs', tmux: true },
  { name: 'scale', file: 'scale.mjs', flags: BINARY_FLAGS },
  { name: 'idle', file: 'idle-cpu.mjs', tmux: true },
  { name: 'mcp', file: 'mcp-check.mjs' },
  { name: 'redact', file: 'redact.mjs' },
  // Two whole checks of 4,000 and 20,000 targets and two more cut by SIGTERM: longer than the others.
  { name: 'many', file: 'many-targets.mjs', flags: BINARY_FLAGS, timeoutMs: 600_000 },
  // The Hot Rod AN preset on loopback peers: latency against the peers' own handling time, memory per way of starting.
  { name: 'truth', file: 'latency-truth.mjs', tmux: true },
  // Three ways × BENCH_PRESET_SECONDS (90) of console, three checks, two floors: ~6 minutes.
  { name: 'preset', file: 'preset-memory.mjs', tmux: true, timeoutMs: 600_000 },
];
const TIMEOUT_MS = 180_000;

const wanted = process.argv.slice(2);
const work = mkdtempSync(join(tmpdir(), 'pitwall-bench-'));
const results = {};
const started = Date.now();
const host = machine();
const tmux = hasTmux();

function runOne(b, env) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...(b.flags ?? []), join(HERE, b.file)], {
      env: Object.fromEntries(Object.entries({ ...process.env, ...env, ...b.env }).filter(([, v]) => v !== undefined)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), b.timeoutMs ?? TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('BENCH-RESULT '));
      const seconds = Math.round((performance.now() - t0) / 100) / 10;
      if (line) resolve({ ok: true, seconds, ...JSON.parse(line.slice('BENCH-RESULT '.length)) });
      else {
        const lines = (err || out).trim().split('\n').filter((l) => l.trim() && !/^\s+at /.test(l) && !l.startsWith('Node.js'));
        resolve({ ok: false, seconds, error: `exit ${code ?? signal}: ${lines.slice(-4).join(' | ')}` });
      }
    });
  });
}

for (const b of BENCHES) {
  if (wanted.length && !wanted.includes(b.name)) continue;
  if (b.tmux && !tmux) {
    results[b.name] = { ok: false, error: 'tmux is not installed' };
    continue;
  }
  process.stderr.write(`bench: ${b.name}…\n`);
  const env = { BENCH_WORK: work };
  const mem = results.memory?.ok ? results.memory : null;
  if (mem && (b.name === 'journal' || b.name === 'startup')) {
    Object.assign(env, { BENCH_JOURNAL_DIR: mem.journalDir, BENCH_JOURNAL_END: String(mem.journalEnd), BENCH_JOURNAL_CONFIG: mem.configPath });
    if (b.name === 'startup') env.BENCH_JOURNAL_FILE = mem.journalFile;
  }
  results[b.name] = await runOne(b, env);
  if (!results[b.name].ok) process.stderr.write(`bench: ${b.name} failed: ${results[b.name].error}\n`);
}
rmSync(work, { recursive: true, force: true });

// ---------------------------------------------------------------- the table

const ok = (pass) => (pass ? '✔' : '✖');
const rows = [];
const row = (figure, measured, target, pass, how) => rows.push({ figure, measured, target, pass, how });
const r = results;
const failed = (name) => r[name] && !r[name].ok && row(name, `not measured: ${r[name].error}`, '', null, '');

if (r.idle?.ok) {
  row('idle CPU', `${r.idle.pitwallPct}% of one core (RSS ${r.idle.pitwallRssMiB} MiB)`, '< 2%', r.idle.pitwallPct < 2,
    `the binary in tmux, ${r.idle.targets} loopback targets every 5 s, ${r.idle.seconds} s once all are checked (+5 s); /proc utime+stime of its process tree`);
  row('idle CPU vs curl loop', `${r.idle.ratio}× (curl loop: ${r.idle.curlPct}%)`, '≤ 0.5×', r.idle.ratio <= 0.5,
    `a shell loop running curl for the same ${r.idle.requestsPerRound} requests every 5 s, same minute`);
} else failed('idle');
if (r.frame?.ok) {
  row('frame cost', `p95 ${r.frame.fullP95} ms (p50 ${r.frame.fullP50})`, 'p95 < 8 ms', r.frame.fullP95 < 8,
    `renderToString of the whole console, ${r.frame.columns}×${r.frame.rows}, 15 targets × ${r.frame.samplesPerTarget} samples, React ${r.frame.react} build, p95 of ${r.frame.n} after 20`);
  row('frame cost: one result', `p95 ${r.frame.updateP95} ms (p50 ${r.frame.updateP50})`, '', null, 'a mounted console: one probe result dispatched → frame written');
  row('frame cost: clock tick', `${r.frame.tickBusyMsPerSecond} ms of CPU per second`, '', null, 'a mounted console doing nothing but its 1 Hz clock');
} else failed('frame');
if (r.memory?.ok) {
  const m = r.memory;
  row('memory', `RSS ${m.rssMiB} MiB, heap ${m.heapMiB} MiB; last third ${m.flat ? 'flat' : 'NOT flat'} (spread ${m.lastThirdHeapSpreadPct}%, ${m.lastThirdSlopeMiBPerHour} MiB/h)`,
    '< 150 MB, flat', m.rssMiB < 150 && m.heapMiB < 150 && m.flat,
    `${m.results.toLocaleString('en')} results (72 h × 15 targets × every 5 s) through store + journal on a fake clock in ${m.feedSeconds} s, with the binary's V8 flags (${BINARY_FLAGS.join(' ') || 'none'}; young generation ${m.youngGenMiB} MiB); --expose-gc, gc before each figure`);
} else failed('memory');
if (r.probe?.ok) {
  const d = r.probe.delays;
  row('probe overhead', `+${r.probe.worstOverhead} ms over a bare node:http request (error vs the delay: ${Object.entries(d).map(([k, v]) => `${v.medianError} ms @${k}`).join(', ')})`,
    'median error < 2 ms', r.probe.worstOverhead < 2,
    `the HTTP probe against a loopback server answering after 0/50/500 ms, ${r.probe.n} each, alternating with a bare node:http request from the same process, whose own error (${Object.values(d).map((v) => v.bareMedianError).join('/')} ms) is the server's timer and the loopback: the figure judged is the median of pitwall minus the bare request next to it`);
} else failed('probe');
if (r.escalation?.ok) {
  row('escalation latency', `median ${r.escalation.enterToDiskMedianMs} ms (max ${r.escalation.enterToDiskMaxMs}); e → prompt ${r.escalation.keyToPromptMedianMs} ms`, '< 50 ms',
    r.escalation.enterToDiskMedianMs < 50, `the binary in tmux: Enter on the prefilled prompt → entry in the file and its lock released (after fsync), ${r.escalation.runs} targets`);
} else failed('escalation');
if (r.startup?.ok) {
  const s = r.startup;
  row('start-up', `${s.firstFrameMs} ms to the first full frame (all 15 checked: ${s.allCheckedMs} ms)`, '< 1 s', s.firstFrameMs < 1000,
    `the binary in tmux, process start → header and every row on screen, median of ${s.runs}, fresh state folder`);
  if (s.restartFirstFrameMs !== null) {
    row('start-up over a 72 h journal', `${s.restartFirstFrameMs} ms (all checked: ${s.restartAllCheckedMs} ms)`, '< 1 s', s.restartFirstFrameMs < 1000, 'the same, restarting over the memory run’s 72 h journal');
  }
} else failed('startup');
if (r.scale?.ok) {
  const s = r.scale;
  row('scale', `drift p99 ${s.driftP99} ms (p50 ${s.driftP50}, max ${s.driftMax}); ${s.runs}/${s.expectedRuns} runs, ${s.skipped} skipped, ${s.failures} failed`,
    'p99 < 100 ms, none skipped', s.driftP99 < 100 && s.skipped === 0,
    `${s.targets} HTTP targets every 1 s for ${s.seconds} s through the engine, one loopback peer (${s.requests} requests); engine process ${s.cpuPct}% CPU`);
} else failed('scale');
if (r.journal?.ok) {
  const j = r.journal;
  row('journal load', `${j.load72hMs} ms for 72 h (${j.samples.toLocaleString('en')} samples, ${j.journalMiB} MiB); open ${j.openMs} ms; the console's last hour ${j.load1hMs} ms (cold ${j.load1hFirstMs}); blocker sync ${j.blockerSyncMs} ms`, '< 500 ms',
    j.load72hMs < 500, 'a fresh process over the memory run’s journal: openJournal (which may compact), load(1 h) as the console does at start, load(now) as its blocker sync does every 60 s, then load(72 h); medians of 3');
} else failed('journal');
if (r.mcp?.ok) {
  const m = r.mcp;
  row('MCP check vs Inspector', `${m.ratio}× (pitwall check ${m.pitwallMedianMs} ms, Inspector ${m.inspectorMedianMs} ms); check loads ${m.checkModules} modules${m.checkLoadsUnneeded.length ? `, needlessly ${m.checkLoadsUnneeded.join(', ')}` : ''}`,
    '≤ 0.7×', m.ratio <= 0.7, `\`pitwall check --only\` vs \`mcp-inspector --cli … --method tools/list\` on fixtures/mcp/healthy.mjs, whole processes, median of ${m.runs}`);
  row('MCP check vs Inspector, 2026-07-28 era', `${m.modernRatio}× (pitwall check ${m.modernPitwallMedianMs} ms in 2026-07-28, Inspector ${m.modernInspectorMedianMs} ms in 2025-11-25)`,
    '≤ 0.7×', m.modernRatio <= 0.7, `the same on fixtures/mcp/v2-server.mjs (SDK v2, dual): pitwall negotiates 2026-07-28, the Inspector CLI its default 2025 handshake`);
} else failed('mcp');
if (r.redact?.ok) {
  const x = r.redact;
  row('redaction, hostile text', `worst ${x.worstMiBMs} ms per MiB; a 300-character excerpt ${x.excerptUs} µs`, '< 250 ms per MiB', x.met,
    'createRedactor with three secrets over 1 MiB of each shape that made the old rules quadratic ("a-", "token_", "secret ", \'"a\', terminal escapes), median of 5');
} else failed('redact');
if (r.many?.ok) {
  const m = r.many;
  row('many targets: check', m.checks.map((c) => `${c.n.toLocaleString('en')} in ${(c.ms / 1000).toFixed(1)} s (${c.usPerTarget} µs each, exit ${c.code ?? c.signal})`).join('; '),
    'linear, finishes', m.allChecked, '`pitwall check --json` over N HTTP targets on one loopback app-health peer (its own process), whole process');
  row('many targets: SIGTERM', `gone ${m.sigterm.map((s) => `${s.exitAfterSigtermMs} ms`).join(' / ')} after SIGTERM (exit ${m.sigterm.map((s) => s.code ?? s.signal).join('/')})`, '≤ 2 s, exit 130',
    m.sigtermAllHandled && m.worstSigtermMs <= 2000, `SIGTERM to a ${Math.max(...m.sizes).toLocaleString('en')}-target check once the peer has answered 500 and half of them`);
  row('many targets: store', `${m.reducer.ns2k} ns per dispatch at 2,000 targets, ${m.reducer.ns20k} at 20,000 (×${m.reducer.ratio})`, '× < 2', m.reducer.ratio < 2,
    'the reducer alone over a whole check (three dispatches per target), in this process');
} else failed('many');
if (r.truth?.ok) {
  const t = r.truth;
  const line = (f) => `p50 ${f.p50Ms} / p95 ${f.p95Ms} ms vs the peers' ${f.truthP50Ms} / ${f.truthP95Ms}: +${f.excessP50Ms} / +${f.excessP95Ms} ms`;
  row('latency truth: console', line(t.console), '≤ +2 / +5 ms', t.console.ok,
    `the binary in tmux with the Hot Rod AN preset on loopback peers for ${t.seconds} s, each journaled sample of the HTTP targets paired with the peer's own handling time (Shopify: its span for the sample's documents); first round on, the cold first sample of each target (shown apart) excluded: ${t.consoleCold.excessMs.join(', ')} ms`);
  row('latency truth: check', line(t.check), '≤ +2 / +5 ms', t.check.ok, '`pitwall check --json` with the same config, one process after another, after one unmeasured check (the peers warm)');
  row('latency truth: curl, same minute', line(t.curl), '', null, '`curl -w %{time_total}` against app health every 2 s while the console ran: the no-tool figure on the same machine');
} else failed('truth');
if (r.preset?.ok) {
  const p = r.preset;
  const ways = ['node', 'npmStart', 'bin'].filter((w) => p[w]);
  row('memory: console, preset', ways.map((w) => `${w} ${p[w].consoleRssMiB} MiB (peak ${p[w].consolePeakRssMiB})`).join(', '), '< 100 MB, same each way',
    ways.every((w) => p[w].consolePeakRssMiB < 100), `pitwall's own process (not the MCP servers it starts), ${p.seconds} s of the Hot Rod AN preset (${p.targets} targets) on loopback peers, in tmux`);
  if (p.bin?.consoleAnonMiB != null) row('memory: console, its parts', `bin: ${p.bin.consoleAnonMiB} MiB anonymous (heap, WASM memory, malloc), ${p.bin.consoleFileMiB} MiB file-backed`, '', null, 'the last reading split (RssAnon / RssFile): file-backed is the node binary\'s and libraries\' pages the process has touched, shared with every process that maps them, but counted in RSS');
  if (p.floor_node != null) row('memory: the floor', `bare Node ${p.floor_node} MiB; Node with one Ink screen ${p.floor_ink} MiB`, '', null, 'with the binary\'s flags, in tmux, no pitwall code (bench/ink-floor.mjs): what the console\'s figure stands on');
  row('memory: check, preset', ways.map((w) => `${w} ${p[w].checkPeakRssMiB} MiB`).join(', '), '< 150 MB', ways.every((w) => p[w].checkPeakRssMiB < 150), '`pitwall check --json` over the same config: peak RSS (VmHWM)');
} else failed('preset');

const table = [
  '| Figure | Measured | Target | |',
  '| --- | --- | --- | --- |',
  ...rows.map((x) => `| ${x.figure} | ${x.measured} | ${x.target} | ${x.pass === null ? '' : ok(x.pass)} |`),
].join('\n');
const how = rows.filter((x) => x.how).map((x) => `- **${x.figure}:** ${x.how}`).join('\n');
const machineLine = `${host.cpu}, ${host.cores} cores, ${host.memoryGiB} GiB, ${host.os}, Node ${host.node}; the binary's V8 flags: ${BINARY_FLAGS.join(' ') || 'none'}; load average at start ${host.loadavg.join(' ')}`;
const doc = {
  startedAt: new Date(started).toISOString(),
  seconds: Math.round((Date.now() - started) / 1000),
  machine: host,
  loadavgAtEnd: machine().loadavg,
  binaryReact,
  binaryFlags: BINARY_FLAGS,
  rows,
  results,
};
// A run of some benchmarks only must not replace the full figures the README quotes.
writeFileSync(join(HERE, wanted.length ? 'results.partial.json' : 'results.json'), `${JSON.stringify(doc, null, 2)}\n`);
process.stdout.write(`${table}\n\n${machineLine}; ${doc.seconds} s in all\n\n${how}\n`);
