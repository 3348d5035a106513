import { Box, Text } from 'ink';
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

/** The grouped rows, scrolled so the selected one is always visible within `height` lines. */
/** Lines the list needs for these targets: a column header, group titles, rows (two for a problem). */
export function listHeight(ids: readonly string[], targets: Record<string, TargetState>): number {
  return 1 + new Set(ids.map((id) => targets[id]!.group)).size + ids.reduce((n, id) => n + rowHeight(targets[id]!), 0);
}

export function TargetList({ ids, selected, cols, width, height }: { ids: string[]; selected: number; cols: Columns; width: number; height: number }) {
  const targets = useAppState((s) => s.targets);
  const blockers = useAppState((s) => s.blockers);
  const blocked = new Set(Object.values(blockers).map((b) => b.targetId));
  // Lines: a column header, then per group a title and its rows.
  type Line = { kind: 'title'; group: TargetGroup } | { kind: 'row'; id: string; index: number };
  const lines: Line[] = [];
  let index = 0;
  for (const g of GROUPS) {
    const inGroup = ids.filter((id) => targets[id]!.group === g);
    if (!inGroup.length) continue;
    lines.push({ kind: 'title', group: g });
    for (const id of inGroup) lines.push({ kind: 'row', id, index: index++ });
  }
  const heightOfAll = lines.reduce((n, l) => n + (l.kind === 'title' ? 1 : rowHeight(targets[l.id]!)), 0);
  // One line for the column header, and one for "↓ more" when everything does not fit.
  const room = Math.max(1, height - 1 - (heightOfAll > height - 1 ? 1 : 0));
  const heightOf = (l: Line) => (l.kind === 'title' ? 1 : rowHeight(targets[l.id]!));
  const total = lines.reduce((n, l) => n + heightOf(l), 0);
  // Scroll so the selected row is visible: start from the top, move down until it fits.
  let start = 0;
  if (total > room) {
    const selLine = Math.max(0, lines.findIndex((l) => l.kind === 'row' && l.index === selected));
    const used = (from: number, to: number) => lines.slice(from, to + 1).reduce((n, l) => n + heightOf(l), 0);
    while (start < selLine && used(start, selLine) > room) start++;
  }
  const hiddenAbove = lines.slice(0, start).flatMap((l) => (l.kind === 'row' ? [l.id] : []));
  // "↑ N more" only when it fits without pushing the selected row out.
  const selIndex = lines.findIndex((l) => l.kind === 'row' && l.index === selected);
  const fits = () => lines.slice(start, selIndex + 1).reduce((n, l) => n + heightOf(l), 0) < room;
  // A failing target above matters more than a group title: give the title's line to the indicator.
  if (hiddenAbove.length > 0 && !fits() && lines[start]?.kind === 'title' && start < selIndex) start++;
  const showUp = hiddenAbove.length > 0 && fits();
  const visible: Line[] = [];
  let usedLines = showUp ? 1 : 0;
  for (const l of lines.slice(start)) {
    if (usedLines + heightOf(l) > room) break;
    visible.push(l);
    usedLines += heightOf(l);
  }
  const hidden = lines.length - start - visible.length;
  return (
    <Box flexDirection="column" width={width}>
      <Header cols={cols} width={width} />
      {showUp ? <MoreLine ids={hiddenAbove} up /> : null}
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
            rows={[null, ...(showUp ? [null] : []), ...visible.flatMap((l) => (l.kind === 'title' ? [null] : [targets[l.id]!, ...(rowHeight(targets[l.id]!) > 1 ? [null] : [])]))]}
            withNext={cols.next}
            width={Math.max(0, width - fixedCellsWidth(cols))}
          />
        </Box>
      ) : null}
      {hidden > 0 ? <MoreLine ids={lines.slice(start + visible.length).flatMap((l) => (l.kind === 'row' ? [l.id] : []))} /> : null}
    </Box>
  );
}

/** "↓ 4 more", saying how many of them are failing: a problem below the fold must not look like nothing. */
function MoreLine({ ids, up = false }: { ids: string[]; up?: boolean }) {
  const targets = useAppState((s) => s.targets);
  const down = ids.filter((id) => targets[id]?.latest?.status === 'down').length;
  const degraded = ids.filter((id) => targets[id] && shownStatus(targets[id]) === 'degraded').length;
  const bad = [down && `${down} down`, degraded && `${degraded} degraded`].filter(Boolean).join(', ');
  return (
    <Text color={down ? theme.status.down : degraded ? theme.status.degraded : theme.muted} bold={Boolean(down)}>
      {' '}
      {up ? '↑' : '↓'} {ids.length} more{bad ? ` (${bad}: ${up ? 'k/↑' : 'j/↓'} to see)` : ''}
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
