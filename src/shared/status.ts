/** The one vocabulary of failure kinds, used everywhere: JSON, UI, feedback file. */
export const ERROR_KINDS = [
  'timeout',
  'connection',
  'auth',
  'rate_limited',
  'http',
  'bad_response',
  'protocol',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export type Status = 'up' | 'degraded' | 'down';

/**
 * The one status ↔ number table, best first: a status's index is its code in the journal (0 up, 1 degraded,
 * 2 down) and its rank when statuses are compared (higher is worse).
 */
export const CODE_STATUS: readonly Status[] = ['up', 'degraded', 'down'];
/** A status's code in the journal, and its badness rank (see CODE_STATUS). */
export const STATUS_CODE: Readonly<Record<Status, number>> = { up: 0, degraded: 1, down: 2 };
/** Prometheus' `pitwall_target_up` value: 1 up, 0.5 degraded, 0 down (derived from the rank). */
export const STATUS_VALUE: Readonly<Record<Status, number>> = {
  up: 1 - STATUS_CODE.up / 2,
  degraded: 1 - STATUS_CODE.degraded / 2,
  down: 1 - STATUS_CODE.down / 2,
};
