import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromObject } from '../../src/config/config.js';
import { openJournal } from '../../src/journal/journal.js';
import { stateFromHistory } from '../../src/journal/journal-state.js';
import type { ProbeResult } from '../../src/probes/types.js';
import { shownStatus } from '../../src/state/derive.js';
import { initialState } from '../../src/state/store.js';

describe('a check held while pitwall was offline, after a restart', () => {
  it('is restored as held (unknown on screen), not as a degraded target', () => {
    const T = Date.UTC(2026, 9, 13, 14);
    const dir = mkdtempSync(join(tmpdir(), 'pitwall-held-'));
    const config = configFromObject({ targets: [{ id: 'shop', kind: 'http', url: 'https://shop.example/' }] });
    const j = openJournal({ dir, configPath: null, now: () => T });
    const held: ProbeResult = {
      status: 'degraded',
      latencyMs: null,
      error: null,
      reason: 'unknown: pitwall offline (canary: DNS lookup of one.one.one.one failed (EAI_AGAIN))',
      details: { pitwallOffline: 'canary: DNS lookup of one.one.one.one failed (EAI_AGAIN)' },
    };
    j.appendResult('shop', held, T - 1000);
    const history = j.load(T - 3_600_000);
    j.close();
    const t = stateFromHistory(initialState(config, { now: T }), history).targets.shop!;
    expect(t.latest?.details.pitwallOffline).toBe('canary: DNS lookup of one.one.one.one failed (EAI_AGAIN)');
    expect(shownStatus(t)).toBeNull();
  });
});
