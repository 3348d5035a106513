import { format, isSameDay } from 'date-fns';

/** Local wall-clock time: "14:03:12" today, "Oct 13 14:03" on another day (a three-day console needs the date). */
export function formatClock(at: number, now: number = at): string {
  return isSameDay(at, now) ? format(at, 'HH:mm:ss') : format(at, 'MMM d HH:mm');
}
