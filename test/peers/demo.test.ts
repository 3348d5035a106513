import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../../src/peers/demo.js';
import type { ProbeResult } from '../../src/probes/types.js';
import type { Config, Target } from '../../src/config/config.js';
import { createEngine } from '../../src/state/engine.js';
import { createProbeRunner, type ProbeRunner } from '../../src/state/probe-runner.js';
import { createStore, initialState } from '../../src/state/store.js';

/** The targets with faults the brief names: the store, the inbox, the app, a status page, an HTTP MCP server; and GA. */
const FAULTY = ['shopify-admin', 'chatwoot', 'ga', 'app-health', 'shopify-status', 'mcp-github'] as const;

let demo: Demo;
let runner: ProbeRunner;
let demoClosed = false;
let runnerClosed = false;

beforeAll(async () => {
  demo = await startDemo();
  runner = createProbeRunner();
});
afterAll(async () => {
  if (!runnerClosed) await runner.close();
  if (!demoClosed) await demo.close();
  rmSync(demo.dir, { recursive: true, force: true });
});

/**
 * One round of checks, as `pitwall check` runs them, over the demo config. The runner is shared, so MCP
 * sessions stay warm between rounds as they do in the console. `tune` overrides timing per target.
 */
async function round(
  ids?: readonly string[],
  tune: Record<string, Partial<Pick<Target, 'timeoutMs' | 'retries' | 'degradedMs'>>> = {},
  all: Partial<Pick<Target, 'degradedMs' | 'timeoutMs'>> = {},
): Promise<Map<string, ProbeResult>> {
  const config: Config = { ...demo.config, targets: demo.config.targets.map((t) => ({ ...t, ...all, ...tune[t.id] }) as Target) };
  const store = createStore(initialState(config, { now: Date.now() }));
  const engine = createEngine({ config, store, runProbe: runner.run });
  try {
    const outcomes = await engine.checkOnce(ids);
    return new Map([...outcomes].map(([id, o]) => [id, o.result]));
  } finally {
    engine.stop();
  }
}

const summary = (results: Map<string, ProbeResult>) => Object.fromEntries([...results].map(([id, r]) => [id, r.status]));
/** The targets that are not up, and why (a readable failure). */
const notUp = (results: Map<string, ProbeResult>) =>
  [...results].filter(([, r]) => r.status !== 'up').map(([id, r]) => `${id}: ${r.status}: ${r.error?.message ?? (r.status === 'degraded' ? r.reason : '')}`);
/**
 * Healthy rounds only: slowness has its own round, and on a busy two-core machine a first check (cold
 * JIT, server-everything's cold start) can take over the demo's 2 s degraded threshold on its own.
 */
const RELAXED = { degradedMs: 10_000, timeoutMs: 15_000 };

/** Every loopback port the demo config points at. */
function demoPorts(config: Config): number[] {
  const ports = config.targets.flatMap((t): string[] => {
    if (t.kind === 'shopify') return [t.endpoint!];
    if (t.kind === 'chatwoot') return [t.baseUrl];
    if (t.kind === 'ga') return [`http://${t.endpoint!}`];
    if (t.kind === 'http' || t.kind === 'statuspage') return [t.url];
    if (t.kind === 'mcp' && t.transport === 'http') return [t.url];
    return [];
  });
  return [...new Set(ports.map((u) => Number(new URL(u).port)))];
}

function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const stdioPids: number[] = [];

describe('the built-in demo', () => {
  it('starts with every target up', async () => {
    const results = await round(undefined, {}, RELAXED);

    expect(results.size).toBe(demo.config.targets.length);
    expect(notUp(results)).toEqual([]);
    // The stdio MCP servers are real child processes (server-everything and our fixture).
    for (const id of ['mcp-shopify', 'mcp-fly']) {
      const pid = results.get(id)!.details.pid;
      expect(typeof pid, id).toBe('number');
      expect(alive(pid as number), id).toBe(true);
      stdioPids.push(pid as number);
    }
    expect(results.get('mcp-shopify')!.details.toolCount).toBeGreaterThan(5);
  });

  it('slow: degraded for being slow (a status page: for reporting minor issues)', async () => {
    for (const id of FAULTY) expect(demo.setFault(id, 'slow')).toBe(true);

    const results = await round(FAULTY);

    for (const id of FAULTY) {
      const r = results.get(id)!;
      expect(r.status, id).toBe('degraded');
      if (r.status !== 'degraded') continue;
      expect(r.error, id).toBeNull();
      expect(r.reason, id).toMatch(id === 'shopify-status' ? /^vendor reports minor issues/ : /^slow: \d+ ms > 2000 ms$/);
    }
  });

  it('rate-limited (cycled on from slow): degraded with a rate_limited error', async () => {
    for (const id of FAULTY) expect(demo.cycleFault(id)).toBe('rate-limited');

    const results = await round(FAULTY);

    for (const id of FAULTY) {
      const r = results.get(id)!;
      expect(r.status, id).toBe('degraded');
      expect(r.error?.kind, id).toBe('rate_limited');
    }
  });

  it('down (cycled on from rate-limited): down, with the error kind each fake gives', async () => {
    for (const id of FAULTY) expect(demo.cycleFault(id)).toBe('down');

    // The GitHub MCP fake hangs when down: a short timeout and no retry keep the test fast.
    const results = await round(FAULTY, { 'mcp-github': { timeoutMs: 1_000, retries: 0 } });

    expect(Object.fromEntries(FAULTY.map((id) => [id, [results.get(id)!.status, results.get(id)!.error?.kind]]))).toEqual({
      'shopify-admin': ['down', 'http'],
      chatwoot: ['down', 'auth'],
      ga: ['down', 'connection'],
      'app-health': ['down', 'http'],
      'shopify-status': ['down', 'http'],
      'mcp-github': ['down', 'timeout'],
    });
    expect(results.get('shopify-admin')!.error?.httpStatus).toBe(502);
    expect(results.get('app-health')!.error?.httpStatus).toBe(503);
  });

  it('healthy again after one more cycle; targets without faults say so', async () => {
    for (const id of FAULTY) expect(demo.cycleFault(id)).toBe('healthy');
    expect(demo.faultOf('chatwoot')).toBe('healthy');
    expect(demo.cycleFault('mcp-fly')).toBeNull();
    expect(demo.setFault('mcp-shopify', 'down')).toBe(false);
    expect(demo.faultOf('nope')).toBeNull();

    const results = await round(FAULTY, {}, RELAXED);

    const { 'shopify-admin': shopify, ...rest } = summary(results);
    expect(rest).toEqual(Object.fromEntries(FAULTY.filter((id) => id !== 'shopify-admin').map((id) => [id, 'up'])));
    // Shopify's bucket refills at 100 points/s after the throttle storm, as the real one does: until it is
    // back over 10%, the check is healthy but short of headroom.
    const r = results.get('shopify-admin')!;
    expect(r.error).toBeNull();
    if (shopify !== 'up') expect(r.status === 'degraded' && r.reason).toMatch(/headroom \d+% left$/);
  });

  it('closes everything: no port still listening, no MCP child still running', async () => {
    const ports = demoPorts(demo.config);
    expect(ports).toHaveLength(7);
    expect(await Promise.all(ports.map(connectOutcome))).toEqual(ports.map(() => 'connected'));

    await runner.close();
    runnerClosed = true;
    await demo.close();
    demoClosed = true;

    expect(await Promise.all(ports.map(connectOutcome))).toEqual(ports.map(() => 'ECONNREFUSED'));
    expect(stdioPids).toHaveLength(2);
    for (const pid of stdioPids) {
      expect(alive(pid), `pid ${pid}`).toBe(false);
      expect(alive(-pid), `process group ${pid}`).toBe(false);
    }
  });
});
