import { format, isSameDay, startOfDay } from 'date-fns';

/**
 * Times on screen: in the machine's zone, or in the config's `timezone` (an IANA name) when set. The feedback file
 * is UTC, so the screen says which zone it is in wherever a time could be read as the other.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone and shape: building one costs far more than using it. */
function formatter(tz: string, kind: 'parts' | 'name'): Intl.DateTimeFormat {
  const key = `${kind}|${tz}`;
  let f = formatters.get(key);
  if (!f) {
    f =
      kind === 'parts'
        ? new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
        : new Intl.DateTimeFormat('en-GB', { timeZone: tz, timeZoneName: 'short' });
    formatters.set(key, f);
  }
  return f;
}

function partsIn(at: number, tz: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
  const out: Record<string, string> = {};
  for (const p of formatter(tz, 'parts').formatToParts(at)) out[p.type] = p.value;
  return out as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string>;
}

/** Wall-clock time: "14:03:12" today, "Oct 13 14:03" on another day (a three-day console needs the date). */
export function formatClock(at: number, now: number = at, tz?: string): string {
  if (!tz) return isSameDay(at, now) ? format(at, 'HH:mm:ss') : format(at, 'MMM d HH:mm');
  const a = partsIn(at, tz);
  const n = partsIn(now, tz);
  const sameDay = a.year === n.year && a.month === n.month && a.day === n.day;
  return sameDay ? `${a.hour}:${a.minute}:${a.second}` : `${a.month} ${a.day} ${a.hour}:${a.minute}`;
}

/** The start of `now`'s day (in `tz`, else locally): what `formatClock(at, now)` depends on, a value that changes once a day. */
export function dayOf(now: number, tz?: string): number {
  if (!tz) return startOfDay(now).getTime();
  const p = partsIn(now, tz);
  return now - ((Number(p.hour) * 60 + Number(p.minute)) * 60 + Number(p.second)) * 1000 - (now % 1000);
}

/** The zone's short name at `at`: "CET", "UTC", "GMT-5"; "local" for the machine's own zone. */
export function zoneLabel(tz: string | undefined, at: number): string {
  if (!tz) return 'local';
  return formatter(tz, 'name').formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? tz;
}

/** The header's clock: "14:03:12 local · 12:03:12 UTC" ("14:03:12 CET · …" with a zone set), or "14:03:12 (12:03Z)" when narrow. */
export function clockText(now: number, wide: boolean, tz?: string): string {
  const local = formatClock(now, now, tz);
  const utc = new Date(now).toISOString().slice(11, 19);
  const zone = zoneLabel(tz, now);
  return wide ? `${local} ${zone} · ${utc} UTC` : `${local}${tz ? ` ${zone}` : ''} (${utc.slice(0, 5)}Z)`;
}
