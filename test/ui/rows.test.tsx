import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { configFromObject } from '../../src/config/config.js';
import { createStore, initialState } from '../../src/state/store.js';
import { App } from '../../src/ui/App.js';
import { StoreProvider } from '../../src/ui/store-context.js';
import { down, finish, plain, recordingActions, settle, up } from './helpers.js';

afterEach(() => cleanup());

const LONG_ERROR = 'HTTP 503 from the checkout service: ' + 'upstream connect error or disconnect/reset before headers '.repeat(4) + 'END';

function rows(columns: number, rowsN: number, timeZone?: string) {
  const config = configFromObject({
    feedbackFile: '/tmp/pitwall-test/feedback/integrations.md',
    targets: [
      { id: 'shopify-storefront-checkout-eu', name: 'EU checkout (storefront)', kind: 'http', url: 'http://127.0.0.1:1/', tiles: ['sales-pulse'] },
      { id: 'chatwoot', kind: 'http', url: 'http://127.0.0.1:1/', tiles: ['cx-pulse'] },
    ],
  });
  const store = createStore(initialState(config, { now: Date.now() }));
  const t0 = Date.now() - 125_000;
  finish(store, 'shopify-storefront-checkout-eu', up(80), t0 - 1000);
  for (let i = 0; i < 3; i++) finish(store, 'shopify-storefront-checkout-eu', down('timeout', LONG_ERROR), t0 + i);
  finish(store, 'chatwoot', { status: 'degraded', latencyMs: 2500, error: null, reason: 'slow: 2500 ms over 2000 ms', details: {} } as never);
  const r = render(
    <StoreProvider store={store} actions={recordingActions().actions}>
      <App size={{ columns, rows: rowsN }} nextReportAt={() => null} timeZone={timeZone} />
    </StoreProvider>,
  );
  return () => plain(r.lastFrame());
}

describe('rows that stay readable', () => {
  it('at 80×24: the id cut in the middle, how long and the streak before a long error', async () => {
    const screen = rows(80, 24);
    await settle();
    const s = screen();
    expect(s).toMatch(/› ✖ down\s+shopify-s…ut-eu /);
    // SINCE is before the error: cut at the end, the error loses its tail, never the time it has lasted.
    expect(s).toMatch(/↳ 2m0\ds ×3\s+timeout: HTTP 503 from the checkout service/);
    expect(s.split('\n').every((l) => l.length <= 80)).toBe(true);
    // Blind (a feeding target down) and impaired (degraded) told apart, each culprit with its status.
    expect(s).toContain('Sales is blind ← shopify-storefront-checkout-eu down');
    expect(s).toContain('CX is impaired ← chat');
  });

  it('at 200×60: the name has a column, SINCE carries the time and its zone, and the spare width goes to the error', async () => {
    const screen = rows(200, 60, 'UTC');
    await settle();
    const s = screen();
    expect(s).toMatch(/✖ down\s+shopify-storefron…heckout-eu\s+EU checkout \(storefront\)/);
    expect(s).toContain('Sales Pulse is blind ← shopify-storefront-checkout-eu down  ·  CX Pulse is impaired ← chatwoot degraded');
    expect(s).toMatch(/↳ since \d\d:\d\d:\d\d UTC \(2m0\ds\) ×3\s+timeout: HTTP 503/);
    const problem = s.split('\n').find((l) => l.includes('↳ since'))!;
    expect(problem.length).toBeGreaterThan(180);
    expect(s).toMatch(/\d\d:\d\d:\d\d UTC · \d\d:\d\d:\d\d UTC/);
    expect(s).toContain('EVENTS (newest first, times UTC)');
  });
});
