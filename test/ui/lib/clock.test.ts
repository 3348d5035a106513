import { describe, expect, it } from 'vitest';
import { clockText, dayOf, formatClock, zoneLabel } from '../../../src/ui/lib/clock.js';
import { middle } from '../../../src/ui/lib/cells.js';
import { sinceCell } from '../../../src/ui/lib/when.js';

// 2026-12-04 13:03:12 UTC: 14:03:12 in Berlin (CET), 08:03:12 in New York (EST).
const at = Date.UTC(2026, 11, 4, 13, 3, 12);

describe('times in a zone', () => {
  it('formats in the configured zone, with its name', () => {
    expect(formatClock(at, at, 'Europe/Berlin')).toBe('14:03:12');
    expect(formatClock(at, at, 'America/New_York')).toBe('08:03:12');
    expect(formatClock(at, at + 86_400_000, 'Europe/Berlin')).toBe('Dec 4 14:03');
    expect(zoneLabel('Europe/Berlin', at)).toBe('CET');
    expect(zoneLabel('UTC', at)).toBe('UTC');
    expect(zoneLabel(undefined, at)).toBe('local');
    expect(clockText(at, true, 'Europe/Berlin')).toBe('14:03:12 CET · 13:03:12 UTC');
    expect(clockText(at, false, 'Europe/Berlin')).toBe('14:03:12 CET (13:03Z)');
  });

  it("starts the zone's day at its midnight", () => {
    expect(new Date(dayOf(at, 'Europe/Berlin')).toISOString()).toBe('2026-12-03T23:00:00.000Z');
  });

  it('gives SINCE its own cell: how long and how many in a row, the time and zone when wide', () => {
    expect(sinceCell(at - 125_000, 3, at, { wide: false })).toBe('2m05s ×3');
    expect(sinceCell(at - 125_000, 1, at, { wide: true, tz: 'Europe/Berlin' })).toBe('since 14:01:07 CET (2m05s)');
  });
});

describe('middle', () => {
  it('keeps both ends of a long id', () => {
    expect(middle('shopify-storefront-checkout-eu', 20)).toBe('shopify-stor…kout-eu');
    expect(middle('shopify-admin', 20)).toBe('shopify-admin');
  });
});
