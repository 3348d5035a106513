import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { down, KEY, renderApp, settle } from './helpers.js';

afterEach(() => cleanup());

const PAGE_DOWN = '\u001B[6~';
const PAGE_UP = '\u001B[5~';
const HOME = '\u001B[H';
const END = '\u001B[F';
const LEFT = '\u001B[D';
const CTRL = (c: string) => String.fromCharCode(c.charCodeAt(0) - 96);
const PASTE = (text: string) => `\u001b[200~${text}\u001b[201~`;

describe('h: the report on screen first, written only on Enter', () => {
  it('shows the report, scrolls it, and Esc writes nothing', async () => {
    const app = renderApp({ rows: 30 });
    await settle();
    app.stdin.write('h');
    await vi.waitFor(() => expect(app.screen()).toContain('REPORT PREVIEW (this hour so far) · nothing written yet · 30 lines'));
    let s = app.screen();
    expect(s).toContain('## Hourly report — 07:00–07:49Z, partial hour');
    expect(s).toContain('Enter appends this report to the feedback file · Esc cancels');
    expect(s).toMatch(/top · ↓ \d+ more/);
    // scrolls: a line, a page, the end, the start
    app.stdin.write('j');
    await settle();
    expect(app.screen()).not.toContain('## Hourly report');
    expect(app.screen()).toContain('↑ 1 more');
    app.stdin.write(PAGE_DOWN);
    await settle();
    expect(app.screen()).toMatch(/↑ \d+ more/);
    app.stdin.write('G');
    await settle();
    s = app.screen();
    expect(s).toContain('line 30');
    expect(s).toContain('end of report');
    app.stdin.write(PAGE_UP);
    app.stdin.write(HOME);
    await settle();
    expect(app.screen()).toContain('## Hourly report');
    app.stdin.write(END);
    await settle();
    expect(app.screen()).toContain('end of report');
    // Esc: nothing written, the list is back
    app.stdin.write(KEY.esc);
    // (a lone Esc reaches the keys a moment later: Ink waits to tell it from an escape sequence)
    await vi.waitFor(() => expect(app.screen()).toContain('report not written'));
    expect(app.calls.filter((c) => c.includes('report'))).toEqual(['preview report']);
    expect(app.screen()).toMatch(/INTEGRATIONS/);
  });

  it('Enter appends exactly the previewed report; keys typed out of habit ("http") never write one', async () => {
    const app = renderApp();
    await settle();
    // "/http-15" is a filter now: no preview, nothing written
    app.stdin.write('/http-15');
    await vi.waitFor(() => expect(app.screen()).toContain('http-15'));
    expect(app.screen()).not.toContain('REPORT PREVIEW');
    app.stdin.write(KEY.esc);
    await vi.waitFor(() => expect(app.screen()).not.toMatch(/\/\s*http-15/));
    // "http-15" typed in the list: h opens the preview, and the rest of the chunk does not answer it
    app.stdin.write('http-15');
    await vi.waitFor(() => expect(app.screen()).toContain('REPORT PREVIEW'));
    expect(app.calls.filter((c) => c.startsWith('append'))).toEqual([]);
    app.stdin.write(KEY.enter);
    await vi.waitFor(() => expect(app.screen()).toContain('hourly report (this hour so far) written to feedback/integrations.md'));
    expect(app.calls.filter((c) => c.startsWith('append'))).toEqual(['append report: ## Hourly report — 07:00–07:49Z, partial hour']);
  });
});

describe('e: an empty note, refused when empty, edited like a shell line', () => {
  it('refuses an empty note and keeps the prompt open', async () => {
    const app = renderApp();
    app.store.dispatch({ type: 'probe-finished', id: 'shopify-admin', at: Date.now(), result: down('timeout', 'no answer within 10000 ms'), attempts: 1, nextAt: Date.now() + 30_000 });
    await settle();
    app.stdin.write('e');
    await settle();
    app.stdin.write('   ');
    await settle();
    app.stdin.write(KEY.enter);
    await settle();
    expect(app.calls.filter((c) => c.startsWith('escalate'))).toEqual([]);
    expect(app.screen()).toContain('a BLOCKER needs a note');
    expect(app.screen()).toContain('Escalate shopify-admin:');
    app.stdin.write(KEY.esc);
    await vi.waitFor(() => expect(app.screen()).not.toContain('Escalate shopify-admin:'));
    expect(app.calls.filter((c) => c.startsWith('escalate'))).toEqual([]);
  });

  it('←/→, Home/End, Ctrl-A/E/W/U and Backspace edit the note; a paste lands at the cursor as text', async () => {
    const app = renderApp();
    await settle();
    app.stdin.write('e');
    await settle();
    app.stdin.write('checkout stuck');
    await settle();
    app.stdin.write(HOME);
    await settle();
    app.stdin.write('EU ');
    await settle();
    expect(app.screen()).toContain('Escalate shopify-admin: EU checkout stuck');
    app.stdin.write(CTRL('e'));
    await settle();
    app.stdin.write(CTRL('w'));
    await settle();
    app.stdin.write('down');
    await settle();
    expect(app.screen()).toContain('Escalate shopify-admin: EU checkout down');
    app.stdin.write(CTRL('a'));
    await settle();
    app.stdin.write(END);
    await settle();
    app.stdin.write(LEFT);
    await settle();
    app.stdin.write(KEY.backspace);
    await settle();
    expect(app.screen()).toContain('Escalate shopify-admin: EU checkout don');
    // a paste with "q" and a newline in it: text at the cursor, nothing sent, nothing quit
    app.stdin.write(PASTE('o q\n'));
    await settle();
    expect(app.screen()).toContain('Escalate shopify-admin: EU checkout doo q n');
    expect(app.calls.filter((c) => c === 'quit' || c.startsWith('escalate'))).toEqual([]);
    app.stdin.write(CTRL('u'));
    await settle();
    app.stdin.write(KEY.enter);
    await settle();
    expect(app.calls.filter((c) => c.startsWith('escalate'))).toEqual(['escalate shopify-admin: n']);
  });
});

describe('Ctrl-C quits from anywhere', () => {
  it('from a note prompt, the filter and the report preview', async () => {
    for (const open of ['e', '/', 'h']) {
      const app = renderApp();
      app.store.dispatch({ type: 'probe-finished', id: 'shopify-admin', at: Date.now(), result: down('timeout', 'no answer within 10000 ms'), attempts: 1, nextAt: Date.now() + 30_000 });
      await settle();
      app.stdin.write(open);
      await vi.waitFor(() => expect(app.screen()).toMatch(open === 'e' ? /Escalate shopify-admin:/ : open === '/' ? /typing a filter/ : /REPORT PREVIEW/));
      app.stdin.write(KEY.ctrlC);
      await settle();
      expect(app.calls.filter((c) => c === 'quit')).toEqual(['quit']);
      app.unmount();
    }
  });
});
