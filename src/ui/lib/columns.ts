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
    id: width >= 120 ? 20 : width >= 90 ? 18 : 15,
    latency: width >= 60,
    percentiles: width >= 96,
    spark: width >= 150 ? 40 : width >= 130 ? 30 : width >= 110 ? 24 : width >= 90 ? 16 : width >= 70 ? 10 : 0,
    uptime: width >= 70,
    headroom: width >= 104,
    next: width >= 135,
  };
}
