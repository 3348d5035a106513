import type { Columns } from './columns.js';

/** Text cut or padded to exactly `width` columns (cells hold narrow characters): "up    ", "shopify-ad… ". */
export function cell(text: string, width: number): string {
  const chars = [...text];
  // Cut one short and keep a space, so a long value never runs into the next column.
  if (chars.length >= width) return `${chars.slice(0, Math.max(0, width - 2)).join('')}… `;
  return text + ' '.repeat(width - chars.length);
}

/**
 * `cell` with the value styled and the padding not: styled runs then never touch, which keeps the string in the
 * form Ink rebuilds it in, so Ink tokenizes a row once per frame rather than twice.
 */
export function paintedCell(text: string, width: number, paint: (value: string) => string): string {
  const padded = cell(text, width);
  const value = padded.trimEnd();
  return paint(value) + padded.slice(value.length);
}

/** Columns a row's fixed cells take (everything before the right-aligned CHECKED cell). */
export function fixedCellsWidth(cols: Columns): number {
  return (
    2 + 11 + cols.id + 1 + (cols.latency ? 9 : 0) + (cols.percentiles ? 16 : 0) + (cols.spark ? cols.spark + 1 : 0) + (cols.uptime ? 7 : 0) + (cols.headroom ? 12 : 0)
  );
}

/** The list's column titles as one line, aligned with the rows' cells. */
export function columnTitles(cols: Columns, width: number): string {
  const fixed =
    '  ' +
    cell('STATUS', 11) +
    cell('TARGET', cols.id + 1) +
    (cols.latency ? cell('LAST', 9) : '') +
    (cols.percentiles ? cell('P50/P95 1h', 16) : '') +
    (cols.spark ? cell('LATENCY', cols.spark + 1) : '') +
    (cols.uptime ? cell('UP 1h', 7) : '') +
    (cols.headroom ? cell('HEADROOM', 12) : '');
  return fixed + 'CHECKED'.padStart(Math.max(8, width - fixed.length));
}
