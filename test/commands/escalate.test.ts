import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { afterEach, describe, expect, it } from 'vitest';
import { runEscalate } from '../../src/commands/escalate.js';
import { UsageError } from '../../src/commands/exit.js';
import { runReport } from '../../src/commands/report.js';
import { startHealthPeer, type HealthPeer } from '../../src/peers/health-peer.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { openJournal } from '../../src/journal/journal.js';
import { createRedactor } from '../../src/text/redact.js';

const CANARY = 'sk_live_escalate_canary_42';

interface Env {
  root: string;
  config: Config;
  peer: HealthPeer;
  hits: () => number;
  file: string;
  out: string[];
  err: string[];
}
const envs: Env[] = [];
afterEach(async () => {
  for (const e of envs.splice(0)) {
    await e.peer.close();
    rmSync(e.root, { recursive: true, force: true });
  }
});

/** A config on disk (the journal is keyed by its path), a feedback folder, and a failing health endpoint. */
async function setup(opts: { feedbackFile?: string; writeFeedback?: boolean } = {}): Promise<Env> {
  const root = mkdtempSync(join(tmpdir(), 'pitwall-escalate-'));
  mkdirSync(join(root, 'feedback'));
  const file = join(root, 'feedback', 'integrations.md');
  if (opts.writeFeedback !== false) writeFileSync(file, '# Integrations log\n');
  writeFileSync(join(root, 'feedback', 'manager.md'), '# Manager\n');
  const peer = await startHealthPeer({ mode: 'failing' });
  let n = 0;
  peer.server.on('request', () => n++);
  writeFileSync(
    join(root, 'pitwall.yaml'),
    [
      'store: Test Store',
      `feedbackFile: ${opts.feedbackFile ?? 'feedback/integrations.md'}`,
      'stateDir: state',
      'targets:',
      '  - id: app',
      '    kind: http',
      `    url: ${peer.url}/health`,
      '    headers: { authorization: "Bearer ${APP_TOKEN}" }',
      '    tiles: [sales-pulse, inventory-watch]',
      '    intervalSeconds: 15',
      '    timeoutMs: 2000',
      '    retries: 0',
    ].join('\n'),
  );
  const config = loadConfig(join(root, 'pitwall.yaml'), { APP_TOKEN: CANARY });
  const e: Env = { root, config, peer, hits: () => n, file, out: [], err: [] };
  envs.push(e);
  return e;
}
const io = (e: Env) => ({ write: (t: string) => void e.out.push(t), warn: (t: string) => void e.err.push(t) });

describe('pitwall escalate', () => {
  it('checks the target first when the journal has nothing recent, then writes the BLOCKER', async () => {
    const e = await setup();
    const code = await runEscalate(e.config, { ...io(e), targetId: 'app', note: `Checkout is down; token ${CANARY} was rotated` });
    expect(code).toBe(0);
    expect(e.hits()).toBe(1);
    expect(e.out.join('')).toMatch(/^BLOCKER B-[0-9a-z]+-[0-9a-z]{4} for app \(checked just now: ✖ down\) written to .*integrations\.md\n$/);

    const text = readFileSync(e.file, 'utf8');
    expect(text).toMatch(/^# Integrations log\n\n## BLOCKER app — \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(B-[0-9a-z]+-[0-9a-z]{4}\)\n\n> Checkout is down; token \[redacted\] was rotated\n/);
    expect(text).toContain('- **Status:** ✖ down — http: HTTP 503, expected 200');
    expect(text).toContain('- **Affected tiles:** Sales Pulse, Inventory Watch');
    expect(text).toContain('- HTTP status: 503');
    expect(text).toContain('{"status":"error","checks":{"database":"down"}}');
    // Who escalated and where the target is (its endpoint), not the config path
    expect(text).toMatch(/- \*\*Escalated by:\*\* \S+@\S+\n/);
    expect(text).toContain(`- **Target:** \`app\` (http) — GET ${e.peer.url}/health`);
    expect(text).not.toContain('Config file');
    expect(text).not.toContain(CANARY);

    // The journal now holds the check and the open blocker, so the console shows it after a restart
    const j = openJournal({ dir: join(e.root, 'state'), configPath: e.config.path });
    const h = j.load();
    j.close();
    expect(h.samples.app).toHaveLength(1);
    expect(h.blockers).toHaveLength(1);
    expect(h.blockers[0]!.note).toBe('Checkout is down; token [redacted] was rotated');
    expect(h.events.map((x) => x.type)).toEqual(['transition', 'escalated']);
  });

  it("uses the journal's latest state when it is recent, without checking again", async () => {
    const e = await setup();
    const t0 = Date.UTC(2026, 9, 13, 14);
    const j = openJournal({ dir: join(e.root, 'state'), configPath: e.config.path, redactor: createRedactor() });
    for (let i = 0; i < 4; i++) j.appendResult('app', { status: 'up', latencyMs: 50 + i * 10, error: null, details: {} }, t0 + i * 15_000);
    for (let i = 4; i < 6; i++) {
      j.appendResult(
        'app',
        { status: 'down', latencyMs: null, error: { kind: 'connection', message: 'connection refused (ECONNREFUSED)' }, details: {} },
        t0 + i * 15_000,
      );
    }
    j.close();

    const code = await runEscalate(e.config, { ...io(e), targetId: 'app', note: 'down for everyone', now: () => t0 + 90_000 });
    expect(code).toBe(0);
    expect(e.hits()).toBe(0);
    const text = readFileSync(e.file, 'utf8');
    expect(text).toContain('## BLOCKER app — 2026-10-13T14:01:30Z (B-');
    expect(text).toContain('- **Status:** ✖ down — connection: connection refused (ECONNREFUSED)');
    expect(text).toContain('- **Failing:** not up since 2026-10-13T14:01:00Z (30s); 2 consecutive failed checks');
    // 50/80·7 = 4.4 → ▅, 60 → 5.3 → ▆, 70 → 6.1 → ▇, 80 → █
    expect(text).toContain('`▅▆▇█··` 4 up (50–80 ms), 2 failed');
    expect(e.out.join('')).not.toContain('checked just now');
  });

  it('refuses an unknown target or an empty note (exit 3)', async () => {
    const e = await setup();
    await expect(runEscalate(e.config, { ...io(e), targetId: 'nope', note: 'x' })).rejects.toThrow(new UsageError('unknown target "nope" (known: app)'));
    await expect(runEscalate(e.config, { ...io(e), targetId: 'app', note: '  ' })).rejects.toBeInstanceOf(UsageError);
    expect(readFileSync(e.file, 'utf8')).toBe('# Integrations log\n');
    expect(e.hits()).toBe(0);
  });

  it("refuses the manager's file (exit 3) and leaves it alone", async () => {
    const e = await setup({ feedbackFile: 'feedback/../feedback/manager.md' });
    const run = runEscalate(e.config, { ...io(e), targetId: 'app', note: 'x' });
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(/^refusing to write to .*manager\.md: manager\.md is the manager's file/);
    expect(readFileSync(join(e.root, 'feedback', 'manager.md'), 'utf8')).toBe('# Manager\n');
    expect(e.hits()).toBe(0);
  });

  it('will not create a missing feedback file unless --create-feedback is given', async () => {
    const e = await setup({ writeFeedback: false });
    await expect(runEscalate(e.config, { ...io(e), targetId: 'app', note: 'x' })).rejects.toThrow(
      new UsageError(`feedback file does not exist: ${e.file} (pass --create-feedback to create it)`),
    );
    expect(existsSync(e.file)).toBe(false);
    expect(await runEscalate(e.config, { ...io(e), targetId: 'app', note: 'x', createFeedback: true })).toBe(0);
    expect(readFileSync(e.file, 'utf8')).toMatch(/^## BLOCKER app /);
  });

  it('exits 1 with a sentence when the entry went to the outbox, and the next run writes it first', async () => {
    const e = await setup();
    const release = await lockfile.lock(e.file, { lockfilePath: `${e.file}.lock`, realpath: false });
    const code = await runEscalate(e.config, { ...io(e), targetId: 'app', note: 'locked out', lockTimeoutMs: 100 });
    expect(code).toBe(1);
    expect(e.err.join('')).toMatch(/^pitwall: BLOCKER B-\S+ for app \(checked just now: ✖ down\) could not be written \(.* is locked by another writer .*\); it is kept in the outbox \(1 waiting, .*\) and the next pitwall run writes it\.\n$/);
    expect(readFileSync(e.file, 'utf8')).toBe('# Integrations log\n');
    await release();

    // The next command (here a report) claims the outbox and writes the BLOCKER before its own entry
    expect(await runReport(e.config, { ...io(e), timeZone: 'UTC' })).toBe(0);
    const text = readFileSync(e.file, 'utf8');
    expect(text.indexOf('## BLOCKER app')).toBeGreaterThan(0);
    expect(text.indexOf('## Hourly report')).toBeGreaterThan(text.indexOf('## BLOCKER app'));
    expect(text).toContain('> locked out');
  });
});
