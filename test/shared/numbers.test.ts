import { describe, expect, it } from 'vitest';
import { iso, round1, sliceIndex } from '../../src/shared/numbers.js';

describe('numbers', () => {
  it('rounds to one decimal', () => {
    expect(round1(123.44)).toBe(123.4);
    expect(round1(0.05)).toBe(0.1);
  });

  it('writes a time as ISO-8601 UTC', () => {
    expect(iso(Date.UTC(2026, 9, 13, 14, 5, 6, 7))).toBe('2026-10-13T14:05:06.007Z');
  });

  it('reads an index as Array.prototype.slice does', () => {
    const a = [10, 11, 12, 13, 14];
    for (const i of [0, 2, 5, 9, -1, -9, 1.7, -1.5, NaN]) expect(a.slice(sliceIndex(i, a.length))).toEqual(a.slice(i));
  });
});
