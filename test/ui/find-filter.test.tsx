import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { createStore, initialState } from '../../src/state/store.js';
import { allUpBut, fortyConfig, KEY, renderApp, settle } from './helpers.js';

afterEach(() => cleanup());

const PAGE_UP = '\u001B[5~';
const PAGE_DOWN = '\u001B[6~';
const HOME = '\u001B[H';
const END = '\u001B[F';

function forty(opts: { columns?: number; rows?: number; downIds?: string[] } = {}) {
  const store = createStore(initialState(fortyConfig(), { now: Date.now() }));
  allUpBut(store, opts.downIds ?? []);
  return renderApp({ store, columns: opts.columns ?? 100, rows: opts.rows ?? 30 });
}

/** The list's target ids as shown, top to bottom. */
const rowIds = (screen: string) => [...screen.matchAll(/^[› ] [✔▲✖…] \S+\s+(\S+)/gm)].map((m) => m[1]);

describe('find, filter, scroll', () => {
  it('/ filters rows by id and name; typed keys are text, never commands; Esc clears', async () => {
    const app = forty();
    await settle();
    // When: "/http-15" is typed (h writes a report, e escalates, p pauses outside the filter)
    app.stdin.write('/');
    await settle();
    app.stdin.write('http-15');
    await settle();
    // Then: one row, the filter on screen, no command ran
    expect(rowIds(app.screen())).toEqual(['http-15']);
    expect(app.screen()).toContain('/http-15▌ 1 of 40');
    expect(app.calls.filter((c) => !c.startsWith('prefs'))).toEqual([]);
    // Enter keeps the filter; keys are commands again
    app.stdin.write(KEY.enter);
    await settle();
    expect(app.screen()).toContain('/http-15 1 of 40 · Esc clears');
    // Ink holds a lone Esc briefly to tell it from an escape sequence: wait for the screen.
    app.stdin.write(KEY.esc);
    await vi.waitFor(() => expect(app.screen()).not.toContain('/http-15'));
    expect(rowIds(app.screen())[0]).toBe('http-01');
  });

  it('matches the configured name, kind, status and tile, every word', async () => {
    const app = forty({ downIds: ['mcp-03', 'http-04'] });
    app.stdin.write('/');
    await settle();
    app.stdin.write('storefront check 12');
    await settle();
    expect(rowIds(app.screen())).toEqual(['http-12']);
    app.stdin.write('\u0015'); // Ctrl-U: a fresh filter
    app.stdin.write('down');
    await settle();
    expect(rowIds(app.screen())).toEqual(['http-04', 'mcp-03']);
    app.stdin.write('\u0015');
    app.stdin.write('mcp down');
    await settle();
    expect(rowIds(app.screen())).toEqual(['mcp-03']);
    app.stdin.write('\u0015');
    app.stdin.write('sales pulse http-0');
    await settle();
    expect(rowIds(app.screen())).toEqual(['http-02', 'http-04', 'http-06', 'http-08']);
  });

  it('u shows only targets that are not up; s sorts failing first', async () => {
    const app = forty({ downIds: ['status-04', 'http-20'] });
    await settle();
    app.stdin.write('u');
    await settle();
    expect(rowIds(app.screen())).toEqual(['http-20', 'status-04']);
    expect(app.screen()).toContain('2 of 40 · only not up (u)');
    app.stdin.write('u');
    app.stdin.write('s');
    await settle();
    // Flat, worst first: the vendor that is down is above thirty healthy integrations.
    expect(rowIds(app.screen()).slice(0, 3)).toEqual(['http-20', 'status-04', 'http-01']);
    expect(app.screen()).not.toContain('INTEGRATIONS');
  });

  it('keeps the selected target when the order changes under it', async () => {
    const app = forty();
    app.stdin.write('jj');
    await settle();
    expect(app.screen()).toMatch(/› ✔ up\s+http-03/);
    app.stdin.write('s');
    await settle();
    app.store.dispatch({ type: 'probe-finished', id: 'http-30', at: Date.now(), result: { status: 'down', latencyMs: null, error: { kind: 'timeout', message: 'x' }, details: {} }, attempts: 1, nextAt: null });
    await settle();
    // http-30 moved to the top; the selection stayed on http-03, and r reruns that one.
    expect(rowIds(app.screen())[0]).toBe('http-30');
    expect(app.screen()).toMatch(/› ✔ up\s+http-03/);
    app.stdin.write('r');
    await settle();
    expect(app.calls).toContain('rerun http-03');
  });

  it('g/G, Home/End, PgUp/PgDn move through forty targets, with ↑ and ↓ both saying what is hidden', async () => {
    const app = forty({ downIds: ['http-02', 'status-05'] });
    await settle();
    expect(app.screen()).toMatch(/↓ \d+ more \(1 down\)/);
    app.stdin.write('G');
    await settle();
    expect(app.screen()).toMatch(/› ✖ down\s+status-05/);
    expect(app.screen()).toMatch(/↑ \d+ more \(1 down\)/);
    app.stdin.write('g');
    await settle();
    expect(app.screen()).toMatch(/› ✔ up\s+http-01/);
    app.stdin.write(PAGE_DOWN);
    app.stdin.write(PAGE_DOWN);
    await settle();
    // Two pages down, in the middle: a failure hidden each way is said each way.
    expect(rowIds(app.screen())).not.toContain('http-01');
    expect(app.screen()).toMatch(/↑ \d+ more \(1 down\)/);
    expect(app.screen()).toMatch(/↓ \d+ more \(1 down\)/);
    app.stdin.write(PAGE_UP);
    app.stdin.write(PAGE_UP);
    await settle();
    expect(app.screen()).toMatch(/› ✔ up\s+http-01/);
    app.stdin.write(END);
    await settle();
    expect(app.screen()).toMatch(/› ✖ down\s+status-05/);
    app.stdin.write(HOME);
    await settle();
    expect(app.screen()).toMatch(/› ✔ up\s+http-01/);
  });

  it('says when no target matches', async () => {
    const app = forty();
    app.stdin.write('/');
    await settle();
    app.stdin.write('nothing-like-this');
    await settle();
    expect(app.screen()).toContain('0 of 40');
    expect(app.screen()).toContain('No target matches: Esc clears the filter, u shows all.');
  });
});
