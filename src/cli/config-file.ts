// Where the config comes from, for every command alike: --config, else the nearest pitwall.yaml found the way git
// and eslint find theirs (this folder, then each parent up to the root), else the user's config folder
// ($XDG_CONFIG_HOME/pitwall/, default ~/.config/pitwall/: XDG Base Directory spec: an unset, empty or relative
// XDG_CONFIG_HOME means ~/.config). None found is a usage error, except for the console, which opens the demo.
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Config } from '../config/config.js';

const NAMES = ['pitwall.yaml', 'pitwall.yml'] as const;

/** Where discovery looks: the folder it starts in, and the environment that names the user's config folder. */
export interface Where {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** The outcome of a search: the file found (or null), and where it looked, in order, for saying so. */
export interface ConfigSearch {
  path: string | null;
  /** The folder the search started in (the working directory). */
  start: string;
  /** The user's config folder ($XDG_CONFIG_HOME/pitwall or ~/.config/pitwall). */
  userDir: string;
}

/** The user's pitwall config folder: $XDG_CONFIG_HOME/pitwall, or ~/.config/pitwall. */
export function userConfigDir(where: Where = {}): string {
  const env = where.env ?? process.env;
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(where.home ?? homedir(), '.config');
  return join(base, 'pitwall');
}

const fileIn = (dir: string): string | null => {
  for (const name of NAMES) {
    const p = join(dir, name);
    // A folder named pitwall.yaml is not a config.
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return null;
};

/** Searches this folder, each parent, then the user's config folder; the first pitwall.yaml (or .yml) wins. */
export function discoverConfig(where: Where = {}): ConfigSearch {
  const start = resolve(where.cwd ?? process.cwd());
  const userDir = userConfigDir(where);
  for (let dir = start; ; dir = dirname(dir)) {
    const found = fileIn(dir);
    if (found) return { path: found, start, userDir };
    if (dirname(dir) === dir) break;
  }
  return { path: fileIn(userDir), start, userDir };
}

/** "no pitwall.yaml in /a/b or any parent, nor in ~/.config/pitwall": where a failed search looked. */
export function searchedText(s: Pick<ConfigSearch, 'start' | 'userDir'>, home: string = homedir()): string {
  const tilde = (p: string) => (home && (p === home || p.startsWith(`${home}/`)) ? `~${p.slice(home.length)}` : p);
  return `no pitwall.yaml in ${tilde(s.start)} or any parent, nor in ${tilde(s.userDir)}`;
}

/** The config file: --config, else the one discovery finds, else null. */
export function findConfig(explicit: string | undefined, where: Where = {}): string | null {
  if (explicit) return resolve(where.cwd ?? process.cwd(), explicit);
  return discoverConfig(where).path;
}

/** The config named by --config (or discovered), loaded; none is a usage error (exit 3). */
export async function load(explicit: string | undefined, where: Where = {}): Promise<Config> {
  const { loadConfig } = await import('../config/config.js');
  if (explicit) return loadConfig(resolve(where.cwd ?? process.cwd(), explicit), where.env);
  const search = discoverConfig(where);
  if (!search.path) {
    const { UsageError } = await import('../shared/exit.js');
    throw new UsageError(`${searchedText(search, where.home)} and no --config given (run "pitwall init" to write one, or "pitwall demo" to try it)`);
  }
  return loadConfig(search.path, where.env);
}
