/** The records the journal keeps besides its own bookkeeping: samples, evidence, resolutions, report summaries. */
import type { TileId } from '../config/config.js';
import type { Headroom } from '../probes/types.js';
import type { ErrorKind, Status } from '../shared/status.js';
import type { Sample } from '../state/history.js';

/** A sample as the journal keeps it: what the screen needs, plus the error message and headroom. */
export interface JournalSample extends Sample {
  message?: string;
  headroom?: Headroom[];
  /** Attempts measured again because pitwall's own event loop stalled during them (pitwall's health, not the upstream's). */
  remeasured?: number;
}

/**
 * An MCP server's protocol era as a check saw it (details.era, details.protocolVersion), journaled when it differs
 * from the last one journaled for the target, not with every sample: the report tells when a server changed era.
 */
export interface EraRecord {
  targetId: string;
  at: number;
  /** The prober's wording: 'legacy (initialize handshake)' or 'modern (stateless, server/discover)'. */
  era: string;
  protocolVersion?: string;
}

/** What a failing check showed, kept so a later `pitwall escalate` can cite it. */
export interface Evidence {
  httpStatus?: number;
  code?: string | number;
  /** Body excerpt that shows the failure (ProbeError.evidence). */
  evidence?: string;
  bodyExcerpt?: string;
  stderrTail?: string;
  retryAfterMs?: number;
  /** Why a check was degraded. */
  reason?: string;
  subChecks?: { name: string; status: Status; tile?: TileId; kind?: ErrorKind; message?: string }[];
}

export interface ResolvedRecord {
  id: string;
  targetId: string;
  at: number;
  note?: string;
}

export interface TargetSummary {
  status: Status | null;
  uptimePct: number | null;
  checks: number;
  failures: number;
  p95: number | null;
}

/** The numbers a report stands on, journaled so the next report can say what changed. */
export interface ReportSummary {
  hourStart: number;
  hourEnd: number;
  /** When the report was made. */
  at: number;
  partial: boolean;
  overall: Status | null;
  targets: Record<string, TargetSummary>;
  openBlockers: string[];
}
