/** The journal's public shapes: what openJournal takes and returns, and what a load reads. */
import type { Headroom, ProbeResult } from '../probes/types.js';
import type { Redactor } from '../text/redact.js';
import type { EraRecord, Evidence, ReportSummary, ResolvedRecord } from './records.js';
import type { Sample } from '../state/history.js';
import type { SampleColumns } from './sample-columns.js';
import type { RunFlags } from './convert.js';
import type { Blocker, EngineEvent } from '../state/store.js';

/** What load() returns: enough to rebuild the screen, the report and open blockers. */
export interface JournalHistory {
  /** Per target, oldest first, in columns (a 72-hour load is most of a million samples). */
  samples: Record<string, SampleColumns>;
  events: EngineEvent[];
  /** Blockers opened and not resolved, whatever their age. */
  blockers: Blocker[];
  /** The latest evidence per target (from its latest failing check). */
  evidence: Record<string, { at: number; evidence: Evidence }>;
  /** Hourly report summaries, oldest first, whatever their age (compaction keeps the retention's worth). */
  reports: ReportSummary[];
  /**
   * MCP targets' protocol eras, oldest first: the records at or after `sinceMs`, and each target's latest one before
   * it (the era it was in then), whatever its age.
   */
  eras: EraRecord[];
  /** Lines that could not be parsed (a torn last line after a crash), whatever their time. */
  skipped: number;
}

export interface JournalOptions {
  /** The state folder (see resolveStateDir). Created if missing: it is ours. */
  dir: string;
  /** The config file the journal belongs to; null for a config built in code (the demo). */
  configPath: string | null;
  now?: () => number;
  /** Scrubs messages and evidence before they are written (the journal is a file too). */
  redactor?: Redactor;
  /** Samples and events older than this are dropped at compaction. Default 72 h. */
  retentionMs?: number;
  /**
   * Compact when the file grows past this many bytes (at least 1.5× its last compacted size) and something in
   * it is past the retention; checked every thousand appends and when a writer closes, never at open. Default 32 MiB.
   */
  compactAtBytes?: number;
  /** fdatasync cadence. Default 1000 ms. */
  syncIntervalMs?: number;
  /**
   * Told when an append fails (disk full, I/O error), at most once a minute; the record is dropped and the
   * console keeps running. Without it, a failed append throws.
   */
  onError?: (err: Error) => void;
}

export interface Journal {
  readonly path: string;
  appendSample(targetId: string, sample: Sample, extra?: { message?: string; headroom?: readonly Headroom[]; evidence?: Evidence }): void;
  /**
   * A finished probe run, as the engine's onResult hook hands it over (`run`: a cold start or a stall keeps its sample
   * apart). An MCP server's protocol era is journaled too, when it is not the one last journaled for the target.
   */
  appendResult(targetId: string, result: ProbeResult, at: number, run?: RunFlags): void;
  appendEvent(event: EngineEvent): void;
  appendBlocker(record: { opened: Blocker } | { resolved: ResolvedRecord }): void;
  appendReport(summary: ReportSummary): void;
  /**
   * Samples and events at or after `sinceMs`, open blockers of any age. The first load reads the whole file;
   * later ones only what was appended (the whole file again if it was replaced or shrank).
   */
  load(sinceMs?: number): JournalHistory;
  /** Drops what is older than the retention, atomically (temp file + rename). Returns false if another process holds the lock. */
  compact(): boolean;
  close(): void;
}
