import { dirname, join } from 'node:path';
import { startSpawnRecord } from '../journal/spawn-record.js';
import type { Config } from '../config/config.js';
import { createEngine } from '../state/engine.js';
import { blockerEntry, newBlockerId } from '../feedback/escalation.js';
import { FeedbackError, createFeedbackWriter, type AppendResult, type FeedbackWriter } from '../feedback/feedback-writer.js';
import {
  DEFAULT_RETENTION_MS,
  attachJournal,
  ensureStateDir,
  journalPath,
  nullJournal,
  openJournal,
  resolveStateDir,
  stateDirKey,
  stateFromHistory,
  type Journal,
} from '../journal/journal.js';
import type { ProbeRunner } from '../state/probe-runner.js';
import { createRedactor, type Redactor } from '../text/redact.js';
import { createStore, initialState, type State } from '../state/store.js';
import { statusLabel } from '../text/format.js';
import { UsageError } from './exit.js';

/** Exit codes of the commands that write the feedback file: 2 when the entry is saved nowhere (it is printed instead). */
export const WRITE_EXIT = { written: 0, outbox: 1, lost: 2, usage: 3 } as const;

/** What escalate and report share: where state lives, how to check, where to say things. */
export interface FeedbackCommandOptions {
  /** --create-feedback: create the feedback file (and folder) if it is missing. */
  createFeedback?: boolean;
  /** --state-dir; else the config's stateDir; else $XDG_STATE_HOME/pitwall or ~/.local/state/pitwall. */
  stateDir?: string;
  /** Normal output (stdout). */
  write: (text: string) => void;
  /** The sentence for exit 1 or 2, and warnings (stderr); defaults to `write`. */
  warn?: (text: string) => void;
  now?: () => number;
  env?: NodeJS.ProcessEnv;
  /** The probe runner for a check the journal cannot stand in for. Default: createProbeRunner (closed after). */
  runner?: Pick<ProbeRunner, 'run' | 'close'>;
  /** Lets the caller kill MCP children on a signal while a check runs. */
  onRunner?: (runner: { killAllSync(): void }) => void;
  /** How long to wait for another writer's lock on the feedback file before using the outbox. Default 10 s. */
  lockTimeoutMs?: number;
}

/**
 * The journal, the writer and the redactor for a config. A protected or missing feedback file, or a state folder
 * that cannot work, is a UsageError (exit 3). A journal that cannot be written (a full disk) is only a warning: the
 * entry still goes to the feedback file.
 */
export function openFeedbackContext(config: Config, opts: FeedbackCommandOptions): { redactor: Redactor; journal: Journal; writer: FeedbackWriter; now: () => number } {
  const now = opts.now ?? Date.now;
  const redactor = createRedactor(config.secrets);
  const stateDir = resolveStateDir({ flag: opts.stateDir, config, ...(opts.env ? { env: opts.env } : {}) });
  let journalWarned = false;
  const journalFailed = (err: unknown) => {
    if (journalWarned) return;
    journalWarned = true;
    const message = err instanceof Error ? err.message : String(err);
    (opts.warn ?? opts.write)(`pitwall: warning: the journal in ${stateDir} cannot be written (${message}); the feedback entry does not depend on it.\n`);
  };
  try {
    ensureStateDir(stateDir, stateDirKey({ flag: opts.stateDir, config }));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    journalFailed(err); // a full disk: the outbox may fail too, and the writer says so
  }
  let writer: FeedbackWriter;
  try {
    writer = createFeedbackWriter({
      path: config.feedbackFile,
      protectedFiles: config.protectedFiles,
      redactor,
      outboxDir: join(stateDir, 'outbox'),
      create: opts.createFeedback ?? false,
      now,
      ...(opts.lockTimeoutMs !== undefined ? { lockTimeoutMs: opts.lockTimeoutMs } : {}),
    });
  } catch (err) {
    if (err instanceof FeedbackError) throw new UsageError(err.message);
    throw err;
  }
  let journal: Journal;
  try {
    journal = openJournal({ dir: stateDir, configPath: config.path, now, redactor, onError: journalFailed });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    journalFailed(err);
    journal = nullJournal(journalPath(stateDir, config.path));
  }
  return { redactor, journal, writer, now };
}

/** Runs the given targets once through the engine, journaling results and events; returns the new state. */
export async function checkAndJournal(
  config: Config,
  state: State,
  ids: readonly string[],
  journal: Journal,
  opts: FeedbackCommandOptions,
  command: 'escalate' | 'report' = 'escalate',
): Promise<State> {
  const runner = opts.runner ?? (await import('../state/probe-runner.js')).createProbeRunner();
  if (!opts.runner) opts.onRunner?.(runner as ProbeRunner);
  const store = createStore(state);
  const detach = attachJournal(store, journal);
  // The MCP servers this check spawns are recorded, as `check` does, so a killed escalate leaves nothing behind.
  const record = opts.runner ? null : startSpawnRecord({ stateDir: resolveStateDir({ flag: opts.stateDir, config, ...(opts.env ? { env: opts.env } : {}) }), command, say: (m, level) => void (level === 'warn' && (opts.warn ?? opts.write)(`pitwall: ${m}\n`)) });
  const engine = createEngine({
    config,
    store,
    runProbe: runner.run,
    ...(opts.now ? { now: opts.now } : {}),
    onResult: (id, result, at, _attempts, run) => journal.appendResult(id, result, at, run),
  });
  try {
    await engine.checkOnce(ids);
  } finally {
    engine.stop();
    detach();
    if (!opts.runner) await runner.close();
    await record?.leftovers;
    record?.close();
  }
  return store.getSnapshot();
}

/**
 * The exit code and sentence for an append: 0 written, 1 kept in the outbox (fsynced), 2 saved nowhere: then the
 * entry itself goes to stdout for the operator to paste, as the last place it still exists.
 */
export function reportAppend(result: AppendResult, what: string, opts: FeedbackCommandOptions): number {
  if (result.status === 'written') {
    opts.write(`${what} written to ${result.path}\n`);
    return WRITE_EXIT.written;
  }
  if (!result.kept) {
    (opts.warn ?? opts.write)(
      `pitwall: ${what} is NOT saved anywhere: it could not be written (${result.error.message}) and the outbox in ${dirname(result.outboxPath)} could not keep it either; the entry is printed below, paste it into the feedback file.\n`,
    );
    opts.write(result.entry);
    return WRITE_EXIT.lost;
  }
  (opts.warn ?? opts.write)(
    `pitwall: ${what} could not be written (${result.error.message}); it is kept in the outbox (${result.pending} waiting, ${result.outboxPath}) and the next pitwall run writes it.\n`,
  );
  return WRITE_EXIT.outbox;
}

export interface EscalateOptions extends FeedbackCommandOptions {
  targetId: string;
  note: string;
  /** --by: who escalated; default user@host. */
  by?: string;
}

/**
 * `pitwall escalate TARGET "note"`: always writes a BLOCKER entry (no duplicate prompt), from the journal's
 * latest state for the target, or from one check made now if the journal has nothing recent.
 * Returns 0 written, 1 kept in the outbox, 2 saved nowhere (the entry is printed); throws UsageError (exit 3) for an unknown target or a
 * protected/missing feedback file.
 */
export async function runEscalate(config: Config, opts: EscalateOptions): Promise<number> {
  const target = config.targets.find((t) => t.id === opts.targetId);
  if (!target) {
    throw new UsageError(`unknown target "${opts.targetId}" (known: ${config.targets.map((t) => t.id).join(', ')})`);
  }
  if (!opts.note.trim()) throw new UsageError('escalate needs a note: pitwall escalate TARGET "what is wrong and who is blocked"');
  const { journal, writer, now } = openFeedbackContext(config, opts);
  try {
    const history = journal.load(now() - DEFAULT_RETENTION_MS);
    let state = stateFromHistory(initialState(config, { now: now() }), history);
    const t = state.targets[target.id]!;
    // "Recent": the journal saw a check within two intervals (at least a minute), so pitwall is running.
    const recentMs = Math.max(2 * t.intervalMs, 60_000);
    let checkedNow = false;
    if (t.checkedAt === null || now() - t.checkedAt > recentMs) {
      state = await checkAndJournal(config, state, [target.id], journal, opts);
      checkedNow = true;
    }
    const at = now();
    const blockerId = newBlockerId(target.id, at);
    const entry = blockerEntry({ state, targetId: target.id, note: opts.note, at, blockerId, target, ...(opts.by ? { by: opts.by } : {}) });
    const result = await writer.append(entry);
    // Open either way: an entry in the outbox still reaches the file, and the screen should show it now.
    journal.appendBlocker({ opened: { id: blockerId, targetId: target.id, openedAt: at, note: opts.note } });
    journal.appendEvent({ type: 'escalated', at, targetId: target.id, blockerId });
    const latest = state.targets[target.id]!.latest;
    const how = checkedNow ? ` (checked just now: ${statusLabel(latest?.status ?? null)})` : '';
    return reportAppend(result, `BLOCKER ${blockerId} for ${target.id}${how}`, opts);
  } finally {
    journal.close();
    await writer.close();
  }
}
