/** One hour in milliseconds: the report's window and the console's history. */
export const HOUR_MS = 3_600_000;
