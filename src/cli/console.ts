// The console, over a config or over the built-in demo (pitwall, pitwall watch, pitwall demo).
import { discoverConfig, findConfig, searchedText } from './config-file.js';
import { handleSignals } from './signals.js';

/** The console over a config (--config, else the one discovery finds), or over the built-in demo when there is none. */
export async function openConsole(opts: { config?: string; stateDir?: string; demo?: boolean; script?: boolean; metrics?: string }): Promise<number> {
  const { runConsole } = await import('../commands/watch.js');
  const search = opts.demo || opts.config ? null : discoverConfig();
  const path = opts.demo ? null : opts.config ? findConfig(opts.config) : search!.path;
  if (path) {
    const { loadConfig } = await import('../config/config.js');
    const config = loadConfig(path);
    return runConsole({ config, ...handleSignals({ graceful: true }), ...(opts.stateDir ? { stateDir: opts.stateDir } : {}), ...(opts.metrics ? { metrics: opts.metrics } : {}) });
  }
  if (!process.stdout.isTTY) {
    const { UsageError } = await import('../shared/exit.js');
    throw new UsageError('the console needs a terminal (stdout is not a TTY); in scripts and cron use "pitwall check"');
  }
  // Asked for (`pitwall demo`), or nothing found: then the screen says where pitwall looked, on every frame.
  const searched = search ? searchedText(search) : 'started with "pitwall demo"';
  process.stderr.write(`pitwall: ${searched}: starting the built-in demo (loopback services, not your store)…\n`);
  const { startDemo } = await import('../peers/demo.js');
  const demo = await startDemo();
  let code: number;
  try {
    code = await runConsole({ config: demo.config, demo, searched, ...handleSignals({ graceful: true }), script: opts.script ?? false, ...(opts.metrics ? { metrics: opts.metrics } : {}) });
  } finally {
    await demo.close();
  }
  process.stderr.write(`pitwall: the demo's feedback file is kept at ${demo.config.feedbackFile}\n`);
  return code;
}
