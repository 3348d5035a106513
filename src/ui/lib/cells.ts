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
