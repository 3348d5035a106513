// The console, over a config or over the built-in demo (pitwall, pitwall watch, pitwall demo).
import { findConfig } from './config-file.js';
import { handleSignals } from './signals.js';

/** The console over a config, or over the built-in demo when there is none. */
export async function openConsole(opts: { config?: string; stateDir?: string; demo?: boolean; script?: boolean; metrics?: string }): Promise<number> {
  const { runConsole } = await import('../commands/watch.js');
  const path = opts.demo ? null : findConfig(opts.config);
  if (path) {
    const { loadConfig } = await import('../config/config.js');
    const config = loadConfig(path);
    return runConsole({ config, ...handleSignals({ graceful: true }), ...(opts.stateDir ? { stateDir: opts.stateDir } : {}), ...(opts.metrics ? { metrics: opts.metrics } : {}) });
  }
  if (!process.stdout.isTTY) {
    const { UsageError } = await import('../shared/exit.js');
    throw new UsageError('the console needs a terminal (stdout is not a TTY); in scripts and cron use "pitwall check"');
  }
  process.stderr.write('pitwall: no pitwall.yaml here: starting the built-in demo (loopback services, no accounts needed)…\n');
  const { startDemo } = await import('../peers/demo.js');
  const demo = await startDemo();
  let code: number;
  try {
    code = await runConsole({ config: demo.config, demo, ...handleSignals({ graceful: true }), script: opts.script ?? false, ...(opts.metrics ? { metrics: opts.metrics } : {}) });
  } finally {
    await demo.close();
  }
  process.stderr.write(`pitwall: the demo's feedback file is kept at ${demo.config.feedbackFile}\n`);
  return code;
}
