import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { createStore, initialState } from '../../src/state/store.js';
import { App } from '../../src/ui/App.js';
import { ConsoleInfoProvider, type ConsoleInfo } from '../../src/ui/console-info.js';
import { StoreProvider } from '../../src/ui/store-context.js';
import { launchConfig, plain, recordingActions, settle } from './helpers.js';

afterEach(() => cleanup());

function open(info: ConsoleInfo, opts: { demo?: boolean; columns?: number; prefs?: { muted: boolean } } = {}) {
  const store = createStore(initialState(launchConfig(), { now: Date.now(), demo: opts.demo ?? false }));
  const rec = recordingActions();
  const r = render(
    <StoreProvider store={store} actions={rec.actions}>
      <ConsoleInfoProvider value={info}>
        <App size={{ columns: opts.columns ?? 100, rows: 40 }} {...(opts.prefs ? { prefs: opts.prefs } : {})} />
      </ConsoleInfoProvider>
    </StoreProvider>,
  );
  return { ...r, screen: () => plain(r.lastFrame()) };
}

describe('header: which config, or unmistakably the demo', () => {
  it('names the config file in use beside the feedback file', async () => {
    const app = open({ configPath: '../../pitwall.yaml', searched: null });
    await settle();
    const lines = app.screen().split('\n');
    expect(lines[1]).toMatch(/config: \.\.\/\.\.\/pitwall\.yaml · feedback: …?pitwall-test\/feedback\/integrations\.md$/);
    expect(app.screen()).not.toContain('DEMO');
  });

  it('keeps the config name at 80 columns, cutting the feedback path first', async () => {
    const app = open({ configPath: '../../pitwall.yaml', searched: null }, { columns: 80 });
    await settle();
    const line = app.screen().split('\n')[1]!;
    expect(line).toContain('config: ../../pitwall.yaml · feedback: …');
    expect(line.length).toBeLessThanOrEqual(79);
  });

  it('the demo says what it is, where pitwall looked, and the way out, at 80 columns too', async () => {
    const searched = 'no pitwall.yaml in ~/shop/ops or any parent, nor in ~/.config/pitwall';
    for (const columns of [100, 80]) {
      const app = open({ configPath: null, searched }, { demo: true, columns });
      await settle();
      const lines = app.screen().split('\n');
      expect(lines[0]).toContain('[DEMO]');
      expect(lines[2]).toBe(' DEMO  not your store · "pitwall init" writes a config · "-c FILE" opens one');
      expect(lines[3]).toBe(searched);
      app.unmount();
    }
  });

  it('a mute from the last session is not restored, and a mute is said loudly', async () => {
    // Given prefs saved while muted (older pitwall): watch.tsx drops the flag; App itself starts from what it is given.
    const app = open({ configPath: 'pitwall.yaml', searched: null });
    await settle();
    expect(app.screen()).toContain('bell on');
    app.stdin.write('m');
    await settle();
    expect(app.screen()).toContain('BELL MUTED (m unmutes)');
    app.stdin.write('m');
    await settle();
    expect(app.screen()).toContain('bell on');
  });
});

describe('the header states fit the width, and what must be noticed stays', () => {
  it('drops the stall count, the report timer and "bell on" first, then shortens; paused, muted and unwritten entries stay', async () => {
    const { fitStates } = await import('../../src/ui/Header.js');
    const all = { paused: true, muted: true, report: true, stalls: 'pitwall busy: 9 out of p95', outbox: 12 };
    // Wide: everything in full
    expect(fitStates(all, 200)).toMatchObject({ polling: '‖ PAUSED (p resumes)', report: true, bell: 'BELL MUTED (m unmutes)', stalls: 'pitwall busy: 9 out of p95', outbox: '⚠ 12 entries waiting to be written' });
    // 80 columns (53 for the states, the paths keep 24): short forms, nothing that must be noticed lost, and within the room
    const narrow = fitStates(all, 53);
    expect(narrow).toMatchObject({ polling: '‖ PAUSED (p resumes)', report: false, bell: 'MUTED', stalls: null, outbox: '⚠ 12 unwritten' });
    expect(narrow.width).toBeLessThanOrEqual(53);
    // Polling, not muted: "bell on" goes first, then the outbox is said short
    expect(fitStates({ paused: false, muted: false, report: true, stalls: null, outbox: 3 }, 40)).toMatchObject({ polling: '● polling', report: false, bell: null, outbox: '⚠ 3 unwritten' });
  });
});

describe('a report just written stays in the header', () => {
  it('says "✔ report HH:MM · next …" for a quarter of an hour after it was written, then the countdown again', async () => {
    const { manualClock } = await import('../../src/ui/clock-context.js');
    const { format } = await import('date-fns');
    const t0 = Date.UTC(2026, 9, 13, 15, 0, 5);
    const clock = manualClock(t0);
    const store = createStore(initialState(launchConfig(), { now: t0 }));
    const r = render(
      <StoreProvider store={store} actions={recordingActions().actions}>
        <App size={{ columns: 120, rows: 40 }} clock={clock} nextReportAt={() => Date.UTC(2026, 9, 13, 16)} />
      </StoreProvider>,
    );
    store.dispatch({ type: 'event', event: { type: 'report', at: t0, path: '/srv/feedback/integrations.md' } });
    await settle();
    expect(plain(r.lastFrame())).toContain(`✔ report ${format(t0, 'HH:mm')} · next 59m55s`);
    clock.set(t0 + 16 * 60_000);
    await settle();
    expect(plain(r.lastFrame())).toContain('report in 43m55s');
    expect(plain(r.lastFrame())).not.toContain('✔ report');
  });
});
