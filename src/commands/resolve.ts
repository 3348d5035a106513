import type { Config } from '../config/config.js';
import { defaultBy, resolvedEntry } from '../feedback/escalation.js';
import { DEFAULT_RETENTION_MS, stateFromHistory } from '../journal/journal.js';
import { initialState } from '../state/store.js';
import { openFeedbackContext, reportAppend, type FeedbackCommandOptions } from './escalate.js';
import { UsageError } from './exit.js';

export interface ResolveOptions extends FeedbackCommandOptions {
  /** A blocker id, or a target id with exactly one open blocker. */
  blockerId: string;
  /** One line: what fixed it. */
  note: string;
  /** --by: who resolved; default user@host. */
  by?: string;
}

/**
 * `pitwall resolve ID "note"`: appends a RESOLVED entry for an open blocker (how long the outage lasted, first
 * failure → back up, from the journal's checks; how long the blocker was open; the note) and closes it in the
 * journal, so every console and agent sees it closed. Returns 0 written, 1 kept in the outbox; throws UsageError
 * (exit 3) for an unknown or already resolved blocker, an empty note, or a protected/missing feedback file.
 */
export async function runResolve(config: Config, opts: ResolveOptions): Promise<number> {
  const note = opts.note.trim();
  if (!note) throw new UsageError('resolve needs a note: pitwall resolve BLOCKER-ID "what fixed it"');
  const { journal, writer, now } = openFeedbackContext(config, opts);
  try {
    const history = journal.load(now() - DEFAULT_RETENTION_MS);
    const open = history.blockers;
    const byTarget = open.filter((b) => b.targetId === opts.blockerId);
    const blocker = open.find((b) => b.id === opts.blockerId) ?? (byTarget.length === 1 ? byTarget[0] : undefined);
    if (!blocker) {
      const list = open.map((b) => `${b.id} (${b.targetId})`).join(', ');
      const why =
        byTarget.length > 1
          ? `target "${opts.blockerId}" has ${byTarget.length} open blockers; name one: ${byTarget.map((b) => b.id).join(', ')}`
          : `no open blocker "${opts.blockerId}" (${open.length ? `open: ${list}` : 'none is open'})`;
      throw new UsageError(why);
    }
    const state = stateFromHistory(initialState(config, { now: now() }), history);
    const at = now();
    const samples = history.samples[blocker.targetId];
    const entry = resolvedEntry({ blocker, at, note, state, by: opts.by?.trim() || defaultBy(), ...(samples ? { samples } : {}) });
    const result = await writer.append(entry);
    // Closed either way: the entry reaches the file from the outbox, and nobody should be told it is still open.
    journal.appendBlocker({ resolved: { id: blocker.id, targetId: blocker.targetId, at, note } });
    journal.appendEvent({ type: 'resolved', at, targetId: blocker.targetId, blockerId: blocker.id });
    return reportAppend(result, `RESOLVED ${blocker.id} for ${blocker.targetId}`, opts);
  } finally {
    journal.close();
    await writer.close();
  }
}
