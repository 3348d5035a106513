import { isStale } from '../../state/derive.js';
import type { TargetState } from '../../state/store.js';
import { formatClock, zoneLabel } from './clock.js';
import { formatAgo, formatDuration } from '../../text/format.js';

const SPINNER = ['◐', '◓', '◑', '◒'];

/** A row's CHECKED cell at `now`: "◐ checking" while a check runs, "12s ago · next 3s", or "waiting". */
export function checkedText(t: Pick<TargetState, 'running' | 'checkedAt' | 'nextAt'>, now: number, withNext: boolean): string {
  if (t.running) return `${SPINNER[Math.floor(now / 1000) % SPINNER.length]} checking`;
  if (t.checkedAt === null) return 'waiting';
  return formatAgo(t.checkedAt, now) + (withNext && t.nextAt ? ` · next ${formatDuration(t.nextAt - now)}` : '');
}

/** How long the current status has lasted: "down since 14:03:12 (2m05s)", with the date on another day. */
export function sinceText(status: string, since: number, now: number): string {
  return `${status} since ${formatClock(since, now)} (${formatDuration(now - since)})`;
}

/**
 * A problem line's own SINCE cell, before the error so a long error never pushes it off: "2m05s ×3" (3 failed
 * checks in a row), or on a wide screen "since 14:03:12 CET (2m05s) ×3". `width` is the cell's, padding included.
 */
export function sinceCell(since: number, streak: number, now: number, opts: { wide: boolean; tz?: string }): string {
  const times = streak > 1 ? ` ×${streak}` : '';
  return opts.wide ? `since ${formatClock(since, now, opts.tz)} ${zoneLabel(opts.tz, now)} (${formatDuration(now - since)})${times}` : `${formatDuration(now - since)}${times}`;
}

/** The SINCE cell's width: the wide form with a date ("since Oct 13 14:03 GMT-10 (24h02m) ×99"), the narrow one. */
export const SINCE_WIDTH = { wide: 38, narrow: 13 } as const;

/**
 * The list's CHECKED column at `now`: one line per list line (empty for a line without a target), each right-aligned
 * to the widest and cut to `width`, stale ones marked "⚠"; `paint` styles a line (stale or not).
 */
export function checkedColumn(
  rows: readonly (Pick<TargetState, 'running' | 'checkedAt' | 'nextAt' | 'intervalMs'> | null)[],
  now: number,
  opts: { withNext: boolean; width: number; paint?: (text: string, stale: boolean) => string },
): string {
  const cells = rows.map((t) => {
    if (!t) return null;
    const stale = isStale(t, now);
    const text = checkedText(t, now, opts.withNext);
    return { text: cut(stale ? `⚠ ${text}` : text, opts.width), stale };
  });
  const widest = Math.max(0, ...cells.map((c) => (c ? [...c.text].length : 0)));
  const paint = opts.paint ?? ((text: string) => text);
  return cells.map((c) => (c ? paint(c.text.padStart(widest), c.stale) : '')).join('\n');
}

/** `text` cut to `width` characters, keeping its start ("12s ago · ne…"). */
function cut(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}
