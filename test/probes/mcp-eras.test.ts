// The probe against real servers of both protocol eras: the official SDK v2 server (modern-only and dual, stdio and
// Streamable HTTP), server-everything (2025 era, SDK v1) and Context7 (the team's server, SDK v2) from npm.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMcpProber, respawnBackoffMs, type McpProber } from '../../src/probes/mcp.js';
import type { ProbeContext, ProbeResult } from '../../src/probes/types.js';
import { configFromObject, type McpTarget } from '../../src/config/config.js';

const require = createRequire(import.meta.url);
function binOf(pkg: string, name: string): string {
  const file = require.resolve(`${pkg}/package.json`);
  return join(dirname(file), (JSON.parse(readFileSync(file, 'utf8')) as { bin: Record<string, string> }).bin[name]!);
}
const fixture = (f: string) => fileURLToPath(new URL(`../../fixtures/mcp/${f}`, import.meta.url));
const V2 = fixture('v2-server.mjs');

const probers: McpProber[] = [];
const children: ChildProcess[] = [];
const servers: Server[] = [];
function prober(opts: Parameters<typeof createMcpProber>[0] = {}): McpProber {
  const p = createMcpProber({ killGraceMs: 300, ...opts });
  probers.push(p);
  return p;
}
function stdio(id: string, args: string[], env: Record<string, string> = {}): McpTarget {
  const target = { id, kind: 'mcp', transport: 'stdio', command: process.execPath, args, env };
  return configFromObject({ targets: [target] }).targets[0] as McpTarget;
}
function http(id: string, url: string, headers: Record<string, string> = {}): McpTarget {
  return configFromObject({ targets: [{ id, kind: 'mcp', transport: 'http', url, headers }] }).targets[0] as McpTarget;
}
function ctx(timeoutMs = 8_000): ProbeContext {
  return { signal: AbortSignal.timeout(timeoutMs), timeoutMs, degradedMs: 60_000 };
}
const phaseNames = (r: ProbeResult) => (r.phases ?? []).map((p) => p.name);

/** Starts the v2 fixture over HTTP and resolves with its URL (it prints it once listening). */
function v2Http(mode: 'modern' | 'dual', env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, [V2, 'http', mode, '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (b: Buffer) => resolve(b.toString().trim()));
    child.once('exit', (code) => reject(new Error(`v2 fixture exited with ${code}`)));
  });
}

/** A loopback HTTP server answering every request with one canned response. */
async function canned(status: number, headers: Record<string, string>, body: string): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`;
}

let modernUrl: string;
let dualUrl: string;
beforeAll(async () => {
  [modernUrl, dualUrl] = await Promise.all([v2Http('modern'), v2Http('dual')]);
});
afterAll(async () => {
  await Promise.all(probers.map((p) => p.close()));
  for (const c of children) c.kill('SIGKILL');
  for (const s of servers) s.close();
});

describe('both eras, real servers', () => {
  test.each([
    ['stdio', 'modern'],
    ['stdio', 'dual'],
    ['http', 'modern'],
    ['http', 'dual'],
  ] as const)('SDK v2 server over %s, %s: the 2026-07-28 era, server/discover as the liveness check', async (transport, mode) => {
    const p = prober();
    const target = transport === 'stdio' ? stdio(`v2-${mode}`, [V2, 'stdio', mode]) : http(`v2-${mode}`, mode === 'modern' ? modernUrl : dualUrl);
    const r = await p.probe(target, ctx());
    expect(r.error).toBeNull();
    expect(r.details).toMatchObject({ protocolVersion: '2026-07-28', era: expect.stringMatching(/^modern/), toolCount: 2, serverInfo: { name: `pitwall-fixture-v2-${mode}` } });
    expect(phaseNames(r)).toEqual(['connect+discover', 'server/discover', 'tools/list']);
    // Warm: no session to keep in this era, the same client asks again.
    const warm = await p.probe(target, ctx());
    expect(warm.details).toMatchObject({ session: 'warm', protocolVersion: '2026-07-28' });
    expect(phaseNames(warm)).toEqual(['server/discover', 'tools/list']);
  });

  test('server-everything (2025 era only): the initialize handshake, ping, tools/list', async () => {
    const r = await prober().probe(stdio('everything', [binOf('@modelcontextprotocol/server-everything', 'mcp-server-everything'), 'stdio']), ctx());
    expect(r.error).toBeNull();
    expect(r.details).toMatchObject({ protocolVersion: '2025-11-25', era: expect.stringMatching(/^legacy/) });
    expect(phaseNames(r)).toEqual(['connect+initialize', 'ping', 'tools/list']);
    // It lists get-roots-list only to clients declaring roots: pitwall says it declares none.
    expect(r.details.toolNames).not.toContain('get-roots-list');
    expect(r.details.clientCapabilities).toMatch(/declares no client capabilities/);
  });

  test("GitHub's npm server (SDK 1.0, 2024-11-05): the 2025 handshake, at the version it speaks", async () => {
    // It starts without a token (tools fail at call time, not at listing).
    const r = await prober().probe(stdio('github', [binOf('@modelcontextprotocol/server-github', 'mcp-server-github')]), ctx());
    expect(r.error).toBeNull();
    expect(r.details).toMatchObject({ protocolVersion: '2024-11-05', era: expect.stringMatching(/^legacy/) });
    expect(r.details.toolNames).toContain('search_repositories');
  });

  test('Context7 (the team server, npm, offline start over stdio) answers server/discover with 2026-07-28', async () => {
    const r = await prober().probe(stdio('context7', [binOf('@upstash/context7-mcp', 'context7-mcp'), '--transport', 'stdio']), ctx(15_000));
    expect(r.error).toBeNull();
    expect(r.details).toMatchObject({ protocolVersion: '2026-07-28', era: expect.stringMatching(/^modern/) });
    expect(r.details.toolCount).toBeGreaterThan(0);
  });
});

describe('honest failures', () => {
  test('a -32603 from the server (its upstream failed) reads as that, with its own text', async () => {
    const r = await prober().probe(stdio('v2-fail', [V2, 'stdio', 'modern'], { V2_FAIL_TOOLS: '1' }), ctx());
    expect(r.error).toMatchObject({ kind: 'protocol', code: -32603, message: 'tools/list failed: the server reported an internal error (-32603): fetch failed' });
  });

  test('the headline is the server’s own error, not the last stack frame of its stderr', async () => {
    const r = await prober().probe(stdio('zod', [fixture('crash-zod.mjs')]), ctx());
    expect(r.error!.message).toMatch(/^server exited with code 1 during (server\/discover|initialize): ZodError: /);
    expect(r.error!.message).not.toMatch(/asyncRunEntryPointWithESMLoader/);
  });

  test('a server that rejects every version pitwall speaks says which it speaks', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 0, error: { code: -32022, message: 'Unsupported protocol version', data: { supported: ['2027-03-01'], requested: '2026-07-28' } } });
    const r = await prober().probe(http('future', await canned(400, {}, body)), ctx());
    expect(r.error).toMatchObject({ kind: 'protocol', message: 'the server speaks only 2027-03-01; pitwall offered 2026-07-28' });
  });

  test('401 without a token says no token is configured; an OAuth challenge names the server as OAuth-protected', async () => {
    const plain = await prober().probe(http('no-token', await canned(401, {}, '{}')), ctx());
    expect(plain.error).toMatchObject({ kind: 'auth', httpStatus: 401 });
    expect(plain.error!.message).toMatch(/no token configured/);
    const challenge = { 'www-authenticate': 'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource"' };
    const oauth = await prober().probe(http('oauth', await canned(401, challenge, '{}')), ctx());
    expect(oauth.error!.message).toMatch(/^HTTP 401: an OAuth-protected MCP server \(resource metadata at https:\/\/mcp\.example\.com\/.*\); no token configured/);
  });

  test('a stdio server that died between checks leaves an event, and the next check restarts it', async () => {
    let clock = 1_000_000;
    const p = prober({ now: () => clock });
    const target = stdio('dies', [V2, 'stdio', 'dual']);
    const first = await p.probe(target, ctx());
    expect(first.status).not.toBe('down');
    process.kill(first.details.pid as number, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    clock += (3 * 60 + 12) * 60_000;
    const next = await p.probe(target, ctx());
    expect(next.details.session).toBe('cold');
    expect(next.details.events).toEqual(['dies: the server exited (signal SIGKILL) after 3h12m; restarted']);
  });

  test('a server that keeps failing to start is respawned with backoff, said on the row', async () => {
    let clock = 0;
    const p = prober({ now: () => clock });
    const target = stdio('broken', [fixture('exit-immediately.mjs')]);
    await p.probe(target, ctx());
    await p.probe(target, ctx());
    const backedOff = await p.probe(target, ctx());
    expect(backedOff.details).toMatchObject({ session: 'backoff', respawn: { failedStarts: 2, backoffMs: respawnBackoffMs(2) } });
    expect(backedOff.error!.message).toMatch(/^backing off \(2 failed starts, next start in 30s\): server exited with code 3 during /);
    expect(backedOff.details.pid).not.toBe(undefined);
    clock += respawnBackoffMs(2);
    const retried = await p.probe(target, ctx());
    expect(retried.details.session).toBe('cold');
  });

  test('a modern-only server still booting when the era probe gave up is started again in its era, not called legacy', async () => {
    // Given a 2026-07-28-only server whose first start reads nothing for longer than the era probe waits (half the budget)
    const marker = join(mkdtempSync(join(tmpdir(), 'pitwall-boot-')), 'booted');
    const target = stdio('slow-boot', [V2, 'stdio', 'modern'], { V2_SLOW_BOOT_MS: '3300', V2_SLOW_BOOT_ONCE: marker });
    // When it is checked with 6 s (the probe waits 3)
    const r = await prober().probe(target, ctx(6_000));
    // Then the 2025 fallback's -32022 leads to a second start pinned to 2026-07-28, which answers
    expect(r.error, JSON.stringify(r.error)).toBeNull();
    expect(r.details).toMatchObject({ protocolVersion: '2026-07-28' });
  });

  test('tool-schema drift between checks is an event naming the tool', async () => {
    const p = prober();
    await p.probe(stdio('drift', [V2, 'stdio', 'dual']), ctx());
    const r = await p.probe(stdio('drift', [V2, 'stdio', 'dual'], { V2_TOOLS: 'alt' }), ctx());
    expect(r.details.events).toEqual(['drift: tool schemas changed (changed echo)']);
  });
});
