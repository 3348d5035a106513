import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { manualClock } from '../../src/ui/clock-context.js';
import { columnsFor, columnTitles } from '../../src/ui/lib/columns.js';
import { seenSince, windowLabel } from '../../src/ui/lib/row-stats.js';
import { KEY, renderApp, settle, up } from './helpers.js';

afterEach(() => cleanup());

describe('the window the stats stand on', () => {
  it('says how much of the hour has been seen, rounded down, and "1h" once an hour has', () => {
    const t0 = Date.parse('2026-10-13T14:00:00Z');
    expect(windowLabel(t0, t0 + 42_500)).toBe('42s');
    expect(windowLabel(t0, t0 + 70_000)).toBe('1m');
    expect(windowLabel(t0, t0 + 14 * 60_000 + 59_000)).toBe('14m');
    expect(windowLabel(t0, t0 + 3_600_000)).toBe('1h');
    expect(windowLabel(t0, t0 + 5 * 3_600_000)).toBe('1h');
  });

  it('titles the columns with it', () => {
    const titles = columnTitles(columnsFor(140), 140, '14m');
    expect(titles).toContain('P50/P95 14m');
    expect(titles).toContain('UP 14m');
  });
});

describe('console: honest numbers', () => {
  it('reads "UP 1m" after 70 seconds of running, not an hour it has not seen', async () => {
    // Given a console started at t0 with no journal behind it
    const t0 = Date.now();
    const clock = manualClock(t0);
    const app = renderApp({ columns: 140, clock });
    expect(seenSince(app.store.getSnapshot())).toBe(app.store.getSnapshot().startedAt);
    app.store.dispatch({ type: 'probe-finished', id: 'shopify-admin', at: t0 + 1_000, result: up(90), attempts: 1, nextAt: null });
    // When 70 s have passed
    clock.set(app.store.getSnapshot().startedAt + 70_000);
    await settle();
    // Then the columns say so
    expect(app.screen()).toMatch(/P50\/P95 1m\s/);
    expect(app.screen()).toMatch(/UP 1m\s/);
  });

  it('shows the first sample after a cold start apart, and pitwall\'s own stalls, in the details and the header', async () => {
    const at = Date.now();
    const app = renderApp({ columns: 140, rows: 40, clock: manualClock(at) });
    // Given a cold first check (480 ms), a warm one (90 ms), and one kept out of p95 because pitwall stalled
    app.store.dispatch({ type: 'probe-finished', id: 'shopify-admin', at: at - 20_000, result: up(480), attempts: 1, nextAt: null, cold: true });
    app.store.dispatch({ type: 'probe-finished', id: 'shopify-admin', at: at - 10_000, result: up(90), attempts: 1, nextAt: null, stalls: 1 });
    app.store.dispatch({ type: 'probe-finished', id: 'shopify-admin', at, result: up(400), attempts: 1, nextAt: null, stalls: 2, stalledMs: 310 });
    await settle();
    // Then the row's p50/p95 are the warm check's alone, and the header says pitwall was busy
    expect(app.screen()).toMatch(/shopify-admin\s+400 ms\s+90\/90 ms/);
    expect(app.screen()).toContain('pitwall busy: 3 re-measured, 1 out of p95');
    app.stdin.write(KEY.enter);
    await settle();
    const s = app.screen();
    expect(s).toMatch(/p50 90 ms · p95 90 ms · max 90 ms · 2 apart \(cold start or pitwall stalled\)/);
    expect(s).toMatch(/cold start\s+480 ms first check after a new connection or session, 20s ago · not in p50\/p95/);
    expect(s).toMatch(/pitwall\s+3 checks measured again: its own event loop stalled during them · 1 kept out of p50\/p95 \(stalled 310 ms\)/);
  });
});
