import type { Status } from './status.js';

/** Exit codes as monitoring plugins use them; 70 (EX_SOFTWARE) a bug, 130 a signal (128 + SIGINT). */
export const EXIT = { ok: 0, degraded: 1, down: 2, usage: 3, software: 70, signal: 130 } as const;

/** A mistake in how pitwall was called: one sentence, exit 3. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * 0 all up · 1 something degraded, nothing down · 2 anything down · 3 unknown: nothing down, but pitwall could not
 * tell for some targets (its own network was down: their failures were held, not blamed on the vendors). As
 * monitoring plugins do, UNKNOWN shares 3 with a usage error: in both, pitwall cannot vouch for the answer.
 */
export function exitCodeFor(statuses: readonly (Status | null)[]): number {
  if (statuses.includes('down')) return EXIT.down;
  if (statuses.includes(null)) return EXIT.usage;
  if (statuses.includes('degraded')) return EXIT.degraded;
  return EXIT.ok;
}
