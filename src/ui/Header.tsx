import { Box, Text } from 'ink';
import { isStale, overall } from '../state/derive.js';
import { formatDuration, statusLabel, truncateStart } from './lib/format.js';
import { formatClock } from './lib/clock.js';
import { useAppState } from './store-context.js';
import { theme } from './theme.js';

/** Store name, overall status, clocks, polling state, next report, feedback file, outbox. */
export function Header({ now, width, muted, nextReportAt }: { now: number; width: number; muted: boolean; nextReportAt: number | null }) {
  const store = useAppState((s) => s.store);
  const demo = useAppState((s) => s.demo);
  const paused = useAppState((s) => s.paused);
  const feedbackFile = useAppState((s) => s.feedbackFile);
  const outbox = useAppState((s) => s.outbox);
  const totals = useAppState(overallKey);
  const targets = useAppState((s) => s.targets);
  const stale = Object.values(targets).filter((t) => isStale(t, now)).length;
  const [status, down, degraded, up, unknown] = totals.split('|') as [string, string, string, string, string];
  const st = status === 'unknown' ? null : (status as 'up' | 'degraded' | 'down');
  const local = formatClock(now);
  const utc = new Date(now).toISOString().slice(11, 19);
  const counts = [down !== '0' && `${down} down`, degraded !== '0' && `${degraded} degraded`, `${up} up`, unknown !== '0' && `${unknown} waiting`]
    .filter(Boolean)
    .join(' · ');
  return (
    <Box flexDirection="column" width={width}>
      <Box>
        <Box flexGrow={1} flexShrink={1}>
          <Text wrap="truncate-end">
            <Text bold color={theme.accent}>
              PITWALL
            </Text>{' '}
            <Text bold>{store}</Text>
            {demo ? (
              <Text bold color={theme.demo}>
                {' '}
                [DEMO]
              </Text>
            ) : null}{' '}
            <Text bold color={theme.status[st ?? 'unknown']} inverse={st === 'down'}>
              {` ${statusLabel(st).toUpperCase()} `}
            </Text>{' '}
            <Text>{counts}</Text>
            {stale ? (
              <Text bold color={theme.warn}>
                {' '}
                ⚠ {stale} stale (not checked lately)
              </Text>
            ) : null}
          </Text>
        </Box>
        <Box flexShrink={0} marginLeft={1}>
          <Text>{width >= 100 ? `${local} local · ${utc} UTC` : `${local} (${utc.slice(0, 5)}Z)`}</Text>
        </Box>
      </Box>
      <Box gap={2}>
        {paused ? (
          <Text bold color={theme.warn}>
            ‖ PAUSED (p resumes)
          </Text>
        ) : (
          <Text color={theme.status.up}>● polling</Text>
        )}
        {nextReportAt !== null ? <Text color={theme.muted}>report in {formatDuration(nextReportAt - now)}</Text> : null}
        <Text color={theme.muted}>bell {muted ? 'muted' : 'on'}</Text>
        {outbox > 0 ? (
          <Text bold color={theme.error}>
            ⚠ {outbox} {outbox === 1 ? 'entry' : 'entries'} waiting to be written
          </Text>
        ) : null}
        <Box flexShrink={1} flexGrow={1}>
          <Text color={theme.muted} wrap="truncate-start">
            feedback: {truncateStart(feedbackFile, Math.max(20, width - 48 - (outbox > 0 ? 36 : 0)))}
          </Text>
        </Box>
      </Box>
    </Box>
  );
}

/** A string key so the selector result compares by value and the header re-renders only on change. */
function overallKey(s: Parameters<typeof overall>[0]): string {
  const o = overall(s);
  return `${o.status ?? 'unknown'}|${o.down}|${o.degraded}|${o.up}|${o.unknown}`;
}
