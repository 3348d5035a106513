/** The eight block heights, lowest first. */
export const SPARK_BLOCKS = '▁▂▃▄▅▆▇█';
/** What a failed check (a gap in the series, never a zero) is drawn as. */
export const SPARK_GAP = '·';

/**
 * The last `width` values as block characters, scaled from zero to `max` (default: the largest value
 * shown), so 100–102 ms jitter stays flat instead of spiking. null (a failed check) is drawn as `·`.
 */
export function sparkline(values: readonly (number | null)[], opts: { width: number; max?: number }): string {
  const width = Math.max(0, Math.floor(opts.width));
  if (width === 0) return '';
  const shown = values.slice(-width);
  let max = opts.max;
  if (max === undefined) {
    max = 0;
    for (const v of shown) if (v !== null && Number.isFinite(v) && v > max) max = v;
  }
  const top = max;
  return shown
    .map((v) => {
      if (v === null || !Number.isFinite(v)) return SPARK_GAP;
      if (!(top > 0)) return SPARK_BLOCKS[0];
      const level = Math.round((Math.min(Math.max(v, 0), top) / top) * (SPARK_BLOCKS.length - 1));
      return SPARK_BLOCKS[level];
    })
    .join('');
}
