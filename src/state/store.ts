import type { ProbeResult, Status } from '../probes/types.js';
import type { Config, Target, TileId } from '../config/config.js';
import { SampleHistory } from './history.js';
import { apartOf, statusAt, timeAt, type Sample, type SampleList } from './stats.js';
import { targetRecord, withValue, withValues } from './target-record.js';
import type { WebhookStats } from './webhook-stats.js';

/** The most samples a target keeps in memory: an hour at a 1-second interval. */
export const SAMPLE_CAPACITY = 3600;
/** What the screen reads from memory (p50/p95 and uptime over the last hour); older samples stay in the journal. */
export const SAMPLE_WINDOW_MS = 3_600_000;
/** Kept whatever their age, so a slow target's sparkline and detail view stay full. */
export const SAMPLE_FLOOR = 240;
/** How many events the log keeps in memory. */
export const EVENT_CAPACITY = 500;

export type TargetGroup = 'integrations' | 'mcp' | 'vendors';

export function groupOf(kind: Target['kind']): TargetGroup {
  return kind === 'mcp' ? 'mcp' : kind === 'statuspage' ? 'vendors' : 'integrations';
}

/** An open BLOCKER written to the feedback file, shown on the target's row until resolved. */
export interface Blocker {
  id: string;
  targetId: string;
  openedAt: number;
  note: string;
}

/** Everything the screen knows about one target. */
export interface TargetState {
  id: string;
  kind: Target['kind'];
  group: TargetGroup;
  name: string;
  tiles: readonly TileId[];
  intervalMs: number;
  latest: ProbeResult | null;
  checkedAt: number | null;
  nextAt: number | null;
  running: boolean;
  /**
   * When the check now in flight started, once it has gone past its slow threshold (degradedMs) without an
   * answer; null otherwise. A green from the last check must not stand while the target does not answer: see
   * shownStatus in derive.ts.
   */
  noAnswerSince: number | null;
  /** How many attempts the latest result took (retries + 1). */
  attempts: number;
  /** Oldest first; see appendSamples for how much is kept. */
  samples: SampleHistory;
  consecutiveFailures: number;
  /** When the current non-up streak began, or null while up. */
  failingSince: number | null;
  /** When the status last changed (or the first check). */
  statusSince: number | null;
  /** The latest first sample after a cold start (kept out of p50/p95, shown apart), or null. */
  coldSample: { at: number; latencyMs: number | null } | null;
  /** pitwall's own health for this target: attempts measured again because its event loop stalled during them,
   *  and samples kept flagged because every re-measure stalled too. */
  stalls: { remeasured: number; flagged: number; lastMs: number | null };
}

export type EngineEvent =
  | {
      type: 'transition';
      at: number;
      targetId: string;
      from: Status | null;
      to: Status;
      errorKind?: string;
      message?: string;
      /** The result before / after was held while pitwall was offline (derive.ts `held`): unknown, not `from` / `to`. */
      fromHeld?: true;
      toHeld?: true;
    }
  | { type: 'rerun'; at: number; targetId: string | null }
  | { type: 'escalated'; at: number; targetId: string; blockerId: string }
  | { type: 'resolved'; at: number; targetId: string; blockerId: string }
  | { type: 'report'; at: number; path: string }
  | { type: 'paused' | 'resumed'; at: number }
  | { type: 'notice'; at: number; level: 'info' | 'warn' | 'error'; message: string };

/** The whole, immutable state. Every change makes a new object; unchanged parts are shared. */
export interface State {
  store: string;
  configPath: string | null;
  feedbackFile: string;
  demo: boolean;
  paused: boolean;
  order: readonly string[];
  /**
   * By id. Persistent (target-record.ts): a change to one target makes a new record that shares every other
   * target, in O(log n), so a dispatch costs the same with 5 targets or 20,000.
   */
  targets: Readonly<Record<string, TargetState>>;
  /** Newest last. */
  events: readonly EngineEvent[];
  blockers: Readonly<Record<string, Blocker>>;
  /** Feedback entries waiting in the outbox after a failed write. */
  outbox: number;
  /** The webhook receiver's counters, when one runs (config `webhooks:`). */
  webhooks: { listen: string; stats: WebhookStats } | null;
  startedAt: number;
}

export type Action =
  | { type: 'probe-started'; id: string; at: number }
  /** The check in flight (started at `since`) has passed the target's slow threshold without an answer. */
  | { type: 'probe-overdue'; id: string; since: number }
  | {
      type: 'probe-finished';
      id: string;
      at: number;
      result: ProbeResult;
      attempts: number;
      nextAt: number | null;
      /** The first sample after a cold start (engine.ts RunOutcome.cold). */
      cold?: boolean;
      /** Attempts re-measured because pitwall's loop stalled; the stall the kept one still overlapped (ms). */
      stalls?: number;
      stalledMs?: number;
    }
  | { type: 'scheduled'; id: string; nextAt: number | null }
  | { type: 'paused'; paused: boolean; at: number }
  | { type: 'event'; event: EngineEvent }
  | { type: 'blocker-opened'; blocker: Blocker; at: number }
  | { type: 'blocker-resolved'; blockerId: string; at: number }
  /** The open blockers as the journal knows them (other consoles, `pitwall escalate`, agents over MCP). */
  | { type: 'blockers-synced'; blockers: readonly Blocker[] }
  | { type: 'outbox'; size: number }
  | { type: 'webhooks'; listen: string; stats: WebhookStats }
  | { type: 'history-loaded'; samples: Readonly<Record<string, SampleList>>; events: readonly EngineEvent[]; blockers: readonly Blocker[] };

/** The state before any check. */
export function initialState(config: Config, opts: { now: number; demo?: boolean }): State {
  const targets: [string, TargetState][] = [];
  for (const t of config.targets) {
    targets.push([t.id, {
      id: t.id,
      kind: t.kind,
      group: groupOf(t.kind),
      name: t.name ?? t.id,
      tiles: t.tiles,
      intervalMs: t.intervalSeconds * 1000,
      latest: null,
      checkedAt: null,
      nextAt: null,
      running: false,
      noAnswerSince: null,
      attempts: 0,
      samples: SampleHistory.empty,
      consecutiveFailures: 0,
      failingSince: null,
      statusSince: null,
      coldSample: null,
      stalls: NO_STALLS,
    }]);
  }
  return {
    store: config.store,
    configPath: config.path,
    feedbackFile: config.feedbackFile,
    demo: opts.demo ?? false,
    paused: false,
    order: config.targets.map((t) => t.id),
    targets: targetRecord(targets),
    events: [],
    blockers: {},
    outbox: 0,
    webhooks: null,
    startedAt: opts.now,
  };
}

const NO_STALLS: TargetState['stalls'] = { remeasured: 0, flagged: 0, lastMs: null };

/** pitwall's own health over every target: stalls of its event loop that a measure overlapped. */
export function stallTotals(state: Pick<State, 'targets'>): { remeasured: number; flagged: number } {
  let remeasured = 0;
  let flagged = 0;
  for (const t of Object.values(state.targets)) {
    remeasured += t.stalls.remeasured;
    flagged += t.stalls.flagged;
  }
  return { remeasured, flagged };
}

function appendBounded<T>(list: readonly T[], items: readonly T[], cap: number): readonly T[] {
  const next = list.length + items.length > cap ? list.slice(list.length + items.length - cap) : list.slice();
  next.push(...items.slice(-cap));
  return next;
}

/**
 * A target's history with `added` appended (oldest first): at most SAMPLE_CAPACITY samples, and none older than
 * the window behind the newest one beyond the SAMPLE_FLOOR newest. What the screen reads is the last hour; a
 * 5-second target would otherwise carry five hours. The history shares all but its newest chunk with `list`.
 */
export function appendSamples(list: SampleHistory, added: readonly Sample[]): SampleHistory {
  const newest = added.at(-1) ?? list.at(-1);
  if (!newest) return list;
  const all = list.length + added.length;
  const cutoff = newest.at - SAMPLE_WINDOW_MS;
  let drop = Math.max(0, all - SAMPLE_CAPACITY);
  const at = (i: number) => (i < list.length ? list.at(i)! : added[i - list.length]!).at;
  while (all - drop > SAMPLE_FLOOR && at(drop) < cutoff) drop++;
  return list.append(added, drop);
}

/**
 * A fresh history of loaded samples (the journal's columns, oldest first), as appendSamples keeps them: only the
 * newest SAMPLE_CAPACITY are read, so a long load does not become objects that would be dropped at once.
 */
export function historyOf(samples: SampleList): SampleHistory {
  const tail: Sample[] = [];
  for (let i = Math.max(0, samples.length - SAMPLE_CAPACITY); i < samples.length; i++) tail.push(samples.at(i)!);
  return appendSamples(SampleHistory.empty, tail);
}

function withTarget(state: State, id: string, patch: (t: TargetState) => TargetState): State {
  const t = state.targets[id];
  if (!t) return state;
  const next = patch(t);
  return next === t ? state : { ...state, targets: withValue(state.targets, id, next) };
}

/** Failure streaks as the tail of a sample history shows them (for a console restarted mid-incident). */
export function streaksOf(samples: SampleList): Pick<TargetState, 'consecutiveFailures' | 'failingSince' | 'statusSince'> {
  const n = samples.length;
  if (!n) return { consecutiveFailures: 0, failingSince: null, statusSince: null };
  // Field by field, not sample by sample: a target up for 72 hours walks all of its journal's columns here.
  const status = statusAt(samples, n - 1);
  let i = n - 1;
  while (i > 0 && statusAt(samples, i - 1) === status) i--;
  let j = n - 1;
  while (j > 0 && statusAt(samples, j - 1) !== 'up') j--;
  let downs = 0;
  for (let k = n - 1; k >= 0 && statusAt(samples, k) === 'down'; k--) downs++;
  return { statusSince: timeAt(samples, i), failingSince: status === 'up' ? null : timeAt(samples, j), consecutiveFailures: downs };
}

/** The pure reducer: (state, action) → new state. */
export function reduce(state: State, action: Action): State {
  switch (action.type) {
    case 'probe-started':
      return withTarget(state, action.id, (t) => ({ ...t, running: true }));
    case 'probe-overdue':
      // The first attempt's start: a retry does not restart "no answer for".
      return withTarget(state, action.id, (t) => (t.running && t.noAnswerSince === null ? { ...t, noAnswerSince: action.since } : t));
    case 'scheduled':
      return withTarget(state, action.id, (t) => ({ ...t, nextAt: action.nextAt }));
    case 'probe-finished': {
      const t = state.targets[action.id];
      if (!t) return state;
      const r = action.result;
      const latencyMs = r.status === 'down' ? null : r.latencyMs;
      const apart = apartOf(latencyMs, action);
      const sample: Sample = {
        at: action.at,
        status: r.status,
        latencyMs,
        ...(r.error ? { errorKind: r.error.kind } : {}),
        ...(apart ? { apart } : {}),
      };
      const stalls =
        action.stalls || action.stalledMs
          ? {
              remeasured: t.stalls.remeasured + (action.stalls ?? 0),
              flagged: t.stalls.flagged + (action.stalledMs ? 1 : 0),
              lastMs: action.stalledMs ?? t.stalls.lastMs,
            }
          : t.stalls;
      // After a restart the journal's last sample is the previous status: "down since" carries on, no fake "new → down".
      const from = t.latest?.status ?? t.samples.at(-1)?.status ?? null;
      // Held (unknown) and judged are different states even when both are stored as degraded.
      const changed = from !== r.status || (t.latest !== null && isHeld(t.latest) !== isHeld(r));
      const next: TargetState = {
        ...t,
        latest: r,
        checkedAt: action.at,
        nextAt: action.nextAt,
        running: false,
        noAnswerSince: null,
        attempts: action.attempts,
        samples: appendSamples(t.samples, [sample]),
        consecutiveFailures: r.status === 'down' ? t.consecutiveFailures + 1 : 0,
        failingSince: r.status === 'up' ? null : (t.failingSince ?? action.at),
        statusSince: changed ? action.at : t.statusSince,
        coldSample: action.cold ? { at: action.at, latencyMs } : t.coldSample,
        stalls,
      };
      let s: State = { ...state, targets: withValue(state.targets, t.id, next) };
      if (changed) {
        s = reduce(s, {
          type: 'event',
          event: {
            type: 'transition',
            at: action.at,
            targetId: t.id,
            from,
            to: r.status,
            ...(t.latest && isHeld(t.latest) ? { fromHeld: true } : {}),
            ...(isHeld(r) ? { toHeld: true } : {}),
            ...(r.error ? { errorKind: r.error.kind, message: r.error.message } : {}),
            ...(r.status === 'degraded' && !r.error ? { message: r.reason } : {}),
          },
        });
      }
      return s;
    }
    case 'paused':
      return reduce({ ...state, paused: action.paused }, { type: 'event', event: { type: action.paused ? 'paused' : 'resumed', at: action.at } });
    case 'event':
      return { ...state, events: appendBounded(state.events, [action.event], EVENT_CAPACITY) };
    case 'blocker-opened':
      return reduce(
        { ...state, blockers: { ...state.blockers, [action.blocker.id]: action.blocker } },
        { type: 'event', event: { type: 'escalated', at: action.at, targetId: action.blocker.targetId, blockerId: action.blocker.id } },
      );
    case 'blocker-resolved': {
      const b = state.blockers[action.blockerId];
      if (!b) return state;
      const { [action.blockerId]: _gone, ...rest } = state.blockers;
      return reduce({ ...state, blockers: rest }, { type: 'event', event: { type: 'resolved', at: action.at, targetId: b.targetId, blockerId: b.id } });
    }
    case 'blockers-synced': {
      const next = Object.fromEntries(action.blockers.map((b) => [b.id, b]));
      const same = Object.keys(next).length === Object.keys(state.blockers).length && Object.keys(next).every((id) => state.blockers[id]);
      return same ? state : { ...state, blockers: next };
    }
    case 'outbox':
      return state.outbox === action.size ? state : { ...state, outbox: action.size };
    case 'webhooks':
      return { ...state, webhooks: { listen: action.listen, stats: action.stats } };
    case 'history-loaded': {
      const changes = new Map<string, TargetState>();
      for (const [id, samples] of Object.entries(action.samples)) {
        const t = state.targets[id];
        if (t) changes.set(id, { ...t, samples: historyOf(samples), ...streaksOf(samples) });
      }
      const targets = withValues(state.targets, changes);
      const blockers = { ...state.blockers };
      for (const b of action.blockers) blockers[b.id] = b;
      return { ...state, targets, blockers, events: appendBounded(action.events, state.events, EVENT_CAPACITY) };
    }
  }
}

/** A tiny external store: subscribe / getSnapshot / dispatch, notifications batched. */
export interface Store {
  getSnapshot(): State;
  subscribe(listener: () => void): () => void;
  dispatch(action: Action): void;
}

/**
 * Creates the store. Listeners are told at most once per `batchMs` (a burst of probe results is one
 * notification); `batchMs: 0` notifies synchronously (headless commands, tests).
 */
export function createStore(initial: State, opts: { batchMs?: number } = {}): Store {
  let state = initial;
  const listeners = new Set<() => void>();
  const batchMs = opts.batchMs ?? 0;
  let pending: ReturnType<typeof setTimeout> | null = null;
  const notify = () => {
    pending = null;
    for (const l of [...listeners]) l();
  };
  return {
    getSnapshot: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispatch(action) {
      const next = reduce(state, action);
      if (next === state) return;
      state = next;
      if (batchMs <= 0) notify();
      else pending ??= setTimeout(notify, batchMs);
    },
  };
}

/** derive.ts `held`, here without importing derive (which imports this module): a result held as pitwall offline. */
function isHeld(r: ProbeResult): boolean {
  return typeof r.details.pitwallOffline === 'string';
}
