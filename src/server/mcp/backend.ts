/**
 * What `pitwall mcp` does behind its tools, shared by every MCP session of one server: answers from the
 * live store and the journal, reruns through the engine, and the feedback writes (feedback-actions.ts,
 * the console's own code). No MCP SDK here; nothing is redacted here (the tools redact on the way out).
 */
import type { Config } from '../../config/config.js';
import type { Engine } from '../../state/engine.js';
import { buildReportFromJournal, escalateTarget, recentBlocker, writeHourlyReport } from '../../feedback/feedback-actions.js';
import type { AppendResult, FeedbackWriter } from '../../feedback/feedback-writer.js';
import type { Journal } from '../../journal/journal.js';
import { defaultBy, isoUtc } from '../../feedback/escalation.js';
import {
  blockersView,
  historyView,
  statusView,
  targetStatusView,
  type BlockersView,
  type EscalationView,
  type HistoryView,
  type ReportView,
  type RerunView,
  type StatusView,
} from './views.js';
import type { Blocker, State, Store } from '../../state/store.js';
import { formatDuration } from '../../text/format.js';

/** get_history's window: default an hour, at most the journal's 72 hours. */
export const HISTORY_DEFAULT_MINUTES = 60;
export const HISTORY_MAX_MINUTES = 72 * 60;
/** How long the open blockers read from the journal are trusted before it is read again. */
export const BLOCKER_REFRESH_MS = 10_000;
/** Grace past a rerun's time budget (the engine's own hard-stop grace is 250 ms). */
const RERUN_SLACK_MS = 500;

/** What changed, for resource notifications: statuses, the set of open blockers, the latest report. */
export type BackendChange = 'status' | 'blockers' | 'report';

/** A refusal the agent can act on (unknown target, a repeat escalation): becomes a tool error, not a crash. */
export class ToolRefusal extends Error {
  override name = 'ToolRefusal';
}

export interface McpBackend {
  readonly config: Config;
  status(targetId?: string): StatusView;
  history(targetId: string, minutes: number, maxSamples: number): HistoryView;
  rerun(targetId: string, signal?: AbortSignal): Promise<RerunView>;
  escalate(targetId: string, note: string, again: boolean): Promise<EscalationView>;
  writeReport(which: 'current' | 'last'): Promise<ReportView>;
  listBlockers(targetId?: string): BlockersView;
  /** Open blockers of every pitwall process on this config (the journal), at most BLOCKER_REFRESH_MS old. */
  blockers(): Blocker[];
  /** The report written last by this server, else one built now for the current hour (not written). */
  latestReport(): string;
  subscribe(listener: (change: BackendChange) => void): () => void;
  /** Stops following the store. */
  close(): void;
}

export interface McpBackendOptions {
  config: Config;
  store: Store;
  engine: Engine;
  journal: Journal;
  writer: FeedbackWriter;
  now?: () => number;
}

/** A fingerprint of what a status reader cares about: statuses, error kinds, pause, outbox. Latency alone is not news. */
function statusKey(s: State): string {
  const parts = s.order.map((id) => {
    const r = s.targets[id]!.latest;
    return `${id}:${r?.status ?? '-'}:${r?.error?.kind ?? ''}`;
  });
  return `${parts.join(',')}|${s.paused}|${s.outbox}`;
}

/** How long a rerun may take: every attempt's timeout (plus the engine's grace) and the backoff ceilings between them. */
export function rerunBudgetMs(t: { timeoutMs: number; retries: number; intervalSeconds: number }): number {
  let ms = (t.timeoutMs + 250) * (t.retries + 1);
  for (let n = 1; n <= t.retries; n++) ms += Math.min(t.intervalSeconds * 1000, 500 * 2 ** (n - 1));
  return ms + RERUN_SLACK_MS;
}

/** Where an append went: the feedback file, or its outbox (retried in the background, and by the next pitwall run). */
function appended(path: string, r: AppendResult): { path: string; written: boolean; outbox: { pending: number; reason: string; kept: boolean; entry?: string } | null } {
  if (r.status === 'written') return { path, written: true, outbox: null };
  const reason = `${r.error.message} (${r.kept ? `kept in ${r.outboxPath}` : 'NOT kept: the outbox could not be written either; it lives only in this process until a retry succeeds'})`;
  // Saved nowhere on disk: the entry (redacted) goes back to the caller, to keep somewhere else.
  return { path, written: false, outbox: { pending: r.pending, reason, kept: r.kept, ...(r.kept ? {} : { entry: r.entry }) } };
}

export function createMcpBackend(opts: McpBackendOptions): McpBackend {
  const { config, store, engine, journal, writer } = opts;
  const now = opts.now ?? Date.now;
  const known = new Set(config.targets.map((t) => t.id));
  const listeners = new Set<(change: BackendChange) => void>();
  const emit = (change: BackendChange) => {
    for (const l of [...listeners]) l(change);
  };

  const need = (id: string) => {
    if (!known.has(id)) throw new ToolRefusal(`unknown target "${id}" (known: ${[...known].join(', ')})`);
    return config.targets.find((t) => t.id === id)!;
  };

  let cache: { at: number; list: Blocker[] } | null = null;
  let blockerKey = '';
  const blockers = (fresh = false): Blocker[] => {
    const t = now();
    if (fresh || !cache || t - cache.at > BLOCKER_REFRESH_MS) {
      // sinceMs = now: only blockers and reports are read whole; old samples are skipped cheaply.
      cache = { at: t, list: journal.load(t).blockers };
      const key = cache.list.map((b) => b.id).join(',');
      if (key !== blockerKey) {
        blockerKey = key;
        emit('blockers');
        emit('status');
      }
    }
    return cache.list;
  };

  // The writer retries the outbox in the background: show its size whenever someone looks.
  const syncOutbox = () => store.dispatch({ type: 'outbox', size: writer.pending() });

  let lastKey = statusKey(store.getSnapshot());
  const unfollow = store.subscribe(() => {
    const key = statusKey(store.getSnapshot());
    if (key === lastKey) return;
    lastKey = key;
    emit('status');
  });

  async function rerun(targetId: string, signal?: AbortSignal): Promise<RerunView> {
    const target = need(targetId);
    const before = store.getSnapshot().targets[targetId]!.latest;
    const done = () => {
      const t = store.getSnapshot().targets[targetId]!;
      return t.latest !== before && !t.running;
    };
    // A check already in flight is not started twice: its result is the answer.
    engine.rerun(targetId);
    const finished =
      done() ||
      (await new Promise<boolean>((resolve) => {
        const stop = (ok: boolean) => {
          clearTimeout(timer);
          unsubscribe();
          signal?.removeEventListener('abort', onAbort);
          resolve(ok);
        };
        const onAbort = () => stop(false);
        const timer = setTimeout(() => stop(false), rerunBudgetMs(target));
        const unsubscribe = store.subscribe(() => {
          if (done()) stop(true);
        });
        signal?.addEventListener('abort', onAbort, { once: true });
      }));
    const state = store.getSnapshot();
    return { finished, attempts: state.targets[targetId]!.attempts, target: targetStatusView(state, targetId, blockers()) };
  }

  let latest: string | null = null;
  // Writes one at a time: two agents escalating the same target at once must not both pass the repeat check.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn);
    queue = p.catch(() => undefined);
    return p;
  };

  return {
    config,
    status(targetId) {
      if (targetId !== undefined) need(targetId);
      syncOutbox();
      return statusView(store.getSnapshot(), { blockers: blockers(), now: now(), ...(targetId !== undefined ? { targetId } : {}) });
    },
    history(targetId, minutes, maxSamples) {
      need(targetId);
      const to = now();
      const from = to - minutes * 60_000;
      const h = journal.load(from);
      return historyView({ targetId, samples: h.samples[targetId] ?? [], events: h.events, from, to: to + 1, minutes, maxSamples });
    },
    rerun,
    escalate: (targetId, note, again) => serial(async () => {
      need(targetId);
      if (!note.trim()) throw new ToolRefusal('escalate_blocker needs a note: what is wrong and who is blocked');
      const open = recentBlocker(blockers(true), targetId, now());
      if (open && !again) {
        throw new ToolRefusal(
          `${targetId} was escalated ${formatDuration(now() - open.openedAt)} ago (${open.id}, note: "${open.note.split('\n')[0]}"). ` +
            'Read list_blockers; to write another BLOCKER entry anyway, call escalate_blocker again with again: true.',
        );
      }
      // A BLOCKER with no check behind it helps nobody: check first when this server has not yet.
      if (store.getSnapshot().targets[targetId]!.latest === null) await rerun(targetId);
      const { blocker, result } = await escalateTarget({ store, writer, configPath: config.path, config, targetId, note, by: `${defaultBy()} via pitwall mcp` });
      syncOutbox();
      blockers(true);
      return { blockerId: blocker.id, target: targetId, openedAt: isoUtc(blocker.openedAt), ...appended(writer.path, result) };
    }),
    writeReport: (which) => serial(async () => {
      const r = await writeHourlyReport({ config, journal, store, writer, blockers: blockers(true), which, now: now() });
      syncOutbox();
      latest = r.markdown;
      emit('report');
      return {
        which,
        hourStart: isoUtc(r.summary.hourStart),
        hourEnd: isoUtc(r.summary.hourEnd),
        partial: r.summary.partial,
        overall: r.summary.overall ?? 'unknown',
        openBlockers: r.summary.openBlockers,
        ...appended(writer.path, r.result),
      };
    }),
    listBlockers(targetId) {
      if (targetId !== undefined) need(targetId);
      const list = blockers(true).filter((b) => targetId === undefined || b.targetId === targetId);
      return blockersView(store.getSnapshot(), list, now());
    },
    blockers: () => blockers(),
    latestReport() {
      return latest ?? buildReportFromJournal({ config, journal, blockers: blockers(), which: 'current', now: now() }).markdown;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      unfollow();
      listeners.clear();
    },
  };
}
