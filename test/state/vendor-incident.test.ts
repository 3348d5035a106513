import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromObject } from '../../src/config/config.js';
import { blockerEntry } from '../../src/feedback/escalation.js';
import { startShopifyPeer, type ShopifyPeer } from '../../src/peers/shopify-peer.js';
import { startStatuspagePeer, type StatuspagePeer } from '../../src/peers/statuspage-peer.js';
import { networkReportLines, shownStatus, vendorIncident } from '../../src/state/derive.js';
import { createEngine } from '../../src/state/engine.js';
import { createProbeRunner } from '../../src/state/probe-runner.js';
import { createStore, initialState, reduce } from '../../src/state/store.js';
import { createElement } from 'react';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { draftHourlyReport } from '../../src/feedback/feedback-actions.js';
import { openJournal } from '../../src/journal/journal.js';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import { StoreProvider } from '../../src/ui/store-context.js';
import { plain, recordingActions, settle } from '../ui/helpers.js';

const TOKEN = 'shpat_0123456789abcdef0123456789abcdef';

describe('vendor incident links: a status page in incident marks the integrations that depend on it', () => {
  let shop: ShopifyPeer;
  let page: StatuspagePeer;
  beforeAll(async () => {
    [shop, page] = await Promise.all([startShopifyPeer({ accessToken: TOKEN }), startStatuspagePeer({ name: 'Shopify' })]);
  });
  afterAll(async () => {
    await Promise.all([shop.close(), page.close()]);
  });

  async function round() {
    const config = configFromObject({
      defaults: { retries: 0, timeoutMs: 20_000, degradedMs: 20_000 }, // speed is not judged here (a busy machine)
      targets: [
        { id: 'shopify-admin', kind: 'shopify', shop: 'hot-rod-an.myshopify.com', accessToken: TOKEN, apiVersion: '2026-10', endpoint: shop.url, subChecks: ['orders'], tiles: ['sales-pulse'] },
        // Linked by default: its id says Shopify (a real config points at https://www.shopifystatus.com)
        { id: 'shopify-status', kind: 'statuspage', url: page.url },
      ],
    });
    const store = createStore(initialState(config, { now: Date.now() }));
    const runner = createProbeRunner();
    const engine = createEngine({ config, store, runProbe: runner.run });
    try {
      await engine.checkOnce();
    } finally {
      engine.stop();
      await runner.close();
    }
    return store.getSnapshot();
  }

  it('Shopify failing while its page reports a major outage of Admin API: "likely vendor incident", in the row state, the BLOCKER and the report', async () => {
    shop.setMode('html502');
    page.setMode('critical');
    const s = await round();
    expect(shownStatus(s.targets['shopify-admin']!)).toBe('down');
    const text = 'likely vendor incident: Shopify reports a major outage of Admin API';
    expect(vendorIncident(s, 'shopify-admin')).toBe(text);
    const entry = blockerEntry({ state: s, targetId: 'shopify-admin', note: 'checkout blind', at: Date.now(), configPath: null, blockerId: 'B-1' });
    expect(entry).toContain(`- **Is it us or them:** ${text}`);
    expect(networkReportLines(s)).toEqual(['', '### Vendors and network (now)', '', `- \`shopify-admin\`: ${text}`, '']);
    // and on the failing row, after its problem
    const app = render(createElement(StoreProvider, { store: createStore(s), actions: recordingActions().actions, children: createElement(App, { size: { columns: 200, rows: 40 } }) }));
    await settle();
    expect(plain(app.lastFrame())).toMatch(new RegExp(`↳ .*http: Shopify 502 \\(502 Bad Gateway\\) · ${text}`));
    app.unmount();
    // and in the report the console previews with h (the very text Enter appends), as in every written report
    const journal = openJournal({ dir: mkdtempSync(join(tmpdir(), 'pitwall-vendor-')), configPath: null });
    const config = configFromObject({ targets: [{ id: 'shopify-admin', kind: 'http', url: 'http://127.0.0.1:9/' }] });
    const draft = draftHourlyReport({ config, journal, store: createStore(s), feedbackFile: '/nonexistent/integrations.md', blockers: [], which: 'current' });
    expect(draft.markdown).toContain(`### Vendors and network (now)\n\n- \`shopify-admin\`: ${text}`);
    journal.close();
  });

  it('a partial outage is said as such; Shopify answering is "vendor incident … (this target answers)"', async () => {
    shop.setMode('healthy');
    page.setMode('major');
    const s = await round();
    expect(vendorIncident(s, 'shopify-admin')).toBe('vendor incident: Shopify reports a partial outage of Admin API (this target answers)');
  });

  it('a page that says "All Systems Operational" while the API fails (a status page that lags): no vendor named, the failure stands as ours to escalate', async () => {
    shop.setMode('html502');
    page.setMode('operational');
    const s = await round();
    expect(shownStatus(s.targets['shopify-admin']!)).toBe('down');
    expect(vendorIncident(s, 'shopify-admin')).toBeNull();
    expect(blockerEntry({ state: s, targetId: 'shopify-admin', note: 'x', at: Date.now(), configPath: null, blockerId: 'B-2' })).not.toContain('Is it us or them');
    expect(networkReportLines(s)).toEqual([]);
    // and when the operational page is merely slow to load (its row degraded), still no vendor is named
    const pageResult = s.targets['shopify-status']!.latest!;
    const slow = reduce(s, { type: 'probe-finished', id: 'shopify-status', at: Date.now(), result: { ...pageResult, status: 'degraded', error: null, reason: 'slow: 2600 ms > 2000 ms' }, attempts: 1, nextAt: null });
    expect(slow.targets['shopify-status']!.latest!.details.state).toBe('operational');
    expect(vendorIncident(slow, 'shopify-admin')).toBeNull();
  });

  it('a status page that cannot be read (HTML 502 from its CDN) reports nothing: no vendor is blamed', async () => {
    shop.setMode('html502');
    page.setMode('html502');
    const s = await round();
    expect(s.targets['shopify-status']!.latest!.status).toBe('down');
    expect(vendorIncident(s, 'shopify-admin')).toBeNull();
  });

  it('only the Webhooks component degraded: named with its own words', async () => {
    shop.setMode('html502');
    page.setMode('webhooks-degraded');
    const s = await round();
    expect(vendorIncident(s, 'shopify-admin')).toBe('likely vendor incident: Shopify reports degraded performance of Webhooks');
  });
});
