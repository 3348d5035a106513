/**
 * The journal's incremental reader. It remembers what the loads so far have read of the file: the next load
 * reads only what was appended since (same file, grown, the bytes before the end unchanged), and re-reads only
 * the spans that hold samples or events as recent as it asks for. A file replaced (compaction) or shrunk is
 * read again from the start. Sample and event lines go through the hand parser (line-scanner.ts), the rest
 * through JSON.parse.
 */
import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { parseLine, readChunks } from './journal-lines.js';
import { createLineScanner, EVENT, EVIDENCE, NOT_SIMPLE, OLDER, scanLine, TAKEN, type Into } from './line-scanner.js';
import type { EraRecord, Evidence, ReportSummary } from './records.js';
import { SampleColumnsWriter } from './sample-columns.js';
import type { JournalHistory } from './types.js';
import type { Blocker, EngineEvent } from '../state/store.js';

/** A span of the file (bytes) whose latest sample or event time is remembered, so a load skips older spans. */
const SPAN_BYTES = 64 * 1024;
/** Bytes just before the end of what was read that must be unchanged for the next load to carry on from there. */
const MARK_BYTES = 64;
const NEWLINE = 0x0a;

/** What the loads so far have read of one file. */
export interface Scanned {
  dev: number;
  ino: number;
  birthtimeMs: number;
  /** Offset just after the last complete line read. */
  end: number;
  mark: Buffer;
  /** Open blockers, id → their line, in the order they were opened. */
  open: Map<unknown, string>;
  /** Each target's latest evidence, as the sample line that carries it. */
  evidence: Map<string, { at: number; line: string }>;
  reports: string[];
  /** MCP era records (a few per process start at most), in file order, with their lines (compaction keeps some). */
  eras: { era: EraRecord; line: string }[];
  skipped: number;
  /** Per span of the file, flat: start, end, the latest sample or event time in it. */
  spans: number[];
}

const blockerOf = (line: string) => (parseLine(line) as { blocker: Blocker }).blocker;

/**
 * Each target's latest era record before `before` (by time; a tie goes to the later line): the era a target was in
 * at that moment, which a load from then and a compaction to then keep whatever its age.
 */
export function erasBefore<T extends { era: EraRecord }>(eras: readonly T[], before: number): Map<string, T> {
  const latest = new Map<string, T>();
  for (const e of eras) {
    if (!(e.era.at < before)) continue;
    const seen = latest.get(e.era.targetId);
    if (!seen || e.era.at >= seen.era.at) latest.set(e.era.targetId, e);
  }
  return latest;
}

/** The bytes after the last complete line: a torn line, or one another process is writing right now. */
export function readTail(rfd: number, from: number, size: number): string {
  if (size <= from) return '';
  const buf = Buffer.alloc(size - from);
  return buf.subarray(0, readSync(rfd, buf, 0, buf.length, from)).toString('utf8');
}

/** Reads one journal file, carrying on from where the last load stopped. */
export class JournalReader {
  /** The hand parser, shared by every read of this journal (compaction's copy too). */
  readonly scanner = createLineScanner();
  private scanned: Scanned | null = null;
  private readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** The latest era record the loads so far have read for a target (no I/O), or undefined. */
  latestEra(targetId: string): EraRecord | undefined {
    return this.scanned ? erasBefore(this.scanned.eras, Infinity).get(targetId)?.era : undefined;
  }

  /** Forgets what was read (the file was replaced). */
  forget(): void {
    this.scanned = null;
  }

  /** Samples and events at or after `sinceMs`, open blockers of any age (see Journal.load). */
  load(sinceMs: number): JournalHistory {
    const out: JournalHistory = { samples: {}, events: [], blockers: [], evidence: {}, reports: [], eras: [], skipped: 0 };
    const samples = new Map<string, SampleColumnsWriter>();
    const into = (id: string) => {
      let w = samples.get(id);
      if (!w) samples.set(id, (w = new SampleColumnsWriter()));
      return w;
    };
    const rfd = openSync(this.path, 'r');
    let tail: string;
    let s: Scanned;
    try {
      const st = fstatSync(rfd);
      s = this.scannedFor(rfd, st);
      // In file order: what was read before, then what was appended since, then a torn last line.
      this.reread(rfd, s, sinceMs, into, out.events);
      this.advance(rfd, s, st.size, sinceMs, into, out.events);
      tail = readTail(rfd, s.end, st.size);
    } finally {
      closeSync(rfd);
    }
    out.skipped = s.skipped;
    for (const [id, { at, line }] of s.evidence) out.evidence[id] = { at, evidence: (parseLine(line) as { evidence: Evidence }).evidence };
    const open = new Map(s.open);
    const reports = [...s.reports];
    const eras = [...s.eras];
    // Not part of what was read for good: the line may be finished by the time of the next load.
    const r = tail ? parseLine(tail) : null;
    if (tail && !r) out.skipped++;
    else if (r?.kind === 'sample') {
      if (r.evidence) out.evidence[r.id] = { at: r.sample.at, evidence: r.evidence };
      if (r.sample.at >= sinceMs) into(r.id).push(r.sample);
    } else if (r?.kind === 'event' && r.event.at >= sinceMs) out.events.push(r.event);
    else if (r?.kind === 'opened') open.set(r.blocker.id, tail);
    else if (r?.kind === 'resolved') open.delete(r.resolved.id);
    else if (r?.kind === 'report') reports.push(tail);
    else if (r?.kind === 'era') eras.push({ era: r.era, line: tail });
    // Sorted by time if appends from two processes interleaved (finish() does, stably).
    for (const [id, w] of samples) out.samples[id] = w.finish();
    out.events.sort((a, b) => a.at - b.at);
    out.reports = reports.map((line) => (parseLine(line) as { summary: ReportSummary }).summary).sort((a, b) => a.at - b.at);
    out.blockers = [...open.values()].map(blockerOf).sort((a, b) => a.openedAt - b.openedAt);
    // Those at or after `since`, and the era each target was in at `since` (an hour's first change has a "from").
    const before = new Set(erasBefore(eras, sinceMs).values());
    out.eras = eras
      .filter((e) => e.era.at >= sinceMs || before.has(e))
      .map((e) => ({ ...e.era }))
      .sort((a, b) => a.at - b.at);
    return out;
  }

  /** Everything in the file open as `rfd` read (nothing kept but blockers, evidence, reports): what compaction starts from. */
  readAll(rfd: number, st: Stats): Scanned {
    const s = this.scannedFor(rfd, st);
    this.advance(rfd, s, st.size, Infinity, null, []);
    return s;
  }

  /** What was read of the file open as `rfd`, if it is still the same file; else a fresh start. */
  private scannedFor(rfd: number, st: Stats): Scanned {
    const s = this.scanned;
    if (s && s.dev === st.dev && s.ino === st.ino && s.birthtimeMs === st.birthtimeMs && st.size >= s.end) {
      const mark = Buffer.alloc(s.mark.length);
      if (readSync(rfd, mark, 0, mark.length, s.end - mark.length) === mark.length && mark.equals(s.mark)) return s;
    }
    this.scanned = { dev: st.dev, ino: st.ino, birthtimeMs: st.birthtimeMs, end: 0, mark: Buffer.alloc(0), open: new Map(), evidence: new Map(), reports: [], eras: [], skipped: 0, spans: [] };
    return this.scanned;
  }

  /**
   * Reads the complete lines appended since `s.end` into `s` (blockers, evidence, reports, lines skipped,
   * spans), appending samples at or after `since` to `into(id)` (none without it) and events to `events`.
   */
  private advance(rfd: number, s: Scanned, size: number, since: number, into: Into | null, events: EngineEvent[]): void {
    const scanner = this.scanner;
    let spanStart = s.end;
    // Doubles the closure below updates on every line: in a typed array, not boxed anew each time.
    const spanMax = new Float64Array([-Infinity]);
    // Carry on the last span while it is short, so a load every minute does not add a span every minute.
    const n = s.spans.length;
    if (n && s.spans[n - 2]! - s.spans[n - 3]! < SPAN_BYTES) {
      spanStart = s.spans[n - 3]!;
      spanMax[0] = s.spans[n - 1]!;
      s.spans.length = n - 3;
    }
    // Named scan…: the journal's hot loops are what V8's --turbo-filter lets TurboFan optimize (src/cli.ts).
    const scanChunk = (b: Buffer, offset: number) => {
      for (let start = 0; start < b.length; ) {
        // Samples at or after `since` are in their columns already.
        const k = scanLine(scanner, b, start, since, true, into);
        const e = k === NOT_SIMPLE ? b.indexOf(NEWLINE, start) : scanner.end;
        const at = scanner.at;
        if (k === OLDER || k === TAKEN) {
          if (at > spanMax[0]!) spanMax[0] = at;
        } else if (k === EVIDENCE) {
          const line = b.toString('utf8', start, e);
          s.evidence.set(scanner.id, { at, line });
          if (at > spanMax[0]!) spanMax[0] = at;
        } else if (k === EVENT) {
          if (at > spanMax[0]!) spanMax[0] = at;
          if (at >= since) events.push((parseLine(b.toString('utf8', start, e)) as { event: EngineEvent }).event);
        } else if (start < e) {
          const line = b.toString('utf8', start, e);
          const r = parseLine(line);
          if (!r) s.skipped++;
          else if (r.kind === 'sample') {
            if (r.evidence) s.evidence.set(r.id, { at: r.sample.at, line });
            if (r.sample.at > spanMax[0]!) spanMax[0] = r.sample.at;
            if (into && r.sample.at >= since) into(r.id).push(r.sample);
          } else if (r.kind === 'event') {
            // Not a number (a hand-edited line): compared as JSON.parse left it, so its span is always read.
            const t = typeof r.event.at === 'number' ? r.event.at : Infinity;
            if (t > spanMax[0]!) spanMax[0] = t;
            if (r.event.at >= since) events.push(r.event);
          } else if (r.kind === 'opened') s.open.set(r.blocker.id, line);
          else if (r.kind === 'resolved') s.open.delete(r.resolved.id);
          else if (r.kind === 'report') s.reports.push(line);
          else if (r.kind === 'era') s.eras.push({ era: r.era, line });
        }
        start = e + 1;
        if (offset + start - spanStart >= SPAN_BYTES) {
          s.spans.push(spanStart, offset + start, spanMax[0]!);
          spanStart = offset + start;
          spanMax[0] = -Infinity;
        }
      }
    };
    const end = readChunks(rfd, s.end, size, scanChunk);
    if (end > spanStart) s.spans.push(spanStart, end, spanMax[0]!);
    if (end !== s.end) {
      s.end = end;
      s.mark = Buffer.alloc(Math.min(MARK_BYTES, end));
      readSync(rfd, s.mark, 0, s.mark.length, end - s.mark.length);
    }
  }

  /** Samples and events at or after `since` from the spans already read that may hold any. */
  private reread(rfd: number, s: Scanned, since: number, into: Into, events: EngineEvent[]): void {
    const scanner = this.scanner;
    // Named scan…, as scanChunk above.
    const scanSpan = (b: Buffer) => {
      for (let start = 0; start < b.length; ) {
        // Samples at or after `since` are in their columns already.
        const k = scanLine(scanner, b, start, since, false, into);
        const e = k === NOT_SIMPLE || scanner.end < 0 ? b.indexOf(NEWLINE, start) : scanner.end;
        if (k === EVENT && scanner.at >= since) events.push((parseLine(b.toString('utf8', start, e)) as { event: EngineEvent }).event);
        else if (k === NOT_SIMPLE && start < e) {
          const r = parseLine(b.toString('utf8', start, e));
          if (r?.kind === 'sample' && r.sample.at >= since) into(r.id).push(r.sample);
          else if (r?.kind === 'event' && r.event.at >= since) events.push(r.event);
        }
        start = e + 1;
      }
    };
    const spans = s.spans;
    for (let i = 0; i < spans.length; i += 3) {
      if (!(spans[i + 2]! >= since)) continue;
      // Adjacent spans to read are one read.
      let j = i;
      while (j + 3 < spans.length && spans[j + 5]! >= since) j += 3;
      readChunks(rfd, spans[i]!, spans[j + 1]!, scanSpan);
      i = j;
    }
  }
}
