import { describe, expect, it } from 'vitest';
import { colorsWanted } from '../../../src/ui/lib/paint.js';

const tty = { hasColors: () => true };
const pipe = {};

describe('colorsWanted', () => {
  it('never paints with NO_COLOR, even on a colour terminal or with FORCE_COLOR', () => {
    expect(colorsWanted({ NO_COLOR: '1' }, tty)).toBe(false);
    expect(colorsWanted({ NO_COLOR: '1', FORCE_COLOR: '1' }, tty)).toBe(false);
  });
  it('follows FORCE_COLOR when it is set', () => {
    expect(colorsWanted({ FORCE_COLOR: '1' }, pipe)).toBe(true);
    expect(colorsWanted({ FORCE_COLOR: '0' }, tty)).toBe(false);
    expect(colorsWanted({ FORCE_COLOR: 'false' }, tty)).toBe(false);
  });
  it('else asks the terminal', () => {
    expect([colorsWanted({}, tty), colorsWanted({}, { hasColors: () => false }), colorsWanted({}, pipe)]).toEqual([true, false, false]);
  });
});
