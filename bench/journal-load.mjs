// Journal load: 72 hours of journal for 15 targets (written by memory.mjs, or here when run alone), read
// back in a fresh process: first what the console does (open, which may compact; load(1 h) at start;
// load(now), which its blocker sync repeats every minute), then load(72 h), everything at once (what
// nothing in pitwall needs today, but the upper bound). Medians of 3; the console's first load is the cold
// one a restart pays.
import { closeSync, mkdtempSync, openSync, readSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dist, feedHistory, median, report, round } from './lib.mjs';

const HOUR = 3_600_000;

/** Newlines in a file, a megabyte at a time: not the whole file as one string, whose garbage the loads below would collect. */
function countLines(file) {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(1 << 20);
  let n = 0;
  try {
    for (let pos = 0, got; (got = readSync(fd, buf, 0, buf.length, pos)) > 0; pos += got) {
      for (let i = buf.indexOf(10); i >= 0 && i < got; i = buf.indexOf(10, i + 1)) n++;
    }
  } finally {
    closeSync(fd);
  }
  return n;
}
let { BENCH_JOURNAL_DIR: dir, BENCH_JOURNAL_END: endText, BENCH_JOURNAL_CONFIG: configPath } = process.env;
let generatedSeconds = null;
if (!dir) {
  const work = mkdtempSync(join(tmpdir(), 'pitwall-bench-journal-'));
  dir = join(work, 'journal');
  configPath = join(work, 'pitwall.yaml');
  const t0 = performance.now();
  const fed = await feedHistory({ hours: 72, dir, configPath });
  fed.detach();
  fed.journal.close();
  endText = String(fed.end);
  generatedSeconds = (performance.now() - t0) / 1000;
}
const end = Number(endText);
const { openJournal, journalPath } = await dist('journal/journal.js');
const path = journalPath(dir, configPath);
const bytes = statSync(path).size;
const lines = countLines(path);

// The console's reads first (a small heap, as in the console), then the whole 72 h.
const console_ = [];
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const journal = openJournal({ dir, configPath, now: () => end });
  const t1 = performance.now();
  const hour = journal.load(end - HOUR);
  const t2 = performance.now();
  // What the console's blocker sync reads every minute: nothing but blockers (and evidence, reports).
  journal.load(end);
  const t3 = performance.now();
  journal.close();
  const hourSamples = Object.values(hour.samples).reduce((n, s) => n + s.length, 0);
  console_.push({ open: t1 - t0, hour: t2 - t1, sync: t3 - t2, hourSamples });
}
const full = [];
for (let i = 0; i < 3; i++) {
  const journal = openJournal({ dir, configPath, now: () => end });
  const t0 = performance.now();
  const all = journal.load(end - 72 * HOUR);
  full.push({ ms: performance.now() - t0, samples: Object.values(all.samples).reduce((n, s) => n + s.length, 0), targets: Object.keys(all.samples).length });
  journal.close();
}
report({
  journalMiB: round(bytes / 2 ** 20, 1),
  lines,
  samples: full[0].samples,
  targets: full[0].targets,
  openMs: round(median(console_.map((r) => r.open)), 1),
  load72hMs: round(median(full.map((r) => r.ms)), 1),
  load72hFirstMs: round(full[0].ms, 1),
  load1hMs: round(median(console_.map((r) => r.hour)), 1),
  load1hFirstMs: round(console_[0].hour, 1),
  blockerSyncMs: round(median(console_.map((r) => r.sync)), 1),
  hourSamples: console_[0].hourSamples,
  generatedSeconds: generatedSeconds === null ? null : round(generatedSeconds, 1),
});
