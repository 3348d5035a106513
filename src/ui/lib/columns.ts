import { cell } from './cells.js';

/** Which row columns fit a terminal width, and how wide the sparkline is. Narrow screens drop columns. */
export interface Columns {
  id: number;
  /** The configured `name`'s cell width; 0 when the screen has no room for it (details always show it). */
  name: number;
  latency: boolean;
  percentiles: boolean;
  spark: number;
  uptime: boolean;
  headroom: boolean;
  next: boolean;
}

/**
 * The fixed cells' widths, in screen columns: the one table the rows (TargetRow) and the header (columnTitles)
 * are both cut to. The TARGET cell is `cols.id + 1` wide and LATENCY `cols.spark + 1` (a space after each).
 */
export const CELL_WIDTH = { marker: 2, status: 11, latency: 9, percentiles: 16, uptime: 7, headroom: 12 } as const;

/** What the right-aligned CHECKED cell needs ("◑ checking", "⚠ 12m ago") when NEXT is not shown. */
const CHECKED_WIDTH = 10;

export function columnsFor(width: number): Columns {
  const cols: Columns = {
    id: width >= 190 ? 28 : width >= 120 ? 20 : width >= 90 ? 18 : 15,
    // Wide screens: the name has a column, and what is left over goes to the problem line (the error) below a row.
    name: width >= 190 ? 28 : width >= 150 ? 20 : 0,
    latency: width >= 60,
    percentiles: width >= 96,
    spark: width >= 190 ? 40 : width >= 130 ? 30 : width >= 110 ? 24 : width >= 90 ? 16 : width >= 70 ? 10 : 0,
    uptime: width >= 70,
    headroom: false,
    next: width >= 135,
  };
  // Rate-limit headroom wherever its 12 columns fit (80 columns included), not only on wide screens.
  cols.headroom = fixedCellsWidth(cols) + CELL_WIDTH.headroom + CHECKED_WIDTH <= width;
  return cols;
}

/** Columns a row's fixed cells take (everything before the right-aligned CHECKED cell). */
export function fixedCellsWidth(cols: Columns): number {
  const w = CELL_WIDTH;
  return (
    w.marker +
    w.status +
    cols.id +
    1 +
    cols.name +
    (cols.latency ? w.latency : 0) +
    (cols.percentiles ? w.percentiles : 0) +
    (cols.spark ? cols.spark + 1 : 0) +
    (cols.uptime ? w.uptime : 0) +
    (cols.headroom ? w.headroom : 0)
  );
}

/** The list's column titles as one line, aligned with the rows' cells; `window` is what the stats stand on (row-stats.ts windowLabel). */
export function columnTitles(cols: Columns, width: number, window = '1h'): string {
  const w = CELL_WIDTH;
  const fixed =
    ' '.repeat(w.marker) +
    cell('STATUS', w.status) +
    cell('TARGET', cols.id + 1) +
    (cols.name ? cell('NAME', cols.name) : '') +
    (cols.latency ? cell('LAST', w.latency) : '') +
    (cols.percentiles ? cell(`P50/P95 ${window}`, w.percentiles) : '') +
    (cols.spark ? cell('LATENCY', cols.spark + 1) : '') +
    (cols.uptime ? cell(`UP ${window}`, w.uptime) : '') +
    (cols.headroom ? cell('HEADROOM', w.headroom) : '');
  return fixed + 'CHECKED'.padStart(Math.max(8, width - fixed.length));
}
