import { describe, expect, it } from 'vitest';
import { cell, paintedCell } from '../../../src/ui/lib/cells.js';
import { columnTitles, fixedCellsWidth } from '../../../src/ui/lib/columns.js';
import { columnsFor } from '../../../src/ui/lib/columns.js';

describe('table cells', () => {
  it('pads a value to its cell and cuts a long one with an ellipsis and a space', () => {
    expect(cell('up', 6)).toBe('up    ');
    expect(cell('shopify-admin', 8)).toBe('shopif… ');
    expect(cell('▁▂█', 4)).toBe('▁▂█ ');
  });

  it('styles the value of a cell, never its padding', () => {
    const mark = (v: string) => `<${v}>`;
    expect(paintedCell('✔ up', 8, mark)).toBe('<✔ up>    ');
    expect(paintedCell('shopify-admin', 8, mark)).toBe('<shopif…> ');
    expect(paintedCell('', 3, mark)).toBe('<>   ');
  });

  it('lines the column titles up with the cells, CHECKED at the right end', () => {
    // 80 columns: rate-limit headroom fits beside the rest (P50/P95 does not)
    expect(columnTitles(columnsFor(79), 79)).toBe('  STATUS     TARGET          LAST     LATENCY    UP 1h  HEADROOM        CHECKED');
    expect(fixedCellsWidth(columnsFor(79))).toBe(68);
    expect(columnsFor(77).headroom).toBe(false);
    // 96–102: P50/P95 takes the room; from 103 both
    expect([columnsFor(100).percentiles, columnsFor(100).headroom, columnsFor(103).headroom]).toEqual([true, false, true]);
    expect(fixedCellsWidth(columnsFor(159))).toBe(129);
  });
});
