/**
 * The one signal handler and the one place pitwall exits early. SIGINT, SIGTERM and SIGHUP: a long-running
 * command stops cleanly on the first (its AbortSignal), and a second one while it stops ends the process
 * now; a short one (check) ends at once. Either way MCP child process groups are killed first.
 */
import { EXIT } from '../shared/exit.js';

/** What kills MCP child process groups synchronously (a probe runner). */
export interface ChildKiller {
  killAllSync(): void;
}

/** What a command is handed: the signal to stop on, and where to register its probe runner. */
export interface StopSignals {
  signal: AbortSignal;
  onRunner: (runner: ChildKiller) => void;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Ends the process now with `code`: the single call of process.exit in pitwall. */
export function exitNow(code: number): never {
  process.exit(code);
}

/**
 * Installs the signal handler for one command run. `graceful`: the first signal aborts `signal` (the command
 * stops and returns its code), a second ends the process. Not graceful: the first signal ends it. MCP children
 * are also killed when the process exits.
 */
export function handleSignals(opts: { graceful: boolean }): StopSignals {
  const ac = new AbortController();
  let runner: ChildKiller | undefined;
  // process.on, not once: with no listener left, Ink's signal-exit would re-raise the signal and the process
  // would die at once, skipping the clean stop.
  const onSignal = () => {
    if (!opts.graceful || ac.signal.aborted) {
      runner?.killAllSync();
      exitNow(EXIT.signal);
    }
    ac.abort();
  };
  for (const sig of SIGNALS) process.on(sig, onSignal);
  process.once('exit', () => runner?.killAllSync());
  return { signal: ac.signal, onRunner: (r) => void (runner = r) };
}
