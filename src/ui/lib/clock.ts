const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Local wall-clock time: "14:03:12" today, "Oct 13 14:03" on another day (a three-day console needs the date). */
export function formatClock(at: number, now: number = at): string {
  // By hand rather than a date library's format(): the event log and every problem line call this on every frame.
  const d = new Date(at);
  const time = `${two(d.getHours())}:${two(d.getMinutes())}`;
  return dayOf(at) === dayOf(now) ? `${time}:${two(d.getSeconds())}` : `${MONTHS[d.getMonth()]} ${d.getDate()} ${time}`;
}

/** The start of `now`'s local day: what `formatClock(at, now)` depends on, as a value that changes once a day. */
export function dayOf(now: number): number {
  const d = new Date(now);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** The header's clock: "14:03:12 local · 12:03:12 UTC", or "14:03:12 (12:03Z)" when narrow. */
export function clockText(now: number, wide: boolean): string {
  const local = formatClock(now);
  const utc = new Date(now).toISOString().slice(11, 19);
  return wide ? `${local} local · ${utc} UTC` : `${local} (${utc.slice(0, 5)}Z)`;
}
