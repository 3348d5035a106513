import { Box, Text } from 'ink';
import type { Flash, Modal } from './use-console-state.js';
import { theme } from './theme.js';

/**
 * The escalation note prompt (the keys hook edits it through its line editor): the target's last error above, shown
 * because it goes into the entry anyway; the note, empty at first, with the cursor where it is.
 */
export function NotePrompt({ modal, width, flash }: { modal: Extract<Modal, { type: 'escalate' | 'ack' }>; width: number; flash: Flash | null }) {
  const { text, cursor } = modal;
  const ack = modal.type === 'ack';
  const [before, at, after] = [text.slice(0, cursor), text.slice(cursor, cursor + 1) || ' ', text.slice(cursor + 1)];
  return (
    <Box flexDirection="column" width={width} borderStyle="single" borderColor={theme.blocker}>
      <Text wrap="truncate-end" color={theme.muted}>
        {ack
          ? `silence its bell ${modal.expiry === 'until-up' ? 'until it is up again' : `for ${modal.expiry}`} (Tab: until up / 15m / 1h / 4h) · ${modal.problem}`
          : modal.problem
            ? `last error (goes into the entry as evidence): ${modal.problem}`
            : 'no error on this target right now'}
      </Text>
      <Text wrap="truncate-start">
        <Text bold color={ack ? theme.accent : theme.blocker}>
          {ack ? `Acknowledge ${modal.targetId} (${modal.expiry === 'until-up' ? 'until up' : modal.expiry}):` : `Escalate ${modal.targetId}:`}{' '}
        </Text>
        {before}
        <Text inverse>{at}</Text>
        {after}
      </Text>
      {/* A word about the last key (an empty note refused) takes the hint's place. */}
      <Text wrap="truncate-end" color={flash ? theme.warn : theme.muted}>
        {flash
          ? flash.text
          : ack
            ? 'Enter acknowledges (one line in the feedback file) · Esc cancels · a short note: who is on it · Tab: how long'
            : 'Enter writes the BLOCKER · Esc cancels · what is blocked, who is hurt · ←→ Home End, Ctrl-A/E/W/U edit'}
      </Text>
    </Box>
  );
}
