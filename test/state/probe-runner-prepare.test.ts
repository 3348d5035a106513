import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Target } from '../../src/config/config.js';

// Node's fetch classes (its built-in undici) block the event loop for ~80 ms on their first touch: the runner loads
// them before the first round when a probe will build them (Shopify's client fetch, the MCP SDK's HTTP transports),
// and never otherwise (they cost ~13 MiB resident). The module is mocked to see the calls, not to replace a probe.
vi.mock('../../src/probes/http-client.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/probes/http-client.js')>();
  return { ...real, loadFetchClasses: vi.fn(), warmHttp: vi.fn(async () => {}) };
});
const { loadFetchClasses } = await import('../../src/probes/http-client.js');
const { createProbeRunner } = await import('../../src/state/probe-runner.js');

const http = { id: 'app', kind: 'http', url: 'http://127.0.0.1:9/health' } as Target;
const status = { id: 'st', kind: 'statuspage', url: 'http://127.0.0.1:9' } as Target;
const shopify = { id: 'shop', kind: 'shopify', shop: 'x.myshopify.com', accessToken: 't' } as Target;
const mcpHttp = { id: 'gh', kind: 'mcp', transport: 'http', url: 'http://127.0.0.1:9/mcp' } as Target;
const mcpStdio = { id: 'fs', kind: 'mcp', transport: 'stdio', command: 'node', args: ['x.js'] } as Target;

async function prepared(targets: Target[]): Promise<number> {
  vi.mocked(loadFetchClasses).mockClear();
  const runner = createProbeRunner();
  await runner.run.prepare!(targets);
  await runner.close();
  return vi.mocked(loadFetchClasses).mock.calls.length;
}

describe('the probe runner before the first round', () => {
  afterEach(() => vi.mocked(loadFetchClasses).mockClear());

  it('loads the fetch classes for a Shopify target and for an MCP server over HTTP', async () => {
    expect(await prepared([http, shopify])).toBe(1);
    expect(await prepared([mcpHttp])).toBe(1);
  });

  it('does not for plain HTTP targets, status pages or stdio MCP servers', async () => {
    expect(await prepared([http, status, mcpStdio])).toBe(0);
  });
});
