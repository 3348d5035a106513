// The built binary (dist/cli.js) and the MCP servers it spawns, when pitwall is stopped or killed: a SIGTERM ends
// every process it started, even a server that ignores EOF and SIGTERM and a helper that left with setsid; a SIGKILL
// leaves them running, and the next run ends them (saying so once), never those of a run that is still alive.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { processRunning } from '../../src/shared/proc.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const STUBBORN = join(import.meta.dirname, '..', 'fixtures', 'mcp-stubborn.mjs');
const dir = mkdtempSync(join(tmpdir(), 'pitwall-orphans-'));
const started: ChildProcess[] = [];
const pidsSeen: number[] = [];

afterEach(() => {
  // Whatever a failed test left: nothing of ours keeps running.
  for (const c of started.splice(0)) c.kill('SIGKILL');
  for (const pid of pidsSeen.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone, as it should be.
    }
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A config in its own folder: one stdio target, the stubborn server, whose pids go to `pids`. */
function world(name: string): { config: string; state: string; pids: string } {
  const base = join(dir, name);
  const state = join(base, 'state');
  const pids = join(base, 'pids');
  const config = join(dir, `${name}.yaml`);
  mkdirSync(join(base, 'feedback'), { recursive: true });
  writeFileSync(join(base, 'feedback', 'integrations.md'), '# log\n');
  writeFileSync(
    config,
    [
      `stateDir: ${state}`,
      `feedbackFile: ${join(base, 'feedback', 'integrations.md')}`,
      'defaults: { intervalSeconds: 3600, timeoutMs: 10000, retries: 0 }',
      'targets:',
      '  - id: stubborn',
      '    kind: mcp',
      '    transport: stdio',
      `    command: ${process.execPath}`,
      `    args: [${STUBBORN}]`,
      `    env: { STUBBORN_PID_FILE: ${pids} }`,
    ].join('\n'),
  );
  return { config, state, pids };
}

/** `pitwall serve` (or another long-running command) started in the background, its output collected. */
function serve(config: string, args = ['serve']) {
  const child = spawn(process.execPath, [CLI, ...args, '-c', config], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, output: () => out };
}

/** The server and helper pids the stubborn fixture wrote (once it is up). */
async function stubbornPids(file: string): Promise<{ server: number; helper: number }> {
  let line = '';
  await vi.waitFor(
    () => {
      line = existsSync(file) ? (readFileSync(file, 'utf8').trim().split('\n')[0] ?? '') : '';
      expect(line).toMatch(/^\d+ \d+$/);
    },
    { timeout: 15_000, interval: 20 },
  );
  const [server, helper] = line.split(' ').map(Number) as [number, number];
  pidsSeen.push(server, helper);
  return { server, helper };
}

/** The pids in this world's spawn records. */
function recorded(state: string): number[] {
  const children = join(state, 'children');
  if (!existsSync(children)) return [];
  return readdirSync(children)
    .filter((n) => n.endsWith('.json'))
    .flatMap((n) => (JSON.parse(readFileSync(join(children, n), 'utf8')) as { procs: { pid: number }[] }).procs.map((p) => p.pid));
}

/** Serve is up once the target has been checked and the record names both the server and its escaped helper. */
async function upAndRecorded(s: ReturnType<typeof serve>, w: ReturnType<typeof world>, logsTransitions = true) {
  const pids = await stubbornPids(w.pids);
  if (logsTransitions) await vi.waitFor(() => expect(s.output()).toMatch(/stubborn new → up/), { timeout: 15_000, interval: 20 });
  await vi.waitFor(() => expect(recorded(w.state)).toEqual(expect.arrayContaining([pids.server, pids.helper])), { timeout: 5_000, interval: 20 });
  return pids;
}

const gone = (pid: number) => vi.waitFor(() => expect(processRunning(pid)).toBe(false), { timeout: 5_000, interval: 20 });

describe.runIf(process.platform === 'linux')('MCP servers when pitwall stops or is killed', () => {
  it('SIGTERM: serve exits promptly and leaves no server, no setsid helper, no record', async () => {
    // Given serve watching a server that ignores EOF and SIGTERM and whose helper left the group with setsid
    const w = world('sigterm');
    const s = serve(w.config);
    const { server, helper } = await upAndRecorded(s, w);
    expect([processRunning(server), processRunning(helper)]).toEqual([true, true]);

    // When it gets SIGTERM
    s.child.kill('SIGTERM');

    // Then it exits 0 (bounded wait: the grace periods are seconds) and nothing it started is left
    const exit = await Promise.race([s.exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
    expect(exit).toEqual({ code: 0, signal: null });
    await gone(server);
    await gone(helper);
    expect(recorded(w.state)).toEqual([]);
  });

  it('SIGTERM: pitwall mcp --http exits promptly and leaves nothing either', async () => {
    const w = world('mcp-http');
    const s = serve(w.config, ['mcp', '--http', '127.0.0.1:0']);
    const { server, helper } = await upAndRecorded(s, w, false);
    s.child.kill('SIGTERM');
    const exit = await Promise.race([s.exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
    expect(exit).toEqual({ code: 0, signal: null });
    await gone(server);
    await gone(helper);
    expect(recorded(w.state)).toEqual([]);
  });

  it('SIGKILL: doctor lists the leftovers; the next run ends them and says so once; no record is left', async () => {
    // Given serve killed with SIGKILL: nothing in it runs, and the stubborn server ignores the EOF it sees
    const w = world('sigkill');
    const s = serve(w.config);
    const { server, helper } = await upAndRecorded(s, w);
    const killedPid = s.child.pid!;
    s.child.kill('SIGKILL');
    await s.exited;
    expect([processRunning(server), processRunning(helper)]).toEqual([true, true]);

    // When doctor looks: it lists both, by pid
    const doctor = await run(process.execPath, [CLI, 'doctor', '-c', w.config], { cwd: dir }).catch((err: { stdout: string }) => err);
    expect(doctor.stdout).toContain(`▲ warn  mcp leftovers  2 MCP server processes left running by a pitwall run that was killed (pid ${killedPid})`);
    expect(doctor.stdout).toContain(`pid ${server}  node  (left by pitwall serve, pid ${killedPid})`);
    expect([processRunning(server), processRunning(helper)]).toEqual([true, true]);

    // When the next run (a check, here) starts in the same state folder
    const check = await run(process.execPath, [CLI, 'check', '-c', w.config], { cwd: dir });

    // Then the leftovers are ended, and it says so once, on stderr, naming the killed run
    expect(check.stderr).toBe(`pitwall: ended 2 MCP server processes left by a pitwall run that was killed (pid ${killedPid})\n`);
    expect(check.stdout).toMatch(/up\s+stubborn/);
    await gone(server);
    await gone(helper);
    expect(recorded(w.state)).toEqual([]);
    // And the check's own server (a second line in the pid file) was ended by its normal stop
    const second = readFileSync(w.pids, 'utf8').trim().split('\n')[1]!.split(' ').map(Number);
    pidsSeen.push(...second);
    for (const pid of second) await gone(pid);
  });

  it('two runs sharing a state folder: the second never ends the first one’s live servers', async () => {
    // Given a serve running with its servers
    const w = world('shared');
    const a = serve(w.config);
    const first = await upAndRecorded(a, w);

    // When a second serve starts on the same state folder and checks its own server
    const b = serve(w.config);
    await vi.waitFor(() => expect(b.output()).toMatch(/stubborn new → up/), { timeout: 15_000, interval: 20 });

    for (const line of readFileSync(w.pids, 'utf8').trim().split('\n')) pidsSeen.push(...line.split(' ').map(Number));

    // Then the first one's server and helper still run (their owner is alive), and nobody said anything was ended
    expect([processRunning(first.server), processRunning(first.helper)]).toEqual([true, true]);
    expect(a.output() + b.output()).not.toContain('ended');
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    await Promise.all([a.exited, b.exited]);
    await gone(first.server);
    await gone(first.helper);
  });
});
