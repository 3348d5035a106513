import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/shared/exit.js';
import { ensureStateDir, makeDirs, openJournal } from '../../src/journal/journal.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pitwall-statedir-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The UsageError `fn` throws (any other outcome fails the test). */
function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}
const FIX = 'set stateDir in pitwall.yaml (or pass --state-dir) to a folder this user can write';

describe('a state folder that cannot work is one sentence naming the key (exit 3), before anything opens', () => {
  it('a regular file', () => {
    const f = join(root, 'state');
    writeFileSync(f, '');
    expect(usage(() => openJournal({ dir: f, configPath: null }))).toBe(`stateDir: ${f} is not a folder (it is a file); ${FIX}`);
  });

  it('/dev/null, named by --state-dir', () => {
    expect(usage(() => ensureStateDir('/dev/null', '--state-dir'))).toBe('--state-dir: /dev/null is not a folder (it is a character device); pass --state-dir a folder this user can write');
  });

  it('a dangling symbolic link, and a folder under one', () => {
    const link = join(root, 'gone');
    symlinkSync(join(root, 'nowhere'), link);
    expect(usage(() => openJournal({ dir: link, configPath: null }))).toBe(`stateDir: ${link} is a symbolic link to ${join(root, 'nowhere')}, which does not exist; ${FIX}`);
    const under = join(link, 'pitwall');
    expect(usage(() => openJournal({ dir: under, configPath: null }))).toMatch(
      new RegExp(`^stateDir: ${under} cannot be created: a folder on its way is missing or a dangling symbolic link \\(ENOENT: .*\\); ${FIX.replace(/[()]/g, '\\$&')}$`),
    );
  });

  it.skipIf(process.platform !== 'linux')('under /proc: refused at once (Node’s recursive mkdir would spin there for ever)', () => {
    expect(usage(() => openJournal({ dir: '/proc/pitwall/state', configPath: null }))).toBe(
      `stateDir: /proc/pitwall/state is on proc, a file system the kernel makes up, which cannot keep files; ${FIX}`,
    );
    expect(usage(() => ensureStateDir('/proc/self', 'stateDir'))).toMatch(/^stateDir: \/proc\/self is on proc, /);
  });

  it('a good folder is created, parents and all', () => {
    const dir = join(root, 'a', 'b', 'state');
    const j = openJournal({ dir, configPath: null });
    j.close();
    expect(() => ensureStateDir(dir)).not.toThrow();
  });
});

describe('makeDirs', () => {
  it('ends under /proc, where mkdir answers ENOENT for a parent that exists', () => {
    expect(() => makeDirs('/proc/pitwall/a/b')).toThrow(/ENOENT/);
  });

  it('fails on a file in the way, and creates what is missing', () => {
    writeFileSync(join(root, 'f'), '');
    expect(() => makeDirs(join(root, 'f', 'x'))).toThrow(/ENOTDIR/);
    mkdirSync(join(root, 'x'));
    makeDirs(join(root, 'x', 'y', 'z'));
    expect(() => ensureStateDir(join(root, 'x', 'y', 'z'))).not.toThrow();
  });
});
