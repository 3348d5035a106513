import { describe, expect, it } from 'vitest';
import { configFromObject } from '../../src/config/config.js';
import { overall, tileHealth } from '../../src/state/derive.js';
import { initialState, reduce, type State } from '../../src/state/store.js';
import { classify } from '../../src/probes/classify.js';
import type { ProbeResult, SubCheck } from '../../src/probes/types.js';

const config = configFromObject({
  targets: [
    { id: 'shopify', kind: 'http', url: 'http://127.0.0.1:1/', tiles: ['sales-pulse', 'inventory-watch'] },
    { id: 'chatwoot', kind: 'http', url: 'http://127.0.0.1:1/', tiles: ['cx-pulse'] },
  ],
});
const sub = (name: string, tile: SubCheck['tile'], status: SubCheck['status']): SubCheck => ({
  name,
  tile,
  status,
  latencyMs: 10,
  error: status === 'up' ? null : { kind: status === 'down' ? 'auth' : 'rate_limited', message: 'x' },
});
const finish = (s: State, id: string, result: ProbeResult) => reduce(s, { type: 'probe-finished', id, at: 1, result, attempts: 1, nextAt: null });
const tile = (s: State, id: string) => tileHealth(s).find((t) => t.id === id)!;

describe('tiles and overall status', () => {
  it('blinds only the tile whose sub-check fails', () => {
    const r = classify({ latencyMs: 10, degradedMs: 1000, subChecks: [sub('orders', 'sales-pulse', 'up'), sub('inventory', 'inventory-watch', 'down')] });
    const s = finish(initialState(config, { now: 0 }), 'shopify', r);
    expect(tile(s, 'inventory-watch')).toMatchObject({ status: 'down', culprits: ['shopify/inventory'] });
    expect(tile(s, 'sales-pulse').status).toBe('up');
  });

  it('impairs every tile of a target degraded as a whole (low headroom), even with healthy sub-checks', () => {
    const r = classify({
      latencyMs: 10,
      degradedMs: 1000,
      headroom: [{ name: 'throttle', remaining: 20, limit: 1000 }],
      subChecks: [sub('orders', 'sales-pulse', 'up'), sub('inventory', 'inventory-watch', 'up')],
    });
    const s = finish(initialState(config, { now: 0 }), 'shopify', r);
    expect(tile(s, 'sales-pulse')).toMatchObject({ status: 'degraded', culprits: ['shopify'] });
    expect(tile(s, 'inventory-watch').status).toBe('degraded');
  });

  it('is never green overall while a target has not answered', () => {
    let s = finish(initialState(config, { now: 0 }), 'chatwoot', classify({ latencyMs: 10, degradedMs: 1000 }));
    expect(overall(s)).toMatchObject({ status: null, up: 1, unknown: 1 });
    s = finish(s, 'shopify', classify({ latencyMs: 10, degradedMs: 1000 }));
    expect(overall(s).status).toBe('up');
  });
});

describe('blockers from other processes', () => {
  it('replaces the open blockers with what the journal knows', () => {
    const b = (id: string) => ({ id, targetId: 'shopify', openedAt: 1, note: 'x' });
    let s = reduce(initialState(config, { now: 0 }), { type: 'blocker-opened', blocker: b('B-1'), at: 1 });
    s = reduce(s, { type: 'blockers-synced', blockers: [b('B-2')] });
    expect(Object.keys(s.blockers)).toEqual(['B-2']);
    expect(reduce(s, { type: 'blockers-synced', blockers: [b('B-2')] })).toBe(s);
  });
});

describe('history after a restart', () => {
  it('carries "since" and failure streaks on, with no fake "new → down" transition', () => {
    const samples = [
      { at: 1_000, status: 'up' as const, latencyMs: 10 },
      { at: 2_000, status: 'degraded' as const, latencyMs: 3000 },
      { at: 3_000, status: 'down' as const, latencyMs: null, errorKind: 'timeout' as const },
      { at: 4_000, status: 'down' as const, latencyMs: null, errorKind: 'timeout' as const },
    ];
    let s = reduce(initialState(config, { now: 0 }), { type: 'history-loaded', samples: { shopify: samples }, events: [], blockers: [] });
    expect(s.targets.shopify).toMatchObject({ statusSince: 3_000, failingSince: 2_000, consecutiveFailures: 2 });
    s = finish(s, 'shopify', { status: 'down', latencyMs: null, error: { kind: 'timeout', message: 't' }, details: {} });
    expect(s.targets.shopify).toMatchObject({ statusSince: 3_000, failingSince: 2_000, consecutiveFailures: 3 });
    expect(s.events.filter((e) => e.type === 'transition')).toEqual([]);
  });
});
