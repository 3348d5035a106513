import type { Status } from '../probes/types.js';

/** Semantic colour tokens. Panels name a meaning, never a raw colour; NO_COLOR turns them all off. */
export const theme = {
  status: { up: 'green', degraded: 'yellow', down: 'red', unknown: 'gray' } as Record<Status | 'unknown', string>,
  accent: 'cyan',
  muted: 'gray',
  selected: 'cyan',
  blocker: 'magenta',
  demo: 'magentaBright',
  warn: 'yellow',
  error: 'red',
} as const;

/** True when colour is off (https://no-color.org): any non-empty NO_COLOR. */
export function colourDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.NO_COLOR);
}
