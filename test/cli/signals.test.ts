import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handleSignals } from '../../src/cli/signals.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type Listener = (...args: never[]) => void;
let before: Map<string, Listener[]>;
beforeEach(() => {
  before = new Map([...SIGNALS, 'exit'].map((s) => [s, process.listeners(s as NodeJS.Signals) as Listener[]]));
});
afterEach(() => {
  // Only the listeners this test added go.
  for (const [s, kept] of before) for (const l of process.listeners(s as NodeJS.Signals) as Listener[]) if (!kept.includes(l)) process.off(s, l as () => void);
  vi.restoreAllMocks();
});

describe('the signal handler', () => {
  it('graceful: the first signal aborts, a second kills MCP children and exits 130', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const killAllSync = vi.fn();
    const stop = handleSignals({ graceful: true });
    stop.onRunner({ killAllSync });
    process.emit('SIGTERM');
    expect(stop.signal.aborted).toBe(true);
    expect(exit).not.toHaveBeenCalled();
    process.emit('SIGINT');
    expect(killAllSync).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(130);
  });

  it('not graceful: the first signal kills MCP children and exits 130', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const killAllSync = vi.fn();
    handleSignals({ graceful: false }).onRunner({ killAllSync });
    process.emit('SIGHUP');
    expect(killAllSync).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(130);
  });
});
