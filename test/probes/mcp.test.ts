import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { MCP_FIXTURES, startSseOnlyPeer, startStreamableHttpPeer } from '../../src/peers/mcp-peer.js';
import { startPeer } from '../../src/peers/serve.js';
import { createMcpProber, type McpProber } from '../../src/probes/mcp.js';
import { processRunning } from '../../src/probes/mcp-stdio.js';
import type { ProbeContext, ProbeResult } from '../../src/probes/types.js';
import { configFromObject, type McpTarget } from '../../src/config/config.js';

// server-everything, started the way a config would: Node plus the package's bin file (never npx).
const require = createRequire(import.meta.url);
const everythingPkg = require.resolve('@modelcontextprotocol/server-everything/package.json');
const everythingBin = join(
  dirname(everythingPkg),
  (JSON.parse(readFileSync(everythingPkg, 'utf8')) as { bin: Record<string, string> }).bin['mcp-server-everything']!,
);

const tmp = mkdtempSync(join(tmpdir(), 'pitwall-mcp-'));
/** Every child pid a check reported; none may be running when the file ends. */
const seenPids = new Set<number>();
const probers: McpProber[] = [];
const peers: { close(): Promise<void> }[] = [];

function prober(opts: Parameters<typeof createMcpProber>[0] = {}): McpProber {
  const p = createMcpProber({ killGraceMs: 300, ...opts });
  probers.push(p);
  return p;
}

function stdio(id: string, script: string, env: Record<string, string> = {}, more: Record<string, unknown> = {}): McpTarget {
  const target = { id, kind: 'mcp', transport: 'stdio', command: process.execPath, args: [script], env, ...more };
  return configFromObject({ targets: [target] }).targets[0] as McpTarget;
}

function http(id: string, url: string, headers: Record<string, string> = {}): McpTarget {
  return configFromObject({ targets: [{ id, kind: 'mcp', transport: 'http', url, headers }] }).targets[0] as McpTarget;
}

/** Status assertions other than "slow" must not depend on machine load, hence the lenient default threshold. */
function ctx(timeoutMs = 5_000, degradedMs = 60_000): ProbeContext {
  return { signal: AbortSignal.timeout(timeoutMs), timeoutMs, degradedMs };
}

async function check(p: McpProber, target: McpTarget, c = ctx()): Promise<ProbeResult> {
  const r = await p.probe(target, c);
  if (typeof r.details.pid === 'number') seenPids.add(r.details.pid);
  return r;
}

const phaseNames = (r: ProbeResult) => (r.phases ?? []).map((p) => p.name);
const pidOf = (r: ProbeResult) => r.details.pid as number;

let everythingHttp: { child: ChildProcess; url: string } | null = null;
let everythingHttpReady: Promise<{ child: ChildProcess; url: string }>;

beforeAll(() => {
  // Started now, awaited by its test: its ~1 s start overlaps the stdio tests.
  everythingHttpReady = startEverythingHttp().then((s) => (everythingHttp = s));
  everythingHttpReady.catch(() => {});
});

afterAll(async () => {
  // Tests run concurrently, so what they opened is closed here rather than after each one.
  await Promise.all(probers.map((p) => p.close()));
  await Promise.all(peers.map((p) => p.close()));
  if (everythingHttp?.child.pid) process.kill(everythingHttp.child.pid, 'SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
  // No child process outlives its prober.
  expect([...seenPids].filter(processRunning)).toEqual([]);
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

async function startEverythingHttp(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [everythingBin, 'streamableHttp'], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (/listening on port/.test(err)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server-everything exited with ${code}: ${err}`)));
  });
  return { child, url: `http://127.0.0.1:${port}/mcp` };
}

describe('server-everything (the real one from npm)', () => {
  test('stdio: a cold start, then a warm check on the same session', async () => {
    const p = prober();
    const target = stdio('everything', everythingBin);

    const cold = await check(p, target);
    expect(cold.status).toBe('up');
    expect(cold.details).toMatchObject({ transport: 'stdio', session: 'cold', serverInfo: { name: 'mcp-servers/everything' } });
    expect(cold.details.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(cold.details.toolCount).toBeGreaterThan(0);
    expect(cold.details.toolNames).toContain('echo');
    expect(phaseNames(cold)).toEqual(['connect+initialize', 'ping', 'tools/list']);
    // latency is how fast the server answers (ping + tools/list); the cold start is reported on its own
    expect(cold.latencyMs).toBeCloseTo(cold.phases!.slice(1).reduce((s, x) => s + x.ms, 0), 5);
    expect(cold.details.coldStartMs).toBe(Math.round(cold.phases![0]!.ms));

    const warm = await check(p, target);
    expect(warm.status).toBe('up');
    expect(warm.details).toMatchObject({ session: 'warm', pid: pidOf(cold), toolCount: cold.details.toolCount });
    expect(phaseNames(warm)).toEqual(['ping', 'tools/list']);
    // The cold start it reports is the earlier one, with when it was measured.
    expect(warm.details.coldStartMs).toBe(cold.details.coldStartMs);
    expect(warm.details.coldStartAt).toBe(cold.details.coldStartAt);
  });

  test('Streamable HTTP', async () => {
    const { url } = await everythingHttpReady;
    const p = prober();
    const r = await check(p, http('everything-http', url));
    expect(r.status).toBe('up');
    expect(r.details).toMatchObject({ transport: 'streamable-http', session: 'cold', serverInfo: { name: 'mcp-servers/everything' } });
    expect(r.details.toolCount).toBeGreaterThan(0);
    const warm = await check(p, http('everything-http', url));
    expect(warm.details).toMatchObject({ transport: 'streamable-http', session: 'warm' });
  });
});

describe.concurrent('HTTP transports against our peers', () => {
  test('Streamable HTTP: up, then close() terminates the session with DELETE', async () => {
    const peer = await startStreamableHttpPeer();
    peers.push(peer);
    const p = prober();
    const r = await p.probe(http('peer', peer.endpoint), ctx());
    expect(r.status).toBe('up');
    expect(r.details).toMatchObject({ transport: 'streamable-http', toolCount: 2, toolNames: ['echo', 'add'] });
    expect(r.details.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(peer.openSessions()).toBe(1);

    await p.close();
    expect(peer.requests).toContain('DELETE /mcp');
    expect(peer.openSessions()).toBe(0);
  });

  test('falls back to legacy SSE when the endpoint answers 405 to a POST', async () => {
    const peer = await startSseOnlyPeer();
    peers.push(peer);
    const p = prober();
    const r = await check(p, http('legacy', peer.endpoint));
    expect(r.status).toBe('up');
    expect(r.details).toMatchObject({ transport: 'sse', session: 'cold', serverInfo: { name: 'pitwall-peer-sse' }, toolCount: 2 });
    // The era probe (server/discover) and the 2025 initialize both get 405, then the legacy SSE transport.
    expect(peer.requests.slice(0, 4)).toEqual(['POST /sse', 'POST /sse', 'GET /sse', 'POST /messages']);

    const warm = await check(p, http('legacy', peer.endpoint));
    expect(warm.details).toMatchObject({ transport: 'sse', session: 'warm' });
  });

  test('401 is auth and does not fall back to SSE; the configured header gets in', async () => {
    const peer = await startStreamableHttpPeer({ token: 's3cret' });
    peers.push(peer);
    const p = prober();

    const r = await check(p, http('locked', peer.endpoint));
    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'auth', httpStatus: 401 });
    expect(peer.requests).toEqual(['POST /mcp']);

    const ok = await check(p, http('locked', peer.endpoint, { Authorization: 'Bearer s3cret' }));
    expect(ok.status).toBe('up');
  });

  test('403 is auth', async () => {
    const peer = await startStreamableHttpPeer();
    peers.push(peer);
    peer.setMode('forbidden');
    const r = await check(prober(), http('forbidden', peer.endpoint));
    expect(r.error).toMatchObject({ kind: 'auth', httpStatus: 403 });
    expect(peer.requests.some((x) => x.startsWith('GET'))).toBe(false);
  });

  test('neither transport at the URL is an http error naming both', async () => {
    const peer = await startStreamableHttpPeer();
    peers.push(peer);
    const r = await check(prober(), http('wrong-path', `${peer.url}/nope`));
    expect(r.error).toMatchObject({ kind: 'http', httpStatus: 404 });
    expect(r.error!.message).toMatch(/Streamable HTTP got HTTP 404, legacy SSE got HTTP 404/);
  });

  test('refused is connection', async () => {
    const gone = await startPeer(() => {});
    await gone.close();
    const r = await check(prober(), http('refused', `${gone.url}/mcp`));
    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'connection' });
    expect(r.error!.message).toMatch(/refused/);
  });

  test('an HTML page where the endpoint should be is bad_response', async () => {
    const page = await startPeer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Sign in</title>');
    });
    peers.push(page);
    const r = await check(prober(), http('html', `${page.url}/mcp`));
    expect(r.error).toMatchObject({ kind: 'bad_response' });
    expect(r.error!.message).toMatch(/^server\/discover got text\/html.*MCP endpoint\?$/);
  });

  test('a server that never answers is a timeout within the budget', async () => {
    const peer = await startStreamableHttpPeer();
    peers.push(peer);
    peer.setMode('hang');
    const r = await check(prober(), http('hang-http', peer.endpoint), ctx(300));
    expect(r.error).toMatchObject({ kind: 'timeout', message: 'no answer to server/discover within 300 ms' });
  });

  test('a JSON-RPC error on tools/list over HTTP is protocol, and the next check starts a new session', async () => {
    const peer = await startStreamableHttpPeer();
    peers.push(peer);
    const p = prober();
    expect((await check(p, http('tools-http', peer.endpoint))).status).toBe('up');
    peer.setMode('tools-error');
    const r = await check(p, http('tools-http', peer.endpoint));
    expect(r.error).toMatchObject({ kind: 'protocol', code: -32603 });
    expect(r.details.session).toBe('warm');
    peer.setMode('ok');
    const next = await check(p, http('tools-http', peer.endpoint));
    expect(next.details.session).toBe('cold');
  });

  test('a warm session the server forgot (restart) reconnects within the same check', async () => {
    const peer = await startStreamableHttpPeer();
    peers.push(peer);
    const p = prober();
    expect((await check(p, http('restart', peer.endpoint))).details.session).toBe('cold');
    await peer.forgetSessions();
    const r = await check(p, http('restart', peer.endpoint));
    expect(r.status).toBe('up');
    expect(r.details.session).toBe('cold');
    expect(r.details.reconnectedAfter).toMatch(/404/);
  });
});

describe.concurrent('misbehaving stdio servers', () => {
  test('hangs on initialize: timeout within ctx.timeoutMs, and the child is ended', async () => {
    const p = prober();
    const r = await check(p, stdio('hang', MCP_FIXTURES.hangOnInitialize), ctx(400));
    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'timeout', message: 'no answer to initialize within 400 ms' });
    await vi.waitFor(() => expect(processRunning(pidOf(r))).toBe(false));
  });

  test('one that ignores SIGTERM is SIGKILLed after the grace period', async () => {
    const p = prober({ killGraceMs: 200 });
    const r = await check(p, stdio('stubborn', MCP_FIXTURES.hangOnInitialize, { MCP_IGNORE_SIGTERM: '1' }), ctx(400));
    expect(r.error!.kind).toBe('timeout');
    // SIGTERM alone never ends it; SIGKILL comes once the grace period is over.
    await vi.waitFor(() => expect(processRunning(pidOf(r))).toBe(false), { timeout: 2_000 });
  });

  test('hangs on tools/list: timeout naming the phase', async () => {
    const target = stdio('hang-tools', MCP_FIXTURES.slow, { MCP_SLOW_MS: '60000', MCP_SLOW_METHODS: 'tools/list' });
    const r = await check(prober(), target, ctx(2_500));
    expect(r.error).toMatchObject({ kind: 'timeout', message: 'no answer to tools/list within 2500 ms' });
    expect(phaseNames(r)).toEqual(['connect+initialize', 'ping']);
  });

  test('exits at once: protocol, exit code and stderr tail', async () => {
    const r = await check(prober(), stdio('exit', MCP_FIXTURES.exitImmediately));
    expect(r.status).toBe('down');
    expect(r.error!.kind).toBe('protocol');
    expect(r.error!.message).toBe('server exited with code 3 during initialize: Error: MCP_API_KEY is not set');
    expect(r.error!.evidence).toContain('at loadConfig (server.js:12:11)');
    expect(r.details.stderrTail).toContain('exit fixture: starting');
  });

  test('garbage on stdout: protocol at once, not a crash or a timeout', async () => {
    const r = await check(prober(), stdio('garbage', MCP_FIXTURES.garbageStdout), ctx(4_000));
    expect(r.error!.kind).toBe('protocol');
    expect(r.error!.message).toContain('Server listening on stdio, have a nice day!');
    await vi.waitFor(() => expect(processRunning(pidOf(r))).toBe(false));
  });

  test('JSON-RPC error on tools/list after a good initialize: protocol; the next check cold-starts', async () => {
    const p = prober();
    const target = stdio('tools-error', MCP_FIXTURES.toolsListError);
    const r = await check(p, target);
    expect(r.error).toMatchObject({ kind: 'protocol', code: -32603, message: 'tools/list failed: the server reported an internal error (-32603): tool registry unavailable' });
    expect(r.details).toMatchObject({ serverInfo: { name: 'pitwall-fixture-tools-error' }, session: 'cold' });
    expect(phaseNames(r)).toEqual(['connect+initialize', 'ping']);

    const again = await check(p, target);
    expect(again.details.session).toBe('cold');
    expect(pidOf(again)).not.toBe(pidOf(r));
  });

  test('slow answers are degraded per ctx.degradedMs', async () => {
    // Given a warm session on a server that takes 250 ms per answer
    const p = prober();
    const target = stdio('slow', MCP_FIXTURES.slow, { MCP_SLOW_MS: '250' });
    expect((await check(p, target)).status).toBe('up');
    // When ping + tools/list (~500 ms) exceed a 400 ms threshold
    const r = await check(p, target, ctx(5_000, 400));
    // Then it is degraded, with the phases that show why
    expect(r.details.session).toBe('warm');
    expect(r.status).toBe('degraded');
    expect(r.status === 'degraded' && r.reason).toMatch(/^slow: \d+ ms > 400 ms$/);
    expect(r.phases!.find((x) => x.name === 'ping')!.ms).toBeGreaterThanOrEqual(245);
  });

  test('a fast warm check under the same threshold is up', async () => {
    const p = prober();
    const target = stdio('fast', MCP_FIXTURES.healthy);
    await check(p, target);
    expect((await check(p, target, ctx(5_000, 400))).status).toBe('up');
  });

  test('command not found is connection, in one sentence', async () => {
    const missing = (more: Record<string, unknown>) =>
      configFromObject({ targets: [{ id: 'missing', kind: 'mcp', transport: 'stdio', ...more }] }).targets[0] as McpTarget;
    const r = await check(prober(), missing({ command: 'pitwall-no-such-mcp-server' }));
    expect(r.error).toMatchObject({ kind: 'connection', code: 'ENOENT' });
    expect(r.error!.message).toBe('command not found: "pitwall-no-such-mcp-server" (check the path, or that it is installed and on PATH)');

    const noDir = await check(prober(), missing({ command: process.execPath, cwd: join(tmp, 'no-such-dir') }));
    expect(noDir.error!.kind).toBe('connection');
    expect(noDir.error!.message).toMatch(/working directory .*no-such-dir does not exist/);
  });
});

describe.concurrent('sessions and child processes', () => {
  test('cold-start cadence follows the injected clock', async () => {
    let clock = Date.parse('2025-11-28T09:00:00Z');
    const p = prober({ now: () => clock });
    const target = stdio('cadence', MCP_FIXTURES.healthy, {}, { coldStartMinutes: 30 });

    const first = await check(p, target);
    expect(first.details).toMatchObject({ session: 'cold', coldStartAt: '2025-11-28T09:00:00.000Z' });
    clock += 29 * 60_000;
    const second = await check(p, target);
    expect(second.details).toMatchObject({ session: 'warm', pid: pidOf(first), coldStartAt: '2025-11-28T09:00:00.000Z' });
    clock += 60_000;
    const third = await check(p, target);
    expect(third.details).toMatchObject({ session: 'cold', coldStartAt: '2025-11-28T09:30:00.000Z' });
    expect(pidOf(third)).not.toBe(pidOf(first));
    // The recycled session's child is ended.
    await vi.waitFor(() => expect(processRunning(pidOf(first))).toBe(false));
  });

  test('a warm session whose server died is replaced by a cold start', async () => {
    const p = prober();
    const target = stdio('died', MCP_FIXTURES.healthy);
    const first = await check(p, target);
    process.kill(pidOf(first), 'SIGKILL');
    await vi.waitFor(() => expect(processRunning(pidOf(first))).toBe(false));
    const next = await check(p, target);
    expect(next.status).toBe('up');
    expect(next.details.session).toBe('cold');
    expect(pidOf(next)).not.toBe(pidOf(first));
  });

  test('checks of one target run one at a time: two at once share one child', async () => {
    const p = prober();
    const target = stdio('together', MCP_FIXTURES.healthy);
    const [a, b] = await Promise.all([check(p, target), check(p, target)]);
    expect([a.details.session, b.details.session]).toEqual(['cold', 'warm']);
    expect(pidOf(b)).toBe(pidOf(a));
  });

  test('close() ends the whole process group, grandchildren included', async () => {
    const pidFile = join(tmp, 'grandchild.pid');
    const p = prober();
    const r = await check(p, stdio('family', MCP_FIXTURES.grandchild, { MCP_GRANDCHILD_PID_FILE: pidFile }));
    expect(r.status).toBe('up');
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    seenPids.add(grandchild);
    expect(processRunning(grandchild)).toBe(true);

    await p.close();
    expect(processRunning(pidOf(r))).toBe(false);
    expect(processRunning(grandchild)).toBe(false);
    await p.close(); // idempotent
  });

  test('killAllSync() SIGKILLs every group at once', async () => {
    const pidFile = join(tmp, 'grandchild-sync.pid');
    const p = prober();
    const a = await check(p, stdio('sync-a', MCP_FIXTURES.grandchild, { MCP_GRANDCHILD_PID_FILE: pidFile }));
    const b = await check(p, stdio('sync-b', MCP_FIXTURES.healthy));
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    seenPids.add(grandchild);

    p.killAllSync();
    await vi.waitFor(() => {
      expect([pidOf(a), pidOf(b), grandchild].filter(processRunning)).toEqual([]);
    });
  });
});
