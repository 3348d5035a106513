/** Probe results ↔ journal records: the evidence a failing check leaves, a sample line, and a result rebuilt from one. */
import type { Headroom, ProbeError, ProbeResult, SubCheck } from '../probes/types.js';
import type { Redactor } from '../text/redact.js';
import type { Evidence, JournalSample } from './records.js';
import type { Sample } from '../state/history.js';
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

/** What a sample line may carry besides the sample. */
export interface SampleExtra {
  message?: string;
  headroom?: readonly Headroom[];
  evidence?: Evidence;
}

/**
 * Builds sample lines `["id",at,st,lat,kind?,message?,headroom?,evidence?]`, message and evidence redacted.
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
    while (row.length > 4 && row[row.length - 1] === null) row.pop();
    return JSON.stringify(row);
  };
}

/** The sample of a finished probe run, and what its line carries besides. */
export function sampleOfResult(r: ProbeResult, at: number): { sample: Sample; extra: SampleExtra } {
  const sample: Sample = { at, status: r.status, latencyMs: r.status === 'down' ? null : r.latencyMs, ...(r.error ? { errorKind: r.error.kind } : {}) };
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
