import { describe, expect, it } from 'vitest';
import { initialNav, reduceNav, selectedIndex } from '../../src/ui/use-nav-state.js';

describe('nav state', () => {
  it('keeps the filter on one bounded line', () => {
    const s = reduceNav({ ...initialNav, filterEditing: true }, { type: 'filter-type', text: 'http\n15\t' + 'x'.repeat(200) });
    expect(s.filter.startsWith('http 15 x')).toBe(true);
    expect(s.filter.length).toBe(80);
    expect(reduceNav(s, { type: 'filter-clear' })).toMatchObject({ filter: '', filterEditing: false });
  });

  it('finds the selected target by id, and falls back to the index in range when it is filtered out', () => {
    const nav = { ...initialNav, selectedId: 'b' };
    expect(selectedIndex(nav, 0, ['a', 'b', 'c'])).toBe(1);
    expect(selectedIndex(nav, 0, ['c', 'a', 'b'])).toBe(2);
    expect(selectedIndex(nav, 5, ['a', 'c'])).toBe(1);
    expect(selectedIndex(nav, 5, [])).toBe(0);
  });

  it('never scrolls above the top', () => {
    expect(reduceNav(initialNav, { type: 'scroll', pane: 'log', to: -3 }).logScroll).toBe(0);
  });
});
