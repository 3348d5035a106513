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

describe('details opened anew', () => {
  it('start at their top, whatever was scrolled the last time', async () => {
    const { initialUiState, reduceUi } = await import('../../src/ui/use-console-state.js');
    let s = reduceUi(initialUiState(), { type: 'view', view: 'detail' });
    s = { ...s, nav: { ...s.nav, detailScroll: 7 } };
    // still in the details: the scroll holds
    expect(reduceUi(s, { type: 'view', view: 'detail' }).nav.detailScroll).toBe(7);
    s = reduceUi(s, { type: 'back' });
    expect(reduceUi(s, { type: 'view', view: 'detail' }).nav.detailScroll).toBe(0);
  });
});
