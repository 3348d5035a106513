/** Probe results ↔ journal records: the evidence a failing check leaves, a sample line, and a result rebuilt from one. */
import { heldWhyOf } from '../state/derive.js';
import type { Headroom, ProbeError, ProbeResult, SubCheck } from '../probes/types.js';
import type { Redactor } from '../text/redact.js';
import type { EraRecord, Evidence, JournalSample } from './records.js';
import type { Sample } from '../state/history.js';
import { apartOf } from '../state/stats.js';
import { STATUS_CODE } from '../shared/status.js';
import { round1 } from '../shared/numbers.js';

/** The stored evidence of a non-up result; undefined for an up one. */
export function evidenceOf(result: ProbeResult): Evidence | undefined {
  if (result.status === 'up') return undefined;
  const e: Evidence = {};
  const err = result.error;
  const d = result.details;
  const httpStatus = err?.httpStatus ?? (typeof d.httpStatus === 'number' ? d.httpStatus : undefined);
  if (httpStatus !== undefined) e.httpStatus = httpStatus;
  if (err?.code !== undefined) e.code = err.code;
  if (err?.evidence) e.evidence = err.evidence;
  if (typeof d.bodyExcerpt === 'string' && d.bodyExcerpt) e.bodyExcerpt = d.bodyExcerpt;
  if (typeof d.stderrTail === 'string' && d.stderrTail) e.stderrTail = d.stderrTail;
  if (err?.retryAfterMs !== undefined) e.retryAfterMs = err.retryAfterMs;
  if (result.status === 'degraded') e.reason = result.reason;
  const subs = (result.subChecks ?? []).filter((s) => s.status !== 'up');
  if (subs.length) {
    e.subChecks = subs.map((s) => ({
      name: s.name,
      status: s.status,
      ...(s.tile ? { tile: s.tile } : {}),
      ...(s.error ? { kind: s.error.kind, message: s.error.message } : {}),
    }));
  }
  return e;
}

/** Rebuilds a ProbeResult from a journal sample and the evidence stored with its failing streak. */
export function resultFromSample(s: JournalSample, evidence?: Evidence): ProbeResult {
  const details: Record<string, unknown> = {};
  if (evidence?.httpStatus !== undefined) details.httpStatus = evidence.httpStatus;
  if (evidence?.bodyExcerpt) details.bodyExcerpt = evidence.bodyExcerpt;
  if (evidence?.stderrTail) details.stderrTail = evidence.stderrTail;
  // Held while pitwall was offline: restored as held (unknown on screen after a restart), not as a degraded target.
  const heldWhy = heldWhyOf(s);
  if (heldWhy !== null) details.pitwallOffline = heldWhy;
  const error: ProbeError | null = s.errorKind
    ? {
        kind: s.errorKind,
        message: s.message ?? s.errorKind,
        ...(evidence?.httpStatus !== undefined ? { httpStatus: evidence.httpStatus } : {}),
        ...(evidence?.code !== undefined ? { code: evidence.code } : {}),
        ...(evidence?.evidence ? { evidence: evidence.evidence } : {}),
        ...(evidence?.retryAfterMs !== undefined ? { retryAfterMs: evidence.retryAfterMs } : {}),
      }
    : null;
  const subChecks: SubCheck[] | undefined = evidence?.subChecks?.map((x) => ({
    name: x.name,
    status: x.status,
    latencyMs: null,
    error: x.kind ? { kind: x.kind, message: x.message ?? x.kind } : null,
    ...(x.tile ? { tile: x.tile } : {}),
  }));
  const base = {
    latencyMs: s.latencyMs,
    details,
    ...(s.headroom ? { headroom: s.headroom } : {}),
    ...(subChecks ? { subChecks } : {}),
  };
  if (s.status === 'down') return { ...base, status: 'down', error: error ?? { kind: 'protocol', message: s.message ?? 'down' } };
  if (s.status === 'degraded') return { ...base, status: 'degraded', error, reason: evidence?.reason ?? s.message ?? 'degraded' };
  return { ...base, status: 'up', error: null };
}

/** The longest protocol version string kept from a server's answer (upstream text, bounded). */
const VERSION_CHARS = 40;

/** An MCP result's protocol era (details.era, details.protocolVersion, src/probes/mcp/prober.ts), or null. */
export function eraOf(r: ProbeResult): Omit<EraRecord, 'targetId' | 'at'> | null {
  const era = r.details.era;
  if (typeof era !== 'string' || !era) return null;
  const version = r.details.protocolVersion;
  return { era: era.slice(0, 80), ...(typeof version === 'string' && version ? { protocolVersion: version.slice(0, VERSION_CHARS) } : {}) };
}

/** What a sample line may carry besides the sample. */
export interface SampleExtra {
  message?: string;
  headroom?: readonly Headroom[];
  evidence?: Evidence;
}

/**
 * Builds sample lines `["id",at,st,lat,kind?,message?,headroom?,evidence?,apart?,remeasured?]`, message and evidence
 * redacted; `apart` is "cold" or "stalled" (kept out of p50/p95), `remeasured` a count of attempts measured again.
 * It remembers the last evidence written per target, so an unchanged outage does not repeat it on every sample.
 */
export function sampleLineWriter(redactor: Redactor): (id: string, s: Sample, extra: SampleExtra) => string {
  const lastEvidence = new Map<string, string>();
  return (id, s, extra) => {
    const row: unknown[] = [id, s.at, STATUS_CODE[s.status], s.latencyMs === null ? null : round1(s.latencyMs)];
    const message = extra.message ?? (s as JournalSample).message;
    const headroom = extra.headroom ?? (s as JournalSample).headroom;
    row.push(s.errorKind ?? null, message === undefined ? null : redactor.text(message));
    row.push(headroom?.length ? headroom.map((h) => [h.name, h.remaining, h.limit]) : null);
    if (s.status === 'up') lastEvidence.delete(id);
    else if (extra.evidence) {
      const ev = JSON.stringify(redactor.value(extra.evidence));
      if (lastEvidence.get(id) !== ev) {
        lastEvidence.set(id, ev);
        row.push(JSON.parse(ev));
      }
    }
    // Rare (a target's first sample in a process, a stall): the nulls before them cost a few bytes on those lines only.
    const remeasured = (s as JournalSample).remeasured;
    if (s.apart || remeasured) {
      while (row.length < 8) row.push(null);
      row.push(s.apart ?? null);
      if (remeasured) row.push(remeasured);
    }
    while (row.length > 4 && row[row.length - 1] === null) row.pop();
    return JSON.stringify(row);
  };
}

/** How the engine's run went besides its result (engine.ts RunOutcome): a cold start, stalls of pitwall's own loop. */
export interface RunFlags {
  cold?: boolean;
  stalls?: number;
  stalledMs?: number;
}

/** The sample of a finished probe run (kept apart as the store keeps it), and what its line carries besides. */
export function sampleOfResult(r: ProbeResult, at: number, run: RunFlags = {}): { sample: JournalSample; extra: SampleExtra } {
  const latencyMs = r.status === 'down' ? null : r.latencyMs;
  const apart = apartOf(latencyMs, run);
  const sample: JournalSample = {
    at,
    status: r.status,
    latencyMs,
    ...(r.error ? { errorKind: r.error.kind } : {}),
    ...(apart ? { apart } : {}),
    ...(run.stalls ? { remeasured: run.stalls } : {}),
  };
  // An up result may carry a notice worth the hourly report (a vendor maintenance scheduled within the day).
  const message = r.error?.message ?? (r.status === 'degraded' ? r.reason : typeof r.details.notice === 'string' ? r.details.notice : undefined);
  const evidence = evidenceOf(r);
  return {
    sample,
    extra: {
      ...(message !== undefined ? { message } : {}),
      ...(r.headroom ? { headroom: r.headroom } : {}),
      ...(evidence ? { evidence } : {}),
    },
  };
}
