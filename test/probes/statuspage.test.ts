import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromObject, type StatuspageTarget } from '../../src/config/config.js';
import { probeStatuspage } from '../../src/probes/statuspage.js';
import { startStatuspagePeer, type StatuspagePeer } from '../../src/peers/statuspage-peer.js';
import { startPeer } from '../../src/peers/serve.js';

let peer: StatuspagePeer;
beforeAll(async () => void (peer = await startStatuspagePeer({ name: 'Shopify' })));
afterAll(() => peer.close());

const target = (url: string) => configFromObject({ targets: [{ id: 'shopify-status', kind: 'statuspage', url }] }).targets[0] as StatuspageTarget;
const ctx = (timeoutMs = 2000) => ({ signal: AbortSignal.timeout(timeoutMs), timeoutMs, degradedMs: 1000 });

describe('statuspage probe', () => {
  it('is up when the vendor says all systems operational', async () => {
    peer.setMode('operational');
    const r = await probeStatuspage(target(peer.url), ctx());
    expect(r.status).toBe('up');
    expect(r.details).toMatchObject({ page: 'Shopify', indicator: 'none', components: [], incidents: [] });
    expect(peer.hits).toBeGreaterThan(0);
  });

  it('is degraded on "minor", naming the component and ignoring groups and resolved incidents', async () => {
    peer.setMode('minor');
    const r = await probeStatuspage(target(peer.url), ctx());
    expect(r.status).toBe('degraded');
    expect(r.status === 'degraded' && r.reason).toBe(
      'vendor reports minor issues: Minor Service Outage; API & Mobile: degraded performance; Elevated API error rates',
    );
    expect(r.details.components).toEqual([{ name: 'API & Mobile', status: 'degraded_performance' }]);
    expect((r.details.incidents as unknown[]).length).toBe(1);
  });

  it('is down on "major" and "critical"', async () => {
    for (const mode of ['major', 'critical'] as const) {
      peer.setMode(mode);
      const r = await probeStatuspage(target(peer.url), ctx());
      expect(r.status).toBe('down');
      expect(r.error?.message).toMatch(new RegExp(`^vendor reports ${mode} outage: `));
    }
  });

  it('is up (not red) during maintenance', async () => {
    peer.setMode('maintenance');
    expect((await probeStatuspage(target(peer.url), ctx())).status).toBe('up');
  });

  it('calls an HTML 502 page an http failure with its title', async () => {
    peer.setMode('html502');
    const r = await probeStatuspage(target(peer.url), ctx());
    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'http', httpStatus: 502, message: 'HTTP 502 (502 Bad Gateway)' });
  });

  it('calls truncated JSON and a missing indicator bad_response', async () => {
    peer.setMode('truncated');
    const r1 = await probeStatuspage(target(peer.url), ctx());
    expect(r1.error?.kind).toBe('bad_response');
    expect(r1.error?.message).toMatch(/^invalid or truncated JSON/);
    peer.setMode('missing-indicator');
    const r2 = await probeStatuspage(target(peer.url), ctx());
    expect(r2.error).toMatchObject({ kind: 'bad_response', message: 'summary.json has no status.indicator' });
  });

  it('times out on a page that never answers', async () => {
    peer.setMode('hang');
    const r = await probeStatuspage(target(peer.url), ctx(300));
    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'timeout', message: 'no answer within 300 ms' });
  });

  it('calls a refused port a connection failure', async () => {
    const gone = await startPeer(() => {});
    const url = gone.url;
    await gone.close();
    const r = await probeStatuspage(target(url), ctx());
    expect(r.error?.kind).toBe('connection');
    expect(r.error?.message).toMatch(/^connection refused/);
  });
});
