import type { ProbeResult, Status } from '../probes/types.js';
import { STATUS_CODE } from '../shared/status.js';
import { TILE_IDS, TILES, type TileId } from '../config/config.js';
import { worstStatus } from './stats.js';
import { inline } from '../text/markdown.js';
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
  if (!r || held(r)) return { status: null, culprit: t.id };
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
  if (t.latest && held(t.latest)) return null;
  return unanswered(t) ? 'degraded' : (t.latest?.status ?? null);
}

/** How a held result's reason starts: the journal keeps only the reason, and the hourly report reads held checks by it. */
export const HELD_REASON = 'unknown: pitwall offline';

/**
 * Why a check was held, from what the journal keeps of it (its status, error kind and message), or null: a held
 * result is degraded with no error and the held reason ("unknown: pitwall offline (canary: …)").
 */
export function heldWhyOf(s: { status: Status; errorKind?: string | undefined; message?: string | undefined }): string | null {
  if (s.status !== 'degraded' || s.errorKind || typeof s.message !== 'string' || !s.message.startsWith(HELD_REASON)) return null;
  return s.message.slice(HELD_REASON.length).replace(/^ \((.*)\)$/s, '$1') || 'pitwall offline';
}

/** A failure to connect held while pitwall itself was offline (connectivity.ts): unknown, not down. */
export function held(r: ProbeResult): boolean {
  return typeof r.details.pitwallOffline === 'string';
}

/**
 * Why pitwall thinks its own network is down, while any target's latest result is held for it: the header banner
 * ("pitwall offline? …") reads this. Null while connected.
 */
export function pitwallOffline(state: Pick<State, 'order' | 'targets'>): string | null {
  for (const id of state.order) {
    const why = state.targets[id]!.latest?.details.pitwallOffline;
    if (typeof why === 'string') return why;
  }
  return null;
}

const OUTAGE_WORDS: Record<string, string> = {
  major_outage: 'a major outage',
  partial_outage: 'a partial outage',
  degraded_performance: 'degraded performance',
  under_maintenance: 'maintenance',
};

/**
 * The vendor incident behind a target, from the status page it depends on (`details.statusPage`, connectivity.ts):
 * "likely vendor incident: Shopify reports a major outage of Admin API" while the target fails, "vendor incident: …
 * (this target answers)" while it does not. Null while the page is fine or not checked. Upstream text is bounded.
 */
export function vendorIncident(state: Pick<State, 'targets'>, targetId: string): string | null {
  const t = state.targets[targetId];
  const link = t?.latest?.details.statusPage;
  const page = typeof link === 'string' ? state.targets[link] : undefined;
  const r = page?.latest;
  // Only what the page said: a page that could not be read reports nothing (its own row says why).
  if (!t || !r || r.status === 'up' || typeof r.details.indicator !== 'string') return null;
  // The page's own verdict (probes/statuspage.ts `state`), not its row's: a page that is merely slow to load, or
  // whose fetch degraded, says "operational" and blames no one.
  if (r.details.state === 'operational') return null;
  const d = r.details as { page?: unknown; state?: unknown; components?: { name?: unknown; status?: unknown }[]; incidents?: { name?: unknown; impact?: unknown }[] };
  const vendor = clip(typeof d.page === 'string' && d.page ? d.page : page.name);
  const comps = (Array.isArray(d.components) ? d.components : []).filter((c) => typeof c.status === 'string' && OUTAGE_WORDS[c.status]);
  let what: string;
  if (comps.length) {
    const worst = ['major_outage', 'partial_outage', 'degraded_performance', 'under_maintenance'].find((w) => comps.some((c) => c.status === w))!;
    const names = comps.filter((c) => c.status === worst).map((c) => clip(String(c.name ?? '?')));
    what = `${OUTAGE_WORDS[worst]} of ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}`;
  } else {
    const incident = Array.isArray(d.incidents) ? d.incidents[0] : undefined;
    what = incident ? `an incident: ${clip(String(incident.name ?? '?'))}` : r.status === 'down' ? 'an outage' : 'issues';
  }
  const failing = shownStatus(t) !== 'up' && !(t.latest && held(t.latest));
  return failing ? `likely vendor incident: ${vendor} reports ${what}` : `vendor incident: ${vendor} reports ${what} (this target answers)`;
}

/**
 * The hourly report's "sales in sync" section from the state now: each sales-sync target's last comparison, every
 * window's numbers ("last 30 min: Shopify 42 orders, GA 38 purchases (−4, 10%)"), with its verdict. Empty without
 * sales-sync targets. Markdown bullet lines.
 */
export function salesSyncReportLines(state: Pick<State, 'order' | 'targets'>): string[] {
  const lines: string[] = [];
  for (const id of state.order) {
    const t = state.targets[id]!;
    if (t.kind !== 'sales-sync') continue;
    const r = t.latest;
    const comparison = typeof r?.details.comparison === 'string' ? inline(r.details.comparison, 400) : null;
    const verdict = !r ? 'not checked yet' : r.status === 'up' ? 'in sync' : r.status === 'degraded' ? 'OUT OF SYNC' : `✖ ${r.error ? inline(r.error.message, 200) : 'down'}`;
    lines.push(`- \`${id}\`: ${verdict}${comparison ? ` — ${comparison}` : ''}`);
  }
  return lines.length ? ['', '### Sales in sync (Shopify orders vs GA purchases, last check)', '', ...lines, ''] : [];
}

/** Upstream text on one line, at most 60 characters. */
function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 59)}…` : one;
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

/**
 * The hourly report's "is it us or them" section from the state now: each target's vendor incident, and pitwall's
 * own network when it looks down. Empty when there is nothing to say. Markdown bullet lines.
 */
export function networkReportLines(state: Pick<State, 'order' | 'targets'>): string[] {
  const lines: string[] = [];
  const offline = pitwallOffline(state);
  if (offline) lines.push(`- **pitwall offline?** ${inline(clip(offline))}: failures to connect are held as unknown, not blamed on vendors`);
  for (const id of state.order) {
    const v = vendorIncident(state, id);
    if (v) lines.push(`- \`${id}\`: ${inline(v)}`);
  }
  return lines.length ? ['', '### Vendors and network (now)', '', ...lines, ''] : [];
}
