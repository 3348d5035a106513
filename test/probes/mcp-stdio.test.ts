import { afterEach, describe, expect, test, vi } from 'vitest';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { ProcessTransport, processRunning, within } from '../../src/probes/mcp-stdio.js';

const transports: ProcessTransport[] = [];

/** A transport over `node -e <script>`. */
function node(script: string): ProcessTransport {
  const t = new ProcessTransport({ command: process.execPath, args: ['-e', script], env: { PATH: process.env.PATH ?? '' }, killGraceMs: 300 });
  transports.push(t);
  return t;
}

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.stop(false)));
});

describe('within', () => {
  afterEach(() => vi.useRealTimers());

  test('leaves no timer behind once the promise settles (a one-shot check must not wait out the grace period)', async () => {
    vi.useFakeTimers();
    await within(Promise.resolve(), 500);
    await within(Promise.reject(new Error('gone')), 500);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('gives up after the time when the promise never settles', async () => {
    vi.useFakeTimers();
    let done = false;
    void within(new Promise(() => {}), 500).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(499);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });
});

describe('ProcessTransport spawned before the client attaches', () => {
  test('what the server wrote meanwhile reaches the client once it starts', async () => {
    // Given a server that announces itself on stdout as soon as it boots
    const hello = { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'booted' } };
    const t = node(`process.stdout.write(${JSON.stringify(JSON.stringify(hello))} + '\\n'); setInterval(() => {}, 1000);`);
    const pid = (await t.spawn(), t.pid);
    expect(pid).not.toBeNull();

    // When the client attaches afterwards
    const received = new Promise<JSONRPCMessage>((resolve) => (t.onmessage = resolve));
    await t.start();

    // Then the message is delivered, once, through the SDK's own JSON-RPC parsing
    expect(await received).toEqual(hello);
    await t.stop(false);
    expect(processRunning(pid!)).toBe(false);
  });

  test('a server that died before the client attached fails start(), keeping its exit code and stderr', async () => {
    const t = node(`process.stderr.write('config missing\\n'); process.exit(4);`);
    const closed = new Promise<void>((resolve) => (t.onclose = resolve));
    await t.spawn();
    await closed;

    await expect(t.start()).rejects.toThrow('server exited before initialize');
    expect(t.exit).toMatchObject({ code: 4, byUs: false });
    expect(t.stderrTail()).toBe('config missing');
  });

  test('a command that cannot start rejects spawn() and start() alike', async () => {
    const t = new ProcessTransport({ command: '/nonexistent/pitwall-mcp-server', args: [], env: {}, killGraceMs: 300 });
    transports.push(t);
    await expect(t.spawn()).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(t.start()).rejects.toMatchObject({ code: 'ENOENT' });
    expect(t.spawnError?.code).toBe('ENOENT');
  });

  test('start() twice is refused', async () => {
    const t = node('setInterval(() => {}, 1000);');
    await t.start();
    await expect(t.start()).rejects.toThrow('already started');
  });
});
