import { describe, expect, it } from 'vitest';
import type { JournalSample } from '../../src/journal/journal.js';
import { SampleColumns, SampleColumnsWriter } from '../../src/journal/sample-columns.js';

const T0 = Date.UTC(2026, 9, 13, 14);

function columns(...samples: JournalSample[]): SampleColumns {
  const w = new SampleColumnsWriter();
  for (const s of samples) w.push(s);
  return w.finish();
}

describe('SampleColumns', () => {
  it('an empty list has no samples', () => {
    const list = new SampleColumnsWriter().finish();
    expect(list.length).toBe(0);
    expect(list.at(0)).toBeUndefined();
    expect(list.at(-1)).toBeUndefined();
    expect([...list]).toEqual([]);
    expect(list.slice()).toEqual([]);
    expect(list.some(() => true)).toBe(false);
    expect(JSON.stringify(list)).toBe('[]');
  });

  it('reads appended samples by position, negative from the end, and in order', () => {
    const w = new SampleColumnsWriter();
    w.row(T0, 0, 12.5, undefined, undefined, false);
    w.row(T0 + 5000, 1, 2100, undefined, 'slow', false);
    w.row(T0 + 10_000, 2, null, 'timeout', 'no answer within 5000 ms', false);
    const list = w.finish();
    expect(list.length).toBe(3);
    expect(list.at(0)).toEqual({ at: T0, status: 'up', latencyMs: 12.5 });
    expect(list.at(1)).toEqual({ at: T0 + 5000, status: 'degraded', latencyMs: 2100, message: 'slow' });
    expect(list.at(-1)).toEqual({ at: T0 + 10_000, status: 'down', latencyMs: null, errorKind: 'timeout', message: 'no answer within 5000 ms' });
    expect(list.at(-3)!.at).toBe(T0);
    expect(list.at(3)).toBeUndefined();
    expect(list.at(-4)).toBeUndefined();
    // As Array.prototype.at: a fraction is cut toward zero
    expect(list.at(1.9)!.at).toBe(T0 + 5000);
    expect(list.at(-1.5)!.at).toBe(T0 + 10_000);
    expect(list.timeAt(2)).toBe(T0 + 10_000);
    expect([...list].map((s) => s.at)).toEqual([T0, T0 + 5000, T0 + 10_000]);
    expect(list.slice(-2).map((s) => s.status)).toEqual(['degraded', 'down']);
    expect(list.slice(1, 2).map((s) => s.status)).toEqual(['degraded']);
    // slice's arguments as Array.prototype.slice reads them: cut toward zero, never a sample in between
    expect(list.slice(0.5, 2)).toEqual([
      { at: T0, status: 'up', latencyMs: 12.5 },
      { at: T0 + 5000, status: 'degraded', latencyMs: 2100, message: 'slow' },
    ]);
    expect(list.slice(-1.5).map((s) => s.at)).toEqual([T0 + 10_000]);
    expect(list.slice(Number.NaN, 1).map((s) => s.at)).toEqual([T0]);
    expect([0, 1, 2].map((i) => list.statusAt(i))).toEqual(['up', 'degraded', 'down']);
  });

  it('refuses a status it could not read back (never stored as "up")', () => {
    const w = new SampleColumnsWriter();
    expect(() => w.push({ at: T0, status: 'DOWN' as never, latencyMs: 5 })).toThrow('not a status: "DOWN"');
    expect(() => w.row(T0, 3, 5, undefined, undefined, false)).toThrow('not a status code: 3');
    expect(() => w.row(T0, -1, 5, undefined, undefined, false)).toThrow('not a status code: -1');
    expect(w.finish().length).toBe(0);
  });

  it('keeps a failed check a gap, never a zero, and a zero a zero', () => {
    const list = columns(
      { at: T0, status: 'down', latencyMs: null, errorKind: 'connection' },
      { at: T0 + 1, status: 'up', latencyMs: 0 },
      { at: T0 + 2, status: 'up', latencyMs: -0 },
      { at: T0 + 3, status: 'degraded', latencyMs: null },
    );
    expect(list.map((s) => s.latencyMs)).toEqual([null, 0, -0, null]);
    expect(Object.is(list.at(2)!.latencyMs, -0)).toBe(true);
  });

  it('round-trips error kinds, messages and headroom, with the keys in the journal line order', () => {
    const list = columns(
      { at: T0, status: 'up', latencyMs: 88.8, headroom: [{ name: 'throttle', remaining: 980, limit: 1000 }] },
      {
        at: T0 + 1,
        status: 'degraded',
        latencyMs: 2100.5,
        message: 'slow: 2100 ms over 2000 ms',
        headroom: [
          { name: 'throttle', remaining: 40, limit: 1000 },
          { name: 'cost', remaining: 1.5, limit: 50 },
        ],
      },
      { at: T0 + 2, status: 'down', latencyMs: null, errorKind: 'protocol', message: '', headroom: [] },
      { at: T0 + 3, status: 'down', latencyMs: null, errorKind: 'http', message: 'HTTP 503' },
      { at: T0 + 4, status: 'up', latencyMs: 7 },
    );
    expect(JSON.stringify(list)).toBe(
      JSON.stringify([
        { at: T0, status: 'up', latencyMs: 88.8, headroom: [{ name: 'throttle', remaining: 980, limit: 1000 }] },
        {
          at: T0 + 1,
          status: 'degraded',
          latencyMs: 2100.5,
          message: 'slow: 2100 ms over 2000 ms',
          headroom: [
            { name: 'throttle', remaining: 40, limit: 1000 },
            { name: 'cost', remaining: 1.5, limit: 50 },
          ],
        },
        { at: T0 + 2, status: 'down', latencyMs: null, errorKind: 'protocol', message: '', headroom: [] },
        { at: T0 + 3, status: 'down', latencyMs: null, errorKind: 'http', message: 'HTTP 503' },
        { at: T0 + 4, status: 'up', latencyMs: 7 },
      ]),
    );
    // No key at all where the sample had none (not one set to undefined)
    expect(Object.keys(list.at(-1)!)).toEqual(['at', 'status', 'latencyMs']);
    expect(list.at(2)!.headroom).toEqual([]);
  });

  it('keeps headroom that is not a name and two numbers as it was read (a hand-edited line)', () => {
    const odd = [{ name: 'x', remaining: 1, limit: undefined }] as unknown as JournalSample['headroom'];
    const list = columns({ at: T0, status: 'up', latencyMs: 1, headroom: odd! }, { at: T0 + 1, status: 'up', latencyMs: 2, headroom: [{ name: 'y', remaining: 3, limit: 4 }] });
    expect(list.at(0)!.headroom).toStrictEqual([{ name: 'x', remaining: 1, limit: undefined }]);
    expect(list.at(1)!.headroom).toStrictEqual([{ name: 'y', remaining: 3, limit: 4 }]);
  });

  it('sorts samples appended out of order by time, stably, with everything they carry', () => {
    const list = columns(
      { at: T0 + 3000, status: 'up', latencyMs: 3, headroom: [{ name: 'throttle', remaining: 3, limit: 10 }] },
      { at: T0 + 1000, status: 'down', latencyMs: null, errorKind: 'timeout', message: 'first at 1000' },
      { at: T0 + 2000, status: 'up', latencyMs: 2, headroom: [] },
      { at: T0 + 1000, status: 'degraded', latencyMs: 1.5, message: 'second at 1000', headroom: [{ name: 'cost', remaining: 1, limit: 2 }] },
      { at: T0 + 4000, status: 'up', latencyMs: 4 },
    );
    expect(list.slice()).toStrictEqual([
      { at: T0 + 1000, status: 'down', latencyMs: null, errorKind: 'timeout', message: 'first at 1000' },
      { at: T0 + 1000, status: 'degraded', latencyMs: 1.5, message: 'second at 1000', headroom: [{ name: 'cost', remaining: 1, limit: 2 }] },
      { at: T0 + 2000, status: 'up', latencyMs: 2, headroom: [] },
      { at: T0 + 3000, status: 'up', latencyMs: 3, headroom: [{ name: 'throttle', remaining: 3, limit: 10 }] },
      { at: T0 + 4000, status: 'up', latencyMs: 4 },
    ]);
  });

  it('keeps equal times in the order they came, also in a long list sorted late', () => {
    // Many equal times: an unstable sort would scramble them
    const w = new SampleColumnsWriter();
    w.row(T0 + 10, 0, 0, undefined, 'last', false);
    for (let i = 0; i < 500; i++) w.row(T0, 0, i, undefined, undefined, false);
    const list = w.finish();
    expect(list.map((s) => s.latencyMs).slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(list.at(499)!.latencyMs).toBe(499);
    expect(list.at(-1)!.message).toBe('last');
  });

  it('grows past its first capacity, headroom entries too', () => {
    const w = new SampleColumnsWriter();
    for (let i = 0; i < 1000; i++) {
      w.row(T0 + i * 1000, i % 3, i % 7 === 0 ? null : i / 10, i % 5 === 0 ? 'http' : undefined, i % 11 === 0 ? `m${i}` : undefined, i % 2 === 0);
      if (i % 2 === 0) {
        w.headroom('throttle', i, 2000);
        if (i % 4 === 0) w.headroom('cost', i / 2, 1000);
      }
    }
    const list = w.finish();
    expect(list.length).toBe(1000);
    expect(list.at(0)).toEqual({
      at: T0,
      status: 'up',
      latencyMs: null,
      errorKind: 'http',
      message: 'm0',
      headroom: [
        { name: 'throttle', remaining: 0, limit: 2000 },
        { name: 'cost', remaining: 0, limit: 1000 },
      ],
    });
    expect(list.at(998)).toEqual({ at: T0 + 998_000, status: 'down', latencyMs: 99.8, headroom: [{ name: 'throttle', remaining: 998, limit: 2000 }] });
    expect(list.at(999)).toEqual({ at: T0 + 999_000, status: 'up', latencyMs: 99.9 });
    expect(list.at(990)).toEqual({ at: T0 + 990_000, status: 'up', latencyMs: 99, errorKind: 'http', message: 'm990', headroom: [{ name: 'throttle', remaining: 990, limit: 2000 }] });
  });

  it('reads any number of distinct error kinds (a hand-edited file)', () => {
    const w = new SampleColumnsWriter();
    for (let i = 0; i < 300; i++) w.row(T0 + i, 2, null, `kind-${i}`, undefined, false);
    const list = w.finish();
    expect(list.at(0)!.errorKind).toBe('kind-0');
    expect(list.at(253)!.errorKind).toBe('kind-253');
    expect(list.at(254)!.errorKind).toBe('kind-254');
    expect(list.at(299)!.errorKind).toBe('kind-299');
  });

  it('filters, tests and maps like an array, with the index', () => {
    const list = SampleColumns.from([
      { at: T0, status: 'up', latencyMs: 1 },
      { at: T0 + 1, status: 'down', latencyMs: null, errorKind: 'auth' },
      { at: T0 + 2, status: 'up', latencyMs: 3 },
    ]);
    expect(list.filter((s) => s.status === 'up').map((s) => s.at)).toEqual([T0, T0 + 2]);
    expect(list.filter((_, i) => i > 0).map((s) => s.at)).toEqual([T0 + 1, T0 + 2]);
    expect(list.some((s) => s.errorKind === 'auth')).toBe(true);
    expect(list.some((s) => s.errorKind === 'timeout')).toBe(false);
    expect(list.map((s, i) => `${i}:${s.status}`)).toEqual(['0:up', '1:down', '2:up']);
  });

  it('gives a fresh object on every read: changing one does not change the list', () => {
    const list = SampleColumns.from([{ at: T0, status: 'up', latencyMs: 1, headroom: [{ name: 'throttle', remaining: 5, limit: 10 }] }]);
    const s = list.at(0)!;
    s.latencyMs = 99;
    s.headroom![0]!.remaining = 0;
    expect(list.at(0)).toEqual({ at: T0, status: 'up', latencyMs: 1, headroom: [{ name: 'throttle', remaining: 5, limit: 10 }] });
  });
});
