// `pitwall mcp` against the official MCP conformance suite (@modelcontextprotocol/conformance, npm): the server
// scenarios that apply to a server with pitwall's tools and resources (README, "MCP conformance", says why the
// others do not). Each scenario runs the suite's own CLI against a live Streamable HTTP endpoint.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runMcpServer } from '../../../src/commands/mcp-server.js';
import { loadConfig } from '../../../src/config/config.js';
import { startHealthPeer, type HealthPeer } from '../../../src/peers/health-peer.js';

/** The scenarios that apply (see README). */
export const APPLICABLE = ['server-initialize', 'ping', 'tools-list', 'resources-list', 'resources-subscribe', 'resources-unsubscribe', 'server-sse-multiple-streams', 'dns-rebinding-protection'];

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const CLI = join(dirname(require.resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js');
const dir = mkdtempSync(join(tmpdir(), 'pitwall-conformance-'));
const ac = new AbortController();
let health: HealthPeer;
let url = '';

beforeAll(async () => {
  health = await startHealthPeer({ mode: 'ok' });
  mkdirSync(join(dir, 'feedback'));
  writeFileSync(join(dir, 'feedback', 'integrations.md'), '# Integrations log\n');
  writeFileSync(
    join(dir, 'pitwall.yaml'),
    `store: Conformance\nfeedbackFile: feedback/integrations.md\nstateDir: state\ndefaults: { timeoutMs: 2000, retries: 0, intervalSeconds: 600 }\ntargets:\n  - id: app\n    kind: http\n    url: ${health.url}/health\n`,
  );
  await new Promise<void>((resolve) => {
    void runMcpServer(loadConfig(join(dir, 'pitwall.yaml'), {}), {
      transport: { http: '127.0.0.1:0' },
      signal: ac.signal,
      log: () => undefined,
      onListening: (u) => {
        url = u;
        resolve();
      },
    });
  });
});

afterAll(async () => {
  ac.abort();
  await health.close();
  rmSync(dir, { recursive: true, force: true });
});

// Concurrently (vitest's maxConcurrency, 5): each scenario is its own CLI process, mostly start-up time.
test.concurrent.each(APPLICABLE)('conformance scenario %s passes', async (scenario) => {
  const out = join(dir, 'results', scenario);
  const { stdout } = await run(process.execPath, [CLI, 'server', '--url', url, '--scenario', scenario, '-o', out], { timeout: 60_000 }).catch(
    (err: { stdout?: string; stderr?: string }) => ({ stdout: `${err.stdout ?? ''}\n${err.stderr ?? ''}` }),
  );
  // The suite prints one line per check and "Passed: n/m, k failed, w warnings" (exit 1 on a failure).
  expect(stdout).not.toMatch(/FAILURE/);
  expect(stdout).toMatch(/Passed: ([1-9]\d*)\/\1, 0 failed/);
}, 60_000);
