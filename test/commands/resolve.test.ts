import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runEscalate } from '../../src/commands/escalate.js';
import { UsageError } from '../../src/commands/exit.js';
import { runResolve } from '../../src/commands/resolve.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { openJournal } from '../../src/journal/journal.js';
import { createRedactor } from '../../src/text/redact.js';

const T0 = Date.UTC(2026, 9, 13, 14);
const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A config on disk, and a journal where `app` went down at 14:00:00 and came back at 14:03:00 (checks 15 s apart). */
function setup(): { config: Config; file: string; stateDir: string; out: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'pitwall-resolve-'));
  roots.push(root);
  mkdirSync(join(root, 'feedback'));
  const file = join(root, 'feedback', 'integrations.md');
  writeFileSync(file, '# Integrations log\n');
  writeFileSync(
    join(root, 'pitwall.yaml'),
    ['feedbackFile: feedback/integrations.md', 'stateDir: state', 'targets:', '  - { id: app, kind: http, url: "http://127.0.0.1:9/health", intervalSeconds: 15 }'].join('\n'),
  );
  const config = loadConfig(join(root, 'pitwall.yaml'), {});
  const j = openJournal({ dir: join(root, 'state'), configPath: config.path, redactor: createRedactor() });
  j.appendResult('app', { status: 'up', latencyMs: 80, error: null, details: {} }, T0 - 15_000);
  for (let at = T0; at < T0 + 180_000; at += 15_000) {
    j.appendResult('app', { status: 'down', latencyMs: null, error: { kind: 'http', message: 'HTTP 503', httpStatus: 503 }, details: {} }, at);
  }
  j.appendResult('app', { status: 'up', latencyMs: 90, error: null, details: {} }, T0 + 180_000);
  j.close();
  return { config, file, stateDir: join(root, 'state'), out: [] };
}

describe('pitwall resolve', () => {
  it('writes a RESOLVED entry with the outage, the time the blocker was open and the note, and closes it for everyone', async () => {
    // Given a blocker escalated by ana at 14:00:30, while app was down
    const e = setup();
    const io = { write: (t: string) => void e.out.push(t), warn: (t: string) => void e.out.push(t) };
    expect(await runEscalate(e.config, { ...io, targetId: 'app', note: 'checkout 503', by: 'ana@laptop', now: () => T0 + 30_000 })).toBe(0);
    const id = /BLOCKER (B-\S+)/.exec(e.out.join(''))![1]!;

    // When bo resolves it at 14:20 (the journal also has the checks after the escalation)
    expect(await runResolve(e.config, { ...io, blockerId: id, note: 'Fly machine restarted', by: 'bo@desk', now: () => T0 + 1_200_000 })).toBe(0);

    // Then the entry gives the outage (14:00:00 → 14:03:00) and the blocker's 19m30s apart
    const text = readFileSync(e.file, 'utf8');
    const entry = text.slice(text.indexOf('## RESOLVED'));
    expect(entry).toBe(
      [
        `## RESOLVED app — 2026-10-13T14:20:00Z (${id})`,
        '',
        '> Fly machine restarted',
        '',
        '- **Resolved by:** bo@desk',
        '- **Outage:** 3m00s — first failure 2026-10-13T14:00:00Z, back up 2026-10-13T14:03:00Z',
        '- **Blocker open:** 19m30s — opened 2026-10-13T14:00:30Z',
        '- **Status now:** ✔ up — 90 ms',
        '- **Original note:** checkout 503',
        '',
      ].join('\n'),
    );
    expect(text).toContain('- **Escalated by:** ana@laptop\n');
    expect(e.out.at(-1)).toBe(`RESOLVED ${id} for app written to ${e.file}\n`);

    // And the journal no longer lists it open, and says when it was resolved
    const j = openJournal({ dir: e.stateDir, configPath: e.config.path });
    const h = j.load(T0 - 3_600_000);
    j.close();
    expect(h.blockers).toEqual([]);
    expect(h.events.filter((x) => x.type === 'resolved')).toEqual([{ type: 'resolved', at: T0 + 1_200_000, targetId: 'app', blockerId: id }]);

    // A second resolve of the same blocker is a clear error, not a second entry
    await expect(runResolve(e.config, { ...io, blockerId: id, note: 'again', now: () => T0 + 1_300_000 })).rejects.toThrow(
      new UsageError(`no open blocker "${id}" (none is open)`),
    );
    expect(readFileSync(e.file, 'utf8').match(/## RESOLVED/g)).toHaveLength(1);
  });

  it('takes a target id with exactly one open blocker, and wants a note', async () => {
    const e = setup();
    const io = { write: (t: string) => void e.out.push(t) };
    await runEscalate(e.config, { ...io, targetId: 'app', note: 'down', now: () => T0 + 30_000 });
    await expect(runResolve(e.config, { ...io, blockerId: 'app', note: '  ', now: () => T0 + 60_000 })).rejects.toThrow(/resolve needs a note/);
    await expect(runResolve(e.config, { ...io, blockerId: 'B-nope', note: 'x', now: () => T0 + 60_000 })).rejects.toThrow(/^no open blocker "B-nope" \(open: B-\S+ \(app\)\)$/);
    expect(await runResolve(e.config, { ...io, blockerId: 'app', note: 'fixed', now: () => T0 + 600_000 })).toBe(0);
    expect(readFileSync(e.file, 'utf8')).toContain('- **Outage:** 3m00s — first failure 2026-10-13T14:00:00Z, back up 2026-10-13T14:03:00Z');
  });
});

describe('pitwall resolve without --by', () => {
  it('names user@host, as escalate does', async () => {
    const e = setup();
    const io = { write: (t: string) => void e.out.push(t) };
    await runEscalate(e.config, { ...io, targetId: 'app', note: 'down', now: () => T0 + 30_000 });
    expect(await runResolve(e.config, { ...io, blockerId: 'app', note: 'fixed', now: () => T0 + 600_000 })).toBe(0);
    const text = readFileSync(e.file, 'utf8');
    const by = `${userInfo().username}@${hostname()}`;
    expect(text).toContain(`- **Escalated by:** ${by}\n`);
    expect(text).toContain(`- **Resolved by:** ${by}\n`);
  });
});
