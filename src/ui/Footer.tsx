import { Box, Text } from 'ink';
import { memo } from 'react';
import { KEYS } from './keys.js';
import { NotePrompt } from './NotePrompt.js';
import { isNoteModal, type ConsoleUiState } from './use-console-state.js';
import { paint } from './lib/paint.js';
import { theme } from './theme.js';

/** The keys that matter most, for 80 columns: quit and help always show. */
const NARROW_FOOTER = '↑↓ ⏎ details · e escalate · r rerun · h report · x resolve · ? help · q quit';

/** How many lines the footer takes for this UI state (the console sizes the list and log around it). */
export function footerHeight(ui: ConsoleUiState, width = Infinity): number {
  if (isNoteModal(ui.modal)) return 5;
  // A question is read whole: a long one (a real path, a blocker id) wraps, and the layout makes room for it.
  if (ui.modal?.type === 'confirm') return Math.min(3, Math.ceil(confirmText(ui.modal.question).length / Math.max(1, width)));
  if (ui.modal) return 1;
  return ui.flash ? 2 : 1;
}

const confirmText = (question: string) => `${question} (y/N)`;

/** The bottom line: a prompt, a question, a message, or the key hints. */
export const Footer = memo(function Footer({ ui, width }: { ui: ConsoleUiState; width: number }) {
  const m = ui.modal;
  if (isNoteModal(m)) return <NotePrompt modal={m} width={width} flash={ui.flash} />;
  if (m?.type === 'report') {
    return (
      <Box width={width}>
        <Text wrap="truncate-end" bold color={theme.warn}>
          Enter appends this report to the feedback file · Esc cancels · ↑↓ PgUp PgDn g G scroll
        </Text>
      </Box>
    );
  }
  if (m?.type === 'confirm') {
    return (
      <Box width={width}>
        <Text bold color={theme.warn}>
          {confirmText(m.question)}
        </Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" width={width}>
      {ui.flash ? (
        <Text wrap="truncate-end" color={ui.flash.level === 'error' ? theme.error : ui.flash.level === 'warn' ? theme.warn : theme.status.up}>
          {ui.flash.text}
        </Text>
      ) : null}
      <Text wrap="truncate-end">
        {paint(
          width >= 100
            ? KEYS.filter((k) => k.footer)
                .map((k) => k.footer)
                .join('  ')
            : NARROW_FOOTER,
          { color: theme.muted },
        )}
      </Text>
    </Box>
  );
});
