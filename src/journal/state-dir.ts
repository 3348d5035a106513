/** Where the journal lives: the state folder, and one journal file per config in it. */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { Config } from '../config/config.js';

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
