import { Box, Text } from 'ink';
import { KEYS } from './keys.js';
import { theme } from './theme.js';

/** Every key, grouped, from the one key table. */
export function HelpOverlay({ width, compact = false }: { width: number; compact?: boolean }) {
  const groups = [...new Set(KEYS.map((k) => k.group))];
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.accent} paddingX={1} width={Math.min(width, 78)}>
      {compact ? null : <Text bold>Keys</Text>}
      {groups.map((g) => (
        <Box key={g} flexDirection="column" marginTop={compact ? 0 : 1}>
          <Text bold color={theme.accent}>
            {g}
          </Text>
          {KEYS.filter((k) => k.group === g).map((k) => (
            <Text key={k.id}>
              {'  '}
              {k.label.padEnd(12)}
              {k.description}
            </Text>
          ))}
        </Box>
      ))}
      {compact ? (
        <Text color={theme.muted}>✔ up · ▲ degraded · ✖ down · … unknown · ⚑ blocker · Esc closes</Text>
      ) : (
        <Text color={theme.muted}>
          {'\n'}Status: ✔ up · ▲ degraded (slow, rate limited, low quota) · ✖ down · … not checked yet · – tile with no source · ⚑ open blocker. Esc closes.
        </Text>
      )}
    </Box>
  );
}
