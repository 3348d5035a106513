import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../../src/probes/types.js';
import { statusText, statusView } from '../../../src/server/mcp/views.js';
import { initialState, reduce } from '../../../src/state/store.js';
import { launchConfig, up } from '../../ui/helpers.js';

/** A failure held by connectivity.ts while the canary failed (as the engine stores it). */
const held: ProbeResult = {
  status: 'degraded',
  latencyMs: null,
  error: null,
  reason: 'unknown: pitwall offline (canary: DNS lookup of one.one.one.one failed (EAI_AGAIN))',
  details: { pitwallOffline: 'canary: DNS lookup of one.one.one.one failed (EAI_AGAIN)', heldError: 'connection: getaddrinfo EAI_AGAIN' },
};

describe("get_status tells an agent what the console tells a person", () => {
  it('a target held while pitwall is offline is unknown (why, not "not checked yet"), and the banner is a line of its own', () => {
    let s = initialState(launchConfig(), { now: 0 });
    for (const id of ['chatwoot', 'mcp-github', 'shopify-status']) s = reduce(s, { type: 'probe-finished', id, at: 1, result: up(80), attempts: 1, nextAt: null });
    s = reduce(s, { type: 'probe-finished', id: 'shopify-admin', at: 1, result: held, attempts: 1, nextAt: null });
    const v = statusView(s, { blockers: [], now: 2 });
    expect(v.pitwallOffline).toBe('canary: DNS lookup of one.one.one.one failed (EAI_AGAIN)');
    expect(v.targets[0]).toMatchObject({ id: 'shopify-admin', status: 'unknown', vendorIncident: null });
    expect(v.counts).toEqual({ up: 3, degraded: 0, down: 0, unknown: 1 });
    const text = statusText(v).split('\n');
    expect(text[1]).toBe(
      "pitwall's own network looks down (canary: DNS lookup of one.one.one.one failed (EAI_AGAIN)): failures to connect are held as unknown, not blamed on vendors.",
    );
    expect(text[2]).toBe('… unknown shopify-admin (http) — unknown: pitwall offline (canary: DNS lookup of one.one.one.one failed (EAI_AGAIN))');
  });
});
