import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { manualClock } from '../../src/ui/clock-context.js';
import { KEYS } from '../../src/ui/keys.js';
import { createStore, initialState } from '../../src/state/store.js';
import { allUpBut, down, fortyConfig, KEY, renderApp, settle, up } from './helpers.js';

afterEach(() => cleanup());

function finish(store: ReturnType<typeof renderApp>['store'], id: string, result: Parameters<typeof up>[0] extends number ? ReturnType<typeof up> : never, at = Date.now()) {
  store.dispatch({ type: 'probe-finished', id, at, result, attempts: 1, nextAt: at + 30_000 });
}

describe('console screen', () => {
  it('answers "what is broken, who is hurt" at a glance', async () => {
    const app = renderApp();
    finish(app.store, 'chatwoot', up(120));
    finish(app.store, 'mcp-github', up(300));
    finish(app.store, 'shopify-status', up(80));
    finish(app.store, 'shopify-admin', up(90), Date.now() - 60_000);
    finish(app.store, 'shopify-admin', down('timeout', 'no answer within 10000 ms'));
    await settle();
    const s = app.screen();
    expect(s).toContain('PITWALL');
    expect(s).toContain('Hot Rod AN');
    expect(s).toContain('✖ DOWN');
    expect(s).toContain('1 down · 3 up');
    expect(s).toMatch(/INTEGRATIONS[\s\S]*MCP SERVERS[\s\S]*VENDOR STATUS/);
    expect(s).toMatch(/✖ down\s+shopify-admin/);
    // How long first, in a cell of its own; the error after it.
    expect(s).toMatch(/↳ \ds\s+timeout: no answer within 10000 ms/);
    expect(s).toContain('Sales Pulse, Inventory Watch, Fulfillment Flow are blind ← shopify-admin down');
    expect(s).toContain('shopify-admin up → down (timeout: no answer within 10000 ms)');
    // the failed check is a gap in the sparkline, not a low bar
    expect(s).toMatch(/shopify-admin\s+—\s+90\/90 ms\s+█·/);
  });

  it('shows "waiting" before the first check and no false green', async () => {
    const app = renderApp();
    await settle();
    const s = app.screen();
    expect(s).toContain('… UNKNOWN');
    expect(s).toContain('4 waiting');
    expect(s).not.toContain('✔ up');
  });

  it('moves the selection with j/k and arrows, and opens details with a hint on Enter', async () => {
    const app = renderApp();
    finish(app.store, 'chatwoot', down('auth', 'HTTP 401 unauthorized: check the token'));
    await settle();
    expect(app.screen()).toMatch(/› .*shopify-admin/);
    app.stdin.write('j');
    await settle();
    expect(app.screen()).toMatch(/› .*chatwoot/);
    app.stdin.write(KEY.enter);
    await settle();
    const detail = app.screen();
    expect(detail).toContain('DOWN chatwoot');
    expect(detail).toContain('what to try');
    expect(detail).toContain('Credentials rejected');
    // Ink holds a lone Esc briefly to tell it from an escape sequence: wait for the screen, not a fixed time.
    app.stdin.write(KEY.esc);
    await vi.waitFor(() => expect(app.screen()).toContain('EVENTS'));
    app.stdin.write(KEY.up);
    await settle();
    expect(app.screen()).toMatch(/› .*shopify-admin/);
    // keys typed faster than a frame arrive as one chunk
    app.stdin.write('jj');
    await settle();
    expect(app.screen()).toMatch(/› .*mcp-github/);
  });

  it('escalates in two keystrokes plus a note: e, type, Enter', async () => {
    const app = renderApp();
    finish(app.store, 'shopify-admin', down('timeout', 'no answer within 10000 ms'));
    await settle();
    app.stdin.write('e');
    await settle();
    // the prompt opens empty; the last error is shown above it (it goes into the entry anyway)
    expect(app.screen()).toContain('last error (goes into the entry as evidence): timeout: no answer within 10000 ms');
    expect(app.screen()).toMatch(/Escalate shopify-admin: {2}/);
    app.stdin.write('orders stuck');
    await settle();
    app.stdin.write(KEY.enter);
    await settle();
    expect(app.calls).toContain('escalate shopify-admin: orders stuck');
    // a note and Enter arriving in one chunk (fast typing, paste) still submit
    app.stdin.write('e');
    await settle();
    app.stdin.write(' again\r');
    await settle();
    expect(app.calls).toContain('escalate shopify-admin: again');
    expect(app.screen()).toContain('BLOCKER B-1 written for shopify-admin');
  });

  it('acts on the target the keys before it selected when keys arrive in one chunk ("jr", "je" faster than a frame)', async () => {
    const app = renderApp();
    finish(app.store, 'chatwoot', down('auth', 'HTTP 401 unauthorized: check the token'));
    await settle();
    expect(app.screen()).toMatch(/› .*shopify-admin/);
    app.stdin.write('jr');
    await settle();
    expect(app.calls.filter((c) => c.startsWith('rerun'))).toEqual(['rerun chatwoot']);
    app.stdin.write('kje');
    await settle();
    expect(app.screen()).toContain('Escalate chatwoot:');
    expect(app.screen()).toContain('last error (goes into the entry as evidence): auth: HTTP 401 unauthorized: check the token');
    // what follows the e in the same chunk is the note, shown, not sent: sending takes an Enter of its own
    app.stdin.write(KEY.esc);
    await vi.waitFor(() => expect(app.screen()).not.toContain('Escalate chatwoot'));
    app.stdin.write('keorders stuck\r');
    await settle();
    expect(app.screen()).toContain('Escalate shopify-admin: orders stuck');
    expect(app.calls.filter((c) => c.startsWith('escalate'))).toEqual([]);
    app.stdin.write(KEY.enter);
    await settle();
    expect(app.calls.filter((c) => c.startsWith('escalate'))).toEqual(['escalate shopify-admin: orders stuck']);
  });

  it('never acts on pasted text: ignored outside the note, typed into it (newlines as spaces) without sending it', async () => {
    const PASTE = (text: string) => `\u001b[200~${text}\u001b[201~`;
    const app = renderApp();
    finish(app.store, 'shopify-admin', down('timeout', 'no answer within 10000 ms'));
    await settle();
    // a paste holding e, r, q and a newline in the list: nothing happens but a word about it
    app.stdin.write(PASTE('see the error, retry, quit\n'));
    await settle();
    expect(app.calls.filter((c) => !c.startsWith('prefs'))).toEqual([]);
    expect(app.screen()).toContain('paste ignored');
    // a paste into the note: typed, not sent
    app.stdin.write('e');
    await settle();
    app.stdin.write(PASTE('— orders\nstuck since 14:02\n'));
    await settle();
    expect(app.screen()).toContain('Escalate shopify-admin: — orders stuck since 14:02');
    expect(app.calls.filter((c) => c.startsWith('escalate'))).toEqual([]);
    app.stdin.write(KEY.enter);
    await settle();
    expect(app.calls.filter((c) => c.startsWith('escalate'))).toEqual(['escalate shopify-admin: — orders stuck since 14:02']);
  });

  it('a chunk of keys never answers the question one of them opened', async () => {
    const app = renderApp();
    app.store.dispatch({ type: 'blocker-opened', blocker: { id: 'B-7', targetId: 'shopify-admin', openedAt: Date.now() - 60_000, note: 'x' }, at: Date.now() });
    await settle();
    // "e" asks whether to escalate again; the "y" that came with it is not the answer
    app.stdin.write('ey');
    await settle();
    expect(app.screen()).toContain('Write another BLOCKER? (y/N)');
    app.stdin.write('n');
    await settle();
    expect(app.screen()).not.toContain('Escalate shopify-admin');
    expect(app.calls.filter((c) => c.startsWith('escalate'))).toEqual([]);
  });

  it('asks before escalating the same target again within minutes', async () => {
    const app = renderApp();
    app.store.dispatch({ type: 'blocker-opened', blocker: { id: 'B-7', targetId: 'shopify-admin', openedAt: Date.now() - 60_000, note: 'x' }, at: Date.now() });
    await settle();
    expect(app.screen()).toMatch(/shopify-admin ⚑/);
    app.stdin.write('e');
    await settle();
    expect(app.screen()).toContain('shopify-admin was escalated 1m00s ago (B-7). Write another BLOCKER? (y/N)');
    app.stdin.write('n');
    await settle();
    expect(app.calls.filter((c) => c.startsWith('escalate'))).toEqual([]);
    // resolving a target that is not up (here: not checked yet) asks first
    app.stdin.write('x');
    await settle();
    expect(app.screen()).toContain('shopify-admin is not checked yet. Resolve B-7 anyway? (y/N)');
    app.stdin.write('y');
    await settle();
    // then what fixed it (may stay empty): Enter writes the RESOLVED entry
    expect(app.screen()).toContain('Resolve B-7, what fixed it:');
    app.stdin.write(KEY.enter);
    await settle();
    expect(app.calls).toContain('resolve B-7');
  });

  it('details on an 80x24 screen still say how current they are, and the hour\'s uptime first', async () => {
    const app = renderApp({ columns: 80, rows: 24 });
    finish(app.store, 'shopify-admin', up(90), Date.now() - 4_000);
    await settle();
    app.stdin.write(KEY.enter);
    await settle();
    const lines = app.screen().split('\n');
    const top = lines.findIndex((l) => l.includes('UP shopify-admin'));
    expect(lines[top + 1]).toMatch(/│ checked \d+s ago · next in \d+s · every 30s/);
    expect(lines[top + 2]).toMatch(/│ last \ds\s+up 100% · 1 check, 0 failed · p50 90 ms · p95 90 ms · max 90 ms/);
  });

  it('asks what fixed it when the target is up again, and first asks whether to resolve while it still fails', async () => {
    const app = renderApp();
    const at = Date.now();
    app.store.dispatch({ type: 'blocker-opened', blocker: { id: 'B-1', targetId: 'shopify-admin', openedAt: at - 600_000, note: 'x' }, at });
    finish(app.store, 'shopify-admin', down('timeout', 'no answer within 10000 ms'));
    await settle();
    app.stdin.write('x');
    await settle();
    expect(app.screen()).toContain('shopify-admin is down. Resolve B-1 anyway? (y/N)');
    app.stdin.write('n');
    await settle();
    expect(app.calls.filter((c) => c.startsWith('resolve'))).toEqual([]);
    finish(app.store, 'shopify-admin', up(80));
    await settle();
    app.stdin.write('x');
    await settle();
    expect(app.screen()).toContain('Resolve B-1, what fixed it:');
    app.stdin.write('rotated the token');
    await settle();
    app.stdin.write(KEY.enter);
    await settle();
    expect(app.calls.filter((c) => c.startsWith('resolve'))).toEqual(['resolve B-1: rotated the token']);
  });

  it('runs every action key from the table', async () => {
    const app = renderApp();
    await settle();
    // (h opens the report preview, which Esc closes)
    for (const k of ['r', 'R', 'h', KEY.esc, 'p', 'm', 'q']) {
      app.stdin.write(k);
      await settle();
      // a lone Esc reaches the keys a moment later (Ink tells it from an escape sequence)
      if (k === KEY.esc) await vi.waitFor(() => expect(app.screen()).not.toContain('REPORT PREVIEW'));
    }
    expect(app.calls.filter((c) => !c.startsWith('prefs'))).toEqual(['rerun shopify-admin', 'rerun all', 'preview report', 'paused true', 'quit']);
    expect(app.screen()).toContain('BELL MUTED (m unmutes)');
  });

  it('lists every key of the table in the ? overlay', async () => {
    const app = renderApp();
    app.stdin.write('?');
    await settle();
    const s = app.screen();
    for (const k of KEYS) expect(s).toContain(k.description);
  });

  it('asks once to create a missing feedback file', async () => {
    const app = renderApp({ feedbackMissing: true });
    await settle();
    expect(app.screen()).toContain('The feedback file /tmp/pitwall-test/feedback/integrations.md does not exist. Create it? (y/N)');
    app.stdin.write('y');
    await settle();
    expect(app.calls).toContain('create-feedback');
  });

  it('flags a result too old to trust as stale, so an old green never passes for a current one', async () => {
    const app = renderApp();
    finish(app.store, 'chatwoot', up(100), Date.now() - 5 * 60_000);
    await settle();
    expect(app.screen()).toContain('⚠ 1 stale (not checked lately)');
    expect(app.screen()).toMatch(/chatwoot .*⚠ [45]m\d\ds ago/);
  });

  it('says when a failing target is scrolled out of sight', async () => {
    const store = createStore(initialState(fortyConfig(), { now: Date.now() }));
    allUpBut(store, ['status-05']);
    const app = renderApp({ store, columns: 80, rows: 24 });
    await settle();
    expect(app.screen()).toMatch(/› ✔ up\s+http-01[\s\S]*\n ↓ \d+ more \(1 down\)/);
  });

  it('says when a failing target is scrolled out of sight above', async () => {
    const store = createStore(initialState(fortyConfig(), { now: Date.now() }));
    allUpBut(store, ['http-01']);
    const app = renderApp({ store, columns: 80, rows: 24 });
    app.stdin.write('G');
    await settle();
    expect(app.screen()).toMatch(/↑ \d+ more \(1 down\)/);
    expect(app.screen()).toMatch(/› .*status-05/);
  });

  it('says "terminal too small" below 80×24 instead of a broken layout', async () => {
    const app = renderApp({ columns: 79, rows: 30 });
    await settle();
    expect(app.screen()).toBe('terminal too small: 79×30; pitwall needs 80×24 (q quits)');
    app.stdin.write('q');
    await settle();
    expect(app.calls).toContain('quit');
  });

  it('drops columns instead of wrapping at 80 columns', async () => {
    const app = renderApp({ columns: 80, rows: 24 });
    finish(app.store, 'shopify-admin', down('timeout', 'no answer within 10000 ms and a very long explanation that goes on'));
    await settle();
    const lines = app.screen().split('\n');
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(app.screen()).not.toContain('P50/P95');
    expect(app.screen()).toMatch(/TILES \[… CX\] \[✖ Sales\]/);
    // who is to blame survives the narrow screen
    expect(app.screen()).toContain('Sales, Inventory, Fulfillment are blind ← shopify-admin');
    expect(app.screen()).toMatch(/✖ down\s+shopify-admin/);
  });
});

describe('the screen over time', () => {
  // A fixed local time: the clock only moves when a test moves it.
  const t0 = new Date(2026, 9, 13, 14, 3, 12).getTime();
  const line = (screen: string, id: string) => screen.split('\n').find((l) => /^[› ] [✔▲✖…]/.test(l) && l.includes(` ${id} `)) ?? '';

  it('moves every CHECKED cell and the header clock each second, and nothing else needs to happen', async () => {
    // Given two targets checked 5 s and 12 s ago
    const clock = manualClock(t0);
    const app = renderApp({ clock });
    finish(app.store, 'chatwoot', up(120), t0 - 5_000);
    finish(app.store, 'mcp-github', up(300), t0 - 12_000);
    await settle();
    expect(line(app.screen(), 'chatwoot')).toMatch(/ 5s ago$/);
    expect(app.screen()).toContain('14:03:12 local');
    // When the clock ticks, twice
    for (const [s, a, b, hms] of [[1, '6s', '13s', '14:03:13'], [2, '7s', '14s', '14:03:14']] as const) {
      clock.set(t0 + s * 1000);
      await settle();
      // Then every ago moved with it
      expect(line(app.screen(), 'chatwoot')).toMatch(new RegExp(` ${a} ago$`));
      expect(line(app.screen(), 'mcp-github')).toMatch(new RegExp(` ${b} ago$`));
      expect(app.screen()).toContain(`${hms} local`);
    }
  });

  it('never keeps a green while the check in flight gets no answer: degraded, "no answer for", tiles and header too', async () => {
    // Given every target up, and shopify-admin's next check started 2 s ago
    const clock = manualClock(t0);
    const app = renderApp({ clock });
    for (const id of ['shopify-admin', 'chatwoot', 'mcp-github', 'shopify-status']) finish(app.store, id, up(90), t0 - 30_000);
    app.store.dispatch({ type: 'probe-started', id: 'shopify-admin', at: t0 - 2_000 });
    await settle();
    expect(app.screen()).toContain('✔ UP  4 up');
    expect(line(app.screen(), 'shopify-admin')).toMatch(/✔ up\s+shopify-admin/);
    // When it passes its slow threshold without an answer
    app.store.dispatch({ type: 'probe-overdue', id: 'shopify-admin', since: t0 - 2_000 });
    await settle();
    // Then the row, the header and the tiles it feeds say so, and how long it has been
    let s = app.screen();
    expect(line(s, 'shopify-admin')).toMatch(/▲ degraded\s+shopify-admin\s+90 ms/);
    expect(s).toContain('↳ no answer for 2s: the check is still running (it was up before)');
    expect(s).toContain('DEGRADED  1 degraded · 3 up');
    expect(s).toMatch(/TILES \[✔ CX Pulse\] \[▲ Sales Pulse\]/);
    clock.set(t0 + 10_000);
    await settle();
    expect(app.screen()).toContain('↳ no answer for 12s');
    // When the answer comes, the row is what it says
    finish(app.store, 'shopify-admin', up(95), t0 + 10_000);
    await settle();
    s = app.screen();
    expect(line(s, 'shopify-admin')).toMatch(/✔ up\s+shopify-admin\s+95 ms/);
    expect(s).not.toContain('no answer for');
    expect(s).toContain('✔ UP  4 up');
  });

  it('never shows a green it cannot vouch for: results gone stale leave the header and their tiles unknown', async () => {
    // Given every target up, checked just now
    const clock = manualClock(t0);
    const app = renderApp({ clock });
    for (const id of ['shopify-admin', 'chatwoot', 'mcp-github', 'shopify-status']) finish(app.store, id, up(90), t0);
    await settle();
    expect(app.screen()).toContain('✔ UP  4 up');
    expect(app.screen()).toMatch(/TILES \[✔ CX Pulse\] \[✔ Sales Pulse\]/);
    // When ten minutes pass without a check (paused, or the engine stuck)
    clock.set(t0 + 10 * 60_000);
    await settle();
    // Then nothing claims to be up: the header is unknown and says why, the tiles are unknown
    const s = app.screen();
    expect(s).toContain('… UNKNOWN  4 up ⚠ 4 stale (not checked lately)');
    expect(s).toMatch(/TILES \[… CX Pulse\] \[… Sales Pulse\]/);
    expect(s).not.toContain('✔ UP');
    // A failure gone stale stays what it was last known to be, in the header and on its tiles
    finish(app.store, 'chatwoot', down('auth', 'HTTP 401 unauthorized: check the token'), t0 + 10 * 60_000 - 80_000);
    await settle();
    expect(app.screen()).toMatch(/✖ DOWN {2}1 down · 3 up ⚠ 4 stale/);
    expect(app.screen()).toMatch(/TILES \[✖ CX Pulse\] \[… Sales Pulse\]/);
    expect(app.screen()).toContain('CX Pulse is blind ← chatwoot');
  });

  it('says a first check has had no answer for a while (the row stays unknown, never green)', async () => {
    const clock = manualClock(t0);
    const app = renderApp({ clock });
    app.store.dispatch({ type: 'probe-started', id: 'chatwoot', at: t0 - 3_000 });
    app.store.dispatch({ type: 'probe-overdue', id: 'chatwoot', since: t0 - 3_000 });
    await settle();
    expect(line(app.screen(), 'chatwoot')).toMatch(/… unknown\s+chatwoot/);
    expect(app.screen()).toContain('↳ no answer for 3s: the first check is still running');
  });

  it('shows a new result in its row at once: latency, percentiles and a status change', async () => {
    const clock = manualClock(t0);
    const app = renderApp({ clock });
    finish(app.store, 'chatwoot', up(120), t0 - 2_000);
    await settle();
    expect(line(app.screen(), 'chatwoot')).toMatch(/✔ up\s+chatwoot\s+120 ms\s+120\/120 ms/);
    // a faster check: the row's last latency and its hour both change, with no clock tick
    finish(app.store, 'chatwoot', up(40), t0 - 1_000);
    await settle();
    expect(line(app.screen(), 'chatwoot')).toMatch(/✔ up\s+chatwoot\s+40 ms\s+40\/120 ms/);
    // a failure: no false green, and the problem below the row
    finish(app.store, 'chatwoot', down('auth', 'HTTP 401 unauthorized'), t0);
    await settle();
    expect(line(app.screen(), 'chatwoot')).toMatch(/✖ down\s+chatwoot\s+—\s+40\/120 ms/);
    expect(app.screen()).toMatch(/↳ 0s {11}auth: HTTP 401 unauthorized/);
    clock.set(t0 + 65_000);
    await settle();
    expect(app.screen()).toMatch(/↳ 1m05s {8}auth: HTTP 401 unauthorized/);
  });

  it('flags a result as stale once time alone makes it old', async () => {
    const clock = manualClock(t0);
    const app = renderApp({ clock });
    finish(app.store, 'chatwoot', up(100), t0);
    await settle();
    const staleAfter = 2 * app.store.getSnapshot().targets.chatwoot!.intervalMs + 10_000;
    clock.set(t0 + staleAfter);
    await settle();
    expect(app.screen()).not.toContain('stale');
    clock.set(t0 + staleAfter + 1_000);
    await settle();
    expect(app.screen()).toContain('⚠ 1 stale (not checked lately)');
    expect(line(app.screen(), 'chatwoot')).toMatch(/⚠ 1m11s ago$/);
  });

  it("ages samples out of the hour's stats as the clock moves, with no new result", async () => {
    const clock = manualClock(t0);
    const app = renderApp({ clock });
    finish(app.store, 'chatwoot', up(900), t0 - 3_600_000 + 500);
    finish(app.store, 'chatwoot', up(100), t0 - 1_000);
    await settle();
    expect(line(app.screen(), 'chatwoot')).toMatch(/100 ms\s+100\/900 ms/);
    clock.set(t0 + 1_000);
    await settle();
    expect(line(app.screen(), 'chatwoot')).toMatch(/100 ms\s+100\/100 ms/);
  });
});
