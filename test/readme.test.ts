import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEYS } from '../src/ui/keys.js';
import { HINTS } from '../src/ui/lib/hints.js';
import { ERROR_KINDS } from '../src/probes/types.js';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const rows = (marker: string) => {
  const start = readme.indexOf(marker);
  expect(start).toBeGreaterThan(-1);
  // The table starts on the line after the marker and ends at the first blank line.
  const table = readme.slice(start).split('\n').slice(1).join('\n').split('\n\n')[0]!;
  return table.split('\n').slice(2).map((l) => l.split(' | ').map((c) => c.replace(/^\| ?| ?\|$/g, '').trim()));
};

describe('README', () => {
  it('lists exactly the keys of the key table', () => {
    expect(rows('<!-- keys:')).toEqual(KEYS.map((k) => [k.label, k.description]));
  });

  it('gives the same "what to try" per error kind as the console', () => {
    expect(rows('<!-- hints:')).toEqual(ERROR_KINDS.map((kind) => [`\`${kind}\``, HINTS[kind]]));
  });

  it('shows the two set-up commands', () => {
    expect(readme).toMatch(/npm start\s+# the console/);
    expect(readme).toMatch(/npm test\s+# the test suite/);
  });
});
