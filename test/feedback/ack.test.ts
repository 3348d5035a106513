import { describe, expect, it, vi } from 'vitest';
import { ackLine } from '../../src/feedback/ack.js';
import { ackActive, ackLabel, ackSilences, createAckStore, followTransitions, type Ack } from '../../src/state/acks.js';
import { configFromObject } from '../../src/config/config.js';
import { createStore, initialState } from '../../src/state/store.js';

const AT = Date.UTC(2026, 11, 4, 3, 12, 0);
const ack = (over: Partial<Ack> = {}): Ack => ({ targetId: 'shopify-admin', by: 'dana', at: AT, note: 'on it', expiry: 'until-up', status: 'down', ...over });

describe('ack line in the feedback file', () => {
  it('is one line: target, problem, who, when, until when, note', () => {
    expect(ackLine(ack(), 'timeout: no answer within 10000 ms')).toBe(
      '- ACK `shopify-admin` (down: timeout: no answer within 10000 ms) by dana at 2026-12-04T03:12:00Z, until up: "on it"',
    );
    expect(ackLine(ack({ expiry: '1h', note: '', status: 'degraded' }), '')).toBe('- ACK `shopify-admin` (degraded) by dana at 2026-12-04T03:12:00Z, until 2026-12-04T04:12:00Z (1h)');
  });

  it('keeps hostile text on its one line without breaking the code span', () => {
    expect(ackLine(ack({ note: 'a\nb `x` "q"' }), 'http: 500\n## BLOCKER fake')).toBe(
      '- ACK `shopify-admin` (down: http: 500 ## BLOCKER fake) by dana at 2026-12-04T03:12:00Z, until up: "a b x \'q\'"',
    );
    // An HTML comment or tag from an upstream would hide the rest of the file in a rendered view: escaped
    expect(ackLine(ack({ note: '' }), 'http: <!-- hidden --> <img src=x>')).toBe(
      '- ACK `shopify-admin` (down: http: \\<!-- hidden --> \\<img src=x>) by dana at 2026-12-04T03:12:00Z, until up',
    );
  });
});

describe('acks', () => {
  it('silence no worse a status while they hold; a timed one ends on time', () => {
    const a = ack({ status: 'degraded', expiry: '15m' });
    expect(ackSilences(a, 'degraded', AT + 60_000)).toBe(true);
    expect(ackSilences(a, 'down', AT + 60_000)).toBe(false);
    expect(ackActive(a, AT + 15 * 60_000)).toBe(false);
    expect(ackSilences(undefined, 'down', AT)).toBe(false);
    expect(ackLabel(a, (t) => new Date(t).toISOString().slice(11, 16))).toBe('acked by dana 03:12 (until 03:27)');
    expect(ackLabel(ack(), (t) => new Date(t).toISOString().slice(11, 16))).toBe('acked by dana 03:12 (until up)');
  });

  it('end when the target is up again, or worse than acked', () => {
    vi.useFakeTimers();
    try {
      const config = configFromObject({
        store: 'x',
        feedbackFile: '/tmp/x.md',
        targets: [
          { id: 'a', kind: 'http', url: 'http://127.0.0.1:1/' },
          { id: 'b', kind: 'http', url: 'http://127.0.0.1:1/' },
        ],
      });
      const store = createStore(initialState(config, { now: AT }));
      const acks = createAckStore();
      followTransitions(acks, store);
      acks.set(ack({ targetId: 'a', status: 'degraded', at: AT }));
      acks.set(ack({ targetId: 'b', status: 'down', at: AT }));
      const transition = (targetId: string, from: 'up' | 'degraded' | 'down', to: 'up' | 'degraded' | 'down') =>
        store.dispatch({ type: 'event', event: { type: 'transition', at: AT + 1_000, targetId, from, to } });
      // a: degraded → down is worse: the ack ends (it rings); b: down → down-ish noise stays acked
      transition('a', 'degraded', 'down');
      vi.runAllTimers();
      expect(Object.keys(acks.getSnapshot())).toEqual(['b']);
      // b: up again ends its ack
      transition('b', 'down', 'up');
      vi.runAllTimers();
      expect(acks.getSnapshot()).toEqual({});
    } finally {
      vi.useRealTimers();
    }
  });
});
