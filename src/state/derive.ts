import type { Status } from '../probes/types.js';
import { STATUS_CODE } from '../shared/status.js';
import { TILE_IDS, TILES, type TileId } from '../config/config.js';
import { worstStatus } from './stats.js';
import type { State, TargetState } from './store.js';

/** A dashboard tile's health and the targets that make it so. */
export interface TileHealth {
  id: TileId;
  name: string;
  status: Status | null;
  /** Targets (or target/sub-check) that are not up, worst first. */
  culprits: string[];
  /** How many targets feed it. */
  sources: number;
}

/**
 * A target's status as one tile sees it: its sub-checks for that tile when it has some and is not down
 * (Shopify inventory failing blinds Inventory Watch, not Sales Pulse), else its own status.
 */
function statusForTile(t: TargetState, tile: TileId): { status: Status | null; culprit: string } {
  const r = t.latest;
  if (!r) return { status: null, culprit: t.id };
  // Not answering (yet) impairs every tile the target feeds, as a whole.
  if (unanswered(t)) return { status: 'degraded', culprit: t.id };
  const subs = (r.subChecks ?? []).filter((s) => s.tile === tile);
  // A target degraded as a whole (slow, low headroom, rate limited) impairs every tile it feeds.
  const wholeTarget = r.status === 'degraded' && r.cause !== 'sub-check';
  if (r.status !== 'down' && subs.length && !wholeTarget) {
    const worst = worstStatus(subs.map((s) => s.status));
    const bad = subs.find((s) => s.status === worst);
    return { status: worst, culprit: bad && worst !== 'up' ? `${t.id}/${bad.name}` : t.id };
  }
  return { status: r.status, culprit: t.id };
}

/**
 * The five tiles, each coloured by the worst status of what feeds it. A green from a target in `stale` (see isStale)
 * counts as unknown: a tile fed by results too old to trust is not green. A stale failure stays what it was: the
 * last thing known, and no reason to look away.
 */
export function tileHealth(state: Pick<State, 'order' | 'targets'>, stale: ReadonlySet<string> = NONE): TileHealth[] {
  return TILE_IDS.map((id) => {
    const feeding = state.order.map((tid) => state.targets[tid]!).filter((t) => t.tiles.includes(id));
    const seen = feeding.map((t) => {
      const s = statusForTile(t, id);
      return s.status === 'up' && stale.has(t.id) ? { status: null, culprit: t.id } : s;
    });
    const status = worstStatus(seen.map((s) => s.status));
    const culprits = seen
      .filter((s) => s.status && s.status !== 'up')
      .sort((a, b) => STATUS_CODE[b.status!] - STATUS_CODE[a.status!]) // worst first
      .map((s) => s.culprit);
    return { id, name: TILES[id], status, culprits, sources: feeding.length };
  });
}

/** Worst status over all targets, with counts. */
export function overall(state: Pick<State, 'order' | 'targets'>): { status: Status | null; down: number; degraded: number; up: number; unknown: number } {
  const counts = { down: 0, degraded: 0, up: 0, unknown: 0 };
  for (const id of state.order) counts[shownStatus(state.targets[id]!) ?? 'unknown']++;
  // Never green while something has not answered yet: up only when every target is up.
  const status: Status | null = counts.down ? 'down' : counts.degraded ? 'degraded' : counts.unknown ? null : 'up';
  return { status, ...counts };
}

/**
 * The status to show for a target: its last result's, except that an "up" is at most degraded while the check in
 * flight has gone past the slow threshold without an answer. A check that hangs until its timeout (30 s, 60 s for
 * an MCP server) would otherwise leave the old green on screen, tiles included, for all that time.
 */
export function shownStatus(t: Pick<TargetState, 'latest' | 'noAnswerSince'>): Status | null {
  return unanswered(t) ? 'degraded' : (t.latest?.status ?? null);
}

/** Up at the last check, and the check now in flight has passed the slow threshold without an answer. */
export function unanswered(t: Pick<TargetState, 'latest' | 'noAnswerSince'>): boolean {
  return t.latest?.status === 'up' && t.noAnswerSince !== null;
}

const NONE: ReadonlySet<string> = new Set();

/** The ids of targets whose results are stale at `now`, as one string ("" for none): a value that changes rarely. */
export function staleKey(targets: Readonly<Record<string, TargetState>>, now: number): string {
  let key = '';
  for (const id in targets) if (isStale(targets[id]!, now)) key += `${key ? ',' : ''}${id}`;
  return key;
}

/** The open blocker on a target, if any (newest). */
export function openBlockerFor(state: State, targetId: string) {
  let found: State['blockers'][string] | undefined;
  for (const b of Object.values(state.blockers)) if (b.targetId === targetId && (!found || b.openedAt > found.openedAt)) found = b;
  return found;
}

/**
 * A result too old to trust: not being checked and last checked more than two intervals (plus slack) ago —
 * paused, or the engine is stuck. Shown as stale, so an old green never passes for a current one.
 */
export function isStale(t: Pick<TargetState, 'running' | 'checkedAt' | 'intervalMs'>, now: number): boolean {
  return !t.running && t.checkedAt !== null && now - t.checkedAt > 2 * t.intervalMs + 10_000;
}
