import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanLine } from '../../src/journal/line-scanner.js';

// The binary lets TurboFan optimize only functions named by its --turbo-filter (src/cli.ts): the journal's byte scanner
// and the loops that drive it. A loop renamed away from the pattern still works, only several times slower on a 38 MB
// journal with nothing failing (bench/journal-load.mjs would show it); this keeps the names and the flag together.
const ROOT = join(import.meta.dirname, '..', '..');
const shebang = readFileSync(join(ROOT, 'src', 'cli.ts'), 'utf8').split('\n', 1)[0] ?? '';
const filter = /--turbo-filter=(\S+)/.exec(shebang)?.[1] ?? '';

describe("the journal's hot loops and the binary's --turbo-filter", () => {
  it('is a name prefix', () => {
    expect(filter).toMatch(/^[A-Za-z]+\*$/);
  });

  it('matches the line scanner', () => {
    expect(scanLine.name.startsWith(filter.slice(0, -1))).toBe(true);
  });

  it('matches every loop that scans a file chunk by chunk', () => {
    const prefix = filter.slice(0, -1);
    const dir = join(ROOT, 'src', 'journal');
    const callbacks: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const m of text.matchAll(/readChunks\([^;]*?,\s*([A-Za-z_$][\w$]*|\([^)]*\)\s*=>[^;]*)\);/g)) callbacks.push(`${file}: ${m[1]!.trim()}`);
    }
    // The reader's two loops and compaction's; compaction's byte copy (no scanning) is the one arrow left.
    expect(callbacks.length).toBeGreaterThanOrEqual(4);
    const scanning = callbacks.filter((c) => !/out\.bytes\(b, 0, b\.length\)/.test(c));
    expect(scanning).toHaveLength(3);
    for (const c of scanning) expect(c.split(': ')[1]!.startsWith(prefix), c).toBe(true);
  });
});
