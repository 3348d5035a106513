import { describe, expect, it } from 'vitest';
import { detailText, formatAgo, formatDuration, formatLatency, formatUptime, statusLabel, truncate } from '../../src/text/format.js';
import { formatClock } from '../../src/ui/lib/clock.js';

describe('formatters', () => {
  it('detailText: a flat object as words, anything else as given or JSON', () => {
    expect(detailText({ currentlyAvailable: 1991, maximumAvailable: 2000, restoreRate: 100 })).toBe('currentlyAvailable 1991 · maximumAvailable 2000 · restoreRate 100');
    expect(detailText('Hot Rod AN')).toBe('Hot Rod AN');
    expect(detailText(14)).toBe('14');
    expect(detailText({ a: { b: 1 } })).toBe('{"a":{"b":1}}');
    expect(detailText(['x', 'y'])).toBe('["x","y"]');
    expect(detailText({})).toBe('{}');
  });

  it('formats latency for people', () => {
    expect([0.42, 12.3, 999.4, 1234, 12_345, 75_000, null].map(formatLatency)).toEqual(['0.4 ms', '12 ms', '999 ms', '1.23 s', '12.3 s', '75 s', '—']);
  });
  it('shows 100% uptime only when no check failed', () => {
    // 1 failure in 3,600 checks is 99.97%: rounded it would read 100%, a false green
    expect([formatUptime(100, 0), formatUptime((100 * 3599) / 3600, 1), formatUptime(98.96, 3), formatUptime(0, 10), formatUptime(null, 0)]).toEqual([
      '100%',
      '99.9%',
      '98.9%',
      '0.0%',
      '—',
    ]);
  });
  it('formats durations compactly', () => {
    expect([5_000, 125_000, 7_500_000, 3 * 86_400_000 + 3_600_000].map(formatDuration)).toEqual(['5s', '2m05s', '2h05m', '3d01h']);
    expect(formatAgo(1_000, 13_500)).toBe('12s ago');
  });
  it('shows a clock time today and the date on another day', () => {
    const at = new Date(2026, 9, 13, 14, 3, 12).getTime();
    expect(formatClock(at, at + 60_000)).toBe('14:03:12');
    expect(formatClock(at, at + 2 * 86_400_000)).toBe('Oct 13 14:03');
  });
  it('labels statuses with a symbol and a word', () => {
    expect([statusLabel('up'), statusLabel('degraded'), statusLabel('down'), statusLabel(null)]).toEqual(['✔ up', '▲ degraded', '✖ down', '… unknown']);
  });
  it('truncates one-liners with an ellipsis', () => {
    expect(truncate('a  b\nc', 10)).toBe('a b c');
    expect(truncate('abcdefghij', 5)).toBe('abcd…');
  });
});
