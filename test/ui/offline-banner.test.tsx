import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import type { ProbeResult } from '../../src/probes/types.js';
import { renderApp, settle, up } from './helpers.js';

afterEach(() => cleanup());

/** A failure held by connectivity.ts while the canary failed (as the engine stores it). */
const held: ProbeResult = {
  status: 'degraded',
  latencyMs: null,
  error: null,
  reason: 'unknown: pitwall offline (canary: DNS lookup of one.one.one.one failed (EAI_AGAIN))',
  details: { pitwallOffline: 'canary: DNS lookup of one.one.one.one failed (EAI_AGAIN)', heldError: 'connection: getaddrinfo EAI_AGAIN' },
};

describe('"is it us?" on screen', () => {
  it('says pitwall is probably offline in the header, shows the held row as unknown, and rings nothing red', async () => {
    const app = renderApp();
    const at = Date.now();
    for (const id of ['chatwoot', 'mcp-github', 'shopify-status']) app.store.dispatch({ type: 'probe-finished', id, at, result: up(80), attempts: 1, nextAt: at + 30_000 });
    app.store.dispatch({ type: 'probe-finished', id: 'shopify-admin', at, result: held, attempts: 1, nextAt: at + 30_000 });
    await settle();
    const s = app.screen();
    expect(s).toContain('… UNKNOWN  ⚠ pitwall offline? canary: DNS lookup of one.one.one.one');
    expect(s).toMatch(/… unknown\s+shopify-admin/);
    expect(s).toMatch(/↳ .*unknown: pitwall offline \(canary: DNS lookup/);
    expect(s).not.toMatch(/DOWN|✖/);
    // The event log says unknown too, not "degraded"; and back online, the change to down is a change of its own
    expect(s).toMatch(/shopify-admin new → unknown \(unknown: pitwall offline/);
    expect(s).not.toMatch(/shopify-admin new → degraded/);
    app.store.dispatch({ type: 'probe-finished', id: 'shopify-admin', at: at + 1, result: { status: 'degraded', latencyMs: 900, error: null, reason: 'slow: 900 ms', details: {} }, attempts: 1, nextAt: at + 30_000 });
    await settle();
    expect(app.screen()).toMatch(/shopify-admin unknown → degraded \(slow: 900 ms\)/);
  });
});
