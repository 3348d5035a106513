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
