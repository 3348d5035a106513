import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceListChangedNotificationSchema, ResourceUpdatedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpServer } from '../../src/commands/mcp-server.js';
import { startHealthPeer, type HealthPeer } from '../../src/peers/health-peer.js';
import { startPeer, type Peer } from '../../src/peers/serve.js';
import { startStatuspagePeer, type StatuspagePeer } from '../../src/peers/statuspage-peer.js';
import { loadConfig } from '../../src/config/config.js';

const ROOT = join(import.meta.dirname, '..', '..');
// `pitwall mcp` is not wired into src/cli.tsx yet: this launcher runs the built module the same way.
const CLI = join(ROOT, 'dist', 'cli.js');
const INSPECTOR = join(ROOT, 'node_modules', '.bin', 'mcp-inspector');
const CANARY = 'sk_live_mcp_canary_5f2e9d';
const TOOLS = ['escalate_blocker', 'get_history', 'get_status', 'list_blockers', 'rerun', 'write_hourly_report'];
const run = promisify(execFile);

let vendor: StatuspagePeer;
let echo: Peer;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  vendor = await startStatuspagePeer();
  // An upstream that echoes the key it was sent in its error page, as misconfigured proxies do.
  echo = await startPeer((req, res) => {
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end(`<html><head><title>upstream rejected key ${String(req.headers['x-api-key'])}</title></head></html>`);
  });
});
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await Promise.all([vendor.close(), echo.close()]);
});

interface Env {
  dir: string;
  configPath: string;
  feedback: string;
  health: HealthPeer;
  hash(): string;
}

/** A config on disk with its own journal and feedback file; `app` fails (503) until told otherwise. */
async function makeEnv(extraTargets = ''): Promise<Env> {
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-mcp-'));
  const health = await startHealthPeer({ mode: 'failing' });
  cleanups.push(() => health.close(), () => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'feedback'));
  const feedback = join(dir, 'feedback', 'integrations.md');
  writeFileSync(feedback, '# Integrations log\n');
  writeFileSync(join(dir, 'feedback', 'manager.md'), '# Manager\n');
  const configPath = join(dir, 'pitwall.yaml');
  writeFileSync(
    configPath,
    `store: Test Store
feedbackFile: feedback/integrations.md
stateDir: state
defaults: { timeoutMs: 2000, retries: 0, intervalSeconds: 600 }
targets:
  - id: app
    kind: http
    url: ${health.url}/health
    tiles: [sales-pulse, inventory-watch]
  - id: vendor
    kind: statuspage
    url: ${vendor.url}
  - id: echo
    kind: http
    url: ${echo.url}/
    headers: { x-api-key: "\${ECHO_KEY}" }
${extraTargets}`,
  );
  return { dir, configPath, feedback, health, hash: () => createHash('sha256').update(readFileSync(feedback)).digest('hex') };
}

type Result = CallToolResult & { structuredContent?: Record<string, unknown> };

/** A connected client plus what it heard; `call` keeps every answer so the canary can be looked for in all of them. */
function track(client: Client) {
  const seen: unknown[] = [];
  const updates: string[] = [];
  let listChanged = 0;
  let waiters: (() => void)[] = [];
  const wake = () => {
    const now = waiters;
    waiters = [];
    for (const w of now) w();
  };
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    updates.push(n.params.uri);
    wake();
  });
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
    listChanged++;
    wake();
  });
  return {
    seen,
    updates,
    listChanged: () => listChanged,
    /** Resolves once `test` holds, re-checked on each notification (the test's own timeout bounds it). */
    until: (test: () => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => (test() ? resolve() : void waiters.push(check));
        check();
      }),
    async call(name: string, args: Record<string, unknown> = {}): Promise<Result> {
      const r = (await client.callTool({ name, arguments: args })) as Result;
      seen.push(r);
      return r;
    },
  };
}
/** The text of a resource (ours are all text, never blobs). */
async function readText(client: Client, uri: string): Promise<string> {
  const c = (await client.readResource({ uri })).contents[0]!;
  if (!('text' in c)) throw new Error(`${uri} is not text`);
  return c.text;
}
const text = (r: Result) => (r.content as { type: string; text: string }[]).map((c) => c.text).join('\n');

describe('pitwall mcp over stdio (the real process, the SDK client)', () => {
  it('answers every tool, writes the feedback file only through escalate_blocker and write_hourly_report, and never leaks the canary', async () => {
    const env = await makeEnv();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp', '--config', env.configPath],
      env: { ...(process.env as Record<string, string>), ECHO_KEY: CANARY },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    // Anything on stdout that is not an MCP message surfaces here.
    const transportErrors: Error[] = [];
    transport.onerror = (e) => transportErrors.push(e);
    const client = new Client({ name: 'pitwall-test', version: '1.0.0' });
    const t = track(client);
    await client.connect(transport);
    cleanups.push(() => client.close());
    const unchanged = async <T>(work: () => Promise<T>): Promise<T> => {
      const before = env.hash();
      const out = await work();
      expect(env.hash()).toBe(before);
      return out;
    };

    // Tools: six, strict inputs, no path anywhere, structured outputs declared.
    const { tools } = await client.listTools();
    expect(tools.map((x) => x.name).sort()).toEqual(TOOLS);
    for (const tool of tools) {
      expect(tool.inputSchema.additionalProperties, tool.name).toBe(false);
      expect(Object.keys(tool.inputSchema.properties ?? {}).filter((k) => /path|file|dir|uri/i.test(k)), tool.name).toEqual([]);
      expect(tool.outputSchema?.type, tool.name).toBe('object');
    }
    expect((tools.find((x) => x.name === 'get_status')!.inputSchema.properties as Record<string, { enum: string[] }>).target!.enum).toEqual(['app', 'vendor', 'echo']);
    await client.subscribeResource({ uri: 'pitwall://status' });

    await unchanged(async () => {
      // rerun waits for the check: the app's 503 comes back with its tiles.
      const app = await t.call('rerun', { target: 'app' });
      expect(app.isError).toBeFalsy();
      expect(app.structuredContent).toMatchObject({
        finished: true,
        target: { id: 'app', status: 'down', lastError: { kind: 'http', httpStatus: 503, current: true }, affectedTiles: ['Sales Pulse', 'Inventory Watch'], openBlocker: null },
      });
      expect(text(app)).toMatch(/^Checked app now:\n✖ down app \(http\) — http: HTTP 503, expected 200 — since \S+Z \(\d+ failed in a row\) — tiles hit: Sales Pulse, Inventory Watch$/);
      expect((await t.call('rerun', { target: 'vendor' })).structuredContent).toMatchObject({ finished: true, target: { status: 'up', lastError: null } });
      const leaked = await t.call('rerun', { target: 'echo' });
      expect(leaked.structuredContent).toMatchObject({ target: { status: 'down', lastError: { message: 'HTTP 502 (upstream rejected key [redacted]), expected 200' } } });

      // A status change reaches subscribers: the app recovers, then fails again.
      const before = t.updates.length;
      env.health.setMode('ok');
      expect((await t.call('rerun', { target: 'app' })).structuredContent).toMatchObject({ target: { status: 'up', lastError: { kind: 'http', current: false } } });
      await t.until(() => t.updates.length > before);
      expect(t.updates.at(-1)).toBe('pitwall://status');
      env.health.setMode('failing');
      await t.call('rerun', { target: 'app' });

      const status = await t.call('get_status');
      expect(status.structuredContent).toMatchObject({ store: 'Test Store', overall: 'down', counts: { down: 2, up: 1, degraded: 0, unknown: 0 }, outbox: 0, feedbackFile: env.feedback });
      expect(text(status).split('\n')[0]).toMatch(/^Overall: ✖ down — 2 down · 1 up · Test Store · \S+Z$/);
      const one = await t.call('get_status', { target: 'vendor' });
      expect((one.structuredContent!.targets as { id: string }[]).map((x) => x.id)).toEqual(['vendor']);

      const unknown = await t.call('get_status', { target: 'checkout' });
      expect(unknown.isError).toBe(true);
      expect(text(unknown)).toContain('unknown target "checkout" (known: app, vendor, echo)');
      // The SDK's own validation error quotes the argument: it leaves through the redactor too.
      const pasted = await t.call('get_status', { target: CANARY });
      expect(pasted.isError).toBe(true);
      expect(text(pasted)).toContain('unknown target "[redacted]"');

      const history = await t.call('get_history', { target: 'app', minutes: 5 });
      const h = history.structuredContent as { stats: { checks: number; failures: number }; samples: { status: string }[]; transitions: { from: string; to: string }[] };
      expect(h.samples.map((s) => s.status).slice(-3)).toEqual(['down', 'up', 'down']);
      expect(h.stats.failures).toBe(h.stats.checks - 1);
      expect(h.transitions.map((x) => `${x.from}→${x.to}`)).toEqual(['unknown→down', 'down→up', 'up→down']);
      expect(text(history)).toContain('Status changes:\n- ');
      expect((await t.call('get_history', { target: 'app', minutes: 72 * 60 + 1 })).isError).toBe(true);

      expect(text(await t.call('list_blockers'))).toBe('No open blockers.');
    });

    // Path-like extras are refused by the schemas, and nothing is written anywhere.
    const evil = join(env.dir, 'evil.md');
    await unchanged(async () => {
      const refused = await t.call('escalate_blocker', { target: 'app', note: 'x', path: evil });
      expect(refused.isError).toBe(true);
      expect(text(refused)).toMatch(/Unrecognized key.*"path"/);
      expect((await t.call('write_hourly_report', { which: 'current', file: evil })).isError).toBe(true);
      expect((await t.call('escalate_blocker', { target: 'app', note: '   ' })).isError).toBe(true);
    });
    expect(existsSync(evil)).toBe(false);

    // escalate_blocker: the console's BLOCKER entry, through the writer (which redacts the pasted key).
    let hash = env.hash();
    const listBefore = t.listChanged();
    const esc = await t.call('escalate_blocker', { target: 'app', note: `Checkout is down; key ${CANARY} was rotated` });
    expect(esc.isError).toBeFalsy();
    const blockerId = esc.structuredContent!.blockerId as string;
    expect(esc.structuredContent).toMatchObject({ target: 'app', path: env.feedback, written: true, outbox: null });
    expect(blockerId).toMatch(/^B-[0-9a-z]+-[0-9a-z]{4}$/);
    expect(text(esc)).toBe(`BLOCKER ${blockerId} for app written to ${env.feedback}.`);
    expect(env.hash()).not.toBe(hash);
    const log = readFileSync(env.feedback, 'utf8');
    expect(log).toMatch(new RegExp(`\\n## BLOCKER app — \\S+Z \\(${blockerId}\\)\\n\\n> Checkout is down; key \\[redacted\\] was rotated\\n`));
    expect(log).toContain('- **Status:** ✖ down — http: HTTP 503, expected 200');
    expect(log).toContain('- **Affected tiles:** Sales Pulse, Inventory Watch');
    await t.until(() => t.listChanged() > listBefore);

    await unchanged(async () => {
      const again = await t.call('escalate_blocker', { target: 'app', note: 'still down' });
      expect(again.isError).toBe(true);
      expect(text(again)).toMatch(new RegExp(`^app was escalated \\d+s ago \\(${blockerId}, .*again: true\\.$`));
      const open = await t.call('list_blockers');
      expect(open.structuredContent).toMatchObject({ blockers: [{ id: blockerId, target: 'app', targetStatus: 'down', note: 'Checkout is down; key [redacted] was rotated' }] });
      expect((await t.call('get_status', { target: 'app' })).structuredContent).toMatchObject({ targets: [{ openBlocker: { id: blockerId } }] });
      const { resources } = await client.listResources();
      expect(resources.map((r) => r.uri).sort()).toEqual([`pitwall://blocker/${blockerId}`, 'pitwall://report/latest', 'pitwall://status']);
      const statusJson = JSON.parse(await readText(client, 'pitwall://status')) as { overall: string };
      expect(statusJson.overall).toBe('down');
    });

    // write_hourly_report appends the report; report/latest is then exactly what was written.
    hash = env.hash();
    const report = await t.call('write_hourly_report', { which: 'current' });
    expect(report.structuredContent).toMatchObject({ which: 'current', partial: true, overall: 'down', written: true, path: env.feedback, openBlockers: [blockerId] });
    expect(env.hash()).not.toBe(hash);
    const latest = await readText(client, 'pitwall://report/latest');
    expect(latest).toMatch(/^## Hourly report — /);
    expect(readFileSync(env.feedback, 'utf8').endsWith(`\n${latest.trimEnd()}\n`)).toBe(true);

    // Nothing said anywhere carries the canary, and stdout carried MCP messages only.
    expect(JSON.stringify(t.seen)).not.toContain(CANARY);
    expect(JSON.stringify(t.seen)).toContain('[redacted]');
    expect(readFileSync(env.feedback, 'utf8')).not.toContain(CANARY);
    expect(stderr).toContain('pitwall mcp: watching 3 targets (app, vendor, echo)');
    expect(stderr).not.toContain(CANARY);
    expect(transportErrors).toEqual([]);
    await client.close();
  });

  it('stops when the client closes stdin, and writes nothing but MCP messages to stdout', async () => {
    const env = await makeEnv();
    const config = loadConfig(env.configPath, { ECHO_KEY: CANARY });
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const logs: string[] = [];
    const done = runMcpServer(config, { transport: 'stdio', signal: new AbortController().signal, stdin, stdout, log: (l) => logs.push(l) });
    stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' })}\n`);
    await new Promise((resolve) => stdout.once('data', resolve));
    stdin.end();

    expect(await done).toBe(0);
    expect(out.endsWith('\n')).toBe(true);
    expect(out.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }]);
    expect(logs.at(-2)).toBe('pitwall mcp: the client closed stdin');
  });
});

describe('pitwall mcp over Streamable HTTP', () => {
  it('serves several clients in one server, refuses foreign Host and Origin headers, and stops on abort', async () => {
    const stuck = await startHealthPeer({ mode: 'hang' });
    cleanups.push(() => stuck.close());
    const env = await makeEnv(`  - id: stuck\n    kind: http\n    url: ${stuck.url}/health\n    timeoutMs: 300\n`);
    const config = loadConfig(env.configPath, { ECHO_KEY: CANARY });
    const ac = new AbortController();
    let url = '';
    let exited: number | null = null;
    const listening = new Promise<void>((resolve) => {
      void runMcpServer(config, {
        transport: { http: '127.0.0.1:0' },
        signal: ac.signal,
        log: () => undefined,
        onListening: (u) => {
          url = u;
          resolve();
        },
      }).then((code) => (exited = code));
    });
    await listening;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);

    const a = new Client({ name: 'agent-a', version: '1.0.0' });
    const b = new Client({ name: 'agent-b', version: '1.0.0' });
    await Promise.all([a.connect(new StreamableHTTPClientTransport(new URL(url))), b.connect(new StreamableHTTPClientTransport(new URL(url)))]);
    const ta = track(a);
    const tb = track(b);
    expect((await a.listTools()).tools.map((x) => x.name).sort()).toEqual(TOOLS);

    const before = env.hash();
    expect((await ta.call('rerun', { target: 'app' })).structuredContent).toMatchObject({ target: { status: 'down' } });
    expect(env.hash()).toBe(before);
    // rerun waits for the answer, and no longer than the target's timeout.
    const hung = await ta.call('rerun', { target: 'stuck' });
    expect(hung.structuredContent).toMatchObject({ finished: true, target: { status: 'down', lastError: { kind: 'timeout', message: 'no answer within 300 ms' } } });

    // Two agents escalating one target at once: one BLOCKER, one refusal.
    const both = await Promise.all([ta.call('escalate_blocker', { target: 'vendor', note: 'a' }), tb.call('escalate_blocker', { target: 'vendor', note: 'b' })]);
    expect(both.map((r) => r.isError === true).sort()).toEqual([false, true]);
    const first = await ta.call('escalate_blocker', { target: 'app', note: 'orders are not syncing' });
    const second = await ta.call('escalate_blocker', { target: 'app', note: 'still not syncing, paging the vendor', again: true });
    expect(second.structuredContent!.blockerId).not.toBe(first.structuredContent!.blockerId);
    expect(readFileSync(env.feedback, 'utf8').match(/^## BLOCKER app — /gm)).toHaveLength(2);
    expect(readFileSync(env.feedback, 'utf8').match(/^## BLOCKER vendor — /gm)).toHaveLength(1);

    // The other agent's session sees both, as blockers and as resources.
    const seen = await tb.call('list_blockers', { target: 'app' });
    expect((seen.structuredContent!.blockers as { id: string }[]).map((x) => x.id)).toEqual([first.structuredContent!.blockerId, second.structuredContent!.blockerId]);
    const res = await readText(b, `pitwall://blocker/${String(first.structuredContent!.blockerId)}`);
    expect(JSON.parse(res)).toMatchObject({ id: first.structuredContent!.blockerId, note: 'orders are not syncing', target: { id: 'app', status: 'down' } });
    const last = await tb.call('write_hourly_report', { which: 'last' });
    expect(last.structuredContent).toMatchObject({ which: 'last', partial: false, written: true });

    // DNS rebinding and web pages: a foreign Host or Origin is refused before MCP sees the request.
    const post = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }));
      });
    expect(await post({ host: 'evil.example' })).toBe(403);
    expect(await post({ origin: 'https://evil.example' })).toBe(403);
    expect(await post({ origin: 'http://localhost:5173' })).toBe(200);

    await Promise.all([a.close(), b.close()]);
    ac.abort();
    await expect.poll(() => exited, { timeout: 5_000 }).toBe(0);
  });
});

describe('pitwall mcp refuses to start', () => {
  it('on a missing feedback file or a bad --http value, with one sentence', async () => {
    const env = await makeEnv();
    const config = loadConfig(env.configPath, { ECHO_KEY: CANARY });
    const signal = new AbortController().signal;
    await expect(runMcpServer(config, { transport: { http: 'localhost' }, signal })).rejects.toThrow('--http: expected HOST:PORT or PORT (e.g. 127.0.0.1:8765), got "localhost"');
    rmSync(env.feedback);
    await expect(runMcpServer(config, { transport: 'stdio', signal, log: () => undefined })).rejects.toMatchObject({
      name: 'UsageError',
      message: `feedback file does not exist: ${env.feedback} (pass --create-feedback to create it)`,
    });
  });
});

describe('the MCP Inspector CLI as an independent client', () => {
  it('lists the tools over stdio and calls get_status over HTTP without touching the feedback file', async () => {
    const env = await makeEnv();
    const config = loadConfig(env.configPath, { ECHO_KEY: CANARY });
    const ac = new AbortController();
    cleanups.push(() => ac.abort());
    const url = await new Promise<string>((resolve) => {
      void runMcpServer(config, { transport: { http: '127.0.0.1:0' }, signal: ac.signal, log: () => undefined, onListening: resolve });
    });
    // The Inspector keeps a catalog and secrets under HOME: give it a throwaway one.
    const inspectorEnv = { ...process.env, HOME: join(env.dir, 'home') };
    mkdirSync(inspectorEnv.HOME);
    const inspect = async (args: string[]) => {
      const { stdout } = await run(INSPECTOR, ['--cli', '--format', 'json', ...args], { env: inspectorEnv, timeout: 20_000 });
      return JSON.parse(stdout) as { result: Record<string, unknown> };
    };
    const before = env.hash();

    const [listed, called] = await Promise.all([
      // `--` keeps pitwall's own --config away from the Inspector's --config.
      inspect(['-e', `ECHO_KEY=${CANARY}`, '--method', 'tools/list', '--', process.execPath, CLI, 'mcp', '--config', env.configPath]),
      inspect(['--transport', 'http', '--server-url', url, '--method', 'tools/call', '--tool-name', 'get_status', '--tool-arg', 'target=echo']),
    ]);
    expect((listed.result.tools as { name: string }[]).map((x) => x.name).sort()).toEqual(TOOLS);
    const status = called.result.structuredContent as { targets: { id: string; status: string }[] };
    expect(status.targets.map((x) => x.id)).toEqual(['echo']);
    expect(JSON.stringify(called)).not.toContain(CANARY);
    expect(env.hash()).toBe(before);
  });
});
