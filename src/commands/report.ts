import type { Config } from '../config/config.js';
import { stateFromHistory } from '../journal/journal.js';
import { HOUR_MS, buildHourlyReport, hourWindow, previousReport, reportTargets } from '../feedback/report.js';
import { initialState } from '../state/store.js';
import { lastReportHeading } from '../feedback/feedback-actions.js';
import { checkAndJournal, openFeedbackContext, reportAppend, type FeedbackCommandOptions } from './escalate.js';

export interface ReportOptions extends FeedbackCommandOptions {
  /** IANA zone for the local time in the heading; default: this machine's. */
  timeZone?: string;
}

/** How far back to read: the hour reported, the hour before it, and incidents that began earlier. */
const LOOKBACK_MS = 3 * HOUR_MS;

/**
 * `pitwall report`: writes the hourly report for the last full hour from the journal — final numbers,
 * the same hour the console reports at the top of the hour, comparable with the previous report. If
 * the journal has nothing for that hour but has some for the current one (pitwall started this hour),
 * it reports the partial current hour, checking once the targets it has nothing on this hour; with no
 * journal at all it runs one round of checks and says so.
 * Returns 0 written, 1 kept in the outbox; throws UsageError (exit 3) for a protected/missing file.
 */
export async function runReport(config: Config, opts: ReportOptions): Promise<number> {
  const { journal, writer, now } = openFeedbackContext(config, opts);
  try {
    const t0 = now();
    let history = journal.load(t0 - LOOKBACK_MS);
    const has = (w: { hourStart: number; hourEnd: number }) =>
      Object.values(history.samples).some((list) => list.some((s) => s.at >= w.hourStart && s.at < w.hourEnd));
    let window = hourWindow(t0, 'last');
    let fresh = false;
    let checkedNow: string[] = [];
    if (!has(window)) {
      window = hourWindow(t0, 'current');
      if (has(window)) {
        // This hour so far: a target the journal has nothing on (not watched yet; only another target escalated)
        // is checked now rather than reported as "no data" while it may be down.
        const w = window;
        checkedNow = config.targets.map((t) => t.id).filter((id) => !history.samples[id]?.some((s) => s.at >= w.hourStart && s.at < w.hourEnd));
        if (checkedNow.length) {
          await checkAndJournal(config, stateFromHistory(initialState(config, { now: t0 }), history), checkedNow, journal, opts, 'report');
          history = journal.load(t0 - LOOKBACK_MS);
        }
      } else {
        const state = stateFromHistory(initialState(config, { now: t0 }), history);
        const after = await checkAndJournal(config, state, config.targets.map((t) => t.id), journal, opts, 'report');
        history = journal.load(t0 - LOOKBACK_MS);
        fresh = true;
        // The hour the round landed in (it may have crossed the hour boundary).
        const last = Math.max(t0, ...Object.values(after.targets).map((t) => t.checkedAt ?? t0));
        window = hourWindow(last, 'current');
      }
    }
    const at = now();
    const previous = previousReport(history.reports, at);
    const { markdown, summary } = buildHourlyReport({
      ...window,
      samples: history.samples,
      events: history.events,
      eras: history.eras,
      targets: reportTargets(config),
      blockers: history.blockers,
      previous,
      previousHeading: previous ? null : lastReportHeading(writer.path),
      ranFreshRound: fresh,
      checkedNow,
      now: at,
      store: config.store,
      ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
    });
    const result = await writer.append(markdown);
    journal.appendReport(summary);
    journal.appendEvent({ type: 'report', at, path: writer.path });
    const span = `${new Date(window.hourStart).toISOString().slice(11, 16)}–${new Date(Math.min(window.hourEnd, at)).toISOString().slice(11, 16)} UTC`;
    const what = `hourly report for ${span}${summary.partial ? ' (partial hour)' : ''}${fresh ? ' (from one round of checks just now)' : ''}${checkedNow.length ? ` (${checkedNow.join(', ')} checked just now)` : ''}`;
    return reportAppend(result, what, opts);
  } finally {
    journal.close();
    await writer.close();
  }
}
