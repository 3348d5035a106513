import { Box, Text } from 'ink';
import type { ProbeResult } from '../probes/types.js';
import { TILES } from '../config/config.js';
import { openBlockerFor, shownStatus, vendorIncident } from '../state/derive.js';
import { detailText, formatAgo, formatDuration, formatLatency, formatUptime, STATUS_SYMBOL, truncate } from '../text/format.js';
import { formatClock } from './lib/clock.js';
import { hintFor } from './lib/hints.js';
import { lastHour, problemOf, targetSeenSince, windowLabel } from './lib/row-stats.js';
import { sparkline } from '../text/sparkline.js';
import { useClock } from './clock-context.js';
import { useAppState, useTarget } from './store-context.js';
import { theme } from './theme.js';

/** Everything about one target: full error and evidence, what to try, timings, stats, sub-checks, details. */
export function DetailView({ id, width, height }: { id: string; width: number; height: number }) {
  const t = useTarget(id);
  const blocker = useAppState((s) => openBlockerFor(s, id));
  const startedAt = useAppState((s) => s.startedAt);
  const vendor = useAppState((s) => vendorIncident(s, id));
  // One panel, every second: its durations all move with the clock.
  const now = useClock((n) => n);
  const stats = t ? lastHour(t.samples, now) : null;
  if (!t || !stats) return <Text>no such target</Text>;
  const r = t.latest;
  const status = shownStatus(t) ?? 'unknown';
  const sparkWidth = Math.max(10, width - 14);
  const lines: React.ReactNode[] = [];
  const add = (node: React.ReactNode) => lines.push(node);
  const label = (l: string) => <Text color={theme.muted}>{l.padEnd(12)}</Text>;

  add(
    <Text>
      <Text bold color={theme.status[status]}>
        {STATUS_SYMBOL[status]} {status.toUpperCase()}
      </Text>
      <Text bold> {t.name}</Text>
      <Text color={theme.muted}> ({t.kind})</Text>
      {t.failingSince ? <Text> · not up since {formatClock(t.failingSince, now)} ({formatDuration(now - t.failingSince)})</Text> : null}
      {t.consecutiveFailures ? <Text> · {t.consecutiveFailures} consecutive {t.consecutiveFailures === 1 ? 'failure' : 'failures'}</Text> : null}
    </Text>,
  );
  // How current this is, second: a short terminal cuts the panel's last lines.
  add(
    <Text color={theme.muted} wrap="truncate-end">
      {t.checkedAt ? `checked ${formatAgo(t.checkedAt, now)}` : 'not checked yet'}
      {t.noAnswerSince !== null ? <Text color={theme.status.degraded}> · no answer for {formatDuration(now - t.noAnswerSince)} (checking)</Text> : null}
      {t.nextAt ? ` · next in ${formatDuration(t.nextAt - now)}` : ''}
      {t.attempts > 1 ? ` · took ${t.attempts} attempts` : ''} · every {formatDuration(t.intervalMs)}
    </Text>,
  );
  if (blocker) {
    add(
      <Text color={theme.blocker}>
        ⚑ BLOCKER {blocker.id} open {formatAgo(blocker.openedAt, now)} — x resolves it
      </Text>,
    );
  }
  if (vendor) add(<Text color={theme.warn} wrap="truncate-end">{label('vendor')}{vendor}</Text>);
  if (r && r.status !== 'up') {
    add(
      <Text wrap={height < 30 ? 'truncate-end' : 'wrap'}>
        {label('problem')}
        <Text color={theme.status[status]}>{problemOf(r)}</Text>
        {r.error?.httpStatus ? <Text color={theme.muted}> · HTTP {r.error.httpStatus}</Text> : null}
        {r.error?.code !== undefined ? <Text color={theme.muted}> · code {String(r.error.code)}</Text> : null}
        {r.error?.retryAfterMs !== undefined ? <Text color={theme.muted}> · retry after {formatDuration(r.error.retryAfterMs)}</Text> : null}
      </Text>,
    );
    if (r.error) {
      add(
        <Text wrap={height < 30 ? 'truncate-end' : 'wrap'}>
          {label('what to try')}
          {hintFor(t.kind, r.error.kind)}
        </Text>,
      );
    }
  }
  const evidence = evidenceLines(r);
  if (evidence.length) {
    add(<Text color={theme.muted}>evidence</Text>);
    for (const e of evidence.slice(-8)) add(<Text wrap="truncate-end">  {e}</Text>);
  }
  const window = windowLabel(targetSeenSince(t, startedAt), now);
  const apart = [...t.samples].filter((x) => x.apart && x.at >= now - 3_600_000).length;
  add(
    <Text wrap="truncate-end">
      {label(window === '1h' ? 'last hour' : `last ${window}`)}up {formatUptime(stats.uptimePct, stats.failures)} · {stats.checks} {stats.checks === 1 ? 'check' : 'checks'}, {stats.failures} failed · p50 {formatLatency(stats.p50)} · p95{' '}
      {formatLatency(stats.p95)} · max {formatLatency(stats.max)}
      {apart ? <Text color={theme.muted}> · {apart} apart (cold start or pitwall stalled)</Text> : null}
    </Text>,
  );
  if (t.coldSample) {
    add(
      <Text wrap="truncate-end">
        {label('cold start')}
        {formatLatency(t.coldSample.latencyMs)} first check after a new connection or session, {formatAgo(t.coldSample.at, now)} · not in p50/p95
      </Text>,
    );
  }
  if (t.stalls.remeasured || t.stalls.flagged) {
    // pitwall's own health: these latencies would have been its own, not the upstream's.
    add(
      <Text wrap="truncate-end" color={theme.muted}>
        {label('pitwall')}
        {t.stalls.remeasured} {t.stalls.remeasured === 1 ? 'check' : 'checks'} measured again: its own event loop stalled during them
        {t.stalls.flagged ? ` · ${t.stalls.flagged} kept out of p50/p95 (stalled ${formatLatency(t.stalls.lastMs)})` : ''}
      </Text>,
    );
  }
  add(
    <Text>
      {label('')}
      <Text color={theme.accent}>{sparkline(t.samples.slice(-sparkWidth).map((s) => s.latencyMs), { width: sparkWidth })}</Text>
    </Text>,
  );
  if (r?.phases?.length) add(<Text>{label('phases')}{r.phases.map((p) => `${p.name} ${formatLatency(p.ms)}`).join(' · ')}</Text>);
  if (r?.headroom?.length) {
    add(
      <Text>
        {label('headroom')}
        {r.headroom.map((h) => `${h.name} ${h.remaining}/${h.limit} (${h.limit ? Math.round((100 * h.remaining) / h.limit) : 0}%)`).join(' · ')}
      </Text>,
    );
  }
  for (const s of r?.subChecks ?? []) {
    add(
      <Text wrap="truncate-end">
        {label('sub-check')}
        <Text color={theme.status[s.status]}>
          {STATUS_SYMBOL[s.status]} {s.name}
        </Text>
        {s.tile ? <Text color={theme.muted}> ({TILES[s.tile]})</Text> : null} {formatLatency(s.latencyMs)}
        {s.error ? <Text color={theme.status[s.status]}> {s.error.kind}: {s.error.message}</Text> : null}
      </Text>,
    );
  }
  add(<Text>{label('tiles')}{t.tiles.length ? t.tiles.map((x) => TILES[x]).join(', ') : 'none mapped'}</Text>);
  for (const [k, v] of Object.entries(r?.details ?? {})) {
    if (k === 'stderrTail') continue;
    add(
      <Text wrap="truncate-end">
        {label(truncate(k, 11))}
        {truncate(detailText(v), width - 14)}
      </Text>,
    );
  }
  return (
    <Box flexDirection="column" width={width} borderStyle="round" borderColor={theme.accent} paddingX={1}>
      {lines.slice(0, Math.max(1, height - 2)).map((node, i) => (
        <Box key={i} width={width - 4}>
          {node}
        </Box>
      ))}
    </Box>
  );
}

function evidenceLines(r: ProbeResult | null): string[] {
  if (!r) return [];
  const out: string[] = [];
  const tail = r.details.stderrTail;
  if (r.error?.evidence) out.push(...r.error.evidence.split('\n'));
  else if (Array.isArray(tail)) out.push(...tail.map(String));
  else if (typeof tail === 'string' && tail) out.push(...tail.split('\n'));
  return out.filter((l) => l.trim());
}
