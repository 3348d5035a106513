import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The bundle shortens local names (scripts/bundle.mjs) but must keep function names: the binary's --turbo-filter
// (src/cli.ts) picks the journal's hot loops by name, and a loop renamed by the minifier would run several times
// slower with nothing failing. The tests build the bundle before they run (vitest's global set-up).
const BIN = join(import.meta.dirname, '..', 'dist', 'bin');
const bundle = readdirSync(BIN)
  .filter((f) => f.endsWith('.js'))
  .map((f) => readFileSync(join(BIN, f), 'utf8'))
  .join('\n');

describe('the bundle', () => {
  it.each(['scanLine', 'scanEvent', 'scanChunk', 'scanSpan', 'scanToKeep'])('keeps the name %s', (name) => {
    expect(bundle).toMatch(new RegExp(`(function ${name}\\b|\\b${name}=)`));
  });
});
