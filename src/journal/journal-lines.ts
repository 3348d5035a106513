/**
 * The journal's lines: any line parsed through JSON.parse (the reference the hand parser in line-scanner.ts
 * must agree with), and lines read and written a chunk at a time straight from and to the file's bytes.
 */
import { readSync, writeSync } from 'node:fs';
import type { ErrorKind } from '../probes/types.js';
import { CODE_STATUS } from '../shared/status.js';
import type { EraRecord, Evidence, JournalSample, ReportSummary, ResolvedRecord } from './records.js';
import type { Blocker, EngineEvent } from '../state/store.js';

/** One journal line, parsed. */
export type Rec =
  | { kind: 'sample'; id: string; sample: JournalSample; evidence?: Evidence }
  | { kind: 'event'; event: EngineEvent }
  | { kind: 'opened'; blocker: Blocker }
  | { kind: 'resolved'; resolved: ResolvedRecord }
  | { kind: 'report'; summary: ReportSummary }
  | { kind: 'era'; era: EraRecord }
  | { kind: 'header' };

/** Any journal line through JSON.parse: the reference the fast path must agree with. Null if it is not a record. */
export function parseLine(line: string): Rec | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (Array.isArray(v)) {
    const [id, at, st, lat, kind, msg, head, ev, apart, remeasured] = v as unknown[];
    if (typeof id !== 'string' || typeof at !== 'number' || typeof st !== 'number' || !CODE_STATUS[st]) return null;
    // Headroom entries that are not arrays: not a line we wrote (and destructuring one would throw).
    if (Array.isArray(head) && !head.every(Array.isArray)) return null;
    const sample: JournalSample = { at, status: CODE_STATUS[st], latencyMs: typeof lat === 'number' ? lat : null };
    if (typeof kind === 'string') sample.errorKind = kind as ErrorKind;
    if (typeof msg === 'string') sample.message = msg;
    if (Array.isArray(head)) sample.headroom = (head as [string, number, number][]).map(([name, remaining, limit]) => ({ name, remaining, limit }));
    // Written since the journal kept samples apart; a journal from before has neither (and any other value is ignored).
    if (apart === 'cold' || apart === 'stalled') sample.apart = apart;
    if (isCount(remeasured)) sample.remeasured = remeasured;
    return ev && typeof ev === 'object' ? { kind: 'sample', id, sample, evidence: ev as Evidence } : { kind: 'sample', id, sample };
  }
  if (v === null || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (o.ev && typeof o.ev === 'object') return { kind: 'event', event: o.ev as EngineEvent };
  if (o.bo && typeof o.bo === 'object') return { kind: 'opened', blocker: o.bo as Blocker };
  if (o.br && typeof o.br === 'object') return { kind: 'resolved', resolved: o.br as ResolvedRecord };
  if (o.rp && typeof o.rp === 'object') return { kind: 'report', summary: o.rp as ReportSummary };
  if (o.er && typeof o.er === 'object') return eraRecord(o.er as Record<string, unknown>);
  if (o.journal !== undefined) return { kind: 'header' };
  return null;
}

/** A count a sample line may carry (attempts re-measured): a whole number from 1 up. */
export const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** An era record `{"er":{targetId,at,era,protocolVersion?}}`, or null (skipped) if it lacks what the report reads. */
function eraRecord(o: Record<string, unknown>): Rec | null {
  if (typeof o.targetId !== 'string' || typeof o.at !== 'number' || typeof o.era !== 'string') return null;
  const era: EraRecord = { targetId: o.targetId, at: o.at, era: o.era };
  if (typeof o.protocolVersion === 'string') era.protocolVersion = o.protocolVersion;
  return { kind: 'era', era };
}

/** The time a record is filed under (compaction keeps what is younger than the retention); null for the header. */
export function recordAt(r: Rec): number | null {
  switch (r.kind) {
    case 'sample':
      return r.sample.at;
    case 'event':
      return r.event.at;
    case 'opened':
      return r.blocker.openedAt;
    case 'resolved':
      return r.resolved.at;
    case 'report':
      return r.summary.at;
    case 'era':
      return r.era.at;
    case 'header':
      return null;
  }
}

// ---------------------------------------------------------------- lines from the file

const CHUNK_BYTES = 1 << 20;

/**
 * Reads bytes [from, to) of the file a chunk at a time and calls onChunk(view, offset) with runs of
 * complete lines: `view` ends with a newline, `offset` is the file offset of view[0]. Memory stays at one
 * chunk (or the longest line). Returns the file offset just after the last newline: what follows, if
 * anything, is a torn line or one still being written.
 */
export function readChunks(fd: number, from: number, to: number, onChunk: (view: Buffer, offset: number) => void): number {
  let buf = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(to - from, 1)));
  let filled = 0;
  let base = from;
  let pos = from;
  while (pos < to) {
    if (filled === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, filled);
      buf = bigger;
    }
    const n = readSync(fd, buf, filled, Math.min(buf.length - filled, to - pos), pos);
    if (n === 0) break;
    pos += n;
    const last = buf.lastIndexOf(0x0a, filled + n - 1);
    // The carried-over start of a line holds no newline: one before it is from an earlier chunk.
    if (last < filled) {
      filled += n;
      continue;
    }
    onChunk(buf.subarray(0, last + 1), base);
    filled = filled + n - (last + 1);
    if (filled > 0) buf.copy(buf, 0, last + 1, last + 1 + filled);
    base += last + 1;
  }
  return base;
}

/** Writes whole lines to a file through a chunk-sized buffer. */
export function lineWriter(fd: number): { bytes(src: Buffer, start: number, end: number): void; line(text: string): void; flush(): void } {
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  const writeAll = (src: Buffer, start: number, end: number) => {
    while (start < end) start += writeSync(fd, src, start, end - start);
  };
  const w = {
    bytes(src: Buffer, start: number, end: number) {
      if (end - start > buf.length - used) w.flush();
      if (end - start > buf.length) writeAll(src, start, end);
      else used += src.copy(buf, used, start, end);
    },
    line(text: string) {
      const b = Buffer.from(`${text}\n`);
      w.bytes(b, 0, b.length);
    },
    flush() {
      writeAll(buf, 0, used);
      used = 0;
    },
  };
  return w;
}
