// `pitwall escalate` on a really full disk: a 64 KiB tmpfs filled to the last byte. Needs mount(2) (root in a
// container that allows it); skipped, with the reason, where it is not permitted. The injected-fs unit tests in
// test/feedback/full-disk.test.ts cover the same paths everywhere.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runEscalate } from '../../src/commands/escalate.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { startHealthPeer, type HealthPeer } from '../../src/peers/health-peer.js';

const base = mkdtempSync(join(tmpdir(), 'pitwall-tmpfs-'));
const mnt = join(base, 'disk');
mkdirSync(mnt);
let mountError = '';
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { stdio: 'pipe' });
} catch (err) {
  mountError = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
}
const skip = mountError ? `mount -t tmpfs is not permitted here (${mountError})` : '';

let peer: HealthPeer;
beforeAll(async () => {
  peer = await startHealthPeer({ mode: 'failing' });
});
afterAll(async () => {
  await peer.close();
  if (!mountError) execFileSync('umount', ['-l', mnt]); // lazy: a descriptor leaked by a failing test must not fail the rest
  rmSync(base, { recursive: true, force: true });
});
afterEach(() => {
  if (!mountError) for (const n of readdirSync(mnt)) rmSync(join(mnt, n), { recursive: true, force: true });
});

const LOG = '# Integrations log\n\n';
/** The feedback file, sized so its last page has 100 bytes free: the next append is a short write, then ENOSPC. */
function feedbackFile(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'integrations.md');
  writeFileSync(file, LOG + 'x'.repeat(4096 - 100 - LOG.length - 1) + '\n');
  return file;
}
/** Fills the tmpfs to its last byte. */
function fill(): void {
  const fd = openSync(join(mnt, 'filler'), 'w');
  const chunk = Buffer.alloc(4096, 0x2e);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: full.
  } finally {
    closeSync(fd);
  }
}

function config(file: string, stateDir: string): Config {
  const yaml = join(base, `pitwall-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    yaml,
    ['store: Test Store', `feedbackFile: ${file}`, `stateDir: ${stateDir}`, 'targets:', '  - id: app', '    kind: http', `    url: ${peer.url}/health`, '    timeoutMs: 2000', '    retries: 0'].join('\n'),
  );
  return loadConfig(yaml, {});
}
const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, write: (t: string) => void out.push(t), warn: (t: string) => void err.push(t) };
};

describe.skipIf(skip)(`escalate on a full tmpfs${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('the feedback file is unchanged byte for byte, the entry is kept in the outbox, and the replay writes one heading', async () => {
    // Given the feedback file on a full disk, the state folder on another
    const file = feedbackFile(join(mnt, 'feedback'));
    const before = readFileSync(file);
    fill();
    const cfg = config(file, join(base, 'state'));
    // When escalating
    const a = io();
    const code = await runEscalate(cfg, { ...a, targetId: 'app', note: `the first blocker, with a long note ${'n'.repeat(300)}` });
    // Then nothing of it is on the file, and it waits in the outbox (exit 1)
    expect(code).toBe(1);
    expect(a.err.join('')).toMatch(/ENOSPC.*kept in the outbox/);
    expect(readFileSync(file).equals(before)).toBe(true);
    const outbox = readdirSync(join(base, 'state', 'outbox'));
    expect(outbox.filter((n) => n.endsWith('.jsonl'))).toHaveLength(1);
    expect(outbox.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    // And once there is room, the next run writes the first blocker once, then its own
    rmSync(join(mnt, 'filler'));
    const b = io();
    expect(await runEscalate(cfg, { ...b, targetId: 'app', note: 'the second blocker' })).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.match(/^## BLOCKER app/gm)).toHaveLength(2);
    expect(text.match(/the first blocker/g)).toHaveLength(1);
    expect(text.indexOf('the first blocker')).toBeLessThan(text.indexOf('the second blocker'));
    expect(text.startsWith(before.toString())).toBe(true);
  });

  it('with the state folder full too: exit 2, the entry printed, no "kept", and no stack trace from the journal', async () => {
    const file = feedbackFile(join(mnt, 'feedback'));
    const before = readFileSync(file);
    mkdirSync(join(mnt, 'state'));
    fill();
    const cfg = config(file, join(mnt, 'state'));
    const a = io();
    const code = await runEscalate(cfg, { ...a, targetId: 'app', note: 'checkout is down, the whole team is blocked' });
    expect(code).toBe(2);
    const err = a.err.join('');
    expect(err).not.toMatch(/kept/);
    expect(err).not.toMatch(/\n\s+at /);
    expect(err).toMatch(/warning: the journal in .* cannot be written \(ENOSPC/);
    expect(err).toMatch(/BLOCKER B-\S+ for app .*is NOT saved anywhere: .*ENOSPC.*paste it into the feedback file\.\n$/m);
    // The whole entry is on stdout
    const out = a.out.join('');
    expect(out).toMatch(/^## BLOCKER app — .*\n\n> checkout is down, the whole team is blocked\n/);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(join(mnt, 'state'), { recursive: true }).filter((n) => String(n).endsWith('.tmp'))).toEqual([]);
  });
});
