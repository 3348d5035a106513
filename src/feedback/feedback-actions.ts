/**
 * The two things a person (the console) or an agent (`pitwall mcp`) can write to the feedback file:
 * a BLOCKER entry and the hourly report. One implementation, so both write the same entries by the
 * same rules through the same writer.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Config } from '../config/config.js';
import { blockerEntry, newBlockerId } from './escalation.js';
import type { AppendResult, FeedbackWriter } from './feedback-writer.js';
import type { Journal } from '../journal/journal.js';
import { HOUR_MS, buildHourlyReport, hourWindow, previousReport, reportTargets, type ReportSummary } from './report.js';
import type { Blocker, Store } from '../state/store.js';
import { networkReportLines, salesSyncReportLines } from '../state/derive.js';

/** How much of the feedback file's end is read to find the last hourly report's heading. */
const TAIL_BYTES = 256 * 1024;

/**
 * The heading of the last hourly report in the feedback file ("2026-10-13 13:00–14:00 UTC"), or null: what "since the
 * previous report" names when the journal has no summary of it (another pitwall, another state folder, wrote it).
 */
export function lastReportHeading(path: string): string | null {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    const found = [...buf.toString('utf8').matchAll(/^## Hourly report — (.+)$/gm)].at(-1);
    return found ? found[1]!.trim() : null;
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Escalating a target again within this window asks first (the console) or needs `again` (MCP). */
export const DUPLICATE_WINDOW_MS = 5 * 60 * 1000;

/** An open blocker on `targetId` opened less than DUPLICATE_WINDOW_MS before `now`, newest first. */
export function recentBlocker(blockers: Iterable<Blocker>, targetId: string, now: number): Blocker | undefined {
  let found: Blocker | undefined;
  for (const b of blockers) {
    if (b.targetId === targetId && now - b.openedAt < DUPLICATE_WINDOW_MS && (!found || b.openedAt > found.openedAt)) found = b;
  }
  return found;
}

export interface EscalateInput {
  store: Store;
  writer: FeedbackWriter;
  configPath: string | null;
  /** The config, for the target's endpoint in the entry. */
  config?: Pick<Config, 'targets'>;
  targetId: string;
  note: string;
  /** Who escalated; default user@host of this process. */
  by?: string;
  at?: number;
}

/**
 * Appends a BLOCKER entry built from the store's current state and opens the blocker in the store
 * (the journal follows the store). The blocker opens even when the entry waits in the outbox: it
 * reaches the file later, and the screen should show it now.
 */
export async function escalateTarget(input: EscalateInput): Promise<{ blocker: Blocker; result: AppendResult }> {
  const { store, writer, targetId, note } = input;
  const at = input.at ?? Date.now();
  const id = newBlockerId(targetId, at);
  const target = input.config?.targets.find((t) => t.id === targetId);
  const entry = blockerEntry({ state: store.getSnapshot(), targetId, note, at, blockerId: id, ...(target ? { target } : {}), ...(input.by ? { by: input.by } : {}) });
  const result = await writer.append(entry);
  const blocker: Blocker = { id, targetId, openedAt: at, note };
  store.dispatch({ type: 'blocker-opened', blocker, at });
  return { blocker, result };
}

export interface HourlyReportInput {
  config: Pick<Config, 'targets' | 'store'>;
  journal: Journal;
  /** Blockers open now. */
  blockers: readonly Blocker[];
  which: 'current' | 'last';
  now?: number;
  /** Lines appended after the report (the console's webhook section). */
  appendix?: readonly string[];
  /** The feedback file, to name its last report when the journal has none to compare with. */
  feedbackFile?: string;
}

/** Builds the hourly report from the journal (the hour, the two before it for the comparison), without writing it. */
export function buildReportFromJournal(input: HourlyReportInput): { markdown: string; summary: ReportSummary } {
  const now = input.now ?? Date.now();
  const window = hourWindow(now, input.which);
  const h = input.journal.load(window.hourStart - 2 * HOUR_MS);
  const previous = previousReport(h.reports, now);
  const { markdown, summary } = buildHourlyReport({
    ...window,
    samples: h.samples,
    events: h.events,
    targets: reportTargets(input.config),
    blockers: input.blockers,
    previous,
    previousHeading: !previous && input.feedbackFile ? lastReportHeading(input.feedbackFile) : null,
    eras: h.eras,
    now,
    store: input.config.store,
  });
  const text = input.appendix?.length ? `${markdown.trimEnd()}\n${input.appendix.join('\n')}` : markdown;
  return { markdown: text, summary };
}

/**
 * The hourly report as a live pitwall writes it, not yet written: the journal's hour (pitwall's own health included:
 * it is in the journal's samples, so a headless `pitwall report` says the same) plus what only the live store knows
 * (vendors and network now) and the feedback file's last report. The console's preview (h) and every writer use this
 * one, so a previewed report is exactly the one written.
 */
export function draftHourlyReport(
  input: HourlyReportInput & { store: Store; feedbackFile: string },
): { markdown: string; summary: ReportSummary } {
  const now = input.now ?? Date.now();
  const snapshot = input.store.getSnapshot();
  return buildReportFromJournal({
    ...input,
    now,
    appendix: [...(input.appendix ?? []), ...salesSyncReportLines(snapshot), ...networkReportLines(snapshot)],
  });
}

/** Builds and appends the hourly report, journals its summary (the next report diffs against it) and logs the event. */
export async function writeHourlyReport(
  input: HourlyReportInput & { store: Store; writer: FeedbackWriter },
): Promise<{ markdown: string; summary: ReportSummary; result: AppendResult }> {
  const now = input.now ?? Date.now();
  const { markdown, summary } = draftHourlyReport({ ...input, now, feedbackFile: input.feedbackFile ?? input.writer.path });
  const result = await input.writer.append(markdown);
  input.journal.appendReport(summary);
  input.store.dispatch({ type: 'event', event: { type: 'report', at: now, path: input.writer.path } });
  return { markdown, summary, result };
}
