import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rolldown } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error a build script in plain JavaScript, without types
import { confUnused } from '../scripts/conf-unused.mjs';

// The binary's bundle gives conf stand-ins for ajv, ajv-formats and semver (scripts/conf-unused.mjs). Bundled the
// same way here, conf must still be the prefs store the console makes (src/commands/watch.tsx), and the options
// that would need what was left out must fail loudly, not validate nothing.
type ConfClass = new (options: Record<string, unknown>) => { get(key: string): unknown; set(key: string, value: unknown): void; path: string };
const dir = mkdtempSync(join(tmpdir(), 'pitwall-conf-unused-'));
let Conf: ConfClass;
let code = '';

beforeAll(async () => {
  const entry = '\0entry';
  const bundle = await rolldown({
    input: entry,
    platform: 'node',
    logLevel: 'silent',
    plugins: [{ name: 'entry', resolveId: (id: string) => (id === entry ? id : null), load: (id: string) => (id === entry ? "export { default } from 'conf';" : null) }, confUnused],
  });
  const file = join(dir, 'conf.mjs');
  const { output } = await bundle.write({ file, format: 'esm', banner: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" });
  await bundle.close();
  code = output.map((o) => ('code' in o ? o.code : '')).join('\n');
  Conf = ((await import(pathToFileURL(file).href)) as { default: ConfClass }).default;
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('conf without ajv and semver in the bundle', () => {
  it('leaves them out', () => {
    expect(code).not.toMatch(/node_modules[\\/](ajv|ajv-formats|semver)[\\/]/);
    expect(code).not.toContain('json-schema-draft');
  });

  it("reads and writes the console's prefs store", () => {
    const cwd = join(dir, 'state');
    const prefs = new Conf({ projectName: 'pitwall', configName: 'prefs', cwd });
    prefs.set('pitwall_yaml', { sort: 'status', selected: 'shopify' });
    const again = new Conf({ projectName: 'pitwall', configName: 'prefs', cwd });
    expect(again.get('pitwall_yaml')).toEqual({ sort: 'status', selected: 'shopify' });
    expect(JSON.parse(readFileSync(again.path, 'utf8'))).toEqual({ pitwall_yaml: { sort: 'status', selected: 'shopify' } });
  });

  it('refuses a schema or migrations, naming what was left out', () => {
    const cwd = join(dir, 'other');
    expect(() => new Conf({ projectName: 'x', cwd, schema: { a: { type: 'number' } } })).toThrow(/leaves ajv\/dist\/2020\.js out of conf/);
    expect(() => new Conf({ projectName: 'x', cwd, projectVersion: '2.0.0', migrations: { '1.0.0': () => {} } })).toThrow(/leaves semver out of conf/);
  });
});
