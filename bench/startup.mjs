// Start-up: the real binary in tmux over a config with the 15 loopback targets. The pane waits on a FIFO,
// so the clock starts when the process is started (exec node …), not when tmux is. Polls the screen:
//   first frame  the header and every target's row are on screen
//   all checked  every target shows a status (all 15 up)
// Fresh: an empty state folder. Restart: over a 72 h journal ($BENCH_JOURNAL_FILE from memory.mjs, copied).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_COMMAND, dist, median, privateTmux, report, round, sleep, startPeerHost, writeConfig } from './lib.mjs';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 3);
const journalFile = process.env.BENCH_JOURNAL_FILE;
const { journalPath } = await dist('journal/journal.js');

const host = await startPeerHost('fifteen');
const tmux = privateTmux('startup');
const work = mkdtempSync(join(tmpdir(), 'pitwall-bench-startup-'));

async function once(i, withJournal) {
  const dir = join(work, `run-${withJournal ? 'j' : 'f'}${i}`);
  mkdirSync(dir, { recursive: true });
  const config = writeConfig(dir, host.targets);
  const stateDir = join(dir, 'state');
  if (withJournal) {
    mkdirSync(stateDir, { recursive: true });
    copyFileSync(journalFile, journalPath(stateDir, config));
  }
  const fifo = join(dir, 'go');
  execFileSync('mkfifo', [fifo]);
  const session = `s${withJournal ? 'j' : 'f'}${i}`;
  tmux.start(session, `read _ < ${fifo}; exec ${CLI_COMMAND} watch -c ${config} --state-dir ${stateDir}`);
  await sleep(300); // the shell is waiting on the FIFO
  const ids = host.targets.map((t) => t.id);
  const t0 = performance.now();
  writeFileSync(fifo, 'go\n');
  let firstFrame = null;
  let allChecked = null;
  while (performance.now() - t0 < 15_000) {
    const s = tmux.screen(session);
    const t = performance.now() - t0;
    if (firstFrame === null && s.includes('PITWALL') && ids.every((id) => s.includes(id))) firstFrame = t;
    if (firstFrame !== null && (s.match(/✔ up /g) ?? []).length >= ids.length) {
      allChecked = t;
      break;
    }
    await sleep(5);
  }
  tmux.keys(session, 'q');
  await sleep(500);
  if (firstFrame === null || allChecked === null) throw new Error(`no full screen within 15 s:\n${tmux.screen(session)}`);
  return { firstFrame, allChecked };
}

const fresh = [];
const restart = [];
try {
  for (let i = 0; i < RUNS; i++) {
    fresh.push(await once(i, false));
    if (journalFile) restart.push(await once(i, true));
  }
} finally {
  tmux.kill();
  await host.close();
  rmSync(work, { recursive: true, force: true });
}
const m = (list, key) => (list.length ? round(median(list.map((r) => r[key])), 0) : null);
report({
  runs: RUNS,
  firstFrameMs: m(fresh, 'firstFrame'),
  allCheckedMs: m(fresh, 'allChecked'),
  firstFrameAllMs: fresh.map((r) => round(r.firstFrame, 0)),
  restartFirstFrameMs: m(restart, 'firstFrame'),
  restartAllCheckedMs: m(restart, 'allChecked'),
});
