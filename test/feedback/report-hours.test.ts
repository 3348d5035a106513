import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProbeResult } from '../../src/probes/types.js';
import { openJournal, type JournalHistory } from '../../src/journal/journal.js';
import { buildHourlyReport, previousReport, type ReportTarget } from '../../src/feedback/report.js';

const T0 = Date.UTC(2026, 11, 4, 3); // 03:00 UTC
const SEC = 1000;
const MIN = 60 * SEC;
const H = 60 * MIN;

const up = (latencyMs: number): ProbeResult => ({ status: 'up', latencyMs, error: null, details: {} });
const down = (message: string): ProbeResult => ({ status: 'down', latencyMs: null, error: { kind: 'http', message, httpStatus: 503 }, details: {} });
const slow = (latencyMs: number): ProbeResult => ({ status: 'degraded', latencyMs, error: null, reason: `slow: ${latencyMs} ms`, details: {} });

/** Twelve targets, as a launch-day config has them: four vendors, the app, five MCP servers, two status pages. */
const targets: ReportTarget[] = [
  { id: 'shopify-admin', name: 'Shopify Admin', kind: 'shopify', tiles: ['sales-pulse'], intervalMs: 30 * SEC },
  { id: 'chatwoot', name: 'Chatwoot', kind: 'chatwoot', tiles: [], intervalMs: 30 * SEC },
  { id: 'ga', name: 'GA', kind: 'ga', tiles: [], intervalMs: 30 * SEC },
  { id: 'app-health', name: 'App', kind: 'http', tiles: [], intervalMs: 30 * SEC },
  ...['mcp-shopify-dev', 'mcp-github', 'mcp-fly', 'mcp-supabase', 'mcp-fs'].map((id): ReportTarget => ({ id, name: id, kind: 'mcp', tiles: [], intervalMs: 30 * SEC })),
  { id: 'status-shopify', name: 'Shopify status', kind: 'statuspage', tiles: [], intervalMs: 30 * SEC },
  { id: 'status-github', name: 'GitHub status', kind: 'statuspage', tiles: [], intervalMs: 30 * SEC },
  { id: 'status-fly', name: 'Fly status', kind: 'statuspage', tiles: [], intervalMs: 30 * SEC },
];

const dirs: string[] = [];
beforeEach(() => {
  // A fake clock: nothing below reads the real time.
  vi.useFakeTimers({ now: T0 - 5 * MIN });
});
afterEach(() => {
  vi.useRealTimers();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Writes an hour through the real journal, checking every target every 30 s; `sample` picks each result. */
function hour(sample: (id: string, at: number, i: number) => ProbeResult, extra?: (j: ReturnType<typeof openJournal>) => void): JournalHistory {
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-hours-'));
  dirs.push(dir);
  const j = openJournal({ dir, configPath: '/srv/pitwall.yaml', now: () => Date.now() });
  for (let i = 0, at = T0; at < T0 + H; i++, at += 30 * SEC) {
    vi.setSystemTime(at);
    for (const t of targets) j.appendResult(t.id, sample(t.id, at, i), at);
  }
  extra?.(j);
  vi.setSystemTime(T0 + H + 3 * SEC);
  const h = j.load(T0 - 2 * H);
  j.close();
  return h;
}

const latency = (id: string, i: number) => 80 + (id.length * 7 + i * 13) % 150; // 80…229 ms, deterministic

describe('hourly report: a flapping hour', () => {
  it('folds 30 flaps of one target into one row with a count and the time lost, and stays under 60 lines', () => {
    // Given app-health down for one check in every two minutes (30 short outages of 30 s), chatwoot slow for
    // 10 minutes, mcp-fly dead three times (the prober's notices), a 1m30s Shopify outage, the rest green
    const h = hour(
      (id, at, i) => {
        if (id === 'app-health' && i % 4 === 1) return down('HTTP 503 (Service Unavailable)');
        if (id === 'chatwoot' && at >= T0 + 20 * MIN && at < T0 + 30 * MIN) return slow(2_400);
        if (id === 'shopify-admin' && at >= T0 + 12 * MIN && at < T0 + 13 * MIN + 30 * SEC) return down(i === 24 ? 'HTTP 502 (Bad Gateway)' : 'no answer within 10000 ms');
        if (id === 'mcp-fly' && [40, 70, 100].includes(i)) return down('the server exited during initialize (code 1)');
        return up(latency(id, i));
      },
      (j) => {
        for (const i of [40, 70, 100]) {
          j.appendEvent({ type: 'notice', at: T0 + i * 30 * SEC, level: 'warn', message: `mcp-fly: the server exited (code 1) after 14m59s: Error: FLY_API_TOKEN rejected; restarted` });
        }
        j.appendBlocker({ opened: { id: 'B-flap-0001', targetId: 'app-health', openedAt: T0 + 31 * MIN, note: 'app-health flapping; checkout errors\nmore' } });
      },
    );

    // When the report for 03:00–04:00 is built
    const { markdown } = buildHourlyReport({
      hourStart: T0,
      hourEnd: T0 + H,
      samples: h.samples,
      events: h.events,
      targets,
      blockers: h.blockers,
      previous: previousReport(h.reports, T0 + H + 3 * SEC),
      now: T0 + H + 3 * SEC,
      timeZone: 'UTC',
      store: 'Hot Rod AN',
    });
    const lines = markdown.trimEnd().split('\n');

    // Then it is short, and leads with the worst moment
    expect(lines.length).toBeLessThan(60);
    expect(lines.slice(0, 5)).toEqual([
      '## Hourly report — 2026-12-04 03:00–04:00 UTC',
      '',
      // The flapping target lost more (15m) than the longest single outage (Shopify's 1m30s): it leads
      '- **Worst:** `app-health` ✖ down 30 times 03:00–03:59 (15m00s in all, longest 30s) — http: HTTP 503 (Service Unavailable) · 35 incidents on 4 targets this hour',
      '- **Now:** ✔ all 12 up',
      '- **Open blockers:** 1 — B-flap-0001 on `app-health`, open 29m03s (“app-health flapping; checkout errors”)',
    ]);
    // One row per target that needed attention; the 30 flaps are one row: count, span, longest, time lost (30 × 30 s)
    const rows = lines.filter((l) => l.startsWith('| `'));
    expect(rows).toEqual([
      // 3 of 120 checks down = 97.5%; the first error is the 502 that started it, not the timeouts after
      '| `shopify-admin` | ✔ up | ✖ down | 03:12:00–03:13:30 (1m30s) | 1m30s | 97.5% of 120 | 223 ms | http: HTTP 502 (Bad Gateway) |',
      '| `chatwoot` | ✔ up | ▲ degraded | 03:20:00–03:30:00 (10m00s) | 10m00s | 100.0% of 120 | 2.40 s | slow: 2400 ms |',
      '| `app-health` | ✔ up | ✖ down | 30 incidents 03:00:30–03:59:00, longest 30s at 03:00:30 | 15m00s | 75.0% of 120 | 220 ms | http: HTTP 503 (Service Unavailable) |',
      '| `mcp-fly` | ✔ up | ✖ down | 03:20:00–03:20:30 (30s), 03:35:00–03:35:30 (30s), 03:50:00–03:50:30 (30s) | 1m30s | 97.5% of 120 | 220 ms | http: the server exited during initialize (code 1) |',
    ]);
    expect(markdown).toMatch(/\n8 others up at every check, p95 under \d+ ms \(highest: `[\w-]+` \d+ ms\)\.\n/);
    // MCP: the deaths the journal recorded, and the half-hours of the server that needed attention
    expect(markdown).toContain(
      '- `mcp-fly`: the server died 3× (last at 03:50:00: the server exited (code 1) after 14m59s: Error: FLY_API_TOKEN rejected; restarted); 03:00–03:30 98.3% · 60 checks · 1 failed',
    );
    // No table of incident rows, no empty sections, no "no earlier report"
    expect(markdown).not.toContain('### Incidents');
    expect(markdown).not.toContain('### Headroom');
    expect(markdown).not.toContain('Since the previous report');
  });
});

describe('hourly report: a quiet hour', () => {
  it('says so in under 20 lines, with the green targets on one line', () => {
    const h = hour((id, _at, i) => up(latency(id, i)));
    const prevAt = T0 + 2_000;
    const { markdown } = buildHourlyReport({
      hourStart: T0,
      hourEnd: T0 + H,
      samples: h.samples,
      events: h.events,
      targets,
      blockers: [],
      previous: {
        hourStart: T0 - H,
        hourEnd: T0,
        at: prevAt,
        partial: false,
        overall: 'up',
        targets: Object.fromEntries(targets.map((t) => [t.id, { status: 'up', uptimePct: 100, checks: 120, failures: 0, p95: 220 }])),
        openBlockers: [],
      },
      now: T0 + H + 3 * SEC,
      timeZone: 'UTC',
      store: 'Hot Rod AN',
    });
    const lines = markdown.trimEnd().split('\n');
    expect(lines.length).toBeLessThan(20);
    expect(lines).toEqual([
      '## Hourly report — 2026-12-04 03:00–04:00 UTC',
      '',
      '- **Worst:** nothing — every target up at every check',
      '- **Now:** ✔ all 12 up',
      '- **Open blockers:** none',
      '',
      '- Generated 2026-12-04T04:00:03Z by pitwall · Hot Rod AN · 12 targets',
      '',
      expect.stringMatching(/^All 12 targets up at every check, p95 under 300 ms \(highest: `[\w-]+` 2\d\d ms\)\.$/),
      '',
      '### Since the previous report (2026-12-04 02:00–03:00 UTC, written 03:00:02)',
      '',
      '- No change.',
    ]);
  });
});
