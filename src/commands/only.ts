import type { Config } from '../config/config.js';
import { UsageError } from '../shared/exit.js';

/** The target ids `--only` names, in its order (every target when it names none); an unknown id is a usage error. */
export function onlyIds(config: Config, only: readonly string[] | undefined): string[] {
  const known = new Set(config.targets.map((t) => t.id));
  if (!only?.length) return [...known];
  const unknown = only.find((id) => !known.has(id));
  if (unknown !== undefined) throw new UsageError(`--only: unknown target "${unknown}" (known: ${[...known].join(', ')})`);
  return [...only];
}

/** The config with only the targets `--only` names (all of them when it names none). */
export function onlyTargets(config: Config, only: readonly string[] | undefined): Config {
  if (!only?.length) return config;
  const wanted = new Set(onlyIds(config, only));
  return { ...config, targets: config.targets.filter((t) => wanted.has(t.id)) };
}
