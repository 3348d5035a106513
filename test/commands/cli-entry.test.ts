import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'pitwall-entry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The binary with the given environment on top of ours (less any compile-cache variables of ours). */
async function pitwall(args: string[], env: Record<string, string>, cli = CLI, nodeFlags: string[] = []) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NODE_COMPILE_CACHE') && k !== 'NODE_DISABLE_COMPILE_CACHE'));
  try {
    const { stdout, stderr } = await run(process.execPath, [...nodeFlags, cli, ...args], { env: { ...base, ...env }, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Every file under a folder, recursively. */
const files = (d: string): string[] => (existsSync(d) ? readdirSync(d, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : []);

// Without NODE_COMPILE_CACHE, Node itself keeps no cache: the folder appears only because the entry turned it on,
// in this user's cache folder ($XDG_CACHE_HOME, else ~/.cache), never in the shared <tmpdir>.
describe('the entry (dist/cli.js) and the module compile cache', () => {
  it("turns the cache on in $XDG_CACHE_HOME/pitwall/compile-cache, not <tmpdir>, and a second run works from it", async () => {
    const cache = join(dir, 'cache');
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const first = await pitwall(['--help'], { XDG_CACHE_HOME: cache, TMPDIR: tmp });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(files(join(cache, 'pitwall', 'compile-cache')).length).toBeGreaterThan(0);
    expect(files(tmp)).toEqual([]);
    const second = await pitwall(['--help'], { XDG_CACHE_HOME: cache, TMPDIR: tmp });
    expect(second).toEqual(first);
  });

  it('uses ~/.cache without $XDG_CACHE_HOME', async () => {
    const home = join(dir, 'home');
    mkdirSync(home);
    expect((await pitwall(['--version'], { HOME: home, XDG_CACHE_HOME: '' })).code).toBe(0);
    expect(files(join(home, '.cache', 'pitwall', 'compile-cache')).length).toBeGreaterThan(0);
  });

  it('runs the same when the cache folder cannot be created (a file stands in its way)', async () => {
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, '');
    const r = await pitwall(['--version'], { XDG_CACHE_HOME: blocker });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('honours $NODE_COMPILE_CACHE, and writes nothing with NODE_DISABLE_COMPILE_CACHE=1', async () => {
    const cache = join(dir, 'cache-disabled');
    mkdirSync(cache);
    const chosen = join(dir, 'chosen');
    expect((await pitwall(['--version'], { XDG_CACHE_HOME: cache, NODE_COMPILE_CACHE: chosen })).code).toBe(0);
    expect(files(chosen).length).toBeGreaterThan(0);
    expect(files(cache)).toEqual([]);
    const r = await pitwall(['--version'], { XDG_CACHE_HOME: cache, NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(r.code).toBe(0);
    expect(files(cache)).toEqual([]);
  });

  it('a config error is still one sentence and exit 3 through the entry', async () => {
    const r = await pitwall(['check', '--config', join(dir, 'missing.yaml')], {});
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`pitwall: config file not found: ${join(dir, 'missing.yaml')} (run "pitwall init" to write one)\n`);
  });
});

describe('the entry run directly, as npm links it', () => {
  it("is executable and starts Node with its shebang's memory flags", async () => {
    const out = join(dir, 'exec-argv.json');
    const hook = join(dir, 'exec-argv.mjs');
    writeFileSync(hook, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(out)}, JSON.stringify(process.execArgv));\n`);
    // The Node that runs the tests first on PATH: `env` finds it by name, as a user's shell would find theirs.
    const PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
    const { stdout } = await run(CLI, ['--version'], { env: { ...process.env, PATH, NODE_OPTIONS: `--import ${pathToFileURL(hook).href}` }, timeout: 20_000 });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(expect.arrayContaining(['--max-semi-space-size=2', '--liftoff-only', '--v8-pool-size=1', '--turbo-filter=scan*']));
  });
});

describe('the entry picks the bundle only while it is current', () => {
  // A copy of the build, so its files' times can change without touching the dist/ that other tests run.
  const copy = join(dir, 'copy');
  const compiled = join(copy, 'dist', 'cli', 'program.js');
  const bundled = join(copy, 'dist', 'bin', 'program.js');

  /** Runs --version from the copy and says which program.js Node loaded: the bundle's or tsc's. */
  async function programLoaded(): Promise<'bundle' | 'tsc'> {
    const out = join(copy, 'loaded.txt');
    const hook = join(copy, 'which.mjs');
    writeFileSync(
      hook,
      `import { appendFileSync } from 'node:fs';\nimport { registerHooks } from 'node:module';\n` +
        `registerHooks({ load(url, c, next) { if (url.endsWith('/program.js')) appendFileSync(${JSON.stringify(out)}, url + '\\n'); return next(url, c); } });\n`,
    );
    rmSync(out, { force: true });
    const r = await pitwall(['--version'], {}, join(copy, 'dist', 'cli.js'), ['--import', pathToFileURL(hook).href]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const urls = readFileSync(out, 'utf8').trim().split('\n');
    expect(urls).toHaveLength(1);
    return urls[0]!.includes('/dist/bin/') ? 'bundle' : 'tsc';
  }

  it("runs the bundle when it is newer than tsc's output, and tsc's output when the bundle is stale (tsc alone rebuilt)", async () => {
    if (!existsSync(join(ROOT, 'dist', 'bin', 'program.js'))) return; // built by tsc alone: nothing to choose between
    cpSync(join(ROOT, 'dist'), join(copy, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    utimesSync(compiled, 1_000, 1_000);

    utimesSync(bundled, 2_000, 2_000);
    expect(await programLoaded()).toBe('bundle');

    utimesSync(bundled, 500, 500);
    expect(await programLoaded()).toBe('tsc');
  });
});
