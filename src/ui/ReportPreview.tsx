import { Box, Text } from 'ink';
import type { ReportDraft } from './use-console-state.js';
import { paint } from './lib/paint.js';
import { theme } from './theme.js';

/** Lines the preview takes besides the report's own: its title and the "↑ more / ↓ more" line. */
export const PREVIEW_CHROME = 2;

/**
 * The hourly report on screen before anything is written: exactly the text Enter appends, scrolled to `scroll`,
 * `height` lines tall in all.
 */
export function ReportPreview({ draft, scroll, width, height }: { draft: ReportDraft; scroll: number; width: number; height: number }) {
  const lines = draft.markdown.split('\n');
  const rows = Math.max(1, height - PREVIEW_CHROME);
  const shown = lines.slice(scroll, scroll + rows);
  const below = Math.max(0, lines.length - scroll - rows);
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        {paint(`REPORT PREVIEW (${draft.title}) · nothing written yet · ${lines.length} lines`, { color: theme.accent, bold: true })}
      </Text>
      {shown.map((l, i) => (
        // Lines are cut, not wrapped: the scroll position counts report lines, and a wrapped one would push the rest off.
        <Text key={scroll + i} wrap="truncate-end">
          {l || ' '}
        </Text>
      ))}
      <Text color={theme.muted}>
        {scroll > 0 ? `↑ ${scroll} more` : 'top'} · {below > 0 ? `↓ ${below} more` : 'end of report'}
      </Text>
    </Box>
  );
}
