// What the console end-to-end tests share: the real binary, and tmux to run it in a real pseudo-terminal.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** The built binary the tests run (npm test builds it first). */
export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

/** Whether tmux is here; in CI it must be (.ci/run installs it), elsewhere the tests are skipped without it. */
export const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();
if (!hasTmux && process.env.CI) throw new Error('tmux is required for the console end-to-end test (.ci/run installs it)');

/** Runs one tmux command; its output. */
export const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
