import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHealthPeer, type HealthPeer } from '../../src/peers/health-peer.js';
import { CLI, hasTmux, tmux } from './tmux.js';

// The filter in the real binary, in a real pseudo-terminal (tmux) at 80×24, over forty loopback targets.

const session = `pitwall-e2e-filter-${process.pid}`;
const screen = () => tmux('capture-pane', '-p', '-t', session);
const keys = (...k: string[]) => void tmux('send-keys', '-t', session, ...k);

let ok: HealthPeer;
let failing: HealthPeer;
let feedback: string;

beforeAll(async () => {
  if (!hasTmux) return;
  [ok, failing] = await Promise.all([startHealthPeer(), startHealthPeer({ mode: 'failing' })]);
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-e2e-filter-'));
  mkdirSync(join(dir, 'feedback'));
  feedback = join(dir, 'feedback', 'integrations.md');
  writeFileSync(feedback, '# Integrations\n');
  const targets = Array.from({ length: 40 }, (_, i) => {
    const id = `http-${String(i + 1).padStart(2, '0')}`;
    // The last one fails: below the fold at 80×24.
    return `  - { id: ${id}, kind: http, url: "${i === 39 ? failing.url : ok.url}/health", tiles: [sales-pulse] }`;
  });
  writeFileSync(join(dir, 'pitwall.yaml'), `store: Hot Rod AN\nfeedbackFile: feedback/integrations.md\ndefaults: { intervalSeconds: 30, timeoutMs: 2000, retries: 0 }\ntargets:\n${targets.join('\n')}\n`);
  tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', `${process.execPath} ${CLI} watch --config ${join(dir, 'pitwall.yaml')} --state-dir ${join(dir, 'state')}; echo PITWALL-EXIT=$?; sleep 30`);
});

afterAll(async () => {
  if (!hasTmux) return;
  try {
    tmux('kill-session', '-t', session);
  } catch {
    // already gone
  }
  await Promise.all([ok.close(), failing.close()]);
});

describe.skipIf(!hasTmux)('the filter in a real terminal', () => {
  it('finds one of forty targets by typing, never running the keys typed, and says what is out of view', async () => {
    const wait = { timeout: 20_000, interval: 100 };
    // Given forty targets at 80×24, the failing one out of view: the ↓ line says so
    await vi.waitFor(() => expect(screen()).toMatch(/↓ \d+ more \(1 down\)/), wait);
    // When "/http-40" is typed ("h" would write a report and "p" pause polling, were they keys)
    keys('/');
    keys('-l', 'http-40');
    // Then one row, the filter on screen, and nothing written or paused
    await vi.waitFor(() => expect(screen()).toMatch(/\/http-40▌ 1 of 40/), wait);
    let s = screen();
    expect(s).toMatch(/› ✖ down\s+http-40/);
    expect(s).not.toMatch(/^[› ] [✔▲✖…] \S+\s+http-39/m);
    expect(s).not.toContain('PAUSED');
    expect(s.split('\n')[0]).toMatch(/^PITWALL Hot Rod AN /);
    expect(readFileSync(feedback, 'utf8')).toBe('# Integrations\n');
    // Enter keeps it; Esc clears it
    keys('Enter');
    await vi.waitFor(() => expect(screen()).toContain('/http-40 1 of 40 · Esc clears'), wait);
    keys('Escape');
    await vi.waitFor(() => expect(screen()).not.toContain('/http-40'), wait);
    s = screen();
    expect(s).toMatch(/✔ up\s+http-01/);
    // u: only what is not up
    keys('u');
    await vi.waitFor(() => expect(screen()).toContain('1 of 40 · only not up (u)'), wait);
    keys('q');
    await vi.waitFor(() => expect(screen()).toContain('PITWALL-EXIT=0'), wait);
  });
});
