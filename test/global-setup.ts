import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** End-to-end tests run the real binary (dist/cli.js, bundled as it ships): build it first when any source is newer. */
export default function setup() {
  const root = join(import.meta.dirname, '..');
  // The bundle is the build's last step (see scripts/dev.sh).
  const built = join(root, 'dist', 'bin', 'program.js');
  const compiled = join(root, 'dist', 'cli', 'program.js');
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }, 0);
  if (existsSync(built) && existsSync(compiled) && statSync(built).mtimeMs >= Math.max(newest(join(root, 'src')), statSync(compiled).mtimeMs)) return;
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { stdio: 'inherit' });
}
