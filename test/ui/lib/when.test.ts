import { describe, expect, it } from 'vitest';
import { checkedColumn, checkedText, sinceText } from '../../../src/ui/lib/when.js';

const at = (h: number, m: number, s: number) => new Date(2026, 9, 13, h, m, s).getTime();
const now = at(14, 3, 12);
const target = (over: Partial<{ running: boolean; checkedAt: number | null; nextAt: number | null; intervalMs: number }> = {}) => ({
  running: false,
  checkedAt: now - 12_000,
  nextAt: now + 3_000,
  intervalMs: 30_000,
  ...over,
});

describe('CHECKED and since texts', () => {
  it('says how long ago, when next, "waiting" before the first check, a spinner while checking', () => {
    expect(checkedText(target(), now, true)).toBe('12s ago · next 3s');
    expect(checkedText(target(), now, false)).toBe('12s ago');
    expect(checkedText(target({ checkedAt: null }), now, true)).toBe('waiting');
    expect(checkedText(target({ running: true }), now, true)).toBe('◐ checking');
    expect(checkedText(target({ running: true }), now + 1000, true)).toBe('◓ checking');
  });

  it('advances every second', () => {
    expect([0, 1, 2].map((s) => checkedText(target(), now + s * 1000, false))).toEqual(['12s ago', '13s ago', '14s ago']);
  });

  it('says since when a status lasts, with the date on another day', () => {
    expect(sinceText('down', at(14, 1, 7), now)).toBe('down since 14:01:07 (2m05s)');
    expect(sinceText('degraded', at(14, 1, 7), now + 86_400_000)).toBe('degraded since Oct 13 14:01 (24h02m)');
  });

  it('draws the column right-aligned, one line per list line, stale ones marked', () => {
    const stale = target({ checkedAt: now - 5 * 60_000 });
    const column = checkedColumn([null, target(), null, stale, target({ checkedAt: null })], now, { withNext: false, width: 20 });
    expect(column).toBe(['', '    12s ago', '', '⚠ 5m00s ago', '    waiting'].join('\n'));
  });

  it('cuts a cell wider than the room, keeping its start', () => {
    expect(checkedColumn([target()], now, { withNext: true, width: 12 })).toBe('12s ago · n…');
  });

  it('hands the painter each line and whether it is stale', () => {
    const painted = checkedColumn([target(), target({ checkedAt: now - 5 * 60_000 })], now, { withNext: false, width: 20, paint: (t, s) => (s ? `!${t}` : t) });
    expect(painted).toBe('    12s ago\n!⚠ 5m00s ago');
  });
});
