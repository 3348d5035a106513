// The built binary (dist/cli.js) where the world is unkind: a state folder that cannot work ends in one sentence
// and exit 3 before anything runs; a reader that closes stdout early ends it quietly.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'pitwall-quiet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'feedback'));
writeFileSync(join(dir, 'feedback', 'integrations.md'), '# log\n');

async function pitwall(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: dir, timeout: 20_000, killSignal: 'SIGKILL' });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A config whose only target is never reached (the runs below must stop before any check). */
function config(stateDir: string): string {
  const file = join(dir, `pitwall-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, ['feedbackFile: feedback/integrations.md', `stateDir: ${stateDir}`, 'targets:', '  - id: app', '    kind: http', '    url: http://127.0.0.1:9/health'].join('\n'));
  return file;
}

describe('a bad stateDir: one sentence, exit 3', () => {
  it('a regular file (escalate)', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    const r = await pitwall(['escalate', '-c', config('a-file'), 'app', 'note']);
    expect(r).toEqual({
      code: 3,
      stdout: '',
      stderr: `pitwall: stateDir: ${join(dir, 'a-file')} is not a folder (it is a file); set stateDir in pitwall.yaml (or pass --state-dir) to a folder this user can write\n`,
    });
  });

  it('/dev/null (report) and --state-dir under /proc (escalate)', async () => {
    const r = await pitwall(['report', '-c', config('/dev/null')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('pitwall: stateDir: /dev/null is not a folder (it is a character device); set stateDir in pitwall.yaml (or pass --state-dir) to a folder this user can write\n');
    if (process.platform !== 'linux') return;
    const p = await pitwall(['escalate', '-c', config('state'), '--state-dir', '/proc/pitwall', 'app', 'note']);
    expect(p).toMatchObject({ code: 3, stderr: 'pitwall: --state-dir: /proc/pitwall is on proc, a file system the kernel makes up, which cannot keep files; pass --state-dir a folder this user can write\n' });
  });
});

describe('a reader that closes stdout early (pitwall check --json | head -c 150)', () => {
  it('ends pitwall quietly: exit 141 as cat would, nothing on stderr', async () => {
    // Given a reader that has gone before pitwall writes its first byte
    const child = spawn(process.execPath, [CLI, 'check', '--json', '-c', config('state')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    // When it writes the JSON document
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(killer);
    // Then it ends at once, without the unhandled 'error' event's stack trace
    expect(stderr).toBe('');
    expect(code).toBe(141);
  });
});
