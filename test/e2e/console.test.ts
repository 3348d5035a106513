import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHealthPeer, type HealthPeer } from '../../src/peers/health-peer.js';
import { startStatuspagePeer, type StatuspagePeer } from '../../src/peers/statuspage-peer.js';
import { CLI, hasTmux, tmux } from './tmux.js';

// The real binary in a real pseudo-terminal (tmux), against loopback peers: what an on-call engineer sees.

const session = `pitwall-e2e-${process.pid}`;
const screen = () => tmux('capture-pane', '-p', '-t', session);
const keys = (...k: string[]) => void tmux('send-keys', '-t', session, ...k);

let health: HealthPeer;
let status: StatuspagePeer;
let dir: string;
let feedback: string;

beforeAll(async () => {
  if (!hasTmux) return;
  [health, status] = await Promise.all([startHealthPeer({ mode: 'failing' }), startStatuspagePeer()]);
  dir = mkdtempSync(join(tmpdir(), 'pitwall-e2e-'));
  mkdirSync(join(dir, 'feedback'));
  feedback = join(dir, 'feedback', 'integrations.md');
  writeFileSync(feedback, '# Integrations\n');
  writeFileSync(
    join(dir, 'pitwall.yaml'),
    `store: Hot Rod AN
feedbackFile: feedback/integrations.md
defaults: { intervalSeconds: 5, timeoutMs: 2000, retries: 0 }
targets:
  - id: app-health
    kind: http
    url: ${health.url}/health
    tiles: [sales-pulse]
  - id: shopify-status
    kind: statuspage
    url: ${status.url}
`,
  );
  // Something printed before the console starts, as a shell session has: the console must still draw from the top.
  tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', `echo earlier output; ${process.execPath} ${CLI} watch --config ${join(dir, 'pitwall.yaml')} --state-dir ${join(dir, 'state')}; echo PITWALL-EXIT=$?; sleep 30`);
});

afterAll(async () => {
  if (!hasTmux) return;
  try {
    tmux('kill-session', '-t', session);
  } catch {
    // already gone
  }
  await Promise.all([health.close(), status.close()]);
});

describe.skipIf(!hasTmux)('the console in a real terminal', () => {
  it('renders, reruns, escalates, reports and quits cleanly', async () => {
    const wait = { timeout: 15_000, interval: 100 };
    // Given the console is open over a failing health endpoint (targets' first checks are phases apart: engine.ts)
    await vi.waitFor(() => expect(screen()).toMatch(/✖ down\s+app-health[\s\S]*✔ up\s+shopify-status/), wait);
    let s = screen();
    expect(s.split('\n')[0]).toMatch(/^PITWALL Hot Rod AN /);
    expect(s).toMatch(/↳ \d+s\s+http: HTTP 503, expected 200/);
    expect(s).toContain('Sales Pulse is blind ← app-health');

    // When r reruns the selected target
    keys('r');
    await vi.waitFor(() => expect(screen()).toContain('rerun app-health'), wait);

    // When e, a note and Enter escalate it
    // When e opens an empty note (the last error above it), a note and Enter escalate it
    keys('e');
    await vi.waitFor(() => expect(screen()).toContain('last error (goes into the entry as evidence): http: HTTP 503, expected 200'), wait);
    expect(screen()).toMatch(/Escalate app-health: {2}/);
    keys('checkout blocked', 'Enter');
    await vi.waitFor(() => expect(screen()).toMatch(/BLOCKER B-\S+ for app-health written to/), wait);
    // The flag reaches the screen through the store's 50 ms batch, after the message: wait for it too.
    await vi.waitFor(() => expect(screen()).toMatch(/app-health ⚑/), wait);
    const afterEscalation = readFileSync(feedback, 'utf8');
    expect(afterEscalation).toMatch(/## BLOCKER app-health — \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(B-/);
    expect(afterEscalation).toContain('checkout blocked');
    expect(afterEscalation).toContain('http: HTTP 503, expected 200');
    expect(afterEscalation).toContain('Sales Pulse');

    // When h shows the hourly report: on screen, not in the file
    keys('h');
    await vi.waitFor(() => expect(screen()).toMatch(/REPORT PREVIEW \(this hour so far\) · nothing written yet/), wait);
    expect(screen()).toContain('## Hourly report');
    expect(readFileSync(feedback, 'utf8')).not.toContain('## Hourly report');
    // and Enter appends it
    keys('Enter');
    await vi.waitFor(() => expect(readFileSync(feedback, 'utf8')).toContain('## Hourly report'), wait);
    s = readFileSync(feedback, 'utf8');
    expect(s.startsWith('# Integrations\n')).toBe(true);
    expect(s).toMatch(/\| `app-health` \| ✖ down/);

    // When q quits: the process exits 0 and the terminal is given back
    keys('q');
    await vi.waitFor(() => expect(screen()).toContain('PITWALL-EXIT=0'), wait);
    expect(screen()).not.toContain('INTEGRATIONS');
    // the main screen is back as it was, the cursor below what was printed before
    expect(screen()).toMatch(/^earlier output\n(.*\n)*PITWALL-EXIT=0/);
  });
});
