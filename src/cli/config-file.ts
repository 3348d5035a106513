// Where the config comes from: --config, else ./pitwall.yaml; a missing one is a usage error.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/config.js';

/** The config file: --config, else ./pitwall.yaml (or .yml), else null. */
export function findConfig(explicit: string | undefined): string | null {
  if (explicit) return resolve(explicit);
  for (const name of ['pitwall.yaml', 'pitwall.yml']) if (existsSync(name)) return resolve(name);
  return null;
}

/** The config named by --config (or found here), loaded; none is a usage error (exit 3). */
export async function load(explicit: string | undefined): Promise<Config> {
  const { loadConfig } = await import('../config/config.js');
  const path = findConfig(explicit);
  if (!path) {
    const { UsageError } = await import('../shared/exit.js');
    throw new UsageError('no pitwall.yaml here and no --config given (run "pitwall init" to write one, or "pitwall demo" to try it)');
  }
  return loadConfig(path);
}
