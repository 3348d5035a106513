import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromObject, type StatuspageTarget } from '../../src/config/config.js';
import { buildReportFromJournal } from '../../src/feedback/feedback-actions.js';
import { openJournal } from '../../src/journal/journal.js';
import { startStatuspagePeer, type StatuspagePeer } from '../../src/peers/statuspage-peer.js';
import { probeStatuspage } from '../../src/probes/statuspage.js';

let peer: StatuspagePeer;
let dir: string;
beforeAll(async () => {
  peer = await startStatuspagePeer({ name: 'Shopify', mode: 'upcoming-maintenance' });
  dir = mkdtempSync(join(tmpdir(), 'pitwall-statuspage-report-'));
});
afterAll(async () => {
  await peer.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a vendor maintenance scheduled within the day, in the hourly report', () => {
  it('shows as a notice of the target that is still up', async () => {
    // Given a status page with a maintenance two hours from now, checked once and journalled
    const config = configFromObject({ targets: [{ id: 'shopify-status', kind: 'statuspage', url: peer.url }] });
    const target = config.targets[0] as StatuspageTarget;
    const result = await probeStatuspage(target, { signal: AbortSignal.timeout(2000), timeoutMs: 2000, degradedMs: 1000 });
    expect(result.status).toBe('up');
    const now = Date.now();
    const journal = openJournal({ dir, configPath: null, now: () => now });
    journal.appendResult('shopify-status', result, now);

    // When the hourly report for the current hour is built from the journal
    const { markdown } = buildReportFromJournal({ config, journal, blockers: [], which: 'current', now: now + 1 });
    journal.close();

    // Then it names the maintenance beside the target
    const notice = String(result.details.notice);
    expect(notice).toMatch(/^maintenance scheduled \d{4}-\d\d-\d\d \d\d:\d\d UTC–\d{4}-\d\d-\d\d \d\d:\d\d UTC: Checkout platform upgrade$/);
    expect(markdown).toContain(`- **Notices:** \`shopify-status\`: ${notice}`);
  });
});
