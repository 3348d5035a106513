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

/**
 * Text cut in the middle to at most `width` columns, so both ends stay: "shopify-stor…kout-eu". Ids differ at
 * the end as often as at the start (…-eu, …-us), which an end cut would hide.
 */
export function middle(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return '…'.slice(0, width);
  const tail = Math.floor((width - 1) * 0.4);
  const head = width - 1 - tail;
  return `${chars.slice(0, head).join('')}…${tail ? chars.slice(-tail).join('') : ''}`;
}
