// Escalation latency: the real console in tmux over the 15 loopback targets. For five targets in turn:
// `e` (the prompt opens, prefilled), then Enter → the BLOCKER entry is in the feedback file and fsynced.
// "Fsynced" is seen from outside as: the entry is in the file and `<file>.lock` is gone (the writer
// releases the lock only after fsync). The file is polled every millisecond; the time includes one
// `tmux send-keys` process start.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_COMMAND, median, privateTmux, report, round, sleep, startPeerHost, writeConfig } from './lib.mjs';

const RUNS = Number(process.env.BENCH_ESCALATION_RUNS ?? 8);
const host = await startPeerHost('fifteen');
const dir = mkdtempSync(join(tmpdir(), 'pitwall-bench-esc-'));
const tmux = privateTmux('esc');
const config = writeConfig(dir, host.targets);
const feedback = join(dir, 'feedback', 'integrations.md');
const lock = `${feedback}.lock`;

async function waitFor(what, test, timeoutMs = 10_000) {
  const t0 = performance.now();
  while (!test()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}:\n${tmux.screen('esc')}`);
    await sleep(1);
  }
  return performance.now() - t0;
}

const toDisk = [];
const toPrompt = [];
try {
  tmux.start('esc', `exec ${CLI_COMMAND} watch -c ${config} --state-dir ${join(dir, 'state')}`);
  await waitFor('every target checked', () => (tmux.screen('esc').match(/✔ up /g) ?? []).length >= host.targets.length, 15_000);
  for (let i = 0; i < RUNS; i++) {
    const id = host.targets[i].id;
    const t0 = performance.now();
    tmux.keys('esc', 'e');
    await waitFor(`the prompt for ${id}`, () => tmux.screen('esc').includes(`Escalate ${id}`));
    toPrompt.push(performance.now() - t0);
    const before = statSync(feedback).size;
    const t1 = performance.now();
    tmux.keys('esc', 'Enter');
    await waitFor('the entry on disk', () => statSync(feedback).size > before && !existsSync(lock));
    toDisk.push(performance.now() - t1);
    if (!readFileSync(feedback, 'utf8').includes(`## BLOCKER ${id}`)) throw new Error(`no BLOCKER entry for ${id} in ${feedback}`);
    tmux.keys('esc', 'j');
    await sleep(300);
  }
  tmux.keys('esc', 'q');
  await sleep(500);
} finally {
  tmux.kill();
  await host.close();
  rmSync(dir, { recursive: true, force: true });
}
report({
  runs: RUNS,
  enterToDiskMedianMs: round(median(toDisk), 1),
  enterToDiskMaxMs: round(Math.max(...toDisk), 1),
  keyToPromptMedianMs: round(median(toPrompt), 1),
  allMs: toDisk.map((x) => round(x, 1)),
});
