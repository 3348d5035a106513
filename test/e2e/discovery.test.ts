import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHealthPeer, type HealthPeer } from '../../src/peers/health-peer.js';
import { CLI, hasTmux, tmux } from './tmux.js';

// Config discovery as a user meets it: the real binary started in a subfolder of the config's folder, and in a
// folder with no config anywhere above it (the demo, unmistakably).

const screen = (s: string) => tmux('capture-pane', '-p', '-t', s);
const wait = { timeout: 20_000, interval: 100 };

let health: HealthPeer;
let dir: string;
let sub: string;
let empty: string;
const sessions: string[] = [];

beforeAll(async () => {
  health = await startHealthPeer();
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'pitwall-e2e-disc-')));
  sub = join(dir, 'ops', 'notes');
  mkdirSync(sub, { recursive: true });
  mkdirSync(join(dir, 'feedback'));
  writeFileSync(join(dir, 'feedback', 'integrations.md'), '# Integrations\n');
  writeFileSync(
    join(dir, 'pitwall.yaml'),
    `store: Hot Rod AN\nfeedbackFile: feedback/integrations.md\ntargets:\n  - id: app-health\n    kind: http\n    url: ${health.url}/health\n`,
  );
  // A folder with nothing above it (the temp folder's parents hold no pitwall.yaml) and an empty user config folder.
  empty = realpathSync(mkdtempSync(join(tmpdir(), 'pitwall-e2e-empty-')));
  mkdirSync(join(empty, 'xdg'));
});

afterAll(async () => {
  for (const s of sessions) {
    try {
      tmux('kill-session', '-t', s);
    } catch {
      // already gone
    }
  }
  await health.close();
});

describe('config discovery with the real binary', () => {
  it('pitwall check in a subfolder uses the config above it', async () => {
    // Not spawnSync: the health peer answers from this process's event loop.
    const r = await promisify(execFile)(process.execPath, [CLI, 'check', '--json'], { cwd: sub, encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: join(empty, 'xdg') } });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ targets: [{ id: 'app-health', status: 'up' }] });
  });

  it.skipIf(!hasTmux)('the console in a subfolder opens the real config and names it', async () => {
    const s = `pitwall-e2e-disc-${process.pid}`;
    sessions.push(s);
    tmux('new-session', '-d', '-s', s, '-x', '120', '-y', '40', '-c', sub, `XDG_CONFIG_HOME=${join(empty, 'xdg')} ${process.execPath} ${CLI} --state-dir ${join(dir, 'state')}; sleep 30`);
    await vi.waitFor(() => expect(screen(s)).toMatch(/✔ up\s+app-health/), wait);
    const text = screen(s);
    expect(text.split('\n')[0]).toMatch(/^PITWALL Hot Rod AN /);
    expect(text).toContain('config: ../../pitwall.yaml');
    expect(text).not.toContain('DEMO');
    tmux('send-keys', '-t', s, 'q');
  });

  it.skipIf(!hasTmux)('with no config anywhere, the demo says so on every frame', async () => {
    const s = `pitwall-e2e-demo-${process.pid}`;
    sessions.push(s);
    tmux('new-session', '-d', '-s', s, '-x', '120', '-y', '40', '-c', empty, `XDG_CONFIG_HOME=${join(empty, 'xdg')} ${process.execPath} ${CLI}; sleep 30`);
    await vi.waitFor(() => expect(screen(s)).toMatch(/✔ up\s+app-health/), wait);
    const text = screen(s);
    expect(text).not.toContain('Hot Rod AN');
    expect(text.split('\n')[0]).toMatch(/^PITWALL pitwall demo shop \(not real\) \[DEMO\]/);
    expect(text).toContain(' DEMO  not your store · "pitwall init" writes a config · "-c FILE" opens one');
    expect(text).toContain(`no pitwall.yaml in ${empty} or any parent, nor in ${join(empty, 'xdg', 'pitwall')}`);
    tmux('send-keys', '-t', s, 'q');
  });
});
