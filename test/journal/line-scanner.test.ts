import { describe, expect, it } from 'vitest';
import { createLineScanner, EVENT, EVIDENCE, NOT_SIMPLE, OLDER, scanLine, TAKEN } from '../../src/journal/line-scanner.js';
import { SampleColumnsWriter } from '../../src/journal/sample-columns.js';

const bytes = (...lines: string[]) => Buffer.from(lines.map((l) => `${l}\n`).join(''));

describe('the line scanner', () => {
  it('reads a sample line into its target columns and says what it read', () => {
    const sc = createLineScanner();
    const w = new SampleColumnsWriter();
    const b = bytes('["shopify-admin",1000,2,null,"timeout","no answer",[["throttle",40,1000]]]');
    expect(scanLine(sc, b, 0, 0, true, () => w)).toBe(TAKEN);
    expect(sc.at).toBe(1000);
    expect(sc.id).toBe('shopify-admin');
    expect(sc.end).toBe(b.length - 1);
    expect([...w.finish()]).toEqual([
      { at: 1000, status: 'down', latencyMs: null, errorKind: 'timeout', message: 'no answer', headroom: [{ name: 'throttle', remaining: 40, limit: 1000 }] },
    ]);
  });

  it('reads a sample kept apart (cold start, stall) and its re-measures by hand, after evidence too', () => {
    const sc = createLineScanner();
    const w = new SampleColumnsWriter();
    const b = bytes(
      '["app",1000,0,700.2,null,null,null,null,"cold"]',
      '["app",2000,0,40,null,null,null,null,"stalled",2]',
      '["app",3000,1,2300,"http","HTTP 429",null,{"httpStatus":429},"stalled",3]',
      '["app",4000,0,12,null,null,null,null,"warm"]',
    );
    const kinds: number[] = [];
    for (let start = 0; start < b.length; start = sc.end + 1) kinds.push(scanLine(sc, b, start, 0, true, () => w));
    // Every line by hand (none left to JSON.parse), the one with evidence said so
    expect(kinds).toEqual([TAKEN, TAKEN, EVIDENCE, TAKEN]);
    expect([...w.finish()]).toEqual([
      { at: 1000, status: 'up', latencyMs: 700.2, apart: 'cold' },
      { at: 2000, status: 'up', latencyMs: 40, apart: 'stalled', remeasured: 2 },
      { at: 3000, status: 'degraded', latencyMs: 2300, errorKind: 'http', message: 'HTTP 429', apart: 'stalled', remeasured: 3 },
      { at: 4000, status: 'up', latencyMs: 12 },
    ]);
    // An eleventh field is JSON.parse's to judge
    expect(scanLine(sc, bytes('["app",5000,0,1,null,null,null,null,"cold",1,0]'), 0, 0, true, () => w)).toBe(NOT_SIMPLE);
  });

  it('keeps each scanner to itself: one reading does not move another', () => {
    const a = createLineScanner();
    const b = createLineScanner();
    expect(scanLine(a, bytes('["x",5,0,1.5]'), 0, 10, false, null)).toBe(OLDER);
    expect(scanLine(b, bytes('["y",7,1,2,null,null,null,{"reason":"slow"}]'), 0, Infinity, true, null)).toBe(EVIDENCE);
    expect([a.at, b.at, b.id]).toEqual([5, 7, 'y']);
  });

  it('reads an event line for its time, and leaves other lines to JSON.parse', () => {
    const sc = createLineScanner();
    expect(scanLine(sc, bytes('{"ev":{"type":"notice","at":42}}'), 0, 0, true, null)).toBe(EVENT);
    expect(sc.at).toBe(42);
    expect(scanLine(sc, bytes('{"bo":{"id":"B-1"}}'), 0, 0, true, null)).toBe(NOT_SIMPLE);
    expect(scanLine(sc, bytes('["\\u0078",1,0,1]'), 0, 0, true, null)).toBe(NOT_SIMPLE);
  });
});
