import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { format } from 'date-fns';
import { createAckStore } from '../../src/state/acks.js';
import { createStore, initialState } from '../../src/state/store.js';
import { App } from '../../src/ui/App.js';
import { StoreProvider } from '../../src/ui/store-context.js';
import { AckProvider } from '../../src/ui/use-acks.js';
import { down, KEY, launchConfig, plain, recordingActions, settle } from './helpers.js';

afterEach(() => cleanup());

function open() {
  const store = createStore(initialState(launchConfig(), { now: Date.now() }));
  const acks = createAckStore();
  const rec = recordingActions();
  const r = render(
    <StoreProvider store={store} actions={rec.actions}>
      <AckProvider acks={acks}>
        <App size={{ columns: 100, rows: 40 }} />
      </AckProvider>
    </StoreProvider>,
  );
  const fail = (id: string) =>
    store.dispatch({ type: 'probe-finished', id, at: Date.now(), result: down('timeout', 'no answer within 10000 ms'), attempts: 1, nextAt: Date.now() + 30_000 });
  const bells = () => r.stderr.frames.filter((f) => f.includes('\u0007')).length;
  return { ...r, store, acks, calls: rec.calls, fail, bells, screen: () => plain(r.lastFrame()) };
}

describe('a: acknowledge one target, not all', () => {
  it("the detail view says who acked it, until when, and the note", async () => {
    const app = open();
    const at = Date.now();
    app.fail('shopify-admin');
    app.acks.set({ targetId: 'shopify-admin', by: 'dana', at, note: 'checking fly logs', expiry: 'until-up', status: 'down' });
    await settle();
    app.stdin.write(KEY.enter);
    await settle();
    expect(app.screen()).toMatch(new RegExp(`│ ack +acked by dana ${format(at, 'HH:mm')} \\(until up\\): checking fly logs`));
  });

  it('asks for a note and how long (Tab), then acknowledges', async () => {
    const app = open();
    app.fail('shopify-admin');
    await settle();
    app.stdin.write('a');
    await settle();
    expect(app.screen()).toContain('Acknowledge shopify-admin (until up):');
    expect(app.screen()).toContain('silence its bell until it is up again (Tab: until up / 15m / 1h / 4h)');
    app.stdin.write('\t');
    await settle();
    expect(app.screen()).toContain('Acknowledge shopify-admin (15m):');
    app.stdin.write('dana on it');
    await settle();
    app.stdin.write(KEY.enter);
    await settle();
    expect(app.calls.filter((c) => c.startsWith('ack'))).toEqual(['ack shopify-admin 15m: dana on it']);
  });

  it('refuses a target that is up or not checked, and a second a ends the ack', async () => {
    const app = open();
    await settle();
    app.stdin.write('a');
    await settle();
    expect(app.screen()).toContain('shopify-admin is not checked yet: nothing to acknowledge');
    app.acks.set({ targetId: 'shopify-admin', by: 'dana', at: Date.now(), note: '', expiry: 'until-up', status: 'down' });
    app.stdin.write('a');
    await settle();
    expect(app.calls.filter((c) => c.includes('ack'))).toEqual(['unack shopify-admin']);
  });

  it('the row and the tiles say who acked it and until when; its bell is silent, another target still rings', async () => {
    const app = open();
    const at = Date.now();
    app.fail('shopify-admin');
    await settle();
    expect(app.bells()).toBe(1);
    // Given shopify-admin acked until up
    app.acks.set({ targetId: 'shopify-admin', by: 'dana', at, note: 'on it', expiry: 'until-up', status: 'down' });
    await settle();
    const s = app.screen();
    const label = `acked by dana ${format(at, 'HH:mm')} (until up)`;
    expect(s).toMatch(new RegExp(`↳ 0s +${label.replace(/[()]/g, '\\$&')} · timeout: no answer within 10000 ms`));
    expect(s).toMatch(new RegExp(`blind ← shopify-admin down {2}· {2}shopify-admin acked by dana ${format(at, 'HH:mm')}`));
    // When it is seen down again (a flap back to down), no bell; chatwoot going down rings
    app.store.dispatch({ type: 'event', event: { type: 'transition', at: at + 1, targetId: 'shopify-admin', from: 'degraded', to: 'down' } });
    await settle();
    expect(app.bells()).toBe(1);
    app.fail('chatwoot');
    await vi.waitFor(() => expect(app.bells()).toBe(2));
  });
});
