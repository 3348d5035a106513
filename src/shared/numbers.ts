/** Rounds to one decimal (latencies in milliseconds, as the journal and JSON lines carry them). */
export const round1 = (n: number): number => Math.round(n * 10) / 10;

/** A time in ms as an ISO-8601 UTC string. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** An index as Array.prototype.slice reads its arguments: truncated toward zero, negative from the end, NaN as 0. */
export function sliceIndex(index: number, length: number): number {
  const i = Math.trunc(index) || 0;
  if (i < 0) return Math.max(0, length + i);
  return Math.min(i, length);
}
