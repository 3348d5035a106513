import { Box, Text } from 'ink';
import { memo } from 'react';
import { overall, pitwallOffline, staleKey } from '../state/derive.js';
import { stallTotals } from '../state/store.js';
import { useClock, useTimeZone } from './clock-context.js';
import { formatDuration, statusLabel, truncateStart } from '../text/format.js';
import { clockText, formatClock } from './lib/clock.js';
import { paint } from './lib/paint.js';
import { useAppState } from './store-context.js';
import { useConsoleInfo } from './console-info.js';
import { theme } from './theme.js';

interface Props {
  width: number;
  muted: boolean;
  /** When the next automatic hourly report is due, or null when none is scheduled. */
  nextReportAt?: () => number | null;
}

const PAUSED = '‖ PAUSED (p resumes)';
const POLLING = '● polling';
const MUTED = 'BELL MUTED (m unmutes)';
const BELL_ON = 'bell on';
const outboxText = (n: number) => `⚠ ${n} ${n === 1 ? 'entry' : 'entries'} waiting to be written`;

/**
 * The header's states, as many and as long as fit in `room` columns (two between each): first everything in full;
 * then, in turn, without pitwall's stall count, without "report in", without "bell on", and with the short forms of
 * the outbox, mute and pause. What must be noticed (paused, muted, unwritten entries) always stays.
 */
export function fitStates(
  s: { paused: boolean; muted: boolean; report: boolean; reportWidth?: number; stalls: string | null; outbox: number },
  room: number,
): { polling: string; report: boolean; bell: string | null; stalls: string | null; outbox: string | null; width: number } {
  type Fit = { polling: string; report: boolean; bell: string | null; stalls: string | null; outbox: string | null };
  const full: Fit = {
    polling: s.paused ? PAUSED : POLLING,
    report: s.report,
    bell: s.muted ? MUTED : BELL_ON,
    stalls: s.stalls,
    outbox: s.outbox > 0 ? outboxText(s.outbox) : null,
  };
  const widthOf = (f: Fit) =>
    [f.polling, f.report ? 'x'.repeat(s.reportWidth ?? REPORT_WIDTH.countdown) : '', f.bell ?? '', f.stalls ?? '', f.outbox ?? ''].filter(Boolean).reduce((n, t) => n + t.length + 2, 0);
  const steps: ((f: Fit) => Fit)[] = [
    (f) => ({ ...f, stalls: null }),
    (f) => ({ ...f, report: false }),
    (f) => ({ ...f, bell: s.muted ? f.bell : null }),
    (f) => ({ ...f, outbox: s.outbox > 0 ? `⚠ ${s.outbox} unwritten` : null }),
    (f) => ({ ...f, bell: s.muted ? 'MUTED' : null }),
    (f) => ({ ...f, polling: s.paused ? '‖ PAUSED' : POLLING }),
  ];
  let f = full;
  for (const step of steps) {
    if (widthOf(f) <= room) break;
    f = step(f);
  }
  return { ...f, width: widthOf(f) };
}

/** Lines the header takes beyond its two: the demo's warning. */
export function headerExtraLines(demo: boolean): number {
  return demo ? 2 : 0;
}

/** Store name, overall status, clocks, polling state, next report, config and feedback files, outbox; the demo's warning. */
export const Header = memo(function Header({ width, muted, nextReportAt }: Props) {
  const info = useConsoleInfo();
  const store = useAppState((s) => s.store);
  const demo = useAppState((s) => s.demo);
  const paused = useAppState((s) => s.paused);
  const feedbackFile = useAppState((s) => s.feedbackFile);
  const outbox = useAppState((s) => s.outbox);
  const stalls = useAppState(stallKey);
  const totals = useAppState(overallKey);
  const targets = useAppState((s) => s.targets);
  const offline = useAppState(pitwallOffline);
  const staleIds = useClock((now) => staleKey(targets, now));
  const stale = staleIds ? staleIds.split(',').length : 0;
  const [status, down, degraded, up, unknown] = totals.split('|') as [string, string, string, string, string];
  // Green only while every result is fresh: with results too old to trust (paused, the engine stuck), not known.
  const st = status === 'unknown' || (status === 'up' && stale > 0) ? null : (status as 'up' | 'degraded' | 'down');
  // The states beside the paths, fitted to the width (fitStates): at 80 columns a paused, muted console with an
  // outbox must not wrap the line and push the store name off the top.
  const written = useAppState(lastReportAt);
  const recent = useClock((now) => written !== null && now - written < REPORT_SHOWN_MS);
  // The paths keep at least 40 columns where there are 100 (24 below): the config's name must stay readable.
  const fit = fitStates(
    { paused, muted, report: Boolean(nextReportAt), reportWidth: recent ? REPORT_WIDTH.written : REPORT_WIDTH.countdown, stalls: stalls || null, outbox },
    width - 3 - (width >= 100 ? 40 : 24),
  );
  const statesWidth = fit.width;
  const counts = [down !== '0' && `${down} down`, degraded !== '0' && `${degraded} degraded`, `${up} up`, unknown !== '0' && `${unknown} waiting`]
    .filter(Boolean)
    .join(' · ');
  return (
    <Box flexDirection="column" width={width}>
      <Box justifyContent="space-between">
        <Text wrap="truncate-end">
          {paint('PITWALL', { color: theme.accent, bold: true })} {paint(store, { bold: true })}
          {demo ? paint(' [DEMO]', { color: theme.demo, bold: true }) : ''}{' '}
          {paint(` ${statusLabel(st).toUpperCase()} `, { color: theme.status[st ?? 'unknown'], bold: true, inverse: st === 'down' })}{' '}
          {offline ? paint(`⚠ pitwall offline? ${offline} · `, { color: theme.error, bold: true }) : ''}
          {counts}
          {stale ? paint(` ⚠ ${stale} stale (not checked lately)`, { color: theme.warn, bold: true }) : ''}
        </Text>
        <Box flexShrink={0} marginLeft={1}>
          <Clock wide={width >= 100} />
        </Box>
      </Box>
      <Box>
        {/* The states never shrink; the file paths take what is left, cut from their start. */}
        <Box gap={2} flexShrink={0} marginRight={2}>
          <Text>{paint(fit.polling, paused ? { color: theme.warn, bold: true } : { color: theme.status.up })}</Text>
          {fit.report && nextReportAt ? <ReportIn at={nextReportAt} /> : null}
          {/* Muted is a state someone must notice: it silences every target, not one (a acknowledges one). */}
          {fit.bell ? <Text>{paint(fit.bell, muted ? { color: theme.warn, bold: true } : { color: theme.muted })}</Text> : null}
          {fit.stalls ? <Text>{paint(fit.stalls, { color: theme.muted })}</Text> : null}
          {fit.outbox ? <Text>{paint(fit.outbox, { color: theme.error, bold: true })}</Text> : null}
        </Box>
        <Box flexShrink={1} flexGrow={1}>
          <Text wrap="truncate-start">{paint(files(info.configPath, feedbackFile, width - statesWidth - 2), { color: theme.muted })}</Text>
        </Box>
      </Box>
      {demo ? (
        // On every frame of the demo: what this is, why it opened, and the way to the real thing (issue 19).
        <>
          <Text wrap="truncate-end">
            {paint(' DEMO ', { color: theme.demo, bold: true, inverse: true })}
            {/* Short enough for 80 columns: the way out must not be cut off. */}
            {paint(' not your store · "pitwall init" writes a config · "-c FILE" opens one', { color: theme.demo, bold: true })}
          </Text>
          <Text wrap="truncate-middle">{paint(info.searched ?? 'no config file', { color: theme.demo })}</Text>
        </>
      ) : null}
    </Box>
  );
});

/** "config ~/launch/pitwall.yaml · feedback …/integrations.md", each path cut from the start to fit `width`. */
function files(configPath: string | null, feedbackFile: string, width: number): string {
  if (!configPath) return `feedback: ${truncateStart(feedbackFile, Math.max(10, width - 10))}`;
  // The config first (usually short: "../pitwall.yaml"), up to two thirds of the room; the feedback file gets the rest.
  const room = Math.max(20, width - 21);
  const cfg = truncateStart(configPath, Math.max(10, Math.min(configPath.length, Math.floor((room * 2) / 3))));
  return `config: ${cfg} · feedback: ${truncateStart(feedbackFile, Math.max(10, room - cfg.length))}`;
}

/** Local and UTC wall-clock time: "14:03:12 local · 12:03:12 UTC", or "14:03:12 (12:03Z)" when narrow. */
function Clock({ wide }: { wide: boolean }) {
  const tz = useTimeZone();
  return <Text>{useClock((now) => clockText(now, wide, tz))}</Text>;
}

/** How long the header says a report was just written (an event line scrolls away within seconds). */
const REPORT_SHOWN_MS = 15 * 60_000;
/** The widest the report state gets: "report in 59m59s", or "✔ report 03:00 · next 59m59s" just after one. */
const REPORT_WIDTH = { countdown: 16, written: 28 };

/** When the last hourly report was written (any writer in this console), or null. */
function lastReportAt(s: { events: readonly { type: string; at: number }[] }): number | null {
  return s.events.findLast((e) => e.type === 'report')?.at ?? null;
}

function ReportIn({ at }: { at: () => number | null }) {
  const tz = useTimeZone();
  const written = useAppState(lastReportAt);
  const text = useClock((now) => {
    const due = at();
    if (written !== null && now - written < REPORT_SHOWN_MS) {
      return `✔ report ${formatClock(written, now, tz).slice(0, 5)}${due === null ? '' : ` · next ${formatDuration(due - now)}`}`;
    }
    return due === null ? null : `report in ${formatDuration(due - now)}`;
  });
  return text === null ? null : <Text>{paint(text, { color: text.startsWith('✔') ? theme.status.up : theme.muted })}</Text>;
}

/**
 * pitwall's own health, when it needs saying: checks measured again because its event loop stalled
 * ("pitwall busy: 3 re-measured, 1 out of p95"), and those kept out of p50/p95. Empty while there were none.
 */
function stallKey(s: Parameters<typeof stallTotals>[0]): string {
  const { remeasured, flagged } = stallTotals(s);
  if (!remeasured && !flagged) return '';
  // Short: it shares the status line with the report timer and the feedback path, and must not wrap it.
  return `pitwall busy: ${[remeasured ? `${remeasured} re-measured` : '', flagged ? `${flagged} out of p95` : ''].filter(Boolean).join(', ')}`;
}

/** A string key so the selector result compares by value and the header re-renders only on change. */
function overallKey(s: Parameters<typeof overall>[0]): string {
  const o = overall(s);
  return `${o.status ?? 'unknown'}|${o.down}|${o.degraded}|${o.up}|${o.unknown}`;
}
