/**
 * What `pitwall mcp` answers, as plain data: pure functions from the store and journal to the tools'
 * structured results, their zod output schemas, and the short text summaries an agent reads first.
 * No MCP SDK here. Nothing is redacted here either: the server passes every answer through the one
 * redactor on its way out.
 */
import { z } from 'zod';
import type { ProbeError, Status } from '../../probes/types.js';
import { formatDuration, formatLatency, statusLabel, truncate } from '../../text/format.js';
import { TILES } from '../../config/config.js';
import { held, overall, pitwallOffline, tileHealth, vendorIncident } from '../../state/derive.js';
import { isoUtc } from '../../feedback/escalation.js';
import type { JournalSampleList } from '../../journal/sample-columns.js';
import { windowStats } from '../../state/stats.js';
import type { Blocker, EngineEvent, State, TargetState } from '../../state/store.js';

const status = z.enum(['up', 'degraded', 'down', 'unknown']);
type StatusWord = z.infer<typeof status>;
const word = (s: Status | null | undefined): StatusWord => s ?? 'unknown';
const iso = (at: number | null | undefined) => (at === null || at === undefined ? null : isoUtc(at));
const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

export const blockerSchema = z.object({
  id: z.string(),
  target: z.string(),
  openedAt: z.string(),
  note: z.string(),
});
export type BlockerView = z.infer<typeof blockerSchema>;

export const targetStatusSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  status,
  latencyMs: z.number().nullable(),
  checkedAt: z.string().nullable(),
  statusSince: z.string().nullable(),
  failingSince: z.string().nullable(),
  consecutiveFailures: z.number().int(),
  checking: z.boolean(),
  nextCheckAt: z.string().nullable(),
  lastError: z
    .object({
      kind: z.string(),
      message: z.string(),
      at: z.string().nullable(),
      /** True when the latest check failed with it; false for an earlier failure the target has recovered from. */
      current: z.boolean(),
      httpStatus: z.number().optional(),
      evidence: z.string().optional(),
    })
    .nullable(),
  degradedReason: z.string().nullable(),
  /** Dashboard tiles this target feeds. */
  tiles: z.array(z.string()),
  /** Tiles that are not up because of this target. */
  affectedTiles: z.array(z.string()),
  openBlocker: blockerSchema.nullable(),
  /** "likely vendor incident: Shopify reports a major outage of Admin API", from the status page it depends on. */
  vendorIncident: z.string().nullable(),
});
export type TargetStatusView = z.infer<typeof targetStatusSchema>;

export const statusSchema = z.object({
  store: z.string(),
  at: z.string(),
  overall: status,
  counts: z.object({ up: z.number().int(), degraded: z.number().int(), down: z.number().int(), unknown: z.number().int() }),
  paused: z.boolean(),
  /** Why pitwall thinks its own network is down (its failures to connect are held as unknown), or null. */
  pitwallOffline: z.string().nullable(),
  /** Feedback entries waiting in the outbox after a failed write. */
  outbox: z.number().int(),
  feedbackFile: z.string(),
  targets: z.array(targetStatusSchema),
  tiles: z.array(z.object({ id: z.string(), name: z.string(), status, culprits: z.array(z.string()) })),
});
export type StatusView = z.infer<typeof statusSchema>;

export function blockerView(b: Blocker): BlockerView {
  return { id: b.id, target: b.targetId, openedAt: isoUtc(b.openedAt), note: b.note };
}

function newestBlocker(blockers: readonly Blocker[], targetId: string): Blocker | undefined {
  let found: Blocker | undefined;
  for (const b of blockers) if (b.targetId === targetId && (!found || b.openedAt > found.openedAt)) found = b;
  return found;
}

function errorView(e: ProbeError, at: number | null, current: boolean): NonNullable<TargetStatusView['lastError']> {
  return {
    kind: e.kind,
    message: e.message,
    at: iso(at),
    current,
    ...(e.httpStatus !== undefined ? { httpStatus: e.httpStatus } : {}),
    ...(e.evidence ? { evidence: e.evidence } : {}),
  };
}

/** The latest check's error, else the newest failure among the events (a recovered target still says what it was). */
function lastError(state: State, t: TargetState): TargetStatusView['lastError'] {
  if (t.latest?.error) return errorView(t.latest.error, t.checkedAt, true);
  for (let i = state.events.length - 1; i >= 0; i--) {
    const e = state.events[i]!;
    if (e.type === 'transition' && e.targetId === t.id && e.errorKind) {
      return { kind: e.errorKind, message: e.message ?? e.errorKind, at: isoUtc(e.at), current: false };
    }
  }
  return null;
}

/** One target's status; `blockers` are the open blockers (from the journal: every pitwall process's). */
export function targetStatusView(state: State, id: string, blockers: readonly Blocker[]): TargetStatusView {
  const t = state.targets[id]!;
  const r = t.latest;
  const affected = tileHealth(state)
    .filter((tile) => tile.culprits.some((c) => c === id || c.startsWith(`${id}/`)))
    .map((tile) => tile.name);
  const open = newestBlocker(blockers, id);
  return {
    id,
    name: t.name,
    kind: t.kind,
    // Held while pitwall was offline: unknown, as the console shows it.
    status: word(r && held(r) ? null : r?.status),
    latencyMs: round1(r?.latencyMs ?? null),
    checkedAt: iso(t.checkedAt),
    statusSince: iso(t.statusSince),
    failingSince: iso(t.failingSince),
    consecutiveFailures: t.consecutiveFailures,
    checking: t.running,
    nextCheckAt: iso(t.nextAt),
    lastError: lastError(state, t),
    degradedReason: r?.status === 'degraded' ? r.reason : null,
    tiles: t.tiles.map((x) => TILES[x]),
    affectedTiles: affected,
    openBlocker: open ? blockerView(open) : null,
    vendorIncident: vendorIncident(state, id),
  };
}

/** Overall and per-target status; with `targetId`, that target and the tiles it feeds. */
export function statusView(state: State, opts: { blockers: readonly Blocker[]; now: number; targetId?: string }): StatusView {
  const ids = opts.targetId === undefined ? state.order : [opts.targetId];
  const o = overall(state);
  const feeds = opts.targetId === undefined ? null : new Set<string>(state.targets[opts.targetId]!.tiles);
  return {
    store: state.store,
    at: isoUtc(opts.now),
    overall: word(o.status),
    counts: { up: o.up, degraded: o.degraded, down: o.down, unknown: o.unknown },
    paused: state.paused,
    pitwallOffline: pitwallOffline(state),
    outbox: state.outbox,
    feedbackFile: state.feedbackFile,
    targets: ids.map((id) => targetStatusView(state, id, opts.blockers)),
    tiles: tileHealth(state)
      .filter((t) => !feeds || feeds.has(t.id))
      .map((t) => ({ id: t.id, name: t.name, status: word(t.status), culprits: t.culprits })),
  };
}

const label = (s: StatusWord) => statusLabel(s === 'unknown' ? null : s);

/** One line per target: what an agent needs to decide whether to look closer. */
export function targetLine(t: TargetStatusView): string {
  const parts = [`${label(t.status)} ${t.id} (${t.kind})`];
  if (t.status === 'unknown') parts.push(t.degradedReason ?? (t.checking ? 'checking now' : 'not checked yet'));
  else if (t.status === 'up') parts.push(formatLatency(t.latencyMs));
  else {
    const why = t.lastError?.current ? `${t.lastError.kind}: ${t.lastError.message}` : (t.degradedReason ?? t.lastError?.message ?? '');
    if (why) parts.push(truncate(why, 160));
    if (t.failingSince) parts.push(`since ${t.failingSince}${t.consecutiveFailures ? ` (${t.consecutiveFailures} failed in a row)` : ''}`);
  }
  if (t.affectedTiles.length) parts.push(`tiles hit: ${t.affectedTiles.join(', ')}`);
  if (t.openBlocker) parts.push(`open blocker ${t.openBlocker.id}`);
  if (t.vendorIncident) parts.push(t.vendorIncident);
  return parts.join(' — ');
}

export function statusText(v: StatusView): string {
  const c = v.counts;
  const counts = [c.down && `${c.down} down`, c.degraded && `${c.degraded} degraded`, c.up && `${c.up} up`, c.unknown && `${c.unknown} not checked yet`]
    .filter(Boolean)
    .join(' · ');
  const lines = [`Overall: ${label(v.overall)} — ${counts} · ${v.store} · ${v.at}`];
  if (v.paused) lines.push('Checks are paused.');
  if (v.pitwallOffline) lines.push(`pitwall's own network looks down (${v.pitwallOffline}): failures to connect are held as unknown, not blamed on vendors.`);
  if (v.outbox) lines.push(`${v.outbox} feedback entr${v.outbox === 1 ? 'y is' : 'ies are'} waiting in the outbox (the feedback file could not be written).`);
  lines.push(...v.targets.map(targetLine));
  return lines.join('\n');
}

export const historySchema = z.object({
  target: z.string(),
  from: z.string(),
  to: z.string(),
  minutes: z.number(),
  stats: z.object({
    checks: z.number().int(),
    failures: z.number().int(),
    uptimePct: z.number().nullable(),
    p50: z.number().nullable(),
    p95: z.number().nullable(),
    max: z.number().nullable(),
    errorsByKind: z.record(z.string(), z.number()),
  }),
  /** Checks in the window; `samples` holds the newest `maxSamples` of them. */
  totalSamples: z.number().int(),
  truncated: z.boolean(),
  samples: z.array(
    z.object({
      at: z.string(),
      status: z.enum(['up', 'degraded', 'down']),
      latencyMs: z.number().nullable(),
      errorKind: z.string().optional(),
      message: z.string().optional(),
    }),
  ),
  transitions: z.array(z.object({ at: z.string(), from: status, to: status, errorKind: z.string().optional(), message: z.string().optional() })),
});
export type HistoryView = z.infer<typeof historySchema>;

/** A target's samples and status transitions over [from, to), oldest first; at most `maxSamples` newest samples. */
export function historyView(input: {
  targetId: string;
  samples: JournalSampleList;
  events: readonly EngineEvent[];
  from: number;
  to: number;
  minutes: number;
  maxSamples: number;
}): HistoryView {
  const inWindow = input.samples.filter((s) => s.at >= input.from && s.at < input.to);
  const st = windowStats(inWindow);
  const kept = inWindow.slice(-input.maxSamples);
  const transitions = input.events.filter(
    (e): e is Extract<EngineEvent, { type: 'transition' }> => e.type === 'transition' && e.targetId === input.targetId && e.at >= input.from && e.at < input.to,
  );
  return {
    target: input.targetId,
    from: isoUtc(input.from),
    to: isoUtc(input.to),
    minutes: input.minutes,
    stats: {
      checks: st.checks,
      failures: st.failures,
      uptimePct: st.uptimePct === null ? null : Math.round(st.uptimePct * 100) / 100,
      p50: round1(st.p50),
      p95: round1(st.p95),
      max: round1(st.max),
      errorsByKind: { ...st.errorsByKind },
    },
    totalSamples: inWindow.length,
    truncated: kept.length < inWindow.length,
    samples: kept.map((s) => ({
      at: isoUtc(s.at),
      status: s.status,
      latencyMs: round1(s.latencyMs),
      ...(s.errorKind ? { errorKind: s.errorKind } : {}),
      ...(s.message !== undefined ? { message: s.message } : {}),
    })),
    transitions: transitions.map((e) => ({
      at: isoUtc(e.at),
      from: word(e.from),
      to: e.to,
      ...(e.errorKind ? { errorKind: e.errorKind } : {}),
      ...(e.message !== undefined ? { message: e.message } : {}),
    })),
  };
}

export function historyText(v: HistoryView): string {
  const s = v.stats;
  const head =
    s.checks === 0
      ? `${v.target}: no checks in the last ${formatDuration(v.minutes * 60_000)} (${v.from} → ${v.to}).`
      : `${v.target} over the last ${formatDuration(v.minutes * 60_000)}: ${s.checks} checks, ${s.failures} failed (${s.uptimePct}% available), p50 ${formatLatency(s.p50)}, p95 ${formatLatency(s.p95)}, max ${formatLatency(s.max)}.`;
  const lines = [head];
  if (v.truncated) lines.push(`Showing the newest ${v.samples.length} of ${v.totalSamples} samples.`);
  if (v.transitions.length === 0) lines.push('No status changes in the window.');
  else {
    lines.push('Status changes:');
    for (const t of v.transitions) {
      const why = t.errorKind ? ` (${t.errorKind}: ${truncate(t.message ?? '', 120)})` : t.message ? ` (${truncate(t.message, 120)})` : '';
      lines.push(`- ${t.at} ${t.from} → ${t.to}${why}`);
    }
  }
  return lines.join('\n');
}

export const blockersSchema = z.object({
  blockers: z.array(blockerSchema.extend({ targetStatus: status, ageSeconds: z.number().int() })),
});
export type BlockersView = z.infer<typeof blockersSchema>;

/** Open blockers, oldest first, each with its target's status now. */
export function blockersView(state: State, blockers: readonly Blocker[], now: number): BlockersView {
  return {
    blockers: [...blockers]
      .sort((a, b) => a.openedAt - b.openedAt)
      .map((b) => ({
        ...blockerView(b),
        targetStatus: word(state.targets[b.targetId]?.latest?.status),
        ageSeconds: Math.max(0, Math.floor((now - b.openedAt) / 1000)),
      })),
  };
}

export function blockersText(v: BlockersView): string {
  if (v.blockers.length === 0) return 'No open blockers.';
  const lines = [`${v.blockers.length} open blocker${v.blockers.length === 1 ? '' : 's'}:`];
  for (const b of v.blockers) {
    const note = truncate(b.note.split('\n')[0] ?? '', 120);
    lines.push(`- ${b.id} ${b.target} (${label(b.targetStatus)}) — opened ${b.openedAt}, ${formatDuration(b.ageSeconds * 1000)} ago${note ? `: ${note}` : ''}`);
  }
  return lines.join('\n');
}

/** Where an append went: on the file, or waiting in the outbox (and why). */
export const appendSchema = z.object({
  path: z.string(),
  written: z.boolean(),
  outbox: z
    .object({
      pending: z.number().int(),
      reason: z.string(),
      /** Fsynced in the outbox; false: saved nowhere on disk, and `entry` is the text to keep elsewhere. */
      kept: z.boolean(),
      entry: z.string().optional(),
    })
    .nullable(),
});

export const escalationSchema = appendSchema.extend({
  blockerId: z.string(),
  target: z.string(),
  openedAt: z.string(),
});
export type EscalationView = z.infer<typeof escalationSchema>;

export const reportSchema = appendSchema.extend({
  which: z.enum(['current', 'last']),
  hourStart: z.string(),
  hourEnd: z.string(),
  partial: z.boolean(),
  overall: status,
  openBlockers: z.array(z.string()),
});
export type ReportView = z.infer<typeof reportSchema>;

export const rerunSchema = z.object({
  /** False when the check outlasted its time budget: `target` then shows the status before it. */
  finished: z.boolean(),
  attempts: z.number().int(),
  target: targetStatusSchema,
});
export type RerunView = z.infer<typeof rerunSchema>;
