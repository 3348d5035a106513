import { describe, expect, it } from 'vitest';
import { sparkline } from '../../src/text/sparkline.js';

describe('sparkline', () => {
  it('scales from zero to the largest value shown', () => {
    expect(sparkline([0, 14, 100, 57, 14], { width: 5 })).toBe('▁▂█▅▂');
  });

  it('keeps 100–102 ms jitter flat instead of drawing spikes', () => {
    expect(sparkline([100, 101, 102, 100], { width: 4 })).toBe('████');
  });

  it('draws a failed check as a gap, never as a low bar', () => {
    expect(sparkline([50, null, 100], { width: 3 })).toBe('▅·█');
    expect(sparkline([null, null], { width: 2 })).toBe('··');
  });

  it('uses a fixed ceiling when given one, clamping above it', () => {
    expect(sparkline([50, 200, 0], { width: 3, max: 100 })).toBe('▅█▁');
  });

  it('shows only the newest `width` values', () => {
    expect(sparkline([1, 2, 3, 4], { width: 2 })).toBe('▆█');
    expect(sparkline([1, 2], { width: 0 })).toBe('');
  });

  it('draws all-zero latencies as the lowest bar', () => {
    expect(sparkline([0, 0], { width: 2 })).toBe('▁▁');
  });
});
