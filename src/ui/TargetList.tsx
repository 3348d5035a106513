import { Box, Text } from 'ink';
import { useState } from 'react';
import { shownStatus } from '../state/derive.js';
import type { TargetGroup, TargetState } from '../state/store.js';
import { useClock } from './clock-context.js';
import { columnTitles, fixedCellsWidth } from './lib/columns.js';
import type { Columns } from './lib/columns.js';
import { paint } from './lib/paint.js';
import { seenSince, windowLabel } from './lib/row-stats.js';
import { checkedColumn } from './lib/when.js';
import { useAppState } from './store-context.js';
import { rowHeight, TargetRow } from './TargetRow.js';
import { theme } from './theme.js';

const GROUP_TITLE: Record<TargetGroup, string> = { integrations: 'INTEGRATIONS', mcp: 'MCP SERVERS', vendors: 'VENDOR STATUS' };
const GROUPS: TargetGroup[] = ['integrations', 'mcp', 'vendors'];

/** Target ids in display order: grouped (integrations, MCP servers, vendor status), config order within. */
export function displayOrder(order: readonly string[], groupOf: (id: string) => TargetGroup): string[] {
  return GROUPS.flatMap((g) => order.filter((id) => groupOf(id) === g));
}

/** Lines the list needs for these targets: a column header, group titles, rows (two for a problem). */
export function listHeight(ids: readonly string[], targets: Record<string, TargetState>, grouped = true): number {
  return 1 + (grouped ? new Set(ids.map((id) => targets[id]!.group)).size : 0) + ids.reduce((n, id) => n + rowHeight(targets[id]!), 0);
}

export function TargetList({
  ids,
  selected,
  cols,
  width,
  height,
  grouped = true,
}: {
  ids: string[];
  selected: number;
  cols: Columns;
  width: number;
  height: number;
  /** Group titles (integrations, MCP servers, vendor status); false for one flat list (failing first). */
  grouped?: boolean;
}) {
  const targets = useAppState((s) => s.targets);
  const blockers = useAppState((s) => s.blockers);
  const blocked = new Set(Object.values(blockers).map((b) => b.targetId));
  // Lines: a column header, then per group a title and its rows (or the rows alone, flat).
  const lines: Line[] = [];
  if (grouped) {
    let index = 0;
    for (const g of GROUPS) {
      const inGroup = ids.filter((id) => targets[id]!.group === g);
      if (!inGroup.length) continue;
      lines.push({ kind: 'title', group: g });
      for (const id of inGroup) lines.push({ kind: 'row', id, index: index++ });
    }
  } else {
    ids.forEach((id, index) => lines.push({ kind: 'row', id, index }));
  }
  const heightOf = (l: Line) => (l.kind === 'title' ? 1 : rowHeight(targets[l.id]!));
  // The view's first line, kept between frames so moving up does not jump the view (a list, not a pager).
  const [from, setFrom] = useState(0);
  const { start, visible, overflow } = scrollWindow(lines, heightOf, selected, Math.max(1, height - 1), from);
  // Remembered for the next frame (React's "state from the previous render"): a render that changes nothing.
  if (start !== from) setFrom(start);
  const rowsOf = (ls: Line[]) => ls.flatMap((l) => (l.kind === 'row' ? [l.id] : []));
  const above = rowsOf(lines.slice(0, start));
  const below = rowsOf(lines.slice(start + visible.length));
  return (
    <Box flexDirection="column" width={width}>
      <Header cols={cols} width={width} />
      {overflow ? <MoreLine ids={above} up /> : null}
      {visible.map((l) =>
        l.kind === 'title' ? (
          <Text key={`g-${l.group}`}>{paint(GROUP_TITLE[l.group], { color: theme.accent, bold: true })}</Text>
        ) : (
          <TargetRow key={l.id} target={targets[l.id]!} selected={l.index === selected} blocker={blocked.has(l.id)} cols={cols} />
        ),
      )}
      {visible.some((l) => l.kind === 'row') ? (
        // The CHECKED cells of every visible row as one column drawn over the rows' right end: one Text for the
        // clock to change each second instead of a Text and a Box per row. Other lines (titles, problems) get
        // an empty line, which draws nothing.
        <Box position="absolute" top={0} right={0}>
          <CheckedColumn
            rows={[null, ...(overflow ? [null] : []), ...visible.flatMap((l) => (l.kind === 'title' ? [null] : [targets[l.id]!, ...(rowHeight(targets[l.id]!) > 1 ? [null] : [])]))]}
            withNext={cols.next}
            width={Math.max(0, width - fixedCellsWidth(cols))}
          />
        </Box>
      ) : null}
      {overflow ? <MoreLine ids={below} /> : null}
    </Box>
  );
}

type Line = { kind: 'title'; group: TargetGroup } | { kind: 'row'; id: string; index: number };

/**
 * Which lines fit in `room` lines with the selected row fully shown. When not all fit, two lines are kept for
 * "↑ N more" and "↓ N more": both are always there, so a failure outside the view is never hidden. `from` is the
 * last frame's first line: the view moves only as far as the selection needs.
 */
export function scrollWindow<L extends { kind: string; index?: number }>(
  lines: readonly L[],
  heightOf: (l: L) => number,
  selected: number,
  room: number,
  from: number,
): { start: number; visible: L[]; overflow: boolean } {
  const total = lines.reduce((n, l) => n + heightOf(l), 0);
  if (total <= room) return { start: 0, visible: [...lines], overflow: false };
  const space = Math.max(1, room - 2);
  const sel = Math.max(0, lines.findIndex((l) => l.kind === 'row' && l.index === selected));
  const used = (a: number, b: number) => lines.slice(a, b + 1).reduce((n, l) => n + heightOf(l), 0);
  let start = Math.min(Math.max(0, from), lines.length - 1);
  // Up past the view: the selected row becomes the first (with its group title when that is just above it).
  if (sel < start) start = sel > 0 && lines[sel - 1]!.kind === 'title' ? sel - 1 : sel;
  while (start < sel && used(start, sel) > space) start++;
  // Never leave empty lines at the end while earlier lines are hidden.
  while (start > 0 && used(start - 1, lines.length - 1) <= space) start--;
  const visible: L[] = [];
  let n = 0;
  for (const l of lines.slice(start)) {
    if (n + heightOf(l) > space) break;
    visible.push(l);
    n += heightOf(l);
  }
  return { start, visible, overflow: true };
}

/** "↓ 4 more (1 down, 2 degraded)": a problem outside the view must not look like nothing. Empty when none are. */
function MoreLine({ ids, up = false }: { ids: string[]; up?: boolean }) {
  const targets = useAppState((s) => s.targets);
  if (!ids.length) return <Text> </Text>;
  const down = ids.filter((id) => targets[id] && shownStatus(targets[id]) === 'down').length;
  const degraded = ids.filter((id) => targets[id] && shownStatus(targets[id]) === 'degraded').length;
  const bad = [down && `${down} down`, degraded && `${degraded} degraded`].filter(Boolean).join(', ');
  return (
    <Text color={down ? theme.status.down : degraded ? theme.status.degraded : theme.muted} bold={Boolean(down)}>
      {' '}
      {up ? '↑' : '↓'} {ids.length} more{bad ? ` (${bad})` : ''}
    </Text>
  );
}

function Header({ cols, width }: { cols: Columns; width: number }) {
  // "UP 14m" until an hour has been seen: the stats say the window they really stand on.
  const since = useAppState(seenSince);
  const window = useClock((now) => windowLabel(since, now));
  return (
    <Text wrap="truncate-end">{paint(columnTitles(cols, width, window), { color: theme.muted })}</Text>
  );
}

/** The CHECKED cells, one line per list line below the column titles (null: a line without one). */
function CheckedColumn({ rows, withNext, width }: { rows: (TargetState | null)[]; withNext: boolean; width: number }) {
  return <Text>{useClock((now) => checkedColumn(rows, now, { withNext, width, paint: paintChecked }))}</Text>;
}

function paintChecked(text: string, stale: boolean): string {
  return paint(text, stale ? { color: theme.warn, bold: true } : { color: theme.muted });
}
