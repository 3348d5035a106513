// Memory: 72 hours of samples (15 targets every 5 s: 777,600 results) through the store and the journal,
// wired as the console wires them, on a fake clock. Heap (after a full GC) every simulated hour, to show
// it is flat once the ring buffers are full; RSS and heap at the end, with what V8 holds for its young
// generation (RSS the heap figure does not show). Then one compaction of the whole journal, forced, for
// what it adds to the process's peak RSS. Run with --expose-gc.
// Leaves the journal in $BENCH_WORK/journal for journal-load.mjs.
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import { feedHistory, report, round } from './lib.mjs';

if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
const HOURS = Number(process.env.BENCH_MEMORY_HOURS ?? 72);
const work = process.env.BENCH_WORK ?? mkdtempSync(join(tmpdir(), 'pitwall-bench-mem-'));
const dir = join(work, 'journal');
mkdirSync(dir, { recursive: true });

const MiB = 2 ** 20;
const measure = () => {
  globalThis.gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed / MiB, rss: m.rss / MiB };
};
const series = [];
const t0 = performance.now();
const { end, journal, detach } = await feedHistory({
  hours: HOURS,
  dir,
  configPath: join(work, 'pitwall.yaml'),
  onHour: (hour) => void series.push({ hour, ...measure() }),
});
const feedSeconds = (performance.now() - t0) / 1000;
const final = measure();
const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
const file = statSync(journal.path).size;
detach();
// Compaction reads and rewrites the whole file (nothing is past the retention yet, so it keeps it all).
const peakBeforeCompact = process.resourceUsage().maxRSS / 1024;
const c0 = performance.now();
journal.compact();
const compactMs = performance.now() - c0;
const peak = process.resourceUsage().maxRSS / 1024;
journal.close();

// Flat in the last third: the spread of the hourly heap figures and the least-squares slope.
const last = series.filter((s) => s.hour > (HOURS * 2) / 3);
const heaps = last.map((s) => s.heap);
const mean = heaps.reduce((a, b) => a + b, 0) / heaps.length;
const mx = last.reduce((a, s) => a + s.hour, 0) / last.length;
const slope = last.reduce((a, s) => a + (s.hour - mx) * (s.heap - mean), 0) / last.reduce((a, s) => a + (s.hour - mx) ** 2, 0);
const spreadPct = (100 * (Math.max(...heaps) - Math.min(...heaps))) / mean;

report({
  hours: HOURS,
  results: HOURS * 720 * 15,
  feedSeconds: round(feedSeconds, 1),
  rssMiB: round(final.rss, 1),
  heapMiB: round(final.heap, 1),
  youngGenMiB: round(newSpace / MiB, 1),
  maxRssMiB: round(Math.max(...series.map((s) => s.rss), final.rss), 1),
  lastThirdHeapSpreadPct: round(spreadPct, 1),
  lastThirdSlopeMiBPerHour: round(slope, 3),
  flat: spreadPct < 10 && Math.abs(slope * (HOURS / 3)) < 0.05 * mean,
  heapByHour: series.map((s) => round(s.heap, 1)),
  journalMiB: round(file / MiB, 1),
  compactMs: round(compactMs, 0),
  // The process's peak RSS (getrusage) before the forced compaction and after it.
  peakRssMiB: round(peakBeforeCompact, 1),
  peakRssWithCompactMiB: round(peak, 1),
  journalDir: dir,
  journalFile: journal.path,
  journalEnd: end,
  configPath: join(work, 'pitwall.yaml'),
});
