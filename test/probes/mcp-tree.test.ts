import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { ProcessTransport, processRunning } from '../../src/probes/mcp-stdio.js';
import { offSpawnedChange, onSpawnedChange, spawnedNow } from '../../src/shared/spawned.js';

const ESCAPER = join(import.meta.dirname, '..', 'fixtures', 'mcp-escaper.mjs');
const leftovers: number[] = [];
afterEach(() => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone, as it should be.
    }
  }
});

/** Spawns the hostile server and waits (polling its stderr, which a real process needs) until it names its pids. */
async function escaper(): Promise<{ t: ProcessTransport; server: number; helper: number }> {
  const t = new ProcessTransport({ command: process.execPath, args: [ESCAPER], env: { PATH: process.env.PATH ?? '' }, killGraceMs: 300 });
  await t.spawn();
  for (let i = 0; i < 500; i++) {
    const m = /pids (\d+) (\d+)/.exec(t.stderrTail());
    if (m) {
      leftovers.push(Number(m[1]), Number(m[2]));
      // The tree is walked a moment after spawn: let that happen.
      await new Promise((r) => setTimeout(r, 150));
      return { t, server: Number(m[1]), helper: Number(m[2]) };
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the fixture never said its pids: ${t.stderrTail()}`);
}

describe.runIf(process.platform === 'linux')('a stdio server whose helper escapes its process group', () => {
  test('stop ends the server that ignores EOF and SIGTERM, and the helper that left with setsid', async () => {
    const { t, server, helper } = await escaper();
    expect([processRunning(server), processRunning(helper)]).toEqual([true, true]);
    await t.stop(true);
    expect([processRunning(server), processRunning(helper)]).toEqual([false, false]);
  });

  test('killSync (process exit, a second signal) ends both at once', async () => {
    const { t, server, helper } = await escaper();
    t.killSync();
    // SIGKILL is delivered asynchronously by the kernel; wait for the exit the transport sees.
    await t.stop(false);
    for (let i = 0; i < 100 && processRunning(helper); i++) await new Promise((r) => setTimeout(r, 10));
    expect([processRunning(server), processRunning(helper)]).toEqual([false, false]);
  });

  test('what the spawn record keeps: the server and the escaped helper while they run, nothing once stopped', async () => {
    // Given a listener standing in for the spawn record (journal/spawn-record.ts)
    const heard: number[][] = [];
    const listener = (all: { pid: number }[]) => heard.push(all.map((p) => p.pid).sort((a, b) => a - b));
    onSpawnedChange(listener);
    try {
      // When the hostile server runs (its helper left the group with setsid)
      const { t, server, helper } = await escaper();

      // Then both are reported, by pid and start time, before anything could kill pitwall
      await vi.waitFor(() => expect(spawnedNow().map((p) => p.pid)).toEqual(expect.arrayContaining([server, helper])), { timeout: 2_000, interval: 10 });
      expect(spawnedNow().every((p) => /^\d+$/.test(p.start))).toBe(true);

      // And once stopped, nothing is left to record
      await t.stop(true);
      expect(spawnedNow()).toEqual([]);
      expect(heard.at(-1)).toEqual([]);
      expect(heard.some((pids) => pids.includes(server) && pids.includes(helper))).toBe(true);
    } finally {
      offSpawnedChange(listener);
    }
  });
});
