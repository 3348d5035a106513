import { format, isSameDay, startOfDay } from 'date-fns';

/** Local wall-clock time: "14:03:12" today, "Oct 13 14:03" on another day (a three-day console needs the date). */
export function formatClock(at: number, now: number = at): string {
  return isSameDay(at, now) ? format(at, 'HH:mm:ss') : format(at, 'MMM d HH:mm');
}

/** The start of `now`'s local day: what `formatClock(at, now)` depends on, as a value that changes once a day. */
export function dayOf(now: number): number {
  return startOfDay(now).getTime();
}

/** The header's clock: "14:03:12 local · 12:03:12 UTC", or "14:03:12 (12:03Z)" when narrow. */
export function clockText(now: number, wide: boolean): string {
  const local = formatClock(now);
  const utc = new Date(now).toISOString().slice(11, 19);
  return wide ? `${local} local · ${utc} UTC` : `${local} (${utc.slice(0, 5)}Z)`;
}
