import { fixedCellsWidth } from './cells.js';

/** Which row columns fit a terminal width, and how wide the sparkline is. Narrow screens drop columns. */
export interface Columns {
  id: number;
  latency: boolean;
  percentiles: boolean;
  spark: number;
  uptime: boolean;
  headroom: boolean;
  next: boolean;
}

/** What the right-aligned CHECKED cell needs ("◑ checking", "⚠ 12m ago") when NEXT is not shown. */
const CHECKED_WIDTH = 10;

export function columnsFor(width: number): Columns {
  const cols: Columns = {
    id: width >= 120 ? 20 : width >= 90 ? 18 : 15,
    latency: width >= 60,
    percentiles: width >= 96,
    spark: width >= 150 ? 40 : width >= 130 ? 30 : width >= 110 ? 24 : width >= 90 ? 16 : width >= 70 ? 10 : 0,
    uptime: width >= 70,
    headroom: false,
    next: width >= 135,
  };
  // Rate-limit headroom wherever its 12 columns fit (80 columns included), not only on wide screens.
  cols.headroom = fixedCellsWidth(cols) + 12 + CHECKED_WIDTH <= width;
  return cols;
}
