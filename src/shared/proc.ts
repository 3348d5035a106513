/**
 * Processes as Linux's /proc shows them: who descends from whom, and which process a pid is *now* (its start time,
 * so a pid reused by an unrelated process is never taken for ours). Elsewhere the reader sees nothing, and only
 * process groups are ended. The MCP stdio transport and the spawn record both read processes through here; tests
 * hand in a fake reader.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** What /proc/<pid>/stat says of one process. `start`: clock ticks after boot, as written (field 22). */
export interface ProcStat {
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  start: string;
}

/** One process, named so that a reused pid does not match: pid and start time. */
export interface ProcId {
  pid: number;
  start: string;
}

/** Reads processes (real: /proc; tests: a fake). */
export interface ProcReader {
  /** False where there is no /proc (macOS, Windows): nothing can be walked or verified. */
  readonly available: boolean;
  /** Every pid now. */
  pids(): number[];
  stat(pid: number): ProcStat | null;
  /** The process's program name (argv[0]'s base name, never its arguments), for a human. */
  comm(pid: number): string | null;
  /** This boot (/proc/sys/kernel/random/boot_id) and this pid namespace: pids mean nothing outside both. */
  where(): { boot: string; ns: string } | null;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The real reader: Linux's /proc. */
export const linuxProc: ProcReader = {
  available: process.platform === 'linux',
  pids() {
    if (process.platform !== 'linux') return [];
    try {
      return readdirSync('/proc')
        .filter((n) => /^\d+$/.test(n))
        .map(Number);
    } catch {
      return [];
    }
  },
  stat(pid) {
    const stat = process.platform === 'linux' ? readText(`/proc/${pid}/stat`) : null;
    if (stat === null) return null;
    // The command name (field 2) may hold spaces and parentheses: the fields start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (f.length < 20) return null;
    return { state: f[0]!, ppid: Number(f[1]), pgrp: Number(f[2]), session: Number(f[3]), start: f[19]! };
  },
  comm(pid) {
    if (process.platform !== 'linux') return null;
    // argv[0]'s base name ("node", "npx", "uvx"): the arguments may hold tokens; comm is what Node renamed its thread to.
    const argv0 = readText(`/proc/${pid}/cmdline`)?.split('\0')[0];
    return argv0 ? argv0.slice(argv0.lastIndexOf('/') + 1) : (readText(`/proc/${pid}/comm`)?.trim() ?? null);
  },
  where() {
    if (process.platform !== 'linux') return null;
    const boot = readText('/proc/sys/kernel/random/boot_id')?.trim();
    let ns: string;
    try {
      ns = readlinkSync('/proc/self/ns/pid');
    } catch {
      return null;
    }
    return boot ? { boot, ns } : null;
  },
};

/** Whether a stat is a process that runs (not a zombie waiting to be reaped, not dead). */
export function running(s: ProcStat | null): s is ProcStat {
  return s !== null && s.state !== 'Z' && s.state !== 'X';
}

/** Whether `id` still names the process it named when it was recorded, and that process runs. */
export function stillRunning(id: ProcId, reader: ProcReader = linuxProc): boolean {
  const s = reader.stat(id.pid);
  return running(s) && s.start === id.start;
}

/** This process, by pid and start time (null without /proc). */
export function selfId(reader: ProcReader = linuxProc): ProcId | null {
  const s = reader.stat(process.pid);
  return s ? { pid: process.pid, start: s.start } : null;
}

/** Whether `pid` is a running (not zombie) process. */
export function processRunning(pid: number): boolean {
  const reader = linuxProc;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return reader.available ? running(reader.stat(pid)) : true;
}

/**
 * Whether any process of the group is still running. kill(-pgid, 0) alone is not enough: in containers whose
 * init never reaps orphans, killed grandchildren linger as zombies and still count as group members.
 */
export function groupAlive(pgid: number): boolean {
  const reader = linuxProc;
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (!reader.available) return true;
  return reader.pids().some((pid) => {
    const s = reader.stat(pid);
    return running(s) && s.pgrp === pgid;
  });
}

/** Sends a signal; false when there is no such process (or it is not ours to signal). */
export type Kill = (pid: number, signal: NodeJS.Signals) => void;

const realKill: Kill = (pid, signal) => void process.kill(pid, signal);

/**
 * Processes descended from roots, remembered by pid and start time (a pid reused by an unrelated process after
 * ours ended is never signalled). Without /proc it stays empty and the process group is all there is to end.
 */
export class ProcessTree {
  private readonly known = new Map<number, string>();

  constructor(
    private readonly reader: ProcReader = linuxProc,
    private readonly kill: Kill = realKill,
  ) {}

  /** Remembers processes seen before (a record): only those whose start time still matches count on the next walk. */
  remember(ids: readonly ProcId[]): void {
    for (const { pid, start } of ids) if (!this.known.has(pid)) this.known.set(pid, start);
  }

  /**
   * Adds `root` and every process now descended from it or from a remembered process still running (by parent pid,
   * across sessions and groups). `groups`: also every member of the process groups those led, which a walk by
   * parent misses once a middle process died. Forgets processes gone; returns whether what is remembered changed.
   */
  add(root: number | null, opts: { groups?: boolean } = {}): boolean {
    if (!this.reader.available) return false;
    const children = new Map<number, number[]>();
    const stats = new Map<number, ProcStat>();
    for (const pid of this.reader.pids()) {
      const s = this.reader.stat(pid);
      if (!s) continue;
      stats.set(pid, s);
      const list = children.get(s.ppid);
      if (list) list.push(pid);
      else children.set(s.ppid, [pid]);
    }
    // A remembered process that is gone (or whose pid is someone else's now) has nothing left to find.
    let changed = false;
    for (const [pid, start] of this.known) {
      if (stats.get(pid)?.start === start) continue;
      this.known.delete(pid);
      changed = true;
    }
    // Remembered processes whose parent died were re-parented (to init or a subreaper): their descendants are still ours.
    const queue = [...(root === null ? [] : [root]), ...this.known.keys()];
    if (opts.groups) {
      const leaders = new Set(queue.filter((pid) => stats.get(pid)?.pgrp === pid));
      for (const [pid, s] of stats) if (leaders.has(s.pgrp) && !this.known.has(pid)) queue.push(pid);
    }
    for (let i = 0; i < queue.length; i++) {
      const pid = queue[i]!;
      const s = stats.get(pid);
      if (!s) continue;
      if (this.known.get(pid) !== s.start) changed = true;
      this.known.set(pid, s.start);
      for (const c of children.get(pid) ?? []) if (!this.known.has(c)) queue.push(c);
    }
    return changed;
  }

  /** Sends `signal` to every remembered process that is still the one we saw; returns how many were signalled. */
  signal(signal: NodeJS.Signals): number {
    let n = 0;
    for (const [pid, start] of this.known) {
      const s = this.reader.stat(pid);
      if (!running(s) || s.start !== start) continue;
      try {
        this.kill(pid, signal);
        n++;
      } catch {
        // Gone meanwhile.
      }
    }
    return n;
  }

  /** Whether any remembered process still runs (not a zombie). */
  alive(): boolean {
    return this.running().length > 0;
  }

  /** The remembered processes that still run. */
  running(): ProcId[] {
    return this.entries().filter((id) => stillRunning(id, this.reader));
  }

  /** Every remembered process (pid and start time), whether it still runs or not. */
  entries(): ProcId[] {
    return [...this.known].map(([pid, start]) => ({ pid, start }));
  }

  /** The remembered pids (tests). */
  pids(): number[] {
    return [...this.known.keys()];
  }
}
