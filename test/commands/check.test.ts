import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startShopifyPeer, type ShopifyPeer } from '../../src/peers/shopify-peer.js';
import { startStatuspagePeer, type StatuspagePeer } from '../../src/peers/statuspage-peer.js';
import { startHealthPeer, type HealthPeer } from '../../src/peers/health-peer.js';
import { MCP_FIXTURES } from '../../src/peers/mcp-peer.js';
import { startGaPeer } from '../../src/peers/ga-peer.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const CANARY = 'shpat_canary_7f3a9b2c1d';

/** Runs the real binary; resolves with its exit code and output whatever the code. */
async function pitwall(args: string[], env: Record<string, string> = {}, nodeFlags: string[] = []) {
  try {
    const { stdout, stderr } = await run(process.execPath, [...nodeFlags, CLI, ...args], { env: { ...process.env, ...env }, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let shopify: ShopifyPeer;
let status: StatuspagePeer;
let health: HealthPeer;
let dir: string;
let config: string;

beforeAll(async () => {
  [shopify, status, health] = await Promise.all([startShopifyPeer({ accessToken: CANARY }), startStatuspagePeer(), startHealthPeer()]);
  dir = mkdtempSync(join(tmpdir(), 'pitwall-check-'));
  config = join(dir, 'pitwall.yaml');
  writeFileSync(
    config,
    `defaults: { timeoutMs: 1500, retries: 0 }
targets:
  - id: shopify-admin
    kind: shopify
    shop: hotrodan.myshopify.com
    accessToken: \${SHOPIFY_ADMIN_TOKEN}
    endpoint: ${shopify.url}
    tiles: [sales-pulse]
  - id: shopify-status
    kind: statuspage
    url: ${status.url}
  - id: app-health
    kind: http
    url: ${health.url}/health
`,
  );
});
afterAll(async () => {
  await Promise.all([shopify.close(), status.close(), health.close()]);
});

const env = { SHOPIFY_ADMIN_TOKEN: CANARY };

describe('pitwall check (the real binary)', () => {
  it('exits 0 with a table when everything is up', async () => {
    shopify.setMode('healthy');
    status.setMode('operational');
    health.setMode('ok');
    const r = await pitwall(['check', '--config', config], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^STATUS\s+TARGET\s+KIND\s+LATENCY\s+DETAIL/);
    expect(r.stdout).toMatch(/✔ up\s+shopify-admin\s+shopify\s+\d/);
    expect(r.stdout).toMatch(/✔ up\s+app-health\s+http/);
  });

  it('exits 1 when something is degraded and nothing is down', async () => {
    status.setMode('minor');
    const r = await pitwall(['check', '--config', config, '--json'], env);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { checkedAt: string; targets: { id: string; status: string; error: unknown }[] };
    expect(new Date(doc.checkedAt).toISOString()).toBe(doc.checkedAt);
    expect(doc.targets.map((t) => [t.id, t.status])).toEqual([
      ['shopify-admin', 'up'],
      ['shopify-status', 'degraded'],
      ['app-health', 'up'],
    ]);
    status.setMode('operational');
  });

  it('exits 2 when anything is down, with the error kind in JSON, and never prints the token', async () => {
    // Given an upstream that rejects the token and echoes it back in its error
    const r = await pitwall(['check', '--config', config, '--json'], { SHOPIFY_ADMIN_TOKEN: 'shpat_wrong_token_0000' });
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as { targets: { id: string; status: string; error: { kind: string; message: string } | null }[] };
    const s = doc.targets.find((t) => t.id === 'shopify-admin')!;
    expect(s.status).toBe('down');
    expect(s.error?.kind).toBe('auth');
    expect(r.stdout).not.toContain('shpat_wrong_token_0000');
  });

  it('honours --only and rejects an unknown id with exit 3', async () => {
    const r = await pitwall(['check', '--config', config, '--json', '--only', 'app-health'], env);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { targets: unknown[] }).targets).toHaveLength(1);
    const bad = await pitwall(['check', '--config', config, '--only', 'nope'], env);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toBe('pitwall: --only: unknown target "nope" (known: shopify-admin, shopify-status, app-health)\n');
  });

  it('reports a config mistake as one sentence naming the key, exit 3', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'targets:\n  - id: x\n    kind: http\n    url: nowhere\n');
    const r = await pitwall(['check', '--config', bad]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('pitwall: targets[0].url: expected an http(s) URL\n');
    const missing = await pitwall(['check', '--config', config]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe('pitwall: targets[0].accessToken: environment variable SHOPIFY_ADMIN_TOKEN is not set\n');
  });

  it('treats unknown commands and flags as usage errors (exit 3), --help and --version as success', async () => {
    expect(await pitwall(['frobnicate'])).toMatchObject({ code: 3, stderr: 'pitwall: unknown command "frobnicate"; see "pitwall --help"\n' });
    // a typo is named, with the command it was likely meant to be
    expect(await pitwall(['chek'])).toMatchObject({ code: 3, stderr: 'pitwall: unknown command "chek" (did you mean "check"?); see "pitwall --help"\n' });
    expect((await pitwall(['reprot'])).stderr).toContain('(did you mean "report"?)');
    const flag = await pitwall(['check', '--frobnicate']);
    expect(flag.code).toBe(3);
    expect(flag.stderr).toBe("pitwall: unknown option '--frobnicate'\n");
    expect((await pitwall(['check', '--jsn'])).stderr).toBe("pitwall: unknown option '--jsn' (did you mean --json?)\n");
    const help = await pitwall(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('check');
    expect((await pitwall(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('checks a stdio MCP server with a real answer, loading neither the console nor the HTTP stack', async () => {
    // Given a config whose only target is a stdio MCP server
    const mcpConfig = join(dir, 'mcp.yaml');
    writeFileSync(mcpConfig, `targets:\n  - id: healthy-mcp\n    kind: mcp\n    transport: stdio\n    command: ${process.execPath}\n    args: [${MCP_FIXTURES.healthy}]\n`);
    const trace = join(dir, 'modules.json');

    // When it is checked, with every module the process loads recorded
    const hook = new URL('../../bench/module-trace.mjs', import.meta.url).href;
    const r = await pitwall(['check', '--config', mcpConfig, '--json'], { PITWALL_BENCH_MODULES: trace }, ['--import', hook]);

    // Then it is up after initialize, ping and tools/list, and nothing but the MCP client was loaded for it
    expect(r.code).toBe(0);
    const t = (JSON.parse(r.stdout) as { targets: { status: string; details: Record<string, unknown>; phases: { name: string }[] }[] }).targets[0]!;
    expect(t.status).toBe('up');
    expect(t.details).toMatchObject({ session: 'cold', toolNames: ['echo', 'add'], protocolVersion: '2025-11-25', era: 'legacy (initialize handshake)' });
    expect(t.phases.map((p) => p.name)).toEqual(['connect+initialize', 'ping', 'tools/list']);
    const loaded = Object.keys((JSON.parse(readFileSync(trace, 'utf8')) as { packages: Record<string, number> }).packages);
    expect(loaded).toContain('@modelcontextprotocol/client');
    // (The SDK v2 client is one module with its transports, so eventsource comes with it: 148 modules in all, the
    // SDK v1 client alone took 250.)
    for (const heavy of ['ink', 'react', 'undici', 'google-gax', '@shopify/admin-api-client', 'date-fns', 'prom-client', 'conf']) {
      expect(loaded).not.toContain(heavy);
    }
  });

  it("checks app health, a status page and GA with Node's own http: no undici (npm or built-in), HTTP/2, gRPC or protobufjs", async () => {
    // Given plain HTTP targets and a GA target on its loopback peer (REST, insecure). (Not Shopify: its client's fetch
    // is built on the global Response, which is Node's built-in undici.)
    const ga = await startGaPeer();
    try {
      const gaConfig = join(dir, 'ga.yaml');
      writeFileSync(
        gaConfig,
        `defaults: { timeoutMs: 1500, retries: 0 }
targets:
  - { id: app-health, kind: http, url: ${health.url}/health }
  - { id: shopify-status, kind: statuspage, url: ${status.url} }
  - { id: ga, kind: ga, propertyId: '123456789', endpoint: ${ga.address}, insecure: true }
`,
      );
      // When it is checked, with the packages and Node's own modules the process loaded recorded at its exit
      const trace = join(dir, 'ga-modules.json');
      const builtins = join(dir, 'ga-builtins.json');
      const hook = join(dir, 'builtins-hook.mjs');
      writeFileSync(hook, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(builtins)}, JSON.stringify(process.moduleLoadList)));\n`);
      const r = await pitwall(['check', '--config', gaConfig, '--json'], { PITWALL_BENCH_MODULES: trace }, ['--import', new URL('../../bench/module-trace.mjs', import.meta.url).href, '--import', hook]);

      // Then every target is up
      expect(r.code).toBe(0);
      const targets = (JSON.parse(r.stdout) as { targets: { id: string; status: string }[] }).targets;
      expect(targets.map((t) => [t.id, t.status])).toEqual([['app-health', 'up'], ['shopify-status', 'up'], ['ga', 'up']]);
      // And none of the modules that cost memory for nothing were loaded (issue #18: npm undici ~4-6 MiB, gRPC and
      // protobufjs ~8 MiB; an ESM import of node:http loads Node's built-in undici and HTTP/2, ~13 MiB)
      const loaded = Object.keys((JSON.parse(readFileSync(trace, 'utf8')) as { packages: Record<string, number> }).packages);
      for (const heavy of ['undici', '@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'google-gax', 'google-auth-library']) expect(loaded).not.toContain(heavy);
      const native = JSON.parse(readFileSync(builtins, 'utf8')) as string[];
      expect(native).toContain('NativeModule http');
      expect(native).not.toContain('NativeModule http2');
      expect(native).not.toContain('NativeModule internal/deps/undici/undici');
    } finally {
      await ga.close();
    }
  });

  it('says unknown, not degraded, for a failure held while its own network is down (canary), and exits 3', async () => {
    // Given a canary that cannot connect, and a target that cannot either, next to one that answers
    const srv = (await import('node:net')).createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const closed = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const offline = join(dir, 'offline.yaml');
    writeFileSync(
      offline,
      `defaults: { timeoutMs: 1500, retries: 0 }
network:
  canary: { url: "http://127.0.0.1:${closed}/generate_204", timeoutMs: 1500 }
targets:
  - id: chatwoot
    kind: http
    url: http://127.0.0.1:${closed}/
  - id: app-health
    kind: http
    url: ${health.url}/health
`,
    );
    // When checked
    const table = await pitwall(['check', '--config', offline]);
    const json = await pitwall(['check', '--config', offline, '--json']);
    // Then the held target is unknown (why, and the error it had), the other up, and the exit is 3 (UNKNOWN)
    expect(table.code).toBe(3);
    expect(table.stdout).toMatch(/… unknown\s+chatwoot\s+http\s+—\s+unknown: pitwall offline \(canary: http:\/\/127\.0\.0\.1:\d+\/generate_204 unreachable/);
    expect(table.stdout).toMatch(/✔ up\s+app-health/);
    expect(json.code).toBe(3);
    const targets = (JSON.parse(json.stdout) as { targets: { id: string; status: string; details: Record<string, unknown> }[] }).targets;
    expect(targets.map((t) => [t.id, t.status])).toEqual([['chatwoot', 'unknown'], ['app-health', 'up']]);
    expect(targets[0]!.details.heldError).toMatch(/^connection: /);
  });
});
