/**
 * The spawn record: which processes a pitwall run started (MCP stdio servers and their helpers), kept on disk so that
 * when that run is SIGKILLed (OOM killer, kill -9, a terminal closed hard) the next run ends what it left.
 *
 * One small file per pitwall process, `<stateDir>/children/<pid>-<start>.json` (owner pid and start time), rewritten
 * (temp file, fsync, rename) whenever the set changes, removed when the run ends normally. A run that starts reads
 * the folder: a record whose owner is gone (no such pid, a zombie, or the pid now names a process started at
 * another time) is claimed by renaming it (so two runs never both act on one), and every recorded process whose
 * start time still matches (a reused pid never does), with whatever it started since, is sent SIGTERM, then SIGKILL.
 * A record from another boot or another pid namespace (a container sharing the folder) is never acted on. Linux only:
 * elsewhere nothing is recorded.
 */
import { lstatSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { syncDir, writeFileAtomic } from '../shared/fs.js';
import { linuxProc, ProcessTree, selfId, stillRunning, type Kill, type ProcId, type ProcReader } from '../shared/proc.js';
import { offSpawnedChange, onSpawnedChange, spawnedNow } from '../shared/spawned.js';
import { makeDirs } from './state-dir.js';

/** What one record file holds. */
interface RecordFile {
  v: 1;
  boot: string;
  ns: string;
  owner: ProcId;
  command: string;
  procs: ProcId[];
}

/** What a killed run left running: its pid, and its processes that still run (with their command names). */
export interface Leftover {
  owner: number;
  command: string;
  procs: { pid: number; comm: string | null }[];
}

export interface ProcOptions {
  reader?: ProcReader;
  kill?: Kill;
  /** Milliseconds between SIGTERM and SIGKILL (and the longest wait after SIGKILL). */
  graceMs?: number;
}

const NAME = /^(?:reaping-(\d+)-(\d+)-)?(\d+)-(\d+)\.json$/;
const POLL_MS = 20;

/** Where the records live. */
export function childrenDir(stateDir: string): string {
  return join(stateDir, 'children');
}

/** A record file found: its owner (from the name), who claimed it (a `reaping-` name), and its contents. */
interface Found {
  file: string;
  owner: ProcId;
  reaper: ProcId | null;
  record: RecordFile | null;
}

function scan(dir: string): Found[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: Found[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m) continue;
    const file = join(dir, name);
    // Only a plain file this user wrote: a record is a list of processes to kill.
    const st = lstatSync(file, { throwIfNoEntry: false });
    if (!st?.isFile() || (process.getuid && st.uid !== process.getuid())) continue;
    let record: RecordFile | null = null;
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<RecordFile>;
      if (parsed.v === 1 && Array.isArray(parsed.procs) && typeof parsed.boot === 'string' && typeof parsed.ns === 'string') record = parsed as RecordFile;
    } catch {
      // Unreadable or not ours: judged by its name alone, and never acted on.
    }
    const reaper = m[1] ? { pid: Number(m[1]), start: m[2]! } : null;
    found.push({ file, owner: { pid: Number(m[3]), start: m[4]! }, reaper, record });
  }
  return found;
}

/** A record nobody alive looks after: its owner is gone and so is any run that claimed it. */
function abandoned(f: Found, reader: ProcReader): boolean {
  return !stillRunning(f.owner, reader) && (f.reaper === null || !stillRunning(f.reaper, reader));
}

/** The processes a record names that still run, and what they started since (by parent link or process group). */
function treeOf(records: readonly RecordFile[], reader: ProcReader, kill?: Kill): ProcessTree {
  const tree = new ProcessTree(reader, kill);
  for (const r of records) tree.remember(r.procs.filter((p) => typeof p?.pid === 'number' && typeof p.start === 'string'));
  tree.add(null, { groups: true });
  return tree;
}

/**
 * What killed pitwall runs left running in `stateDir`, without touching anything (`pitwall doctor`). A run still
 * alive (another console sharing the folder) leaves nothing: its processes are its own.
 */
export function findLeftovers(stateDir: string, opts: ProcOptions = {}): Leftover[] {
  const reader = opts.reader ?? linuxProc;
  const where = reader.where();
  if (!reader.available || !where) return [];
  const out: Leftover[] = [];
  for (const f of scan(childrenDir(stateDir))) {
    if (!f.record || f.record.boot !== where.boot || f.record.ns !== where.ns || !abandoned(f, reader)) continue;
    const procs = treeOf([f.record], reader).running();
    if (procs.length) out.push({ owner: f.owner.pid, command: f.record.command, procs: procs.map((p) => ({ pid: p.pid, comm: reader.comm(p.pid) })) });
  }
  return out;
}

/** What a run ended: per killed owner, how many processes. */
export interface Ended {
  owner: number;
  count: number;
}

/**
 * Ends what killed pitwall runs left in `stateDir`: claims each abandoned record (rename), SIGTERMs its processes
 * that still run, SIGKILLs any left after `graceMs`, and removes the record. A record from another boot is removed
 * unread (its pids are meaningless now); one from another pid namespace is left alone.
 */
export async function endLeftovers(stateDir: string, opts: ProcOptions = {}): Promise<Ended[]> {
  const reader = opts.reader ?? linuxProc;
  const self = selfId(reader);
  const where = reader.where();
  if (!reader.available || !self || !where) return [];
  const dir = childrenDir(stateDir);
  const claimed: { file: string; record: RecordFile; owner: number }[] = [];
  for (const f of scan(dir)) {
    if (f.owner.pid === self.pid && f.owner.start === self.start) continue;
    if (!abandoned(f, reader)) continue;
    if (f.record && f.record.ns !== where.ns) continue;
    if (!f.record || f.record.boot !== where.boot) {
      removeQuietly(f.file);
      continue;
    }
    const mine = join(dir, `reaping-${self.pid}-${self.start}-${f.owner.pid}-${f.owner.start}.json`);
    try {
      // Atomic: of two runs starting together, one renames it and the other finds it gone.
      renameSync(f.file, mine);
    } catch {
      continue;
    }
    claimed.push({ file: mine, record: f.record, owner: f.owner.pid });
  }
  if (claimed.length === 0) return [];
  const ended: Ended[] = [];
  const trees = claimed.map((c) => treeOf([c.record], reader, opts.kill));
  claimed.forEach((c, i) => {
    const count = trees[i]!.running().length;
    if (count) ended.push({ owner: c.owner, count });
  });
  const all = treeOf(claimed.map((c) => c.record), reader, opts.kill);
  const grace = opts.graceMs ?? 2_000;
  all.signal('SIGTERM');
  await until(() => !all.alive(), grace);
  if (all.alive()) {
    all.signal('SIGKILL');
    await until(() => !all.alive(), grace);
  }
  for (const c of claimed) removeQuietly(c.file);
  syncDir(dir);
  return ended;
}

/** Removes a file if it is there; a folder that cannot be changed any more is not this run's problem. */
function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // ENOTDIR, EACCES, EROFS: there is no record to remove, or nothing can be done about it.
  }
}

async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done() && performance.now() < deadline) await new Promise((r) => setTimeout(r, POLL_MS));
}

/** "ended 3 MCP server processes left by a pitwall run that was killed (pid 1234)", or null when nothing was ended. */
export function leftoverMessage(ended: readonly Ended[]): string | null {
  const count = ended.reduce((n, e) => n + e.count, 0);
  if (count === 0) return null;
  const what = `${count} MCP server process${count === 1 ? '' : 'es'}`;
  const owners = ended.map((e) => e.owner);
  return owners.length === 1
    ? `ended ${what} left by a pitwall run that was killed (pid ${owners[0]})`
    : `ended ${what} left by pitwall runs that were killed (pids ${owners.join(', ')})`;
}

/** This run's record: kept current while it runs; `leftovers` settles once earlier runs' leftovers are ended. */
export interface SpawnRecord {
  /** The sentence said about ended leftovers (null: none). */
  leftovers: Promise<string | null>;
  /** Stops recording and removes this run's record (also done at process exit). */
  close(): void;
}

export interface SpawnRecordOptions extends ProcOptions {
  stateDir: string;
  /** Which command this is (check, serve, console, mcp), for `doctor`. */
  command: string;
  /** Told once, when leftovers were ended, and once if the record cannot be written. */
  say: (message: string, level: 'warn' | 'error') => void;
}

/**
 * Starts this run's spawn record in `stateDir` and, in the background, ends what killed runs left there. Never
 * throws: a state folder that cannot be written means no record (said once, on the first write that fails).
 */
export function startSpawnRecord(opts: SpawnRecordOptions): SpawnRecord {
  const reader = opts.reader ?? linuxProc;
  const self = selfId(reader);
  const where = reader.where();
  if (!reader.available || !self || !where) return { leftovers: Promise.resolve(null), close() {} };
  const dir = childrenDir(opts.stateDir);
  const file = join(dir, `${self.pid}-${self.start}.json`);
  let failed = false;
  let closed = false;
  const write = (procs: ProcId[]) => {
    if (closed) return;
    try {
      if (procs.length === 0) {
        removeQuietly(file);
        return;
      }
      makeDirs(dir);
      const record: RecordFile = { v: 1, ...where, owner: self, command: opts.command, procs };
      // Synchronous and fsynced (temp file, rename, folder): a few hundred bytes, on disk before anything can kill us.
      writeFileAtomic(file, `${JSON.stringify(record)}\n`);
    } catch (err) {
      if (failed) return;
      failed = true;
      const why = err instanceof Error ? err.message : String(err);
      opts.say(`cannot record MCP server processes in ${dir} (${why}): if pitwall is killed, the next run cannot end what it left`, 'error');
    }
  };
  // At exit the record goes, and stays gone: a last walk (killSync) must not write it again.
  const onExit = () => {
    closed = true;
    removeQuietly(file);
  };
  const listener = (all: ProcId[]) => write(all);
  onSpawnedChange(listener);
  process.on('exit', onExit);
  const already = spawnedNow();
  if (already.length) write(already);
  const leftovers = endLeftovers(opts.stateDir, opts)
    .then((ended) => {
      const message = leftoverMessage(ended);
      if (message) opts.say(message, 'warn');
      return message;
    })
    .catch(() => null);
  return {
    leftovers,
    close() {
      if (closed) return;
      closed = true;
      offSpawnedChange(listener);
      process.off('exit', onExit);
      removeQuietly(file);
    },
  };
}
