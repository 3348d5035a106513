import { Box, Text } from 'ink';
import { AckedTiles } from './AckNote.js';
import { memo, useMemo } from 'react';
import type { TileId } from '../config/config.js';
import { shownStatus, staleKey, tileHealth, type TileHealth } from '../state/derive.js';
import { useClock } from './clock-context.js';
import { STATUS_SYMBOL } from '../text/format.js';
import { paint } from './lib/paint.js';
import { useAppState } from './store-context.js';
import { theme } from './theme.js';

/** Tile names that fit one line of an 80-column terminal. */
const SHORT: Record<TileId, string> = {
  'cx-pulse': 'CX',
  'sales-pulse': 'Sales',
  'seo-pulse': 'SEO',
  'inventory-watch': 'Inventory',
  'fulfillment-flow': 'Fulfillment',
};

/**
 * The dashboard's five tiles, each coloured by the worst status feeding it, and who hurts them: a tile is blind
 * when a target feeding it is down (it shows nothing true), impaired when one is only degraded (slow, throttled),
 * and each culprit says which it is.
 */
export const TilesStrip = memo(function TilesStrip({ width }: { width: number }) {
  const targets = useAppState((s) => s.targets);
  const order = useAppState((s) => s.order);
  // Results too old to trust (paused, or the engine stuck) leave their tiles unknown, not green.
  const stale = useClock((now) => staleKey(targets, now));
  const tiles = useMemo(() => tileHealth({ targets, order }, new Set(stale ? stale.split(',') : [])), [targets, order, stale]);
  const hurt = tiles.filter((t) => t.status === 'down' || t.status === 'degraded');
  // Short names when narrow, here too: cut at the end, the line would lose the target to blame first.
  const name = (t: TileHealth) => (width < 100 ? SHORT[t.id] : t.name);
  return (
    <Box flexDirection="column" width={width}>
      <Box gap={1} flexWrap="wrap">
        <Text>{paint('TILES', { bold: true })}</Text>
        {tiles.map((t) => (
          <Text key={t.id}>
            {paint(`[${t.sources === 0 ? '–' : STATUS_SYMBOL[t.status ?? 'unknown']} ${name(t)}]`, {
              color: theme.status[t.status ?? 'unknown'],
              bold: t.status === 'down',
              dim: t.sources === 0,
            })}
          </Text>
        ))}
      </Box>
      {hurt.length ? (
        <Text wrap="truncate-end">
          {groupHurt(hurt, name)
            .map(
              (g) =>
                paint(
                  `${g.names.join(', ')} ${g.status === 'down' ? (g.names.length > 1 ? 'are blind' : 'is blind') : g.names.length > 1 ? 'are impaired' : 'is impaired'}`,
                  { color: theme.status[g.status], bold: true },
                ) + ` ← ${g.culprits.split(', ').map((id) => `${id} ${targets[id] ? (shownStatus(targets[id]) ?? 'stale') : ''}`.trim()).join(', ')}`,
            )
            .join('  ·  ')}
          <AckedTiles />
        </Text>
      ) : null}
    </Box>
  );
});

/** Tiles hurt by the same targets, together: "Sales Pulse, Inventory Watch are blind ← shopify-admin". */
function groupHurt(hurt: TileHealth[], name: (t: TileHealth) => string): { names: string[]; status: 'down' | 'degraded'; culprits: string }[] {
  const groups = new Map<string, { names: string[]; status: 'down' | 'degraded'; culprits: string }>();
  for (const t of hurt) {
    const culprits = t.culprits.join(', ');
    const status = t.status === 'down' ? 'down' : 'degraded';
    const key = `${status}|${culprits}`;
    const g = groups.get(key) ?? { names: [], status, culprits };
    g.names.push(name(t));
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => (a.status === b.status ? 0 : a.status === 'down' ? -1 : 1));
}
