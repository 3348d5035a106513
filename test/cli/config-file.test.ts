import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { discoverConfig, findConfig, load, searchedText, userConfigDir } from '../../src/cli/config-file.js';

const YAML = (store: string) => `store: ${store}\nfeedbackFile: feedback/integrations.md\ntargets:\n  - id: app\n    kind: http\n    url: http://127.0.0.1:1/health\n`;

/** True when a folder above the temp folder holds a pitwall.yaml (a machine set up that way): "none found" can't be tested there. */
const ancestorHasConfig = (() => {
  for (let d = realpathSync(tmpdir()); ; d = dirname(d)) {
    if (discoverConfig({ cwd: d, env: {}, home: '/nonexistent' }).path) return true;
    if (dirname(d) === d) return false;
  }
})();

let root: string;
let deep: string;
let home: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'pitwall-discovery-')));
  deep = join(root, 'launch', 'ops', 'notes');
  home = join(root, 'home');
  mkdirSync(deep, { recursive: true });
  mkdirSync(home);
});

describe('config discovery (like git and eslint)', () => {
  it('finds pitwall.yaml in a parent folder when started in a subfolder', () => {
    // Given the config two folders up
    writeFileSync(join(root, 'launch', 'pitwall.yaml'), YAML('Hot Rod AN'));
    // When pitwall starts in launch/ops/notes
    const s = discoverConfig({ cwd: deep, env: {}, home });
    // Then it uses that one
    expect(s.path).toBe(join(root, 'launch', 'pitwall.yaml'));
    expect(findConfig(undefined, { cwd: deep, env: {}, home })).toBe(join(root, 'launch', 'pitwall.yaml'));
  });

  it('takes the nearest one, and .yml as well as .yaml', () => {
    writeFileSync(join(root, 'launch', 'pitwall.yaml'), YAML('far'));
    writeFileSync(join(root, 'launch', 'ops', 'pitwall.yml'), YAML('near'));
    expect(discoverConfig({ cwd: deep, env: {}, home }).path).toBe(join(root, 'launch', 'ops', 'pitwall.yml'));
  });

  it('skips a folder named pitwall.yaml', () => {
    mkdirSync(join(deep, 'pitwall.yaml'));
    writeFileSync(join(root, 'pitwall.yaml'), YAML('real'));
    expect(discoverConfig({ cwd: deep, env: {}, home }).path).toBe(join(root, 'pitwall.yaml'));
  });

  it.skipIf(ancestorHasConfig)('falls back to $XDG_CONFIG_HOME/pitwall, then ~/.config/pitwall', () => {
    const xdg = join(root, 'xdg');
    mkdirSync(join(xdg, 'pitwall'), { recursive: true });
    writeFileSync(join(xdg, 'pitwall', 'pitwall.yaml'), YAML('from xdg'));
    expect(discoverConfig({ cwd: deep, env: { XDG_CONFIG_HOME: xdg }, home }).path).toBe(join(xdg, 'pitwall', 'pitwall.yaml'));

    mkdirSync(join(home, '.config', 'pitwall'), { recursive: true });
    writeFileSync(join(home, '.config', 'pitwall', 'pitwall.yaml'), YAML('from home'));
    expect(discoverConfig({ cwd: deep, env: {}, home }).path).toBe(join(home, '.config', 'pitwall', 'pitwall.yaml'));
    // An empty or relative XDG_CONFIG_HOME is ignored, as the XDG spec says.
    expect(userConfigDir({ env: { XDG_CONFIG_HOME: 'rel/dir' }, home })).toBe(join(home, '.config', 'pitwall'));
    expect(userConfigDir({ env: { XDG_CONFIG_HOME: '' }, home })).toBe(join(home, '.config', 'pitwall'));
  });

  it('prefers a config on the way up to the one in the user folder', () => {
    mkdirSync(join(home, '.config', 'pitwall'), { recursive: true });
    writeFileSync(join(home, '.config', 'pitwall', 'pitwall.yaml'), YAML('from home'));
    writeFileSync(join(root, 'launch', 'pitwall.yaml'), YAML('project'));
    expect(discoverConfig({ cwd: deep, env: {}, home }).path).toBe(join(root, 'launch', 'pitwall.yaml'));
  });

  it.skipIf(ancestorHasConfig)('says where it looked when nothing is found, and load() refuses with exit 3', async () => {
    const s = discoverConfig({ cwd: deep, env: {}, home });
    expect(s.path).toBeNull();
    expect(searchedText(s, home)).toBe(`no pitwall.yaml in ${deep} or any parent, nor in ~/.config/pitwall`);
    expect(searchedText({ start: join(home, 'shop'), userDir: join(home, '.config', 'pitwall') }, home)).toBe(
      'no pitwall.yaml in ~/shop or any parent, nor in ~/.config/pitwall',
    );
    await expect(load(undefined, { cwd: deep, env: {}, home })).rejects.toMatchObject({
      name: 'UsageError',
      message: `no pitwall.yaml in ${deep} or any parent, nor in ~/.config/pitwall and no --config given (run "pitwall init" to write one, or "pitwall demo" to try it)`,
    });
  });

  it('loads the discovered file, with its relative paths anchored at its own folder', async () => {
    writeFileSync(join(root, 'launch', 'pitwall.yaml'), YAML('Hot Rod AN'));
    const config = await load(undefined, { cwd: deep, env: {}, home });
    expect(config.path).toBe(join(root, 'launch', 'pitwall.yaml'));
    expect(config.store).toBe('Hot Rod AN');
    expect(config.feedbackFile).toBe(join(root, 'launch', 'feedback', 'integrations.md'));
  });

  it('--config wins over discovery and resolves against the working folder', async () => {
    writeFileSync(join(root, 'launch', 'pitwall.yaml'), YAML('discovered'));
    writeFileSync(join(deep, 'other.yaml'), YAML('explicit'));
    expect(findConfig('other.yaml', { cwd: deep, env: {}, home })).toBe(join(deep, 'other.yaml'));
    expect((await load('other.yaml', { cwd: deep, env: {}, home })).store).toBe('explicit');
  });
});
