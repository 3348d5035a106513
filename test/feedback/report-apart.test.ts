// The hourly report tells the same truth as the console: a cold first sample and samples taken while pitwall's own
// loop stalled stay out of p50/p95 (and are counted), and an MCP server's protocol era change is named beside its
// deaths — from the journal, so the console's `h` and a headless `pitwall report` say the same.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runReport } from '../../src/commands/report.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { writeHourlyReport } from '../../src/feedback/feedback-actions.js';
import { createFeedbackWriter } from '../../src/feedback/feedback-writer.js';
import { buildHourlyReport, eraLabel, type ReportTarget } from '../../src/feedback/report.js';
import { openJournal, type Journal } from '../../src/journal/journal.js';
import type { ProbeResult } from '../../src/probes/types.js';
import { createStore, initialState } from '../../src/state/store.js';
import { createRedactor } from '../../src/text/redact.js';

const T0 = Date.UTC(2026, 9, 13, 14); // 14:00 UTC
const MIN = 60_000;
const H = 60 * MIN;

const up = (latencyMs: number, details: Record<string, unknown> = {}): ProbeResult => ({ status: 'up', latencyMs, error: null, details });
const legacy = { era: 'legacy (initialize handshake)', protocolVersion: '2025-11-25' };
const modern = { era: 'modern (stateless, server/discover)', protocolVersion: '2026-07-28' };

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A config on disk (the report command reads one) with an HTTP target and two MCP servers, and its feedback file. */
function setup(): { root: string; config: Config; file: string; stateDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'pitwall-report-apart-'));
  roots.push(root);
  mkdirSync(join(root, 'feedback'));
  const file = join(root, 'feedback', 'integrations.md');
  writeFileSync(file, '# Integrations log\n');
  writeFileSync(
    join(root, 'pitwall.yaml'),
    [
      'feedbackFile: feedback/integrations.md',
      'targets:',
      '  - { id: app, kind: http, url: "http://127.0.0.1:9/", intervalSeconds: 300 }',
      '  - { id: mcp-context7, kind: mcp, transport: stdio, command: node, args: [server.js], intervalSeconds: 300 }',
      '  - { id: mcp-docs, kind: mcp, transport: stdio, command: node, args: [docs.js], intervalSeconds: 300 }',
    ].join('\n'),
  );
  return { root, config: loadConfig(join(root, 'pitwall.yaml'), {}), file, stateDir: join(root, 'state') };
}

/**
 * The hour 14:00–15:00 as the console journals it: `app` every 5 minutes at 100…210 ms, but its first sample (a cold
 * start, 700 ms) and, after a restart at 14:30, another cold one (650 ms); one sample at 14:40 that overlapped a stall
 * of pitwall's own loop at both re-measures (900 ms), one at 14:45 re-measured once (then 150 ms). mcp-context7 answered
 * in the 2025 era since 13:10 and in the 2026-07-28 one after it died and came back at 14:12; mcp-docs was first seen
 * this hour (its era is no change) and its record repeated after the restart.
 */
function consoleHour(open: () => Journal): void {
  let j = open();
  j.appendResult('mcp-context7', up(20, legacy), T0 - 50 * MIN, { cold: true });
  for (let i = 0; i < 12; i++) {
    const at = T0 + i * 5 * MIN;
    if (i === 6) {
      // The console restarted (a process that has not read the journal yet journals each era once more)
      j.close();
      j = open();
    }
    if (i === 0) j.appendResult('app', up(700), at, { cold: true });
    else if (i === 6) j.appendResult('app', up(650), at, { cold: true });
    else if (i === 8) j.appendResult('app', up(900), at, { stalls: 2, stalledMs: 300 });
    else if (i === 9) j.appendResult('app', up(150), at, { stalls: 1 });
    else j.appendResult('app', up(100 + i * 10), at);
    j.appendResult('mcp-docs', up(30, legacy), at + 1000, { cold: i === 0 || i === 6 });
    if (i < 3) j.appendResult('mcp-context7', up(20, legacy), at + 2000);
  }
  j.appendEvent({ type: 'notice', at: T0 + 12 * MIN, level: 'warn', message: 'mcp-context7: the server exited (code 0) after 1h02m; restarted' });
  j.appendResult('mcp-context7', up(25, modern), T0 + 12 * MIN + 5000, { cold: true });
  for (let i = 3; i < 12; i++) j.appendResult('mcp-context7', up(25, modern), T0 + i * 5 * MIN + 2000);
  j.close();
}

describe('hourly report: samples kept apart from p50/p95', () => {
  it('leaves cold starts and stalled samples out of p95, counts them, and says the same headless and in the console', async () => {
    const e = setup();
    consoleHour(() => openJournal({ dir: e.stateDir, configPath: e.config.path, now: () => T0 + H }));

    // When the console writes its report at 15:00:05 (`h`), and `pitwall report` writes one a second later
    const journal = openJournal({ dir: e.stateDir, configPath: e.config.path, now: () => T0 + H + 5_000 });
    const writer = createFeedbackWriter({ path: e.file, redactor: createRedactor(), outboxDir: join(e.stateDir, 'outbox') });
    const store = createStore(initialState(e.config, { now: T0 + H }));
    const live = await writeHourlyReport({ config: e.config, journal, blockers: [], which: 'last', now: T0 + H + 5_000, store, writer });
    journal.close();
    await writer.close();
    expect(await runReport(e.config, { write: () => undefined, stateDir: e.stateDir, timeZone: 'UTC', now: () => T0 + H + 6_000 })).toBe(0);
    const headless = readFileSync(e.file, 'utf8').split('\n## Hourly report — ').at(-1)!;

    // Then app's p95 stands on its nine warm samples (110…210 ms: p95 = 9th = 210), not the 900/700/650 ones
    expect(live.summary.targets.app!.p95).toBe(210);
    const facts = (md: string) => md.split('\n').filter((l) => l.startsWith('- **pitwall itself:**') || l.includes('up at every check, p95') || l.startsWith('- `mcp-'));
    expect(facts(live.markdown)).toEqual([
      '- **pitwall itself:** 5 cold starts, 1 stalled sample kept out of p50/p95; 3 checks measured again because pitwall stalled',
      'All 3 targets up at every check, p95 under 300 ms (highest: `app` 210 ms).',
      '- `mcp-context7`: the server died once (last at 14:12:00: the server exited (code 0) after 1h02m; restarted); era changed legacy → 2026-07-28 at 14:12:05',
    ]);
    // (app 2, mcp-docs 2, mcp-context7 1 after it came back: five cold starts)
    expect(facts(headless)).toEqual(facts(live.markdown));
  });

  it('an old journal (no flags) keeps its figures: every sample counts, no line about pitwall itself', () => {
    const samples = { app: [700, 100, 110, 120].map((ms, i) => ({ at: T0 + i * 5 * MIN, status: 'up' as const, latencyMs: ms })) };
    const target: ReportTarget = { id: 'app', name: 'App', kind: 'http', tiles: [], intervalMs: 5 * MIN };
    const { markdown, summary } = buildHourlyReport({ hourStart: T0, hourEnd: T0 + H, samples, events: [], targets: [target], blockers: [], now: T0 + 20 * MIN, timeZone: 'UTC' });
    expect(summary.targets.app!.p95).toBe(700);
    expect(markdown).not.toContain('pitwall itself');
  });
});

describe('hourly report: MCP protocol eras', () => {
  const mcp = (id: string): ReportTarget => ({ id, name: id, kind: 'mcp', tiles: [], intervalMs: 5 * MIN });
  const hour = (eras: Parameters<typeof buildHourlyReport>[0]['eras'], ids: string[], events: Parameters<typeof buildHourlyReport>[0]['events'] = []) =>
    buildHourlyReport({
      hourStart: T0,
      hourEnd: T0 + H,
      samples: Object.fromEntries(ids.map((id) => [id, Array.from({ length: 12 }, (_, i) => ({ at: T0 + i * 5 * MIN, status: 'up' as const, latencyMs: 20 }))])),
      events,
      eras,
      targets: ids.map(mcp),
      blockers: [],
      now: T0 + H,
      timeZone: 'UTC',
    }).markdown;

  it('names a change even on a server up all hour, counts flip-flops, and says nothing of an era first seen or repeated', () => {
    const md = hour(
      [
        { targetId: 'mcp-a', at: T0 - 3 * H, ...legacy },
        { targetId: 'mcp-a', at: T0 + 12 * MIN, ...modern },
        { targetId: 'mcp-a', at: T0 + 30 * MIN, ...modern },
        { targetId: 'mcp-b', at: T0 + 10 * MIN, ...modern },
        { targetId: 'mcp-b', at: T0 + 20 * MIN, ...legacy },
        { targetId: 'mcp-b', at: T0 + 30 * MIN, ...modern },
        { targetId: 'mcp-b', at: T0 + 40 * MIN, ...legacy },
        { targetId: 'mcp-c', at: T0 + 5 * MIN, ...legacy },
        { targetId: 'mcp-c', at: T0 + 35 * MIN, ...legacy, protocolVersion: '2025-06-18' },
        // after the hour: not this report's
        { targetId: 'mcp-c', at: T0 + H, ...modern },
      ],
      ['mcp-a', 'mcp-b', 'mcp-c'],
      // (the prober's words, src/probes/mcp/prober.ts: a new server version brought new tool schemas along)
      [{ type: 'notice', at: T0 + 12 * MIN, level: 'warn', message: 'mcp-a: tool schemas changed (changed echo, add)' }],
    );
    const lines = md.split('\n');
    expect(lines.slice(lines.indexOf('### MCP servers'))).toEqual([
      '### MCP servers',
      '',
      '- `mcp-a`: tool schemas changed (changed echo, add); era changed legacy → 2026-07-28 at 14:12:00',
      '- `mcp-b`: era changed 3× (last 2026-07-28 → legacy at 14:40:00)',
      '',
    ]);
    // Every server up at every check: the MCP section is the only one besides the summary
    expect(lines.filter((l) => l.startsWith('#'))).toEqual(['## Hourly report — 2026-10-13 14:00–15:00 UTC', '### MCP servers']);
  });

  it('words an era in a few words', () => {
    expect([eraLabel(legacy), eraLabel(modern), eraLabel({ era: 'modern (stateless, server/discover)' }), eraLabel({ era: 'something new' })]).toEqual([
      'legacy',
      '2026-07-28',
      'modern',
      'something new',
    ]);
  });
});
