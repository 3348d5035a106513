import { describe, expect, it } from 'vitest';
import { CODE_STATUS, STATUS_CODE, STATUS_VALUE } from '../../src/shared/status.js';

describe('the status table', () => {
  it('numbers statuses best first, as the journal writes them', () => {
    expect(CODE_STATUS).toEqual(['up', 'degraded', 'down']);
    expect(STATUS_CODE).toEqual({ up: 0, degraded: 1, down: 2 });
  });

  it("gives Prometheus' values: 1 up, 0.5 degraded, 0 down", () => {
    expect(STATUS_VALUE).toEqual({ up: 1, degraded: 0.5, down: 0 });
  });
});
