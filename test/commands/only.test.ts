import { describe, expect, it } from 'vitest';
import { configFromObject } from '../../src/config/config.js';
import { onlyIds, onlyTargets } from '../../src/commands/only.js';
import { UsageError } from '../../src/shared/exit.js';

const config = configFromObject({
  store: 'T',
  feedbackFile: '/tmp/fb.md',
  targets: [
    { id: 'a', kind: 'http', url: 'http://127.0.0.1:1/a' },
    { id: 'b', kind: 'http', url: 'http://127.0.0.1:1/b' },
    { id: 'c', kind: 'http', url: 'http://127.0.0.1:1/c' },
  ],
});

describe('--only', () => {
  it('names every target when empty, else the ones given, in their order', () => {
    expect(onlyIds(config, undefined)).toEqual(['a', 'b', 'c']);
    expect(onlyIds(config, ['c', 'a'])).toEqual(['c', 'a']);
    expect(onlyTargets(config, ['c', 'a']).targets.map((t) => t.id)).toEqual(['a', 'c']);
    expect(onlyTargets(config, [])).toBe(config);
  });

  it('refuses an unknown id in one sentence that lists the known ones', () => {
    expect(() => onlyIds(config, ['a', 'zz'])).toThrow(UsageError);
    expect(() => onlyTargets(config, ['zz'])).toThrow('--only: unknown target "zz" (known: a, b, c)');
  });
});
