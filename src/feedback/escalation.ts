/** Markdown entries for the feedback file: BLOCKER when something is escalated, RESOLVED when it is over. */
import { randomBytes } from 'node:crypto';
import type { ProbeResult } from '../probes/types.js';
import { formatDuration, formatLatency, statusLabel } from '../text/format.js';
import { sparkline } from '../text/sparkline.js';
import { TILES, type TileId } from '../config/config.js';
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

function statusLine(r: ProbeResult | null): string {
  if (!r) return `${statusLabel(null)} — not checked yet`;
  if (r.status === 'down') return `${statusLabel('down')} — ${r.error.kind}: ${r.error.message}`;
  if (r.status === 'degraded') return `${statusLabel('degraded')} — ${r.error ? `${r.error.kind}: ${r.error.message}` : r.reason}`;
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
  if (r.error?.code !== undefined) items.push(`- Error code: \`${String(r.error.code)}\``);
  if (r.error?.retryAfterMs !== undefined) items.push(`- Retry-After: ${formatDuration(r.error.retryAfterMs)}`);
  for (const h of r.headroom ?? []) {
    const pct = h.limit > 0 ? ` (${((100 * h.remaining) / h.limit).toFixed(1)}%)` : '';
    items.push(`- Headroom ${h.name}: ${h.remaining} / ${h.limit}${pct}`);
  }
  for (const s of r.subChecks ?? []) {
    if (s.status === 'up') continue;
    const tile = s.tile ? ` (${TILES[s.tile]})` : '';
    const err = s.error ? ` — ${s.error.kind}: ${s.error.message}` : '';
    items.push(`- Sub-check \`${s.name}\`${tile}: ${statusLabel(s.status)}${err}`);
  }
  const body = r.error?.evidence ?? (typeof r.details.bodyExcerpt === 'string' ? r.details.bodyExcerpt : undefined);
  if (body) blocks.push(`Response body (excerpt):\n\n${fenced(body)}`);
  const stderr = r.details.stderrTail;
  if (typeof stderr === 'string' && stderr.trim()) blocks.push(`MCP server stderr (last lines):\n\n${fenced(stderr)}`);
  if (items.length === 0 && blocks.length === 0) items.push('- Nothing beyond the status above.');
  return [items.join('\n'), ...blocks].filter(Boolean);
}

export interface BlockerEntryInput {
  state: State;
  targetId: string;
  note: string;
  at: number;
  configPath: string | null;
  blockerId: string;
}

/** The BLOCKER entry: status, streak, recent latencies, affected tiles, evidence, where things are. */
export function blockerEntry({ state, targetId, note, at, configPath, blockerId }: BlockerEntryInput): string {
  const t = state.targets[targetId];
  if (!t) throw new Error(`unknown target ${targetId}`);
  const r = t.latest;
  const recent = t.samples.slice(-BLOCKER_SPARK_WIDTH);
  const latencies = recent.map((s) => s.latencyMs);
  const numbers = recent.map((s) => (s.latencyMs === null ? '✖' : formatLatency(s.latencyMs))).join(', ');
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
    `- **Target:** ${t.name === t.id ? `\`${t.id}\` (${t.kind})` : `${t.name} (\`${t.id}\`, ${t.kind})`}`,
    `- **Status:** ${statusLine(r)}`,
    `- **Last check:** ${t.checkedAt === null ? 'none' : `${isoUtc(t.checkedAt)} (${formatDuration(at - t.checkedAt)} before this entry)`}`,
    `- **Failing:** ${failing}`,
    recent.length
      ? `- **Last ${recent.length === 1 ? 'check' : `${recent.length} checks`}** (oldest → newest): \`${sparkline(latencies, { width: BLOCKER_SPARK_WIDTH })}\` ${numbers}`
      : '- **Last checks:** none recorded',
    // An up target hurts no tile right now: say which it feeds, not that they are affected.
    r?.status === 'up' ? `- **Tiles it feeds (none hurt now: the target is up):** ${tiles}` : `- **Affected tiles:** ${tiles}`,
    `- **Config file:** ${configPath ?? '(built-in demo config)'}`,
    `- **Feedback file:** ${state.feedbackFile}`,
    `- **Blocker id:** ${blockerId}`,
    '',
    '**Evidence**',
    '',
    ...[vendorIncident(state, targetId) ?? pitwallOffline({ order: [targetId], targets: state.targets })].flatMap((v) => (v ? [`- **Is it us or them:** ${v}`, ''] : [])),
    evidence(r).join('\n\n'),
  ];
  return `${lines.join('\n')}\n`;
}

/** The RESOLVED entry closing a blocker, with how long it lasted. */
export function resolvedEntry({ blocker, at, note, state }: { blocker: Blocker; at: number; note?: string; state?: State }): string {
  const t = state?.targets[blocker.targetId];
  const lines = [`## RESOLVED ${blocker.targetId} — ${isoUtc(at)} (${blocker.id})`, ''];
  if (note?.trim()) lines.push(quote(note), '');
  lines.push(`- **Blocker opened:** ${isoUtc(blocker.openedAt)} — lasted ${formatDuration(at - blocker.openedAt)}`);
  if (t) lines.push(`- **Status now:** ${statusLine(t.latest)}`);
  const first = blocker.note.trim().split('\n')[0];
  if (first) lines.push(`- **Original note:** ${first}`);
  lines.push(`- **Blocker id:** ${blocker.id}`);
  return `${lines.join('\n')}\n`;
}
