/**
 * The one signal handler and the one place pitwall exits early. SIGINT, SIGTERM and SIGHUP: a long-running
 * command stops cleanly on the first (its AbortSignal), and a second one while it stops ends the process
 * now; a short one (check) ends at once. Either way MCP child process groups are killed first.
 * A reader that closes our stdout or stderr early (`pitwall check --json | head -c 150`) ends pitwall quietly.
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

/** 128 + SIGPIPE: what a shell reports for `cat` or `git log` when their reader went away. */
export const EXIT_CLOSED_PIPE = 141;

let pipesWatched = false;

/**
 * Once per process: EPIPE on stdout or stderr (the reader closed early) ends pitwall at once with exit 141 and
 * nothing printed, as `cat` and `git log` end; without a listener Node throws it as an unhandled 'error' event
 * with a stack trace. Node ignores SIGPIPE itself, so the error is all there is to go on. MCP children are killed
 * on the way out (the 'exit' hook above). Other stream errors are left to Node.
 */
export function exitQuietlyOnClosedPipes(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  if (pipesWatched) return;
  pipesWatched = true;
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') exitNow(EXIT_CLOSED_PIPE);
      if (stream.listenerCount('error') === 1) throw err; // as Node would have, had we not listened
    });
  }
}

// The CLI loads this module before any command runs: one place, for every command.
exitQuietlyOnClosedPipes();
