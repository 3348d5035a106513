import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromObject, type StatuspageTarget } from '../../src/config/config.js';
import { probeStatuspage } from '../../src/probes/statuspage.js';
import { startStatuspagePeer, type StatuspagePeer } from '../../src/peers/statuspage-peer.js';
import { startPeer } from '../../src/peers/serve.js';

let peer: StatuspagePeer;
beforeAll(async () => void (peer = await startStatuspagePeer({ name: 'Shopify' })));
afterAll(() => peer.close());

const target = (url: string, extra: Record<string, unknown> = {}) =>
  configFromObject({ targets: [{ id: 'shopify-status', kind: 'statuspage', url, ...extra }] }).targets[0] as StatuspageTarget;
const MIN = 60_000;
const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
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
      'vendor reports minor issues: Minor Service Outage; Admin API: degraded performance; Elevated API error rates',
    );
    expect(r.details.components).toEqual([{ name: 'Admin API', status: 'degraded_performance' }]);
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

  it('shows a maintenance in progress as its own state, not a silent green', async () => {
    peer.setMode('maintenance');
    const before = Date.now();
    const r = await probeStatuspage(target(peer.url), ctx());

    expect(r.status).toBe('degraded');
    expect(r.error).toBeNull();
    expect(r.details.state).toBe('maintenance');
    expect(r.details.maintenance).toMatchObject([{ name: 'Database maintenance', status: 'in_progress' }]);
    // The peer's maintenance ends 45 minutes after it answered.
    const until = Date.parse((r.details.maintenance as { until: string }[])[0]!.until);
    expect(until - before).toBeGreaterThanOrEqual(45 * MIN - 1000);
    expect(r.status === 'degraded' && r.reason).toBe(`vendor maintenance in progress: Database maintenance until ${utc(until)}`);
  });

  it('is down when a component is in a major outage with a critical incident, though the indicator says maintenance', async () => {
    // Given a page whose indicator says "maintenance" while Checkout is in a major outage
    peer.setMode('maintenance-outage');
    const r = await probeStatuspage(target(peer.url), ctx());

    // Then the worst signal wins: the critical incident and the major outage, not the indicator
    expect(r.details.indicator).toBe('maintenance');
    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'http' });
    expect(r.error!.message).toBe('vendor reports critical outage: Service Under Maintenance; Admin API: under maintenance; Checkout: major outage');
    expect(r.details.incidents).toMatchObject([{ name: 'Checkout failing for some stores', impact: 'critical' }]);
    expect(r.details.maintenance).toMatchObject([{ name: 'Database maintenance' }]);
  });

  it('names the next maintenance scheduled within a day in the details, and stays up', async () => {
    peer.setMode('upcoming-maintenance');
    const r = await probeStatuspage(target(peer.url), ctx());

    expect(r.status).toBe('up');
    const next = r.details.nextMaintenance as { name: string; scheduledFor: string; scheduledUntil: string };
    // The one in two hours, not the one in three days.
    expect(next.name).toBe('Checkout platform upgrade');
    expect(Date.parse(next.scheduledFor) - Date.now()).toBeGreaterThan(115 * MIN);
    expect(r.details.notice).toBe(
      `maintenance scheduled ${utc(Date.parse(next.scheduledFor))}–${utc(Date.parse(next.scheduledUntil))}: Checkout platform upgrade`,
    );
  });

  it('judges only the components the target names (and the incidents touching them)', async () => {
    // Given only Webhooks degraded, and the page-wide indicator "minor"
    peer.setMode('webhooks-degraded');

    // Then a target watching Admin API and Checkout is up…
    const mine = await probeStatuspage(target(peer.url, { components: ['Admin API', 'Checkout'] }), ctx());
    expect(mine.status).toBe('up');
    expect(mine.details).toMatchObject({ watching: ['Admin API', 'Checkout'], components: [], incidents: [] });
    // …and one watching Webhooks, or everything, is degraded
    const hooks = await probeStatuspage(target(peer.url, { components: ['webhooks'] }), ctx());
    expect(hooks.status === 'degraded' && hooks.reason).toBe('vendor reports minor issues: Webhooks: degraded performance; Webhook deliveries delayed');
    expect((await probeStatuspage(target(peer.url), ctx())).status).toBe('degraded');
  });

  it('counts a named group with its members', async () => {
    peer.setMode('maintenance-outage');
    const r = await probeStatuspage(target(peer.url, { components: ['Commerce'] }), ctx());

    expect(r.status).toBe('down');
    expect(r.error!.message).toBe('vendor reports critical outage: Admin API: under maintenance; Checkout: major outage; Checkout failing for some stores');
  });

  it('says so when a named component is not on the page', async () => {
    peer.setMode('operational');
    const r = await probeStatuspage(target(peer.url, { components: ['Admin API', 'Chekout'] }), ctx());

    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'bad_response', message: 'the page has no component "Chekout" (it has: Admin API, Checkout, Commerce, Webhooks)' });
  });

  it('rejects an empty components list in the config, naming the key', () => {
    expect(() => target('https://status.example', { components: [] })).toThrow(/^targets\[0\]\.components: /);
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
