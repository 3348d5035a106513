import { Box, Text } from 'ink';
import { useEffect } from 'react';
import wrapAnsi from 'wrap-ansi';
import { TILES } from '../config/config.js';
import { openBlockerFor, shownStatus, vendorIncident } from '../state/derive.js';
import type { TargetState } from '../state/store.js';
import { detailText, formatAgo, formatDuration, formatLatency, formatUptime, STATUS_SYMBOL } from '../text/format.js';
import { sparkline } from '../text/sparkline.js';
import { useClock, useTimeZone } from './clock-context.js';
import { formatClock, zoneLabel } from './lib/clock.js';
import { evidenceLines } from './lib/detail-text.js';
import { hintFor } from './lib/hints.js';
import { paint } from './lib/paint.js';
import { lastHour, problemOf, targetSeenSince, windowLabel } from './lib/row-stats.js';
import { useAppState, useTarget } from './store-context.js';
import { ackActive, ackLabel } from '../state/acks.js';
import { useAck } from './use-acks.js';
import { theme } from './theme.js';

const LABEL = 12;

interface Props {
  id: string;
  width: number;
  height: number;
  /** Where the target is checked, redacted (lib/endpoint.ts). */
  endpoint?: string;
  /** Lines scrolled down. */
  scroll?: number;
  /** Told how far the view can scroll, whenever that changes (the keys clamp to it). */
  onLimit?: (max: number) => void;
}

/**
 * Everything about one target: the whole error and evidence, wrapped, where it is checked, what to try, timings,
 * stats, sub-checks, details. Scrolls (↑↓, PgUp/PgDn, g/G) when it is taller than the screen.
 */
export function DetailView({ id, width, height, endpoint, scroll = 0, onLimit }: Props) {
  const t = useTarget(id);
  const blocker = useAppState((s) => openBlockerFor(s, id));
  const startedAt = useAppState((s) => s.startedAt);
  const vendor = useAppState((s) => vendorIncident(s, id));
  const ack = useAck(id);
  // One panel, every second: its durations all move with the clock.
  const now = useClock((n) => n);
  const tz = useTimeZone();
  const inner = Math.max(20, width - 4);
  const lines = t ? detailLines(t, { now, startedAt, blocker, vendor, endpoint, inner, tz, ack: ack && ackActive(ack, now) ? `${ackLabel(ack, (at) => formatClock(at, at, tz).slice(0, 5))}${ack.note ? `: ${ack.note}` : ''}` : null }) : ['no such target'];
  // The border takes two lines and the scroll line one.
  const room = Math.max(1, height - 3);
  const max = Math.max(0, lines.length - room);
  useEffect(() => onLimit?.(max), [onLimit, max]);
  const from = Math.min(Math.max(0, scroll), max);
  const shown = lines.slice(from, from + room);
  const where = lines.length > room ? `lines ${from + 1}–${from + shown.length} of ${lines.length} · ↑↓ PgUp/PgDn · ` : '';
  return (
    <Box flexDirection="column" width={width} borderStyle="round" borderColor={theme.accent} paddingX={1}>
      <Text wrap="truncate-end">{shown.join('\n')}</Text>
      <Text wrap="truncate-end">{paint(`${where}c copies error and evidence · Esc back`, { color: theme.muted })}</Text>
    </Box>
  );
}

/** `label` then `text` wrapped to `width`, continuation lines under the text. */
function labelled(label: string, text: string, width: number): string[] {
  const wrapped = wrapAnsi(text, Math.max(10, width - LABEL), { hard: true, trim: false }).split('\n');
  return wrapped.map((l, i) => (i === 0 ? paint(label.padEnd(LABEL), { color: theme.muted }) : ' '.repeat(LABEL)) + l);
}

/** The detail view's lines at `now`, wrapped to `inner` columns. */
function detailLines(
  t: TargetState,
  o: { now: number; startedAt: number; blocker: ReturnType<typeof openBlockerFor>; vendor: string | null; endpoint: string | undefined; inner: number; tz: string | undefined; ack: string | null },
): string[] {
  const { now, inner } = o;
  const r = t.latest;
  const status = shownStatus(t) ?? 'unknown';
  const out: string[] = [];
  const wrap = (s: string) => out.push(...wrapAnsi(s, inner, { hard: true, trim: false }).split('\n'));
  const add = (label: string, text: string) => out.push(...labelled(label, text, inner));

  wrap(
    paint(`${STATUS_SYMBOL[status]} ${status.toUpperCase()}`, { color: theme.status[status], bold: true }) +
      paint(` ${t.id}`, { bold: true }) +
      (t.name !== t.id ? ` ${t.name}` : '') +
      paint(` (${t.kind})`, { color: theme.muted }) +
      (t.failingSince ? ` · not up since ${formatClock(t.failingSince, now, o.tz)} ${zoneLabel(o.tz, now)} (${formatDuration(now - t.failingSince)})` : '') +
      (t.consecutiveFailures ? ` · ${t.consecutiveFailures} consecutive ${t.consecutiveFailures === 1 ? 'failure' : 'failures'}` : ''),
  );
  // How current this is, second: the top of the panel is what a short terminal keeps.
  wrap(
    paint(
      (t.checkedAt ? `checked ${formatAgo(t.checkedAt, now)}` : 'not checked yet') +
        (t.noAnswerSince !== null ? ` · no answer for ${formatDuration(now - t.noAnswerSince)} (checking)` : '') +
        (t.nextAt ? ` · next in ${formatDuration(t.nextAt - now)}` : '') +
        (t.attempts > 1 ? ` · took ${t.attempts} attempts` : '') +
        ` · every ${formatDuration(t.intervalMs)}`,
      { color: theme.muted },
    ),
  );
  if (o.endpoint) add('endpoint', o.endpoint);
  if (o.blocker) wrap(paint(`⚑ BLOCKER ${o.blocker.id} open ${formatAgo(o.blocker.openedAt, now)} — x resolves it`, { color: theme.blocker }));
  // The vendor's own incident, when its status page has one open: likely not ours to fix.
  if (o.ack) add('ack', paint(o.ack, { color: theme.accent }));
  if (o.vendor) add('vendor', paint(o.vendor, { color: theme.warn }));
  if (r && r.status !== 'up') {
    const extra = [
      r.error?.httpStatus ? `HTTP ${r.error.httpStatus}` : '',
      r.error?.code !== undefined ? `code ${String(r.error.code)}` : '',
      r.error?.retryAfterMs !== undefined ? `retry after ${formatDuration(r.error.retryAfterMs)}` : '',
    ].filter(Boolean);
    add('problem', paint(problemOf(r), { color: theme.status[status] }) + (extra.length ? paint(` · ${extra.join(' · ')}`, { color: theme.muted }) : ''));
    if (r.error) add('what to try', hintFor(t.kind, r.error.kind));
  }
  const evidence = evidenceLines(r);
  evidence.forEach((e, i) => add(i === 0 ? 'evidence' : '', e));
  const stats = lastHour(t.samples, now);
  const window = windowLabel(targetSeenSince(t, o.startedAt), now);
  const apart = [...t.samples].filter((x) => x.apart && x.at >= now - 3_600_000).length;
  add(
    window === '1h' ? 'last hour' : `last ${window}`,
    `up ${formatUptime(stats.uptimePct, stats.failures)} · ${stats.checks} ${stats.checks === 1 ? 'check' : 'checks'}, ${stats.failures} failed · p50 ${formatLatency(stats.p50)} · p95 ${formatLatency(stats.p95)} · max ${formatLatency(stats.max)}` +
      (apart ? paint(` · ${apart} apart (cold start or pitwall stalled)`, { color: theme.muted }) : ''),
  );
  // A cold start that got no answer has no time to show: the failure says it all.
  if (t.coldSample && t.coldSample.latencyMs !== null) {
    add('cold start', `${formatLatency(t.coldSample.latencyMs)} first check after a new connection or session, ${formatAgo(t.coldSample.at, now)} · not in p50/p95`);
  }
  if (t.stalls.remeasured || t.stalls.flagged) {
    // pitwall's own health: these latencies would have been its own, not the upstream's.
    add(
      'pitwall',
      paint(
        `${t.stalls.remeasured} ${t.stalls.remeasured === 1 ? 'check' : 'checks'} measured again: its own event loop stalled during them` +
          (t.stalls.flagged ? ` · ${t.stalls.flagged} kept out of p50/p95 (stalled ${formatLatency(t.stalls.lastMs)})` : ''),
        { color: theme.muted },
      ),
    );
  }
  const sparkWidth = Math.max(10, inner - LABEL);
  out.push(' '.repeat(LABEL) + paint(sparkline(t.samples.slice(-sparkWidth).map((s) => s.latencyMs), { width: sparkWidth }), { color: theme.accent }));
  if (r?.phases?.length) add('phases', r.phases.map((p) => `${p.name} ${formatLatency(p.ms)}`).join(' · '));
  if (r?.headroom?.length) {
    add('headroom', r.headroom.map((h) => `${h.name} ${h.remaining}/${h.limit} (${h.limit ? Math.round((100 * h.remaining) / h.limit) : 0}%)`).join(' · '));
  }
  for (const s of r?.subChecks ?? []) {
    add(
      'sub-check',
      paint(`${STATUS_SYMBOL[s.status]} ${s.name}`, { color: theme.status[s.status] }) +
        (s.tile ? paint(` (${TILES[s.tile]})`, { color: theme.muted }) : '') +
        ` ${formatLatency(s.latencyMs)}` +
        (s.error ? paint(` ${s.error.kind}: ${s.error.message}`, { color: theme.status[s.status] }) : ''),
    );
  }
  add('tiles', t.tiles.length ? t.tiles.map((x) => TILES[x]).join(', ') : 'none mapped');
  for (const [k, v] of Object.entries(r?.details ?? {})) {
    if (k === 'stderrTail') continue;
    add(k.length > LABEL - 1 ? `${k.slice(0, LABEL - 2)}…` : k, detailText(v));
  }
  return out;
}
