import { homedir, userInfo } from 'node:os';
import { join, relative } from 'node:path';
import Conf from 'conf';
import { render } from 'ink';
import type { Demo } from '../peers/demo.js';
import type { Config } from '../config/config.js';
import { defaultBy, resolvedEntry } from '../feedback/escalation.js';
import { draftHourlyReport, DUPLICATE_WINDOW_MS, escalateTarget, writeHourlyReport } from '../feedback/feedback-actions.js';
import { createFeedbackWriter, FeedbackError, type AppendResult, type FeedbackWriter } from '../feedback/feedback-writer.js';
import { ensureStateDir, openJournal, resolveStateDir, stateDirKey } from '../journal/journal.js';
import { createLiveEngine } from '../journal/live-engine.js';
import { createRedactor } from '../text/redact.js';
import { HOUR_MS, type ReportSummary } from '../feedback/report.js';
import { formatDuration } from '../text/format.js';
import type { ActionResult, ConsoleActions, Prefs } from '../ui/actions.js';
import type { ReportDraft } from '../ui/use-console-state.js';
import { App } from '../ui/App.js';
import { endpointsOf } from '../ui/lib/endpoint.js';
import { tickingClock } from '../ui/clock-context.js';
import { pacedStore } from '../ui/paced-store.js';
import { StoreProvider } from '../ui/store-context.js';
import { ConsoleInfoProvider } from '../ui/console-info.js';
import { AckProvider } from '../ui/use-acks.js';
import { ackLine } from '../feedback/ack.js';
import { createAckStore, followTransitions, type Ack } from '../state/acks.js';
import { shownStatus } from '../state/derive.js';
import { problemOf } from '../ui/lib/row-stats.js';
import type { WebhookReceiver } from '../server/webhooks/receiver.js';
import type { Metrics } from '../server/metrics.js';
import { UsageError } from './exit.js';

export interface ConsoleOptions {
  config: Config;
  /** A running demo: its services die with the console; `f` injects its faults. */
  demo?: Demo;
  /** With the demo: why it opened ("no pitwall.yaml in … nor in ~/.config/pitwall"), said on every frame. */
  searched?: string;
  /** Run the demo's scripted launch-day story. */
  script?: boolean;
  stateDir?: string;
  /** host:port for Prometheus metrics on GET /metrics. */
  metrics?: string;
  /** Aborted on SIGINT/SIGTERM/SIGHUP (the CLI's handler): the console stops cleanly, exit 130. */
  signal?: AbortSignal;
  /** Lets the caller kill MCP children synchronously on a second signal and at process exit. */
  onRunner?: (runner: { killAllSync(): void }) => void;
}

/** The OS user's name for "acked by …"; some containers have no passwd entry. */
function safeUser(): string {
  try {
    return userInfo().username || 'someone';
  } catch {
    return process.env.USER || 'someone';
  }
}

/** A path as short as it reads unambiguously: relative to here ("../pitwall.yaml": found in a parent), or from ~. */
function shortPath(p: string): string {
  const home = homedir();
  const tilde = home && p.startsWith(`${home}/`) ? `~${p.slice(home.length)}` : p;
  const rel = relative(process.cwd(), p);
  return rel.length < tilde.length ? rel : tilde;
}

/** How long a burst of probe results is gathered into one notification (one frame). */
const BATCH_MS = 50;
/** How often open blockers are re-read from the journal (other processes may open or resolve them). */
const BLOCKER_SYNC_MS = 60_000;

/**
 * The live console: wires config → probes → engine → store → Ink, the journal and the feedback writer,
 * and owns their lifetime. Resolves with the exit code once the user quits.
 */
export async function runConsole(opts: ConsoleOptions): Promise<number> {
  const { config, demo } = opts;
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new UsageError('the console needs a terminal (stdin and stdout must be a TTY); in scripts and cron use "pitwall check"');
  }
  const redactor = createRedactor(config.secrets);
  const stateDir = demo ? join(demo.dir, 'state') : resolveStateDir({ flag: opts.stateDir, config });
  ensureStateDir(stateDir, demo ? 'the demo state folder' : stateDirKey({ flag: opts.stateDir, config }));

  // The feedback file: a protected path is refused before the screen opens; a missing one is asked about once.
  const writerOptions = {
    path: config.feedbackFile,
    protectedFiles: config.protectedFiles,
    redactor,
    outboxDir: join(stateDir, 'outbox'),
    onOutboxChange: (size: number) => store.dispatch({ type: 'outbox', size }),
  };
  let writer: FeedbackWriter;
  let feedbackMissing = false;
  try {
    writer = createFeedbackWriter(writerOptions);
  } catch (err) {
    if (!(err instanceof FeedbackError)) throw err;
    if (err.reason !== 'missing') throw new UsageError(err.message);
    feedbackMissing = true;
    // Asked about once; until the file exists (the user says y, or creates it), entries wait in the outbox.
    writer = createFeedbackWriter({ ...writerOptions, waitForFile: true });
  }

  const journal = openJournal({
    dir: stateDir,
    configPath: config.path,
    redactor,
    // Later than now: the failed append may be inside a store notification.
    onError: (err) =>
      setTimeout(() => store.dispatch({ type: 'event', event: { type: 'notice', at: Date.now(), level: 'error', message: `history journal: ${err.message} (history after a restart will have gaps)` } })),
  });
  const live = createLiveEngine({ config, journal, redactor, batchMs: BATCH_MS, demo: Boolean(demo) });
  const { store, engine } = live;
  if (writer.pending()) store.dispatch({ type: 'outbox', size: writer.pending() });

  // Metrics before anything else listens: a taken port fails here, before the screen opens, leaking nothing.
  let metrics: Metrics | null = null;
  if (opts.metrics !== undefined) {
    // prom-client and the HTTP server load only when asked for.
    const { createMetrics } = await import('../server/metrics.js');
    metrics = createMetrics(store, config);
    try {
      const { url } = await metrics.listen(opts.metrics);
      store.dispatch({ type: 'event', event: { type: 'notice', at: Date.now(), level: 'info', message: `metrics on ${url}` } });
    } catch (err) {
      await Promise.allSettled([metrics.close(), live.stop()]);
      throw new UsageError((err as Error).message);
    }
  }

  // The webhook receiver, when configured: its counters go to the store (a panel) and into the hourly report.
  let receiver: WebhookReceiver | null = null;
  /** The hourly report's webhook section, while the receiver runs. */
  let webhookAppendix: (() => string[]) | null = null;
  if (config.webhooks) {
    const wh = config.webhooks;
    // The receiver (node:http, signature checks) loads only for a config that has one.
    const [{ createWebhookReceiver }, { summarizeWebhooks }] = await Promise.all([import('../server/webhooks/receiver.js'), import('../state/webhook-stats.js')]);
    receiver = createWebhookReceiver({
      listen: wh.listen,
      ...(wh.shopify ? { shopifySecret: wh.shopify.secret } : {}),
      ...(wh.chatwoot ? { chatwootSecret: wh.chatwoot.secret } : {}),
    });
    await receiver.start();
    const r = receiver;
    webhookAppendix = () => ['', '### Webhooks', '', ...summarizeWebhooks(r.stats()), ''];
    const publish = () => store.dispatch({ type: 'webhooks', listen: wh.listen, stats: r.stats() });
    publish();
    r.subscribe(publish);
  }

  const prefsStore = new Conf<Record<string, Prefs>>({ projectName: 'pitwall', configName: 'prefs', cwd: stateDir });
  const prefsKey = (config.path ?? 'demo').replace(/\./g, '_');
  // The bell's mute is not restored: muted at 3 a.m. and forgotten, it would stay silent through the next outage
  // with nothing on screen to say why. A quiet target is acknowledged instead (a), which ends by itself.
  const { muted: _lastSessionMute, ...prefs }: Partial<Prefs> = prefsStore.get(prefsKey) ?? {};

  /** Reads the open blockers from the journal into the store; returns them. */
  const syncBlockers = () => {
    const open = journal.load(Date.now()).blockers;
    store.dispatch({ type: 'blockers-synced', blockers: open });
    return open;
  };
  const blockerSync = setInterval(syncBlockers, BLOCKER_SYNC_MS);

  // Preferences are written at most once a second (j/k held down is many changes), and on the way out.
  let pendingPrefs: Partial<Prefs> | null = null;
  let prefsTimer: ReturnType<typeof setTimeout> | undefined;
  const flushPrefs = () => {
    clearTimeout(prefsTimer);
    if (pendingPrefs) prefsStore.set(prefsKey, { ...prefs, ...prefsStore.get(prefsKey), ...pendingPrefs });
    pendingPrefs = null;
  };

  const notice = (level: 'info' | 'warn' | 'error', message: string) =>
    store.dispatch({ type: 'event', event: { type: 'notice', at: Date.now(), level, message } });

  // "Kept" only when the outbox holds it (fsynced); else it lives in this console alone until a retry succeeds, and
  // is printed when the console closes if it still has not (commands/escalate.ts reportAppend says the same).
  const appended = (r: AppendResult, what: string): ActionResult =>
    r.status === 'written'
      ? { ok: true, message: `${what} written to ${r.path}` }
      : r.kept
        ? { ok: false, message: `${what} NOT written yet (${r.error.message}); kept in the outbox, retrying` }
        : { ok: false, message: `${what} NOT saved anywhere (${r.error.message}; the outbox failed too): retrying; printed on quit if still unsaved` };


  const writeReport = async (which: 'last' | 'current'): Promise<ActionResult> => {
    const { summary, result } = await writeHourlyReport({
      config,
      journal,
      store,
      writer: writer,
      // From the journal: blockers opened or resolved by other consoles, scripts and agents count too.
      blockers: syncBlockers(),
      which,
      ...(webhookAppendix ? { appendix: webhookAppendix() } : {}),
    });
    return appended(result, `hourly report (${summary.partial ? 'this hour so far' : 'last hour'})`);
  };

  // Acks: in memory for this session (the feedback file keeps the record); a restart rings again for what still fails.
  const acks = createAckStore();
  const stopAcks = followTransitions(acks, store);
  const user = process.env.PITWALL_USER || safeUser();

  // A previewed report and what the journal keeps of it once written (the next report diffs against it).
  const drafts = new WeakMap<ReportDraft, ReportSummary>();
  const previewReport = (): ReportDraft => {
    const now = Date.now();
    const { markdown, summary } = draftHourlyReport({
      config,
      journal,
      store,
      feedbackFile: writer.path,
      blockers: syncBlockers(),
      which: 'current',
      now,
      ...(webhookAppendix ? { appendix: webhookAppendix() } : {}),
    });
    const last = store.getSnapshot().events.findLast((e) => e.type === 'report');
    const again = last && now - last.at < DUPLICATE_WINDOW_MS ? ` · a report was written ${formatDuration(now - last.at)} ago` : '';
    // Redacted here as the writer redacts it: the preview is exactly what Enter appends.
    const draft: ReportDraft = { markdown: redactor.text(markdown).trim(), title: `${summary.partial ? 'this hour so far' : 'last hour'}${again}` };
    drafts.set(draft, summary);
    return draft;
  };
  const appendReport = async (draft: ReportDraft): Promise<ActionResult> => {
    const summary = drafts.get(draft);
    if (!summary) return { ok: false, message: 'that report preview is gone; press h again' };
    const result = await writer.append(draft.markdown);
    journal.appendReport(summary);
    store.dispatch({ type: 'event', event: { type: 'report', at: Date.now(), path: writer.path } });
    return appended(result, `hourly report (${draft.title.split(' · ')[0]})`);
  };

  const guard = async (work: () => Promise<ActionResult>): Promise<ActionResult> => {
    try {
      return await work();
    } catch (err) {
      const message = redactor.text(err instanceof Error ? err.message : String(err));
      notice('error', message);
      return { ok: false, message };
    }
  };

  // The automatic report at the top of every hour, for the hour that just ended.
  let nextReportAt = Math.floor(Date.now() / HOUR_MS) * HOUR_MS + HOUR_MS;
  let reportTimer: ReturnType<typeof setTimeout>;
  const scheduleReport = () => {
    reportTimer = setTimeout(() => {
      nextReportAt += HOUR_MS;
      scheduleReport();
      void guard(() => writeReport('last')).then((r) => notice(r.ok ? 'info' : 'error', r.message));
    }, Math.max(0, nextReportAt - Date.now()));
  };
  scheduleReport();

  let quitting = false;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));

  const actions: ConsoleActions = {
    rerun: (id) => void engine.rerun(id),
    setPaused: (p) => engine.setPaused(p),
    escalate: (targetId, note) =>
      guard(async () => {
        const { blocker, result } = await escalateTarget({ store, writer: writer, configPath: config.path, config, targetId, note });
        return appended(result, `BLOCKER ${blocker.id} for ${targetId}`);
      }),
    resolve: (blockerId, note) =>
      guard(async () => {
        const w = writer;
        const state = store.getSnapshot();
        const blocker = state.blockers[blockerId];
        if (!blocker) return { ok: false, message: `no open blocker ${blockerId}` };
        const at = Date.now();
        const r = await w.append(resolvedEntry({ blocker, at, state, by: defaultBy(), ...(note ? { note } : {}) }));
        store.dispatch({ type: 'blocker-resolved', blockerId, at });
        return appended(r, `RESOLVED ${blockerId}`);
      }),
    writeReport: () => guard(() => writeReport('current')),
    previewReport: async () => previewReport(),
    acknowledge: (targetId, note, expiry) =>
      guard(async () => {
        const t = store.getSnapshot().targets[targetId];
        const status = t ? shownStatus(t) : null;
        if (!t || status === null || status === 'up') return { ok: false, message: `${targetId} is ${status ?? 'not checked yet'}: nothing to acknowledge` };
        const ack: Ack = { targetId, by: user, at: Date.now(), note, expiry, status };
        acks.set(ack);
        const r = await writer.append(ackLine(ack, problemOf(t.latest)));
        return appended(r, `ACK for ${targetId} (${expiry === 'until-up' ? 'until up' : expiry})`);
      }),
    unacknowledge: (targetId) => {
      acks.clear(targetId);
      return { ok: true, message: `${targetId} is no longer acknowledged: its bell rings again` };
    },
    appendReport: (draft) => guard(() => appendReport(draft)),
    createFeedbackFile: () =>
      guard(async () => {
        // The waiting writer leaves its entries for the new one, which writes them first.
        await writer.close();
        writer = createFeedbackWriter({ ...writerOptions, create: true });
        await writer.flush();
        return { ok: true, message: `created ${writer.path}` };
      }),
    savePrefs: (p) => {
      pendingPrefs = { ...pendingPrefs, ...p };
      clearTimeout(prefsTimer);
      prefsTimer = setTimeout(flushPrefs, 1_000);
    },
    injectFault: demo
      ? (targetId) => {
          const f = demo.cycleFault(targetId);
          if (f) notice('warn', `demo: ${targetId} is now ${f}`);
          return f;
        }
      : undefined,
    quit: () => void shutdown(0),
  };

  // One clock for the screen; results that change no status are drawn on its tick, in the same frame.
  const clock = tickingClock();
  const stopClock = clock.start();
  const instance = render(
    <StoreProvider store={pacedStore(store, clock)} actions={actions}>
      <AckProvider acks={acks}>
      <ConsoleInfoProvider value={{ configPath: demo || !config.path ? null : shortPath(config.path), searched: demo ? (opts.searched ?? 'no config given') : null }}>
        <App
          prefs={prefs}
          feedbackMissing={feedbackMissing}
          nextReportAt={() => nextReportAt}
          clock={clock}
          endpoints={endpointsOf(config.targets, (t) => redactor.text(t))}
          timeZone={config.timezone}
        />
      </ConsoleInfoProvider>
      </AckProvider>
    </StoreProvider>,
    // interactive: we checked for a TTY above; Ink would otherwise go quiet whenever CI=true is set.
    { exitOnCtrlC: false, maxFps: 10, patchConsole: true, alternateScreen: true, interactive: true },
  );

  async function shutdown(code: number) {
    if (quitting) return;
    quitting = true;
    stopClock();
    stopAcks();
    clearTimeout(reportTimer);
    clearInterval(blockerSync);
    flushPrefs();
    await Promise.allSettled([live.stop(), writer.flush(), receiver?.close(), metrics?.close()]);
    const { unsaved } = await writer.close();
    journal.close();
    await demo?.close();
    instance.unmount();
    if (unsaved.length) {
      // The last place these entries exist: on the terminal, after the console's screen is gone. Exit 2, as escalate.
      process.stderr.write(
        `pitwall: ${unsaved.length} ${unsaved.length === 1 ? 'entry was' : 'entries were'} saved nowhere (not in ${writer.path}, not in the outbox); paste ${unsaved.length === 1 ? 'it' : 'them'} into the feedback file:\n\n${unsaved.join('\n')}`,
      );
      return resolveExit(code === 0 ? 2 : code);
    }
    resolveExit(code);
  }

  // A signal (the CLI's handler aborts `signal`) stops cleanly; the CLI ends the process on a second one,
  // MCP children first (it holds the runner).
  opts.onRunner?.(live.runner);
  if (opts.signal?.aborted) void shutdown(130);
  else opts.signal?.addEventListener('abort', () => void shutdown(130), { once: true });

  engine.start();
  if (demo && opts.script) {
    void demo.runScript({ onStep: (text) => notice('warn', `story: ${text}`) }).then(() => notice('info', 'story: the scripted launch day is over'));
  }
  try {
    await instance.waitUntilExit();
  } catch (err) {
    // A render error: stop everything (engine, MCP children, servers) before the error reaches the CLI.
    await shutdown(70);
    throw err;
  }
  return exited;
}
