import { TILES } from '../../config/config.js';
import { shownStatus } from '../../state/derive.js';
import type { TargetState } from '../../state/store.js';

/** How the list is narrowed and ordered: the `/` filter and the two toggles (see use-nav-state.ts). */
export interface ListView {
  filter: string;
  notUp: boolean;
  failingFirst: boolean;
}

/** The words a target is found by: id, name, kind, status (as shown, "waiting" before the first check), tile ids and names. */
function haystack(t: TargetState): string {
  const status = shownStatus(t) ?? 'unknown waiting';
  return [t.id, t.name, t.kind, status, ...t.tiles, ...t.tiles.map((id) => TILES[id])].join(' ').toLowerCase();
}

/** True when every whitespace-separated word of `filter` is in the target's id, name, kind, status or tiles. */
export function matchesFilter(t: TargetState, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const hay = haystack(t);
  return words.every((w) => hay.includes(w));
}

/** Worst first: down, degraded, not checked yet, up. */
const RANK = { down: 0, degraded: 1, unknown: 2, up: 3 } as const;

/**
 * The rows to show, in order: `ids` (display order) narrowed by the filter and the not-up toggle, and with
 * failing-first on, sorted worst first (stable: display order within a status).
 */
export function visibleIds(ids: readonly string[], targets: Readonly<Record<string, TargetState>>, view: ListView): string[] {
  let out = ids.filter((id) => {
    const t = targets[id]!;
    if (view.notUp && shownStatus(t) === 'up') return false;
    return matchesFilter(t, view.filter);
  });
  if (view.failingFirst) {
    const rank = (id: string) => RANK[shownStatus(targets[id]!) ?? 'unknown'];
    out = out.map((id, i) => ({ id, i, r: rank(id) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.id);
  }
  return out;
}
