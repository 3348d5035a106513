import { render } from 'ink-testing-library';
import { configFromObject } from '../../src/config/config.js';
import { createStore, initialState, type Store } from '../../src/state/store.js';
import type { ActionResult, ConsoleActions, Prefs } from '../../src/ui/actions.js';
import { App } from '../../src/ui/App.js';
import type { Clock } from '../../src/ui/clock-context.js';
import { StoreProvider } from '../../src/ui/store-context.js';
import type { ProbeResult } from '../../src/probes/types.js';

export const KEY = { up: '\u001B[A', down: '\u001B[B', enter: '\r', esc: '\u001B', backspace: '\u007F', ctrlC: '\u0003' };

/** Strips ANSI escapes so assertions read what a person reads. */
export const plain = (s: string | undefined) => (s ?? '').replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');

/** Lets Ink process input and re-render. */
export async function settle(rounds = 5) {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

export const launchConfig = () =>
  configFromObject({
    store: 'Hot Rod AN',
    feedbackFile: '/tmp/pitwall-test/feedback/integrations.md',
    targets: [
      { id: 'shopify-admin', kind: 'http', url: 'http://127.0.0.1:1/', tiles: ['sales-pulse', 'inventory-watch', 'fulfillment-flow'] },
      { id: 'chatwoot', kind: 'http', url: 'http://127.0.0.1:1/', tiles: ['cx-pulse'] },
      { id: 'mcp-github', kind: 'mcp', transport: 'http', url: 'http://127.0.0.1:1/mcp' },
      { id: 'shopify-status', kind: 'statuspage', url: 'http://127.0.0.1:1/' },
    ],
  });

export const up = (latencyMs: number): ProbeResult => ({ status: 'up', latencyMs, error: null, details: {} });
export const down = (kind: 'timeout' | 'auth', message: string): ProbeResult => ({ status: 'down', latencyMs: null, error: { kind, message }, details: {} });

/** The report the recording actions preview: 30 numbered lines, for scrolling. */
export const REPORT_PREVIEW = ['## Hourly report — 07:00–07:49Z, partial hour', ...Array.from({ length: 29 }, (_, i) => `line ${i + 2}`)].join('\n');

/** Records what the console asked for. A test double for the wiring, not for the component under test. */
export function recordingActions() {
  const calls: string[] = [];
  const ok = (message: string): Promise<ActionResult> => Promise.resolve({ ok: true, message });
  const actions: ConsoleActions = {
    rerun: (id) => void calls.push(`rerun ${id ?? 'all'}`),
    setPaused: (p) => void calls.push(`paused ${p}`),
    escalate: (id, note) => (calls.push(`escalate ${id}: ${note}`), ok(`BLOCKER B-1 written for ${id}`)),
    resolve: (id, note) => (calls.push(`resolve ${id}${note ? `: ${note}` : ''}`), ok(`RESOLVED ${id}`)),
    writeReport: () => (calls.push('report'), ok('hourly report written')),
    previewReport: () => (calls.push('preview report'), Promise.resolve({ markdown: REPORT_PREVIEW, title: 'this hour so far' })),
    appendReport: (d) => (calls.push(`append report: ${d.markdown.split('\n')[0]}`), ok('hourly report (this hour so far) written to feedback/integrations.md')),
    acknowledge: (id, note, expiry) => (calls.push(`ack ${id} ${expiry}: ${note}`), ok(`ACK for ${id} written`)),
    unacknowledge: (id) => (calls.push(`unack ${id}`), { ok: true, message: `${id} is no longer acknowledged` }),
    createFeedbackFile: () => (calls.push('create-feedback'), ok('created')),
    savePrefs: (p: Partial<Prefs>) => void calls.push(`prefs ${JSON.stringify(p)}`),
    quit: () => void calls.push('quit'),
  };
  return { actions, calls };
}

export function renderApp(
  opts: { store?: Store; columns?: number; rows?: number; feedbackMissing?: boolean; clock?: Clock; endpoints?: Record<string, string>; clipboard?: (s: string) => void } = {},
) {
  const store = opts.store ?? createStore(initialState(launchConfig(), { now: Date.now() }));
  const rec = recordingActions();
  const r = render(
    <StoreProvider store={store} actions={rec.actions}>
      <App size={{ columns: opts.columns ?? 120, rows: opts.rows ?? 40 }} feedbackMissing={opts.feedbackMissing ?? false} nextReportAt={() => null} clock={opts.clock} endpoints={opts.endpoints} clipboard={opts.clipboard} />
    </StoreProvider>,
  );
  return { ...r, store, calls: rec.calls, screen: () => plain(r.lastFrame()) };
}

/** Forty targets, as a launch-week config grows to: http-01 … http-30 (tiles), mcp-01 … mcp-05, status-01 … status-05. */
export const fortyConfig = () =>
  configFromObject({
    store: 'Hot Rod AN',
    feedbackFile: '/tmp/pitwall-test/feedback/integrations.md',
    targets: [
      ...Array.from({ length: 30 }, (_, i) => ({
        id: `http-${String(i + 1).padStart(2, '0')}`,
        name: `Storefront check ${i + 1}`,
        kind: 'http' as const,
        url: 'http://127.0.0.1:1/',
        tiles: i % 2 ? ['sales-pulse' as const] : ['cx-pulse' as const],
      })),
      ...Array.from({ length: 5 }, (_, i) => ({ id: `mcp-0${i + 1}`, kind: 'mcp' as const, transport: 'http' as const, url: 'http://127.0.0.1:1/mcp' })),
      ...Array.from({ length: 5 }, (_, i) => ({ id: `status-0${i + 1}`, kind: 'statuspage' as const, url: 'http://127.0.0.1:1/' })),
    ],
  });

/** A result for `id` at `at`, as the engine dispatches it. */
export function finish(store: Store, id: string, result: ProbeResult, at = Date.now()) {
  store.dispatch({ type: 'probe-finished', id, at, result, attempts: 1, nextAt: at + 30_000 });
}

/** Every target of the store up, then these ones down. */
export function allUpBut(store: Store, downIds: readonly string[], at = Date.now()) {
  for (const id of store.getSnapshot().order) finish(store, id, downIds.includes(id) ? down('timeout', 'no answer within 10000 ms') : up(100), at);
}
