/** Where the journal lives: the state folder (checked before use), and one journal file per config in it. */
import { createHash } from 'node:crypto';
import { accessSync, constants, lstatSync, mkdirSync, readlinkSync, statfsSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Config } from '../config/config.js';
import { UsageError } from '../shared/exit.js';
import { errnoOf } from '../shared/process.js';

/** `$XDG_STATE_HOME/pitwall`, else `~/.local/state/pitwall`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const xdg = env.XDG_STATE_HOME;
  return xdg && isAbsolute(xdg) ? join(xdg, 'pitwall') : join(home, '.local', 'state', 'pitwall');
}

/** --state-dir, else the config's stateDir, else the default. */
export function resolveStateDir(opts: { flag?: string | undefined; config?: Pick<Config, 'stateDir'>; env?: NodeJS.ProcessEnv } = {}): string {
  if (opts.flag) return resolve(opts.flag);
  return opts.config?.stateDir ?? defaultStateDir(opts.env);
}

/** The journal file for a config: keyed by a hash of the config's absolute path. */
export function journalPath(dir: string, configPath: string | null): string {
  const key = createHash('sha256').update(configPath ? resolve(configPath) : '(no config file)').digest('hex').slice(0, 12);
  return join(resolve(dir), `journal-${key}.jsonl`);
}

/** Which setting named the state folder, for the sentence when it is unusable. */
export function stateDirKey(opts: { flag?: string | undefined; config?: Pick<Config, 'stateDir'> } = {}): string {
  if (opts.flag) return '--state-dir';
  return opts.config?.stateDir ? 'stateDir' : 'the default state folder ($XDG_STATE_HOME/pitwall)';
}

/** Linux's magic numbers (statfs(2)) of file systems made up by the kernel, where no state can be kept. */
const VIRTUAL_FS: Record<number, string> = { 0x9fa0: 'proc', 0x62656572: 'sysfs', 0x64626720: 'debugfs', 0x27e0eb: 'cgroup', 0x63677270: 'cgroup2', 0x73636673: 'securityfs' };

/** Errors of a disk that is there but cannot take more now: not a wrong setting, so not a usage error. */
const TRANSIENT = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EMFILE', 'ENFILE']);

/**
 * mkdir -p that always ends. Node's own recursive mkdir loops for ever under /proc (mkdir there answers ENOENT for
 * a parent that exists), so this walks up to the first folder that exists and creates the rest one at a time.
 */
export function makeDirs(dir: string, mkdir: (p: string) => void = (p) => mkdirSync(p)): void {
  const missing: string[] = [];
  for (let p = resolve(dir); ; p = dirname(p)) {
    const st = statSync(p, { throwIfNoEntry: false });
    if (st) {
      if (!st.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing.reverse()) {
    try {
      mkdir(p);
    } catch (err) {
      if (errnoOf(err) !== 'EEXIST') throw err;
    }
  }
}

/**
 * Makes sure `dir` can hold the journal and outbox, creating it if missing. A setting that cannot work (a file, a
 * device, a dangling link, /proc) is a UsageError naming `key` (exit 3, one sentence); a full or failing disk
 * throws its own error, which callers treat as a passing problem.
 */
export function ensureStateDir(dir: string, key = 'stateDir'): void {
  const what = stateDirProblem(dir);
  if (!what) return;
  if (typeof what !== 'string') throw what.transient;
  const fix = key === '--state-dir' ? 'pass --state-dir a folder this user can write' : 'set stateDir in pitwall.yaml (or pass --state-dir) to a folder this user can write';
  throw new UsageError(`${key}: ${dir} ${what}; ${fix}`);
}

/**
 * What is wrong with `dir` as the state folder, as the end of a sentence that starts with its path ("is not a
 * folder (it is a character device)"), after creating it if missing; null when it is fine. A full or failing disk
 * comes back as `{ transient }`: not the setting's fault.
 */
export function stateDirProblem(dir: string): string | { transient: unknown } | null {
  const abs = resolve(dir);
  try {
    const st = statSync(abs, { throwIfNoEntry: false });
    if (st && !st.isDirectory()) return `is not a folder (it is ${kindOf(st)})`;
    if (!st && lstatSync(abs, { throwIfNoEntry: false })?.isSymbolicLink()) return `is a symbolic link to ${readlinkSync(abs)}, which does not exist`;
    const fsType = virtualFsOf(abs);
    if (fsType) return `is on ${fsType}, a file system the kernel makes up, which cannot keep files`;
    makeDirs(abs);
    accessSync(abs, constants.W_OK | constants.X_OK);
    return null;
  } catch (err) {
    const code = errnoOf(err);
    if (code && TRANSIENT.has(code)) return { transient: err };
    const message = err instanceof Error ? err.message : String(err);
    return code === 'ENOENT' ? `cannot be created: a folder on its way is missing or a dangling symbolic link (${message})` : `is not writable (${message})`;
  }
}

function kindOf(st: Stats): string {
  if (st.isFile()) return 'a file';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  return 'not a folder';
}

/** The name of the kernel-made file system the nearest existing folder of `p` is on, or null. */
function virtualFsOf(p: string): string | null {
  if (process.platform !== 'linux') return null;
  for (let q = p; ; q = dirname(q)) {
    if (statSync(q, { throwIfNoEntry: false })) {
      try {
        return VIRTUAL_FS[statfsSync(q).type] ?? null;
      } catch {
        return null;
      }
    }
    if (dirname(q) === q) return null;
  }
}
