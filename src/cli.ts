#!/usr/bin/env -S node --max-semi-space-size=2 --liftoff-only --v8-pool-size=1 --turbo-filter=scan*
// The binary's entry, kept tiny: it must run before anything else is loaded. It checks the Node version, sets
// what modules read when they load, turns on Node's module compile cache, then loads the CLI (src/cli/program.ts),
// bundled (scripts/bundle.mjs) when the bundle is current.
//
// The flags are memory ones (issue #18: the console with the Hot Rod AN preset under 100 MB), each measured with
// bench/preset-memory.mjs and kept only because the frame, journal-load and idle-CPU figures held (docs/benchmarks.md):
// --max-semi-space-size=2 (MiB) caps V8's young generation at 4 MiB. The console keeps every result for an hour, so
//   most of what it allocates survives a scavenge, and V8 answered that by growing the young generation to its
//   default ceiling, 128 MiB on a 64-bit machine: resident memory the heap (12 MiB) never needed. Capped at 16 MiB
//   (=8), 72 h of results ran in 90 MiB instead of 190; at 4 MiB (=2) the preset console holds ~12 MiB less again.
// --liftoff-only keeps WebAssembly (Yoga, Ink's layout engine) on V8's baseline compiler. Without it V8 recompiled
//   Yoga's hot functions with TurboFan a few seconds in, whose compile zones peaked at 26 MiB of malloc
//   (v8.getHeapStatistics().peak_malloced_memory: 27.6 with, 6.1 without) that glibc kept resident afterwards; the
//   full frame's p95 went down too (8.5 → 3.6 ms: no tier-up compile in the middle of a frame).
// --v8-pool-size=1: one V8 worker thread instead of one per core plus spares. Each worker thread that allocates gets
//   its own glibc malloc arena; with 1 the console has 4 threads instead of 7 and ~8 MiB less resident.
// --turbo-filter=scan* lets TurboFan, V8's top compiler, optimize only functions whose names start with "scan": the
//   journal's byte scanner (src/journal/line-scanner.ts) and the reader's and compaction's loops, named scan… for this
//   (test/journal/hot-loop-names.test.ts keeps them so). They are the one hot loop that needs it: with Maglev alone
//   (--max-opt=2) loading the last hour of a 38 MB journal took 1.6× as long and all 72 h 1.4×; with the filter, as
//   long as without it, within 10%. Everything else stops at Maglev, the mid-tier compiler, with the same frame cost,
//   and TurboFan's machine code in the node binary (3–8 MiB of its pages, resident once touched) is not touched on a
//   fresh start: the preset console read 107 MiB instead of 113 after 90 s. Restarted over a 72 h journal it reads
//   the same as without the flag (the scanner is compiled by TurboFan then).
// A V8 flag set at run time (v8.setFlagsFromString) comes too late to size the heap or choose the compilers (measured:
// --max-opt set at run time changed nothing), hence the shebang (env -S:
// coreutils 8.30+, macOS, BSD).
// scripts/dev.sh and the benchmarks read the flags from this line, so there is one place to change them.
// Started without them (`node dist/cli.js`, a wrapper that calls node itself), the entry runs itself again with them
// (process.execve, Node 22.15+: the same process id, terminal and signals), so memory does not depend on how
// pitwall was started (bench/preset-memory.mjs).
import { readFileSync, statSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  // Nothing else is loaded: the process ends with this code (src/cli/signals.ts is the only process.exit).
  process.stderr.write(`pitwall needs Node.js 22 or newer (this is ${process.version}); run it with "npm start" or see README.md.\n`);
  process.exitCode = 3;
} else {
  withShebangFlags();
  flushIdleCode();

  // React's production build: the development one costs several times more per frame (checks, warnings).
  process.env.NODE_ENV ??= 'production';
  // NO_COLOR (https://no-color.org): the colour library Ink uses reads FORCE_COLOR, not NO_COLOR. Set before Ink loads.
  if (process.env.NO_COLOR) process.env.FORCE_COLOR = '0';

  enableCompileCache();

  await import(program());
}

/**
 * Code that has not run for two full garbage collections is dropped (V8 compiles it again if it is called): the
 * console's start-up code (config, commands, the first render, the SDKs' set-up) is most of what it has compiled and
 * never runs again. V8's default is six collections and never for baseline (Sparkplug) code, which in the preset
 * console kept ~2 MiB of bytecode and baseline code resident that nothing called (trusted + code space, after two
 * minutes: 4.6 + 3.5 MiB with the defaults, 3.6 + 2.7 with these; side by side, ~5 MiB less resident).
 * Set here, not in the shebang: V8 reads them at each collection, so a run-time setting holds (measured), and the
 * shebang stays under the 127 characters older Linux kernels read of it.
 */
function flushIdleCode(): void {
  setFlagsFromString('--bytecode-old-age=2');
  setFlagsFromString('--flush-baseline-code');
}

/**
 * Runs this entry again, as the same process, with the shebang's V8 flags when Node was started without them. A
 * flag given in NODE_OPTIONS counts. Once only (PITWALL_ENTRY_FLAGS marks the second run); without process.execve
 * (Node before 22.15) pitwall runs as started, with V8's default young generation.
 */
function withShebangFlags(): void {
  if (process.env.PITWALL_ENTRY_FLAGS !== undefined) {
    delete process.env.PITWALL_ENTRY_FLAGS;
    return;
  }
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  if (typeof execve !== 'function') return;
  const self = fileURLToPath(import.meta.url);
  let first = '';
  try {
    first = readFileSync(self, 'utf8').split('\n', 1)[0] ?? '';
  } catch {
    return;
  }
  const flags = (/^#!.* node(.*)$/.exec(first)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const missing = flags.filter((f) => !given.includes(f));
  if (!missing.length) return;
  execve.call(process, process.execPath, [process.execPath, ...missing, ...process.execArgv, self, ...process.argv.slice(2)], { ...process.env, PITWALL_ENTRY_FLAGS: '1' });
}

/**
 * V8 code cache for every module loaded after this (ours, Ink, React, the MCP SDK, zod…), kept on disk across
 * runs: later starts skip most compiling. Where: $NODE_COMPILE_CACHE (Node turned it on before we ran), else this
 * user's $XDG_CACHE_HOME/pitwall/compile-cache (~/.cache/…), not Node's default <tmpdir>/node-compile-cache: on a
 * shared machine another user could create that folder first and hand us compiled code. No home, no cache.
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off. It never fails a run: an unwritable folder only means no cache.
 * Only from Node 22.10 on (where flushCompileCache appeared): from that release each process writes its cache
 * to a temporary file and renames it, so concurrent pitwall processes cannot leave a torn entry; and entries
 * carry checksums of the source and the cache, so a stale or damaged one is recompiled, not used.
 * Our own child processes (MCP servers) do not inherit it: it is not passed through the environment.
 */
function enableCompileCache(): void {
  if (typeof module.enableCompileCache !== 'function' || typeof module.flushCompileCache !== 'function') return;
  try {
    if (process.env.NODE_COMPILE_CACHE) {
      module.enableCompileCache();
      return;
    }
    const xdg = process.env.XDG_CACHE_HOME;
    const base = xdg && isAbsolute(xdg) ? xdg : homedir() ? join(homedir(), '.cache') : '';
    if (base) module.enableCompileCache(join(base, 'pitwall', 'compile-cache'));
  } catch {
    // Documented not to throw; a cache is never worth failing a run for.
  }
}

/**
 * dist/bin/program.js (the bundle `npm run build` makes after tsc) when it is at least as new as tsc's
 * dist/cli/program.js; else that one. A build by tsc alone (the test setup, an editor) then runs what it built,
 * unbundled, rather than a stale bundle.
 */
function program(): string {
  const compiled = new URL('./cli/program.js', import.meta.url);
  const bundled = new URL('./bin/program.js', import.meta.url);
  try {
    return statSync(bundled).mtimeMs >= statSync(compiled).mtimeMs ? bundled.href : compiled.href;
  } catch {
    return compiled.href;
  }
}
