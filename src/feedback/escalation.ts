/** Markdown entries for the feedback file: BLOCKER when something is escalated, RESOLVED when it is over. */
import { randomBytes } from 'node:crypto';
import type { ProbeResult, Status } from '../probes/types.js';
import { hostname, userInfo } from 'node:os';
import { formatDuration, formatLatency, statusLabel } from '../text/format.js';
import { sparkline } from '../text/sparkline.js';
import { TILES, type Target, type TileId } from '../config/config.js';
import { targetEndpoint } from '../config/endpoint.js';
import { inline } from '../text/markdown.js';
import type { Blocker, State } from '../state/store.js';
import { pitwallOffline, vendorIncident } from '../state/derive.js';

/** How many recent checks a BLOCKER entry shows. */
export const BLOCKER_SPARK_WIDTH = 20;

/** 2026-10-13T14:05:00Z: ISO-8601 UTC, whole seconds. */
export function isoUtc(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A short, unique blocker id: `B-<base36 ms>-<4 random base36 chars>`, e.g. B-mgp3x2k0-7qzt. */
export function newBlockerId(_targetId: string, at: number, random: () => Buffer = () => randomBytes(4)): string {
  const tail = random().readUInt32BE(0).toString(36).padStart(4, '0').slice(-4);
  return `B-${Math.floor(at).toString(36)}-${tail}`;
}

/** A fenced code block whose fence cannot be closed by the content (a body may contain ```). */
export function fenced(content: string, lang = 'text'): string {
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${content.replace(/\n+$/, '')}\n${fence}`;
}

/** The human's words, quoted so they cannot turn into headings or break the entry. */
function quote(note: string): string {
  const text = note.trim() || '(no note)';
  return text
    .split('\n')
    .map((l) => (l.trim() ? `> ${l}` : '>'))
    .join('\n');
}

export { inline, UPSTREAM_INLINE_MAX } from '../text/markdown.js';

/** How much of a body excerpt or a stderr tail an entry cites: the fence is safe, its length must be too. */
const BLOCK_MAX_CHARS = 1_500;
const BLOCK_MAX_LINES = 20;

function bounded(text: string): string {
  const lines = text.replace(/\n+$/, '').split('\n');
  let out = lines.length > BLOCK_MAX_LINES ? [`… (${lines.length - BLOCK_MAX_LINES} earlier lines left out)`, ...lines.slice(-BLOCK_MAX_LINES)].join('\n') : lines.join('\n');
  if (out.length > BLOCK_MAX_CHARS) out = `${out.slice(0, BLOCK_MAX_CHARS)}… (cut at ${BLOCK_MAX_CHARS} characters)`;
  return out;
}

function statusLine(r: ProbeResult | null): string {
  if (!r) return `${statusLabel(null)} — not checked yet`;
  if (r.status === 'down') return `${statusLabel('down')} — ${r.error.kind}: ${inline(r.error.message)}`;
  if (r.status === 'degraded') return `${statusLabel('degraded')} — ${inline(r.error ? `${r.error.kind}: ${r.error.message}` : r.reason)}`;
  return `${statusLabel('up')}${r.latencyMs !== null ? ` — ${formatLatency(r.latencyMs)}` : ''}`;
}

const tileNames = (tiles: readonly TileId[]) => tiles.map((t) => TILES[t]);

/** Evidence lines and blocks from a result: HTTP status, headroom, sub-checks, body excerpt, MCP stderr. */
function evidence(r: ProbeResult | null): string[] {
  if (!r) return ['No check result to show.'];
  const items: string[] = [];
  const blocks: string[] = [];
  const httpStatus = r.error?.httpStatus ?? (typeof r.details.httpStatus === 'number' ? r.details.httpStatus : undefined);
  if (httpStatus !== undefined) items.push(`- HTTP status: ${httpStatus}`);
  if (r.error?.code !== undefined) items.push(`- Error code: \`${inline(String(r.error.code), 60).replace(/`/g, "'")}\``);
  if (r.error?.retryAfterMs !== undefined) items.push(`- Retry-After: ${formatDuration(r.error.retryAfterMs)}`);
  for (const h of r.headroom ?? []) {
    const pct = h.limit > 0 ? ` (${((100 * h.remaining) / h.limit).toFixed(1)}%)` : '';
    items.push(`- Headroom ${inline(h.name, 60)}: ${h.remaining} / ${h.limit}${pct}`);
  }
  for (const s of r.subChecks ?? []) {
    if (s.status === 'up') continue;
    const tile = s.tile ? ` (${TILES[s.tile]})` : '';
    const err = s.error ? ` — ${s.error.kind}: ${inline(s.error.message)}` : '';
    items.push(`- Sub-check \`${inline(s.name, 60).replace(/`/g, "'")}\`${tile}: ${statusLabel(s.status)}${err}`);
  }
  const body = r.error?.evidence ?? (typeof r.details.bodyExcerpt === 'string' ? r.details.bodyExcerpt : undefined);
  if (body) blocks.push(`Response body (excerpt):\n\n${fenced(bounded(body))}`);
  const stderr = r.details.stderrTail;
  if (typeof stderr === 'string' && stderr.trim()) blocks.push(`MCP server stderr (last lines):\n\n${fenced(bounded(stderr))}`);
  if (items.length === 0 && blocks.length === 0) items.push('- Nothing beyond the status above.');
  return [items.join('\n'), ...blocks].filter(Boolean);
}

/** Who is writing an entry when nobody said (`--by`): $PITWALL_USER, else user@host of this process. */
export function defaultBy(): string {
  // The console's name for its operator (acks say it too), when set.
  if (process.env.PITWALL_USER?.trim()) return process.env.PITWALL_USER.trim();
  let user = process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  try {
    user = userInfo().username || user;
  } catch {
    // No passwd entry (a container's random uid): the environment's name will do.
  }
  return `${user}@${hostname()}`;
}

/**
 * The last checks in runs, oldest first: "3 up (118–130 ms), 3 failed" — a count says what "✖, ✖, ✖…" said.
 * Degraded checks count as up-with-trouble ("2 degraded").
 */
export function checkRuns(samples: readonly { status: Status; latencyMs: number | null }[]): string {
  const runs: { status: Status; n: number; lat: number[] }[] = [];
  for (const s of samples) {
    const last = runs.at(-1);
    const run = last && last.status === s.status ? last : (runs.push({ status: s.status, n: 0, lat: [] }), runs.at(-1)!);
    run.n++;
    if (s.latencyMs !== null) run.lat.push(s.latencyMs);
  }
  return runs
    .map((r) => {
      const word = r.status === 'down' ? 'failed' : r.status;
      if (!r.lat.length) return `${r.n} ${word}`;
      const lo = Math.min(...r.lat);
      const hi = Math.max(...r.lat);
      const [a, b] = [formatLatency(lo), formatLatency(hi)];
      const range = lo === hi ? a : a.endsWith(' ms') && b.endsWith(' ms') ? `${a.slice(0, -3)}–${b}` : `${a}–${b}`;
      return `${r.n} ${word} (${range})`;
    })
    .join(', ');
}

export interface BlockerEntryInput {
  state: State;
  targetId: string;
  note: string;
  at: number;
  blockerId: string;
  /** Who escalated (`--by`); default user@host of this process. */
  by?: string;
  /** The target's config, for its endpoint. */
  target?: Target;
  /** Kept for callers that still pass it; the reader is in the feedback file and does not need the paths. */
  configPath?: string | null;
}

/** The BLOCKER entry: the note, who, what and where, status and streak, recent checks, affected tiles, evidence. */
export function blockerEntry({ state, targetId, note, at, blockerId, by, target }: BlockerEntryInput): string {
  const t = state.targets[targetId];
  if (!t) throw new Error(`unknown target ${targetId}`);
  const r = t.latest;
  const recent = t.samples.slice(-BLOCKER_SPARK_WIDTH);
  const failing =
    t.failingSince === null
      ? r
        ? 'not failing at the last check'
        : 'no check yet'
      : [
          `not up since ${isoUtc(t.failingSince)} (${formatDuration(at - t.failingSince)})`,
          r && t.statusSince !== null && t.statusSince !== t.failingSince ? `${r.status} since ${isoUtc(t.statusSince)} (${formatDuration(at - t.statusSince)})` : null,
          `${t.consecutiveFailures} consecutive failed check${t.consecutiveFailures === 1 ? '' : 's'}`,
        ]
          .filter(Boolean)
          .join('; ');
  const tiles = t.tiles.length ? tileNames(t.tiles).join(', ') : 'none configured';
  const lines = [
    `## BLOCKER ${targetId} — ${isoUtc(at)} (${blockerId})`,
    '',
    quote(note),
    '',
    `- **Escalated by:** ${inline(by?.trim() || defaultBy(), 120)}`,
    `- **Target:** ${t.name === t.id ? `\`${t.id}\` (${t.kind})` : `${inline(t.name, 120)} (\`${t.id}\`, ${t.kind})`}${target ? ` — ${inline(targetEndpoint(target), 200)}` : ''}`,
    `- **Status:** ${statusLine(r)}`,
    `- **Failing:** ${failing}`,
    `- **Last check:** ${t.checkedAt === null ? 'none' : `${isoUtc(t.checkedAt)} (${formatDuration(at - t.checkedAt)} before this entry)`}`,
    recent.length
      ? `- **Last ${recent.length === 1 ? 'check' : `${recent.length} checks`}** (oldest → newest): \`${sparkline(recent.map((s) => s.latencyMs), { width: BLOCKER_SPARK_WIDTH })}\` ${checkRuns(recent)}`
      : '- **Last checks:** none recorded',
    // An up target hurts no tile right now: say which it feeds, not that they are affected.
    r?.status === 'up' ? `- **Tiles it feeds (none hurt now: the target is up):** ${tiles}` : `- **Affected tiles:** ${tiles}`,
    '',
    '**Evidence**',
    '',
    ...[vendorIncident(state, targetId) ?? pitwallOffline({ order: [targetId], targets: state.targets })].flatMap((v) => (v ? [`- **Is it us or them:** ${inline(v)}`, ''] : [])),
    evidence(r).join('\n\n'),
  ];
  return `${lines.join('\n')}\n`;
}

/** An outage that ended this long before a blocker opened is still the one it was about (escalated after recovery). */
const RECENT_OUTAGE_MS = 15 * 60_000;

/** An outage as the samples show it: the first failure of the stretch a blocker was about, and when it came back up. */
export interface Outage {
  start: number;
  /** The first up check after it; null while it is not back up. */
  end: number | null;
}

/**
 * The outage a blocker opened at `openedAt` was about: the non-up stretch it was opened in, else one that ended less
 * than 15 minutes before it (escalated just after the target recovered), else the first that began after it
 * (escalated early, on a slow answer). Null when the samples show no failure around it.
 */
export function outageOf(samples: Iterable<{ at: number; status: Status }>, openedAt: number): Outage | null {
  const stretches: Outage[] = [];
  let cur: Outage | null = null;
  for (const s of samples) {
    if (s.status !== 'up') {
      if (!cur) stretches.push((cur = { start: s.at, end: null }));
    } else if (cur) {
      cur.end = s.at;
      cur = null;
    }
  }
  const before = stretches.filter((o) => o.start <= openedAt).at(-1);
  if (before && (before.end === null || before.end >= openedAt - RECENT_OUTAGE_MS)) return before;
  return stretches.find((o) => o.start > openedAt) ?? null;
}

/** The RESOLVED entry closing a blocker: how long the outage lasted (first failure → back up) and the blocker was open. */
export function resolvedEntry(input: {
  blocker: Blocker;
  at: number;
  note?: string;
  state?: State;
  by?: string;
  /** The target's samples to read the outage from (the journal's, longer than the state's); default the state's. */
  samples?: Iterable<{ at: number; status: Status }>;
}): string {
  const { blocker, at, note, state, by } = input;
  const t = state?.targets[blocker.targetId];
  const lines = [`## RESOLVED ${blocker.targetId} — ${isoUtc(at)} (${blocker.id})`, ''];
  lines.push(note?.trim() ? quote(note) : '> (no resolution note)', '');
  if (by?.trim()) lines.push(`- **Resolved by:** ${inline(by.trim(), 120)}`);
  const samples = input.samples ?? t?.samples;
  const outage = samples ? outageOf(samples, blocker.openedAt) : null;
  if (!samples) lines.push('- **Outage:** unknown (no checks of this target to read it from)');
  else if (!outage) lines.push('- **Outage:** none recorded — every check around the blocker was up');
  else if (outage.end === null || outage.end > at)
    lines.push(`- **Outage:** not back up yet — failing since ${isoUtc(outage.start)} (${formatDuration(at - outage.start)} so far)`);
  else lines.push(`- **Outage:** ${formatDuration(outage.end - outage.start)} — first failure ${isoUtc(outage.start)}, back up ${isoUtc(outage.end)}`);
  lines.push(`- **Blocker open:** ${formatDuration(at - blocker.openedAt)} — opened ${isoUtc(blocker.openedAt)}`);
  if (t) lines.push(`- **Status now:** ${statusLine(t.latest)}`);
  const first = blocker.note.trim().split('\n')[0];
  if (first) lines.push(`- **Original note:** ${inline(first, 160)}`);
  return `${lines.join('\n')}\n`;
}
