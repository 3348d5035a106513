import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// The entry's memory must not depend on how pitwall is started: `node dist/cli.js` gets the shebang's flags too.
const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'pitwall-entry-flags-'));
// The flags the shebang names (one place for them: src/cli.ts's first line).
const SHEBANG_FLAGS = (/^#!.* node(.*)$/.exec(readFileSync(CLI, 'utf8').split('\n', 1)[0] ?? '')?.[1] ?? '').trim().split(/\s+/);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `node <nodeFlags> dist/cli.js --version` and says which execArgv the process that printed it had. */
async function execArgvOf(nodeFlags: string[], name: string): Promise<{ argv: string[][]; stdout: string }> {
  const out = join(dir, `${name}.jsonl`);
  const hook = join(dir, `${name}.mjs`);
  writeFileSync(hook, `import { appendFileSync } from 'node:fs';\nprocess.on('exit', () => appendFileSync(${JSON.stringify(out)}, JSON.stringify(process.execArgv.filter((a) => ${JSON.stringify(SHEBANG_FLAGS)}.includes(a))) + '\\n'));\n`);
  const { stdout } = await run(process.execPath, [...nodeFlags, CLI, '--version'], { env: { ...process.env, NODE_OPTIONS: `--import ${pathToFileURL(hook).href}` }, timeout: 20_000 });
  return { argv: readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]), stdout };
}

describe('the entry started as `node dist/cli.js`', () => {
  it.runIf(typeof (process as { execve?: unknown }).execve === 'function')('runs itself again, once, with the shebang\'s V8 flags', async () => {
    const { argv, stdout } = await execArgvOf([], 'plain');
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    // One process ran to its end (execve replaces the first), and it had every flag
    expect(SHEBANG_FLAGS).toEqual(['--max-semi-space-size=2', '--liftoff-only', '--v8-pool-size=1', '--turbo-filter=scan*']);
    expect(argv).toEqual([SHEBANG_FLAGS]);
  });

  it('does not run itself again when the flags are already given', async () => {
    const { argv } = await execArgvOf(SHEBANG_FLAGS, 'given');
    expect(argv).toEqual([SHEBANG_FLAGS]);
  });
});
