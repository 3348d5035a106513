import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { createStore, initialState } from '../../src/state/store.js';
import { allUpBut, fortyConfig, KEY, renderApp, settle } from './helpers.js';

afterEach(() => cleanup());

describe('event log', () => {
  it('takes focus with Tab, scrolls, and gives it back with Esc', async () => {
    const store = createStore(initialState(fortyConfig(), { now: Date.now() }));
    allUpBut(store, []);
    const app = renderApp({ store, columns: 100, rows: 30 });
    await settle();
    // Forty "new → up" lines, newest (status-05) first; the title says how to scroll.
    expect(app.screen()).toMatch(/EVENTS \(newest first, times local\) 1–\d+ of 40 · Tab scrolls\n\d\d:\d\d:\d\d status-05 new → up/);
    app.stdin.write('\t');
    await settle();
    expect(app.screen()).toContain('▸ EVENTS  (newest first, times local)');
    app.stdin.write('G');
    await settle();
    // The oldest at the bottom, and the list's selection did not move.
    expect(app.screen()).toMatch(/of 40 · ↑↓[^\n]*\n[\s\S]*http-01 new → up\n/);
    expect(app.screen()).not.toContain('status-05 new → up');
    expect(app.screen()).toMatch(/› ✔ up\s+http-01/);
    app.stdin.write('k');
    await settle();
    expect(app.screen()).not.toMatch(/http-01 new → up\n/);
    app.stdin.write(KEY.esc);
    await vi.waitFor(() => expect(app.screen()).not.toContain('▸ EVENTS'));
    app.stdin.write('j');
    await settle();
    expect(app.screen()).toMatch(/› ✔ up\s+http-02/);
  });

  it('folds a flapping target into one line with a count', async () => {
    const app = renderApp({ columns: 120, rows: 40 });
    const t0 = Date.now() - 60_000;
    for (let i = 0; i < 6; i++) {
      app.store.dispatch({ type: 'event', event: { type: 'transition', at: t0 + i * 5_000, targetId: 'chatwoot', from: i % 2 ? 'down' : 'up', to: i % 2 ? 'up' : 'down', errorKind: i % 2 ? undefined : 'timeout', message: i % 2 ? undefined : 'no answer' } });
    }
    await settle();
    const log = app.screen().slice(app.screen().indexOf('EVENTS'));
    expect(log.match(/chatwoot/g)).toHaveLength(1);
    expect(log).toMatch(/\d\d:\d\d:\d\d ×6 since \d\d:\d\d:\d\d chatwoot down → up/);
  });
});
