// The spawn record against a fake /proc: which recorded processes count as leftovers (never a reused pid, never those
// of a run still alive, never another boot's or another container's), how they are ended, and what is said.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLeftovers } from '../../src/commands/doctor-leftovers.js';
import { childrenDir, endLeftovers, findLeftovers, leftoverMessage, startSpawnRecord } from '../../src/journal/spawn-record.js';
import type { ProcReader, ProcStat } from '../../src/shared/proc.js';
import { reportSpawned } from '../../src/shared/spawned.js';

const root = mkdtempSync(join(tmpdir(), 'pitwall-spawn-record-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const stateDir = () => join(root, `state-${n++}`);

const WHERE = { boot: 'boot-1', ns: 'pid:[4026531836]' };
const KILLED = 4000; // the pitwall run that was SIGKILLed

interface FakeProc extends Partial<ProcStat> {
  start: string;
  comm?: string;
  /** Signals it dies of (default: both). */
  diesOf?: NodeJS.Signals[];
}

/** A /proc with exactly these processes (this test process is always there), and a kill that records. */
function fakeProc(procs: Record<number, FakeProc>, where = WHERE) {
  const table = new Map<number, FakeProc>(Object.entries({ [process.pid]: { start: '1' }, ...procs }).map(([pid, p]) => [Number(pid), p]));
  const signals: string[] = [];
  const reader: ProcReader = {
    available: true,
    pids: () => [...table.keys()],
    stat: (pid) => {
      const p = table.get(pid);
      return p ? { state: p.state ?? 'S', ppid: p.ppid ?? 1, pgrp: p.pgrp ?? pid, session: p.session ?? pid, start: p.start } : null;
    },
    comm: (pid) => table.get(pid)?.comm ?? null,
    where: () => where,
  };
  const kill = (pid: number, signal: NodeJS.Signals) => {
    signals.push(`${signal} ${pid}`);
    if ((table.get(pid)?.diesOf ?? ['SIGTERM', 'SIGKILL']).includes(signal)) table.delete(pid);
  };
  return { reader, kill, signals, table };
}

/** A record as a killed run left it: owner KILLED started at '50', with these processes. */
function leaveRecord(dir: string, procs: { pid: number; start: string }[], over: Record<string, unknown> = {}, owner = { pid: KILLED, start: '50' }): string {
  mkdirSync(childrenDir(dir), { recursive: true });
  const file = join(childrenDir(dir), `${owner.pid}-${owner.start}.json`);
  writeFileSync(file, JSON.stringify({ v: 1, ...WHERE, owner, command: 'serve', procs, ...over }));
  return file;
}

describe('which recorded processes are leftovers', () => {
  it('a server and its setsid helper of a run that is gone: both ended, SIGTERM first, and said once', async () => {
    // Given a record naming a server (500) and a helper that left with setsid, re-parented to init (501)
    const dir = stateDir();
    const file = leaveRecord(dir, [
      { pid: 500, start: '100' },
      { pid: 501, start: '101' },
    ]);
    const proc = fakeProc({ 500: { start: '100', comm: 'node' }, 501: { start: '101', ppid: 1, comm: 'node' } });

    // When doctor looks, then the next run starts
    expect(findLeftovers(dir, { reader: proc.reader })).toEqual([{ owner: KILLED, command: 'serve', procs: [{ pid: 500, comm: 'node' }, { pid: 501, comm: 'node' }] }]);
    const ended = await endLeftovers(dir, { reader: proc.reader, kill: proc.kill, graceMs: 50 });

    // Then both got SIGTERM (and needed nothing more), the record is gone, and the sentence names the killed run
    expect(proc.signals).toEqual(['SIGTERM 500', 'SIGTERM 501']);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(childrenDir(dir))).toEqual([]);
    expect(leftoverMessage(ended)).toBe('ended 2 MCP server processes left by a pitwall run that was killed (pid 4000)');
  });

  it('a reused pid is never signalled: same pid, another start time', async () => {
    // Given a record naming 500 (started at tick 100), and a /proc where 500 is now a process started at tick 900
    const dir = stateDir();
    leaveRecord(dir, [{ pid: 500, start: '100' }]);
    const proc = fakeProc({ 500: { start: '900', comm: 'postgres' } });

    // Then it is no leftover, nothing is signalled, nothing is said, and the stale record is removed
    expect(findLeftovers(dir, { reader: proc.reader })).toEqual([]);
    const ended = await endLeftovers(dir, { reader: proc.reader, kill: proc.kill, graceMs: 50 });
    expect(proc.signals).toEqual([]);
    expect(leftoverMessage(ended)).toBeNull();
    expect(readdirSync(childrenDir(dir))).toEqual([]);
  });

  it('the owner is alive (another console on the same state folder): its processes are its own', async () => {
    const dir = stateDir();
    const file = leaveRecord(dir, [{ pid: 500, start: '100' }]);
    const proc = fakeProc({ [KILLED]: { start: '50' }, 500: { start: '100' } });
    expect(findLeftovers(dir, { reader: proc.reader })).toEqual([]);
    expect(await endLeftovers(dir, { reader: proc.reader, kill: proc.kill, graceMs: 50 })).toEqual([]);
    expect(proc.signals).toEqual([]);
    expect(existsSync(file)).toBe(true);
  });

  it("the owner's pid reused by another process, or the owner a zombie: gone, so its processes are leftovers", async () => {
    for (const owner of [{ start: '77' }, { start: '50', state: 'Z' }]) {
      const dir = stateDir();
      leaveRecord(dir, [{ pid: 500, start: '100' }]);
      const proc = fakeProc({ [KILLED]: owner, 500: { start: '100' } });
      expect(leftoverMessage(await endLeftovers(dir, { reader: proc.reader, kill: proc.kill, graceMs: 50 }))).toBe(
        'ended 1 MCP server process left by a pitwall run that was killed (pid 4000)',
      );
      expect(proc.signals).toEqual(['SIGTERM 500']);
    }
  });

  it('what a recorded server started after the last walk (by parent or process group) is ended too; a stubborn one gets SIGKILL', async () => {
    // Given a recorded server 500 that has since started 502 (its child) and whose group holds 503 (re-parented)
    const dir = stateDir();
    leaveRecord(dir, [{ pid: 500, start: '100' }]);
    const proc = fakeProc({
      500: { start: '100', diesOf: ['SIGKILL'] },
      502: { start: '102', ppid: 500, pgrp: 500 },
      503: { start: '103', ppid: 1, pgrp: 500 },
      600: { start: '104', ppid: 1, pgrp: 600 }, // unrelated
    });

    const ended = await endLeftovers(dir, { reader: proc.reader, kill: proc.kill, graceMs: 30 });

    expect(proc.signals).toEqual(['SIGTERM 500', 'SIGTERM 502', 'SIGTERM 503', 'SIGKILL 500']);
    expect(ended).toEqual([{ owner: KILLED, count: 3 }]);
    expect(proc.table.has(600)).toBe(true);
  });

  it("another boot's record is removed unread; another pid namespace's is left alone", async () => {
    const dir = stateDir();
    const old = leaveRecord(dir, [{ pid: 500, start: '100' }], { boot: 'boot-0' });
    const other = leaveRecord(dir, [{ pid: 500, start: '100' }], { ns: 'pid:[1]' }, { pid: 4001, start: '60' });
    const proc = fakeProc({ 500: { start: '100' } });
    expect(findLeftovers(dir, { reader: proc.reader })).toEqual([]);
    expect(await endLeftovers(dir, { reader: proc.reader, kill: proc.kill, graceMs: 30 })).toEqual([]);
    expect(proc.signals).toEqual([]);
    expect([existsSync(old), existsSync(other)]).toEqual([false, true]);
  });

  it('a record that is a symbolic link is not read: a record is a list of processes to kill', async () => {
    const dir = stateDir();
    const real = leaveRecord(dir, [{ pid: 500, start: '100' }]);
    const elsewhere = join(root, `elsewhere-${n}.json`);
    renameSync(real, elsewhere);
    symlinkSync(elsewhere, real);
    const proc = fakeProc({ 500: { start: '100' } });
    expect(findLeftovers(dir, { reader: proc.reader })).toEqual([]);
    expect(await endLeftovers(dir, { reader: proc.reader, kill: proc.kill, graceMs: 30 })).toEqual([]);
    expect(proc.signals).toEqual([]);
  });

  it('two runs starting together: the record is claimed once, so only one ends and says it', async () => {
    const dir = stateDir();
    leaveRecord(dir, [{ pid: 500, start: '100' }]);
    const proc = fakeProc({ 500: { start: '100', diesOf: ['SIGKILL'] } });
    const [a, b] = await Promise.all([
      endLeftovers(dir, { reader: proc.reader, kill: proc.kill, graceMs: 30 }),
      endLeftovers(dir, { reader: proc.reader, kill: proc.kill, graceMs: 30 }),
    ]);
    expect([leftoverMessage(a), leftoverMessage(b)]).toEqual(['ended 1 MCP server process left by a pitwall run that was killed (pid 4000)', null]);
  });

  it('several killed runs: one sentence naming them all', () => {
    expect(leftoverMessage([{ owner: 4000, count: 2 }, { owner: 4100, count: 1 }])).toBe('ended 3 MCP server processes left by pitwall runs that were killed (pids 4000, 4100)');
    expect(leftoverMessage([{ owner: 4000, count: 0 }])).toBeNull();
  });
});

describe("this run's record", () => {
  it('follows what is spawned, fsynced whole, and is removed when the run ends', async () => {
    const dir = stateDir();
    const proc = fakeProc({});
    const said: string[] = [];
    const record = startSpawnRecord({ stateDir: dir, command: 'check', reader: proc.reader, kill: proc.kill, say: (m) => said.push(m) });
    const file = join(childrenDir(dir), `${process.pid}-1.json`);
    const owner = {};
    try {
      reportSpawned(owner, [{ pid: 700, start: '300' }]);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ v: 1, ...WHERE, owner: { pid: process.pid, start: '1' }, command: 'check', procs: [{ pid: 700, start: '300' }] });
      reportSpawned(owner, []);
      expect(existsSync(file)).toBe(false);
      reportSpawned(owner, [{ pid: 701, start: '301' }]);
      expect(existsSync(file)).toBe(true);
      expect(await record.leftovers).toBeNull();
    } finally {
      record.close();
      reportSpawned(owner, []);
    }
    expect(existsSync(file)).toBe(false);
    expect(said).toEqual([]);
  });

  it('a state folder that cannot be written: said once, and the run goes on', () => {
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, '');
    const said: string[] = [];
    const record = startSpawnRecord({ stateDir: blocker, command: 'serve', reader: fakeProc({}).reader, say: (m, level) => said.push(`${level}: ${m}`) });
    const owner = {};
    try {
      reportSpawned(owner, [{ pid: 700, start: '300' }]);
      reportSpawned(owner, [{ pid: 700, start: '300' }, { pid: 701, start: '301' }]);
    } finally {
      record.close();
      reportSpawned(owner, []);
    }
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^error: cannot record MCP server processes in .*a-file\/children \(ENOTDIR.*\): if pitwall is killed, the next run cannot end what it left$/);
  });
});

describe('doctor', () => {
  it('lists the leftovers by pid and program, and how to end them', () => {
    const dir = stateDir();
    leaveRecord(dir, [
      { pid: 500, start: '100' },
      { pid: 501, start: '101' },
    ]);
    const proc = fakeProc({ 500: { start: '100', comm: 'npx' }, 501: { start: '101', comm: 'node' } });
    expect(checkLeftovers(dir, proc.reader)).toEqual({
      status: 'warn',
      name: 'mcp leftovers',
      summary: '2 MCP server processes left running by a pitwall run that was killed (pid 4000)',
      details: ['pid 500  npx  (left by pitwall serve, pid 4000)', 'pid 501  node  (left by pitwall serve, pid 4000)'],
      fix: 'the next "pitwall", "pitwall serve" or "pitwall check" ends them; or now: kill 500 501',
    });
    expect(proc.signals).toEqual([]);
    expect(checkLeftovers(stateDir(), proc.reader)).toEqual({ status: 'ok', name: 'mcp leftovers', summary: 'none left running by a killed pitwall run' });
  });
});
