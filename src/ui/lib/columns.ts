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

export function columnsFor(width: number): Columns {
  return {
    id: width >= 120 ? 20 : width >= 90 ? 18 : 14,
    latency: width >= 60,
    percentiles: width >= 100,
    spark: width >= 150 ? 30 : width >= 120 ? 20 : width >= 90 ? 12 : width >= 76 ? 8 : 0,
    uptime: width >= 70,
    headroom: width >= 110,
    next: width >= 135,
  };
}
