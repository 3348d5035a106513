// What a probe saw happen between checks (an MCP server that died, a tool schema that changed) reaches the event
// log: one warn notice per `details.events` entry.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { configFromObject } from '../../src/config/config.js';
import { createEngine } from '../../src/state/engine.js';
import { createStore, initialState } from '../../src/state/store.js';
import type { ProbeResult } from '../../src/probes/types.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-10-13T14:00:00Z'));
});
afterEach(() => vi.useRealTimers());

it('turns each details.events entry into a warn notice, once', async () => {
  // Given a probe whose first answer reports two things that happened since the last check
  const events = ['mcp-memory: the server exited (signal SIGKILL) after 3h12m; restarted', 'mcp-memory: tool schemas changed (changed echo)'];
  const answers: ProbeResult[] = [
    { status: 'up', latencyMs: 5, error: null, details: { events } },
    { status: 'up', latencyMs: 5, error: null, details: {} },
  ];
  const config = configFromObject({ defaults: { intervalSeconds: 10, retries: 0 }, targets: [{ id: 'mcp-memory', kind: 'http', url: 'http://127.0.0.1:9/' }] });
  const store = createStore(initialState(config, { now: Date.now() }));
  const engine = createEngine({ config, store, runProbe: async () => answers.shift() ?? { status: 'up', latencyMs: 5, error: null, details: {} }, random: () => 0.5 });

  // When two checks run
  engine.start();
  await vi.advanceTimersByTimeAsync(10_000);
  engine.stop();

  // Then the log holds the two notices, from the first check only
  const notices = store.getSnapshot().events.filter((e) => e.type === 'notice');
  expect(notices.map((e) => (e.type === 'notice' ? [e.level, e.message] : null))).toEqual(events.map((m) => ['warn', m]));
});
