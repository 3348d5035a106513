// `pitwall mcp` serves both protocol eras: a 2026-07-28 client (server/discover, per-request _meta, no session)
// and a 2025 one (initialize, Mcp-Session-Id) over stdio and Streamable HTTP, with the official SDK v2 client.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport, type Transport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpServer } from '../../src/commands/mcp-server.js';
import { loadConfig } from '../../src/config/config.js';
import { startHealthPeer, type HealthPeer } from '../../src/peers/health-peer.js';
import { createMcpProber } from '../../src/probes/mcp.js';
import type { McpTarget } from '../../src/config/config.js';
import { configFromObject } from '../../src/config/config.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const TOOLS = ['escalate_blocker', 'get_history', 'get_status', 'list_blockers', 'rerun', 'write_hourly_report'];
const dir = mkdtempSync(join(tmpdir(), 'pitwall-mcp-eras-'));
const configPath = join(dir, 'pitwall.yaml');
const ac = new AbortController();
const CANARY = 'sk_live_eras_canary_81c4a7';
let health: HealthPeer;
let url = '';

beforeAll(async () => {
  health = await startHealthPeer({ mode: 'ok' });
  mkdirSync(join(dir, 'feedback'));
  writeFileSync(join(dir, 'feedback', 'integrations.md'), '# Integrations log\n');
  writeFileSync(configPath, `store: Eras\nfeedbackFile: feedback/integrations.md\nstateDir: state\ndefaults: { timeoutMs: 2000, retries: 0, intervalSeconds: 600 }\ntargets:\n  - id: app\n    kind: http\n    url: ${health.url}/health\n    headers: { x-api-key: "\${ERAS_KEY}" }\n`);
  await new Promise<void>((resolve) => {
    void runMcpServer(loadConfig(configPath, { ERAS_KEY: CANARY }), { transport: { http: '127.0.0.1:0' }, signal: ac.signal, log: () => undefined, onListening: (u) => ((url = u), resolve()) });
  });
});
afterAll(async () => {
  ac.abort();
  await health.close();
  rmSync(dir, { recursive: true, force: true });
});

async function session(transport: Transport, mode: 'auto' | 'legacy') {
  const client = new Client({ name: 'eras-test', version: '1.0.0' }, { versionNegotiation: { mode } });
  await client.connect(transport);
  const tools = (await client.listTools()).tools.map((t) => t.name).sort();
  const status = await client.callTool({ name: 'get_status', arguments: { target: 'app' } });
  // A secret pasted as an argument comes back in the SDK's own validation error: redacted, in either era.
  const pasted = await client.callTool({ name: 'get_status', arguments: { target: CANARY } });
  expect(pasted.isError).toBe(true);
  expect(JSON.stringify(pasted)).not.toContain(CANARY);
  const era = { era: client.getProtocolEra(), version: client.getNegotiatedProtocolVersion() };
  await client.close();
  return { ...era, tools, status };
}

describe.each([
  ['Streamable HTTP', () => new StreamableHTTPClientTransport(new URL(url))],
  ['stdio', () => new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--config', configPath], env: { ...(process.env as Record<string, string>), ERAS_KEY: CANARY } })],
] as const)('pitwall mcp over %s', (_name, transport) => {
  it('a 2026-07-28 client gets the modern era and every tool', async () => {
    const s = await session(transport(), 'auto');
    expect({ era: s.era, version: s.version }).toEqual({ era: 'modern', version: '2026-07-28' });
    expect(s.tools).toEqual(TOOLS);
    expect(s.status.isError).toBeFalsy();
    expect(JSON.stringify(s.status.structuredContent)).toContain('"app"');
  });

  it('a 2025 client gets the initialize handshake and the same tools', async () => {
    const s = await session(transport(), 'legacy');
    expect({ era: s.era, version: s.version }).toEqual({ era: 'legacy', version: '2025-11-25' });
    expect(s.tools).toEqual(TOOLS);
    expect(s.status.isError).toBeFalsy();
  });
});

it("pitwall's own probe reads pitwall mcp as up, in the modern era", async () => {
  const target = configFromObject({ targets: [{ id: 'self', kind: 'mcp', transport: 'http', url }] }).targets[0] as McpTarget;
  const p = createMcpProber();
  const r = await p.probe(target, { signal: AbortSignal.timeout(5_000), timeoutMs: 5_000, degradedMs: 60_000 });
  await p.close();
  expect(r.error).toBeNull();
  expect(r.details).toMatchObject({ protocolVersion: '2026-07-28', toolCount: TOOLS.length, serverInfo: { name: 'pitwall' } });
});

it('a 2026-07-28 client listening on pitwall://status hears the change a rerun makes (subscriptions/listen)', async () => {
  // Given a modern client subscribed to the status resource
  const client = new Client({ name: 'eras-listen', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  const heard = new Promise<string>((resolve) => client.setNotificationHandler('notifications/resources/updated', (n) => resolve(n.params.uri)));
  const subscription = await client.listen({ resourceSubscriptions: ['pitwall://status'] });

  // When the app goes down and an agent reruns its check
  health.setMode('failing');
  await client.callTool({ name: 'rerun', arguments: { target: 'app' } });

  // Then the change arrives on the listen stream
  expect(await heard).toBe('pitwall://status');
  health.setMode('ok');
  await subscription.close();
  await client.close();
});
