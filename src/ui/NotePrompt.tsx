import { Box, Text } from 'ink';
import type { Flash, NoteModal } from './use-console-state.js';
import { theme } from './theme.js';

/**
 * The note prompt of an escalation, an ack or a resolution (the keys hook edits it through its line editor): what the
 * note is for above; the note, empty at first, with the cursor where it is.
 */
export function NotePrompt({ modal, width, flash }: { modal: NoteModal; width: number; flash: Flash | null }) {
  const { text, cursor } = modal;
  const ack = modal.type === 'ack';
  const resolve = modal.type === 'resolve';
  const [before, at, after] = [text.slice(0, cursor), text.slice(cursor, cursor + 1) || ' ', text.slice(cursor + 1)];
  return (
    <Box flexDirection="column" width={width} borderStyle="single" borderColor={theme.blocker}>
      <Text wrap="truncate-end" color={theme.muted}>
        {resolve
          ? `${modal.targetId} · ${modal.problem ? `last error: ${modal.problem}` : 'up again'}`
          : ack
          ? `silence its bell ${modal.expiry === 'until-up' ? 'until it is up again' : `for ${modal.expiry}`} (Tab: until up / 15m / 1h / 4h) · ${modal.problem}`
          : modal.problem
            ? `last error (goes into the entry as evidence): ${modal.problem}`
            : 'no error on this target right now'}
      </Text>
      <Text wrap="truncate-start">
        <Text bold color={ack || resolve ? theme.accent : theme.blocker}>
          {resolve ? `Resolve ${modal.blockerId}, what fixed it:` : ack ? `Acknowledge ${modal.targetId} (${modal.expiry === 'until-up' ? 'until up' : modal.expiry}):` : `Escalate ${modal.targetId}:`}{' '}
        </Text>
        {before}
        <Text inverse>{at}</Text>
        {after}
      </Text>
      {/* A word about the last key (an empty note refused) takes the hint's place. */}
      <Text wrap="truncate-end" color={flash ? theme.warn : theme.muted}>
        {flash
          ? flash.text
          : resolve
            ? 'Enter writes the RESOLVED entry (the note may stay empty) · Esc cancels · ←→ Home End, Ctrl-A/E/W/U edit'
            : ack
            ? 'Enter acknowledges (one line in the feedback file) · Esc cancels · a short note: who is on it · Tab: how long'
            : 'Enter writes the BLOCKER · Esc cancels · what is blocked, who is hurt · ←→ Home End, Ctrl-A/E/W/U edit'}
      </Text>
    </Box>
  );
}
