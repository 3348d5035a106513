import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const TARGETS = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'pitwall-many-'));
let server: Server;
let requests = 0;
let config = '';

beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  config = join(dir, 'pitwall.yaml');
  // JSON is YAML: 20,000 loopback HTTP targets.
  writeFileSync(
    config,
    JSON.stringify({
      feedbackFile: join(dir, 'integrations.md'),
      defaults: { retries: 0, timeoutMs: 60_000, degradedMs: 60_000 },
      targets: Array.from({ length: TARGETS }, (_, i) => ({ id: `t-${i}`, kind: 'http', url })),
    }),
  );
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('pitwall check with 20,000 targets', () => {
  it('ends on SIGTERM promptly while it is checking (a correctness bound, not a benchmark)', async () => {
    // Given a check of 20,000 targets under way (its signal handler is installed once the config is loaded)
    requests = 0;
    const child = spawn(process.execPath, [CLI, 'check', '-c', config, '--json'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const until = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const t = setInterval(() => {
          if (requests < n && child.exitCode === null) return;
          clearInterval(t);
          if (requests >= n) resolve();
          else reject(new Error(`check ended before ${n} requests: ${stderr}`));
        }, 20);
      });
    await until(500);
    // When it is sent SIGTERM
    const sent = performance.now();
    child.kill('SIGTERM');
    const end = await exited;
    // Then it ends by its own handler (exit 130), long before the check could have finished, and says nothing
    expect(end).toEqual({ code: 130, signal: null });
    expect(performance.now() - sent).toBeLessThan(10_000);
    expect(requests).toBeLessThan(TARGETS);
    expect(stderr).toBe('');
  }, 120_000);
});
