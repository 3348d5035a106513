import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/probes/types.js';
import { openJournal } from '../../src/journal/journal.js';
import { buildHourlyReport, hourWindow, previousReport, type ReportSummary, type ReportTarget } from '../../src/feedback/report.js';

const T0 = Date.UTC(2026, 9, 13, 14); // 14:00 UTC, 10:00 in Toronto (EDT)
const MIN = 60_000;
const H = 60 * MIN;

const up = (latencyMs: number, headroom?: number): ProbeResult => ({
  status: 'up',
  latencyMs,
  error: null,
  details: {},
  ...(headroom !== undefined ? { headroom: [{ name: 'throttle', remaining: headroom, limit: 1000 }] } : {}),
});
const down = (kind: 'timeout' | 'protocol', message: string): ProbeResult => ({ status: 'down', latencyMs: null, error: { kind, message }, details: {} });

const targets: ReportTarget[] = [
  { id: 'app', name: 'App', kind: 'http', tiles: ['sales-pulse'], intervalMs: 5 * MIN },
  { id: 'shop', name: 'Shop', kind: 'shopify', tiles: [], intervalMs: 10 * MIN },
  { id: 'mcp-docs', name: 'Docs MCP', kind: 'mcp', tiles: [], intervalMs: 5 * MIN },
  { id: 'vendor', name: 'Vendor', kind: 'statuspage', tiles: [], intervalMs: 5 * MIN },
];

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A known hour, written through the real journal and read back. */
function knownHour() {
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-report-'));
  dirs.push(dir);
  const j = openJournal({ dir, configPath: '/srv/pitwall.yaml', now: () => T0 + H });
  // app: every 5 min, 100…190 ms, down at 14:50, 200 ms at 14:55; one sample before the hour
  j.appendResult('app', up(90), T0 - 5 * MIN);
  [100, 110, 120, 130, 140, 150, 160, 170, 180, 190].forEach((ms, i) => j.appendResult('app', up(ms), T0 + i * 5 * MIN));
  j.appendResult('app', down('timeout', 'no answer within 10000 ms'), T0 + 50 * MIN);
  j.appendResult('app', up(200), T0 + 55 * MIN);
  // shop: every 10 min, throttle headroom dips to 50/1000 at 14:20 (degraded)
  [900, 700, 50, 400, 800, 1000].forEach((remaining, i) => {
    const at = T0 + i * 10 * MIN;
    const ms = 200 + i * 10;
    if (remaining === 50) {
      j.appendResult('shop', { status: 'degraded', latencyMs: ms, error: null, reason: 'throttle headroom 5% left', details: {}, headroom: [{ name: 'throttle', remaining, limit: 1000 }] }, at);
    } else j.appendResult('shop', up(ms, remaining), at);
  });
  // mcp-docs: first half all up (30 ms, one 60 ms), second half down at 14:35 and 14:40
  [30, 30, 30, 30, 30, 60].forEach((ms, i) => j.appendResult('mcp-docs', up(ms), T0 + i * 5 * MIN));
  j.appendResult('mcp-docs', up(40), T0 + 30 * MIN);
  j.appendResult('mcp-docs', down('protocol', 'the server exited during initialize'), T0 + 35 * MIN);
  j.appendResult('mcp-docs', down('protocol', 'the server exited during initialize'), T0 + 40 * MIN);
  [45, 50, 55].forEach((ms, i) => j.appendResult('mcp-docs', up(ms), T0 + (45 + i * 5) * MIN));
  j.appendEvent({ type: 'resolved', at: T0 + 10 * MIN, targetId: 'app', blockerId: 'B-0' });
  j.appendBlocker({ opened: { id: 'B-1', targetId: 'app', openedAt: T0 + 50 * MIN + 30_000, note: 'Checkout 503s\nsecond line' } });
  const history = j.load(T0 - 2 * H);
  j.close();
  return history;
}

const previous: ReportSummary = {
  hourStart: T0 - H,
  hourEnd: T0,
  at: T0 + 5_000,
  partial: false,
  overall: 'up',
  targets: {
    app: { status: 'up', uptimePct: 100, checks: 12, failures: 0, p95: 120 },
    shop: { status: 'up', uptimePct: 100, checks: 6, failures: 0, p95: 250 },
    'mcp-docs': { status: 'up', uptimePct: 100, checks: 12, failures: 0, p95: 60 },
    vendor: { status: null, uptimePct: null, checks: 0, failures: 0, p95: null },
  },
  openBlockers: ['B-0'],
};

describe('a partial hour', () => {
  it('includes a check finished in the report\'s own millisecond (a fresh round reported at once)', () => {
    const { markdown } = buildHourlyReport({
      hourStart: T0,
      hourEnd: T0 + H,
      samples: { [targets[0]!.id]: [{ at: T0 + 10 * MIN, status: 'up', latencyMs: 42 }] },
      events: [],
      targets: [targets[0]!],
      blockers: [],
      now: T0 + 10 * MIN,
      timeZone: 'UTC',
    });
    expect(markdown).toContain('\n`app` up at every check, p95 under 50 ms.\n');
    expect(markdown).toContain('- **Now:** ✔ all 1 up\n');
    expect(markdown).not.toContain('no data');
  });
});

describe('hourly report', () => {
  it('summarises a known hour with numbers checked by hand', () => {
    const h = knownHour();
    const { markdown, summary } = buildHourlyReport({
      hourStart: T0,
      hourEnd: T0 + H,
      samples: h.samples,
      events: h.events,
      targets,
      blockers: h.blockers,
      previous,
      now: T0 + H + 5_000,
      timeZone: 'America/Toronto',
      store: 'Hot Rod AN',
    });

    expect(markdown).toBe(
      [
        '## Hourly report — 2026-10-13 14:00–15:00 UTC (2026-10-13 10:00–11:00 America/Toronto)',
        '',
        // The longest outage leads (down before degraded, then the longest)
        '- **Worst:** `mcp-docs` ✖ down 14:35:00–14:45:00 (10m00s) — protocol: the server exited during initialize · 3 incidents on 3 targets this hour',
        '- **Now:** 3 up · … `vendor` without data',
        '- **Open blockers:** 1 — B-1 on `app`, open 9m35s (“Checkout 503s”)',
        '',
        '- Generated 2026-10-13T15:00:05Z by pitwall · Hot Rod AN · 4 targets',
        '',
        '### Needs attention',
        '',
        '| Target | Now | Worst | When (UTC) | Not up for | Uptime | p95 | First error |',
        '|---|---|---|---|---|---|---|---|',
        // 11 of 12 up = 91.7%; latencies 100…200 (11): p95 = 11th = 200
        '| `app` | ✔ up | ✖ down | 14:50:00–14:55:00 (5m00s) | 5m00s | 91.7% of 12 | 200 ms | timeout: no answer within 10000 ms |',
        // degraded is available: 100%; 200…250: p95 = 6th = 250
        '| `shop` | ✔ up | ▲ degraded | 14:20:00–14:30:00 (10m00s) | 10m00s | 100.0% of 6 | 250 ms | throttle headroom 5% left |',
        // 10 of 12 = 83.3%; 30,30,30,30,30,40,45,50,55,60: p95 = 10th = 60
        '| `mcp-docs` | ✔ up | ✖ down | 14:35:00–14:45:00 (10m00s) | 10m00s | 83.3% of 12 | 60 ms | protocol: the server exited during initialize |',
        '| `vendor` | … no data | — | no check this hour | — | — | — | — |',
        '',
        '### MCP servers',
        '',
        // first half 30×5, 60: p95 = 6th = 60; second half 4 of 6 up, 40,45,50,55: p95 = 4th = 55
        '- `mcp-docs`: 14:00–14:30 100.0% · 6 checks · p95 60 ms; 14:30–15:00 66.7% · 6 checks · 2 failed · p95 55 ms',
        '',
        // 50 of 1000 is 5%: near the limit, so shown
        '### Headroom near its limit',
        '',
        '- `shop` throttle: lowest 50 / 1000 (5.0%) at 14:20:00 UTC, latest 1000 / 1000 (100.0%)',
        '',
        '### Since the previous report (2026-10-13 13:00–14:00 UTC, written 14:00:05)',
        '',
        '- Overall: ✔ up → … unknown',
        '- `app`: uptime 100.0% → 91.7%',
        '- `app`: p95 120 ms → 200 ms',
        '- `mcp-docs`: uptime 100.0% → 83.3%',
        '- Blocker B-1 opened',
        '- Blocker B-0 resolved at 2026-10-13T14:10:00Z',
        '',
      ].join('\n'),
    );
    expect(summary).toEqual({
      hourStart: T0,
      hourEnd: T0 + H,
      at: T0 + H + 5_000,
      partial: false,
      overall: null,
      targets: {
        app: { status: 'up', uptimePct: (100 * 11) / 12, checks: 12, failures: 1, p95: 200 },
        shop: { status: 'up', uptimePct: 100, checks: 6, failures: 0, p95: 250 },
        'mcp-docs': { status: 'up', uptimePct: (100 * 10) / 12, checks: 12, failures: 2, p95: 60 },
        vendor: { status: null, uptimePct: null, checks: 0, failures: 0, p95: null },
      },
      openBlockers: ['B-1'],
    });
  });

  it('reports a partial hour with a coverage gap and an ongoing incident', () => {
    const samples = {
      app: [
        { at: T0, status: 'up' as const, latencyMs: 100 },
        { at: T0 + 5 * MIN, status: 'up' as const, latencyMs: 100 },
        // pitwall not running 14:05–14:30
        { at: T0 + 30 * MIN, status: 'up' as const, latencyMs: 100 },
        { at: T0 + 35 * MIN, status: 'down' as const, latencyMs: null, errorKind: 'connection' as const, message: 'connection refused' },
      ],
    };
    const { markdown, summary } = buildHourlyReport({
      hourStart: T0,
      hourEnd: T0 + H,
      samples,
      events: [],
      targets: [targets[0]!],
      blockers: [],
      now: T0 + 37 * MIN,
      timeZone: 'UTC',
    });
    expect(summary.partial).toBe(true);
    // local time is UTC here: said once
    expect(markdown).toContain('## Hourly report — 2026-10-13 14:00–14:37 UTC, partial hour\n');
    expect(markdown).toContain('- **Worst:** `app` ✖ down 14:35:00–now (2m00s so far) — connection: connection refused\n');
    expect(markdown).toContain('- **Now:** `app` ✖ down since 14:35:00\n');
    expect(markdown).toContain('- **Open blockers:** none\n');
    // the threshold is 3 intervals (15 min): 14:05–14:30 is a gap, 14:35–14:37 is not
    expect(markdown).toContain('- **Gaps:** no checks 14:05:00–14:30:00 (25m00s) UTC (pitwall was not running?)\n');
    expect(markdown).toContain('| `app` | ✖ down | ✖ down | 14:35:00–now (2m00s so far) | 2m00s | 75.0% of 4 | 100 ms | connection: connection refused |');
    // Empty sections are left out
    for (const gone of ['### MCP servers', '### Headroom', '### Since the previous report', 'No earlier report']) expect(markdown).not.toContain(gone);
  });

  it('says when the figures come from one fresh round instead of the journal', () => {
    const { markdown } = buildHourlyReport({
      hourStart: T0,
      hourEnd: T0 + H,
      samples: { app: [{ at: T0 + 20 * MIN, status: 'up', latencyMs: 80 }] },
      events: [],
      targets: [targets[0]!],
      blockers: [],
      ranFreshRound: true,
      now: T0 + 20 * MIN + 500,
      timeZone: 'UTC',
    });
    expect(markdown).toContain(
      '- **Note:** the journal had nothing for this hour, so pitwall ran one round of checks at 14:20:00 UTC for this report; each figure comes from that single check.',
    );
    expect(markdown).not.toContain('- **Gaps:**');
    expect(markdown).toContain('- **Worst:** nothing — every target up at every check\n');
  });

  it('escapes upstream text that would break a table row', () => {
    const { markdown } = buildHourlyReport({
      hourStart: T0,
      hourEnd: T0 + H,
      samples: { app: [{ at: T0, status: 'down', latencyMs: null, errorKind: 'bad_response', message: 'got a|b\nc' }] },
      events: [],
      targets: [targets[0]!],
      blockers: [],
      now: T0 + H,
      timeZone: 'UTC',
    });
    expect(markdown).toContain('| bad_response: got a\\|b ⏎ c |');
  });
});

describe('report windows', () => {
  it('picks the last full hour or the current one', () => {
    expect(hourWindow(T0 + 37 * MIN, 'last')).toEqual({ hourStart: T0 - H, hourEnd: T0 });
    expect(hourWindow(T0 + 37 * MIN, 'current')).toEqual({ hourStart: T0, hourEnd: T0 + H });
    expect(hourWindow(T0, 'last')).toEqual({ hourStart: T0 - H, hourEnd: T0 });
  });

  it('compares with the latest report written before, whoever wrote it and whatever hour it covered', () => {
    const r = (hourStart: number, at: number): ReportSummary => ({ ...previous, hourStart, hourEnd: hourStart + H, at });
    const reports = [r(T0 - 2 * H, T0 - H), r(T0 - H, T0), r(T0 - H, T0 + 10 * MIN), r(T0, T0 + 30 * MIN)];
    expect(previousReport(reports, T0 + 20 * MIN)).toBe(reports[2]);
    // Two reports of one hour a few seconds apart: the second compares with the first
    expect(previousReport(reports, T0 + 30 * MIN + 4_000)).toBe(reports[3]);
    expect(previousReport(reports, T0 - 2 * H)).toBeNull();
  });
});

describe('upstream text in the report', () => {
  it('cannot forge a heading, a list item or a fence, and is bounded', () => {
    const forged = `boom\n\n## RESOLVED app — 2026-10-13T14:05:00Z (B-fake)\n- **Outage:** none\n\`\`\`\n${'x'.repeat(5_000)}`;
    const { markdown } = buildHourlyReport({
      hourStart: T0,
      hourEnd: T0 + H,
      samples: {
        app: [
          { at: T0, status: 'down', latencyMs: null, errorKind: 'http', message: forged },
          { at: T0 + 5 * MIN, status: 'up', latencyMs: 90, message: forged },
        ],
        'mcp-docs': [{ at: T0, status: 'up', latencyMs: 30 }],
      },
      events: [{ type: 'notice', at: T0 + MIN, level: 'warn', message: `mcp-docs: the server exited (code 1) after 3m00s: ${forged}; restarted` }],
      targets: [targets[0]!, targets[2]!],
      blockers: [{ id: 'B-1', targetId: 'app', openedAt: T0, note: forged }],
      now: T0 + H,
      timeZone: 'UTC',
    });
    const lines = markdown.split('\n');
    expect(lines.filter((l) => l.startsWith('#'))).toEqual(['## Hourly report — 2026-10-13 14:00–15:00 UTC', '### Needs attention', '### MCP servers']);
    expect(lines.filter((l) => l.startsWith('- **Outage') || l.startsWith('```'))).toEqual([]);
    expect(markdown).toContain('boom ⏎ ⏎ ## RESOLVED app');
    for (const l of lines) expect(l.length).toBeLessThan(1_000);
  });
});

describe('"Now" in a report written after its hour', () => {
  it('is the latest check, not the state at the end of the hour', () => {
    // Given app up all of 14:00–15:00 and down since 15:10; the report for 14:00–15:00 is written at 15:12
    const { markdown } = buildHourlyReport({
      hourStart: T0,
      hourEnd: T0 + H,
      samples: {
        app: [
          ...Array.from({ length: 12 }, (_, i) => ({ at: T0 + i * 5 * MIN, status: 'up' as const, latencyMs: 90 })),
          { at: T0 + H + 10 * MIN, status: 'down' as const, latencyMs: null, errorKind: 'http' as const, message: 'HTTP 503' },
          { at: T0 + H + 11 * MIN, status: 'down' as const, latencyMs: null, errorKind: 'http' as const, message: 'HTTP 503' },
        ],
      },
      events: [],
      targets: [targets[0]!],
      blockers: [],
      now: T0 + H + 12 * MIN,
      timeZone: 'UTC',
    });
    expect(markdown).toContain('- **Worst:** nothing — every target up at every check\n');
    expect(markdown).toContain('- **Now:** `app` ✖ down since 15:10:00\n');
  });
});

describe('a report over an hour in which pitwall itself was offline', () => {
  it('keeps the held checks out of the incidents, the worst line and uptime, and says when pitwall was offline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitwall-report-held-'));
    dirs.push(dir);
    const j = openJournal({ dir, configPath: '/srv/pitwall.yaml', now: () => T0 + H });
    const held: ProbeResult = {
      status: 'degraded',
      latencyMs: null,
      error: null,
      reason: 'unknown: pitwall offline (canary: DNS lookup of one.one.one.one failed (EAI_AGAIN))',
      details: { pitwallOffline: 'canary: DNS lookup of one.one.one.one failed (EAI_AGAIN)' },
    };
    // shop: up, then held 14:20–14:40 (pitwall's own network down), then up again
    for (let m = 0; m < 60; m += 5) j.appendResult('shop', m >= 20 && m <= 40 ? held : up(100), T0 + m * MIN);
    const h = j.load(T0 - 2 * H);
    j.close();
    const { markdown, summary } = buildHourlyReport({ hourStart: T0, hourEnd: T0 + H, samples: h.samples, events: h.events, targets: [targets[1]!], blockers: [], now: T0 + H, timeZone: 'UTC' });
    expect(markdown).toContain('- **Worst:** nothing — every target up at every check');
    expect(markdown).toContain(
      "- **pitwall offline:** 5 checks 14:20:00–14:40:00 UTC failed to connect while pitwall's own network was down: held as unknown, not counted against the vendors",
    );
    expect(markdown).not.toContain('### Needs attention');
    expect(summary.targets.shop).toMatchObject({ status: 'up', uptimePct: 100, checks: 7, failures: 0 });
  });
});
