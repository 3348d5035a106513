import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replaceFileAtomic, writeFileAtomic } from '../../src/shared/fs.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitwall-fs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('atomic file replacement', () => {
  it('replaces a file whole and leaves no temp file', () => {
    const file = join(dir, 'a.jsonl');
    writeFileSync(file, 'old\n');
    writeFileAtomic(file, 'new\n');
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(readdirSync(dir)).toEqual(['a.jsonl']);
  });

  it('keeps the old file and removes the temp file when filling fails', () => {
    const file = join(dir, 'a.jsonl');
    writeFileSync(file, 'old\n');
    expect(() =>
      replaceFileAtomic(file, (fd) => {
        writeSync(fd, 'half');
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(readFileSync(file, 'utf8')).toBe('old\n');
    expect(readdirSync(dir)).toEqual(['a.jsonl']);
  });

  it('runs afterRename once the new file is in place', () => {
    const file = join(dir, 'a.jsonl');
    let seen = '';
    replaceFileAtomic(
      file,
      (fd) => void writeSync(fd, 'x\n'),
      () => (seen = readFileSync(file, 'utf8')),
    );
    expect(seen).toBe('x\n');
  });
});
