import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/probes/types.js';
import { configFromObject } from '../../src/config/config.js';
import { blockerEntry, fenced, newBlockerId, resolvedEntry } from '../../src/feedback/escalation.js';
import { targetEndpoint } from '../../src/config/endpoint.js';
import { createFeedbackWriter } from '../../src/feedback/feedback-writer.js';
import { createRedactor } from '../../src/text/redact.js';
import { buildHourlyReport } from '../../src/feedback/report.js';
import { initialState, reduce, type State } from '../../src/state/store.js';

const T0 = Date.UTC(2026, 9, 13, 14, 0, 0);
const up = (latencyMs: number): ProbeResult => ({ status: 'up', latencyMs, error: null, details: {} });
const body503 = '<html><head><title>Service Unavailable</title></head><body>upstream connect error</body></html>';
const down503: ProbeResult = {
  status: 'down',
  latencyMs: null,
  error: { kind: 'http', message: 'HTTP 503 (Service Unavailable)', httpStatus: 503, evidence: body503 },
  details: {},
};

function baseConfig() {
  return configFromObject(
    {
      feedbackFile: '/srv/launch/feedback/integrations.md',
      targets: [
        { id: 'app', name: 'Storefront API', kind: 'http', url: 'http://127.0.0.1:9/health', tiles: ['sales-pulse', 'inventory-watch'], intervalSeconds: 15 },
        { id: 'mcp-docs', kind: 'mcp', transport: 'stdio', command: 'node', args: ['server.js'] },
        { id: 'shop', kind: 'http', url: 'http://127.0.0.1:9/', tiles: ['fulfillment-flow'] },
      ],
    },
    '/srv/launch',
  );
}

function baseState(): State {
  return initialState(baseConfig(), { now: T0 });
}

function finish(s: State, id: string, at: number, result: ProbeResult): State {
  return reduce(s, { type: 'probe-finished', id, at, result, attempts: 1, nextAt: null });
}

describe('blockerEntry', () => {
  it('says which tiles an up target feeds, not that they are affected', () => {
    const s = finish(baseState(), 'app', T0, up(120));
    const md = blockerEntry({ state: s, targetId: 'app', note: 'checkout slow for customers', at: T0 + 5_000, configPath: null, blockerId: 'B-test-0002' });
    expect(md).toContain('- **Tiles it feeds (none hurt now: the target is up):** Sales Pulse, Inventory Watch\n');
    expect(md).not.toContain('Affected tiles');
  });

  it('writes status, streak, latencies, tiles, evidence and where things are', () => {
    // Given three good checks and then three 503s, 15 s apart
    let s = baseState();
    [120, 130, 118].forEach((ms, i) => (s = finish(s, 'app', T0 + i * 15_000, up(ms))));
    for (let i = 3; i < 6; i++) s = finish(s, 'app', T0 + i * 15_000, down503);

    // When it is escalated 15 s after the last check
    const md = blockerEntry({
      state: s,
      targetId: 'app',
      note: 'Checkout API answers 503.\nSales Pulse is blind; #launch knows.',
      at: T0 + 90_000,
      configPath: '/srv/launch/pitwall.yaml',
      blockerId: 'B-test-0001',
    });

    // Then the entry reads, line by line:
    const lines = md.split('\n');
    expect(lines[0]).toBe('## BLOCKER app — 2026-10-13T14:01:30Z (B-test-0001)');
    expect(lines.slice(2, 4)).toEqual(['> Checkout API answers 503.', '> Sales Pulse is blind; #launch knows.']);
    expect(md).toContain('- **Target:** Storefront API (`app`, http)\n');
    expect(md).toContain('- **Status:** ✖ down — http: HTTP 503 (Service Unavailable)\n');
    expect(md).toContain('- **Last check:** 2026-10-13T14:01:15Z (15s before this entry)\n');
    expect(md).toContain('- **Failing:** not up since 2026-10-13T14:00:45Z (45s); 3 consecutive failed checks\n');
    // 120/130·7 = 6.5 → ▇, 130 → █, 118/130·7 = 6.4 → ▇, failures are gaps
    // A count, not "✖, ✖, ✖"
    expect(md).toContain('- **Last 6 checks** (oldest → newest): `▇█▇···` 3 up (118–130 ms), 3 failed\n');
    expect(md).toContain('- **Affected tiles:** Sales Pulse, Inventory Watch\n');
    // No noise: the reader is in the feedback file, and the id is in the heading
    expect(md).not.toContain('Config file');
    expect(md).not.toContain('Feedback file');
    expect(md.match(/B-test-0001/g)).toHaveLength(1);
    expect(md).toContain(`**Evidence**\n\n- HTTP status: 503\n\nResponse body (excerpt):\n\n\`\`\`text\n${body503}\n\`\`\`\n`);
  });

  it('cites MCP stderr in a fence its content cannot close, and headroom and sub-checks', () => {
    let s = baseState();
    s = finish(s, 'mcp-docs', T0, {
      status: 'down',
      latencyMs: null,
      error: { kind: 'protocol', message: 'the server exited during initialize (code 1)' },
      details: { stderrTail: 'Error: Cannot find module ```x```\n    at node:internal' },
    });
    s = finish(s, 'shop', T0, {
      status: 'degraded',
      latencyMs: 340,
      error: null,
      reason: 'throttle headroom 4% left',
      details: {},
      headroom: [{ name: 'throttle', remaining: 40, limit: 1000 }],
      subChecks: [
        { name: 'orders', status: 'down', latencyMs: null, error: { kind: 'auth', message: 'HTTP 401 unauthorized: check the token' }, tile: 'sales-pulse' },
        { name: 'products', status: 'up', latencyMs: 80, error: null },
      ],
    });

    const mcp = blockerEntry({ state: s, targetId: 'mcp-docs', note: 'docs MCP will not start', at: T0 + 5_000, configPath: null, blockerId: 'B-x' });
    expect(mcp).toContain('MCP server stderr (last lines):\n\n````text\nError: Cannot find module ```x```\n    at node:internal\n````');
    expect(mcp).toContain('- **Target:** `mcp-docs` (mcp)\n');
    expect(mcp).toContain('- **Affected tiles:** none configured');
    expect(mcp).not.toContain('Config file');
    expect(mcp).toContain('- **Failing:** not up since 2026-10-13T14:00:00Z (5s); 1 consecutive failed check\n');

    const shop = blockerEntry({ state: s, targetId: 'shop', note: 'throttled', at: T0 + 5_000, configPath: null, blockerId: 'B-y' });
    expect(shop).toContain('- **Status:** ▲ degraded — throttle headroom 4% left\n');
    expect(shop).toContain('- Headroom throttle: 40 / 1000 (4.0%)\n');
    expect(shop).toContain('- Sub-check `orders` (Sales Pulse): ✖ down — auth: HTTP 401 unauthorized: check the token');
    expect(shop).not.toContain('`products`');
    // degraded is failing (not up) but not a failure in a row
    expect(shop).toContain('- **Failing:** not up since 2026-10-13T14:00:00Z (5s); 0 consecutive failed checks\n');
  });

  it('says so when the target was never checked', () => {
    const md = blockerEntry({ state: baseState(), targetId: 'shop', note: '', at: T0, configPath: null, blockerId: 'B-z' });
    expect(md).toContain('> (no note)');
    expect(md).toContain('- **Status:** … unknown — not checked yet');
    expect(md).toContain('- **Last checks:** none recorded');
    expect(md).toContain('No check result to show.');
  });
});

describe('resolvedEntry', () => {
  it('closes a blocker with the outage, how long it was open, and the status now', () => {
    // Given app down from 14:00:00 to 14:02:00 (up at 14:02:00), and resolved at 15:05
    let s = baseState();
    s = finish(s, 'app', T0 - 60_000, up(100));
    for (let i = 0; i < 8; i++) s = finish(s, 'app', T0 + i * 15_000, down503);
    s = finish(s, 'app', T0 + 120_000, up(95));
    const md = resolvedEntry({
      blocker: { id: 'B-test-0001', targetId: 'app', openedAt: T0 + 30_000, note: 'Checkout API answers 503.\nmore' },
      at: T0 + 3_900_000,
      note: 'Fly restarted the machine',
      by: 'ana@laptop',
      state: s,
    });
    expect(md).toBe(
      [
        '## RESOLVED app — 2026-10-13T15:05:00Z (B-test-0001)',
        '',
        '> Fly restarted the machine',
        '',
        '- **Resolved by:** ana@laptop',
        '- **Outage:** 2m00s — first failure 2026-10-13T14:00:00Z, back up 2026-10-13T14:02:00Z',
        '- **Blocker open:** 1h04m — opened 2026-10-13T14:00:30Z',
        '- **Status now:** ✔ up — 95 ms',
        '- **Original note:** Checkout API answers 503.',
        '',
      ].join('\n'),
    );
  });

  it('says an outage is not over, and asks for a note when none was given', () => {
    let s = baseState();
    s = finish(s, 'app', T0, down503);
    s = finish(s, 'app', T0 + 15_000, down503);
    const md = resolvedEntry({ blocker: { id: 'B-x', targetId: 'app', openedAt: T0 + 10_000, note: 'n' }, at: T0 + 60_000, state: s });
    expect(md).toContain('> (no resolution note)\n');
    expect(md).toContain('- **Outage:** not back up yet — failing since 2026-10-13T14:00:00Z (1m00s so far)\n');
    expect(md).not.toContain('Resolved by');
  });
});

describe('newBlockerId', () => {
  it('is short: B-<base36 time>-<4 chars>', () => {
    const at = Date.UTC(2026, 9, 13, 14);
    expect(newBlockerId('app', at, () => Buffer.from([0, 0, 0x30, 0x39]))).toBe(`B-${at.toString(36)}-09ix`);
    expect(newBlockerId('app', at)).toMatch(/^B-[0-9a-z]{8}-[0-9a-z]{4}$/);
  });

  it('differs for different instants, and for the same instant with different randomness', () => {
    const at = Date.UTC(2026, 9, 13, 14);
    const ids = new Set(Array.from({ length: 50 }, (_, i) => newBlockerId('app', at + i, () => Buffer.from([0, 0, 0, 1]))));
    expect(ids.size).toBe(50);
    expect(newBlockerId('app', at, () => Buffer.from([0, 0, 0, 1]))).not.toBe(newBlockerId('app', at, () => Buffer.from([0, 0, 0, 2])));
  });
});

describe('fenced', () => {
  it('uses a fence longer than any backtick run inside', () => {
    expect(fenced('a ``` b')).toBe('````text\na ``` b\n````');
    expect(fenced('plain\n\n')).toBe('```text\nplain\n```');
  });
});

describe('a canary secret', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('is redacted from every entry type, on the file and in the outbox', async () => {
    const canary = 'shpat_CANARY_0123456789abcdef';
    const root = mkdtempSync(join(tmpdir(), 'pitwall-canary-'));
    dirs.push(root);
    mkdirSync(join(root, 'feedback'));
    const file = join(root, 'feedback', 'integrations.md');
    writeFileSync(file, '# Integrations\n');
    const redactor = createRedactor([canary]);

    // Given a state whose error message and evidence echo the token
    let s = baseState();
    s = finish(s, 'app', T0, {
      status: 'down',
      latencyMs: null,
      error: { kind: 'auth', message: `HTTP 401: token ${canary} is invalid`, httpStatus: 401, evidence: `{"error":"bad token ${canary}"}` },
      details: { stderrTail: `using ${canary}` },
    });
    const blocker = blockerEntry({ state: s, targetId: 'app', note: `pasted ${canary} by mistake`, at: T0, configPath: null, blockerId: 'B-c' });
    const resolved = resolvedEntry({ blocker: { id: 'B-c', targetId: 'app', openedAt: T0, note: `was ${canary}` }, at: T0 + 60_000, note: `rotated ${canary}`, state: s });
    const report = buildHourlyReport({
      hourStart: T0,
      hourEnd: T0 + 3_600_000,
      now: T0 + 3_600_000,
      samples: { app: [{ at: T0, status: 'down', latencyMs: null, errorKind: 'auth', message: `token ${canary} invalid` }] },
      events: [],
      targets: [{ id: 'app', name: 'app', kind: 'http', tiles: [] }],
      blockers: [{ id: 'B-c', targetId: 'app', openedAt: T0, note: `note ${canary}` }],
      timeZone: 'UTC',
    }).markdown;
    for (const md of [blocker, resolved, report]) expect(md).toContain(canary); // the builders do not redact: the writer does

    // When all three go through the writer, the first two to the file and the third to the outbox
    const outboxDir = join(root, 'outbox');
    const writer = createFeedbackWriter({ path: file, redactor, outboxDir, retry: { baseMs: 60_000 } });
    expect((await writer.append(blocker)).status).toBe('written');
    expect((await writer.append(resolved)).status).toBe('written');
    renameSync(file, `${file}.aside`);
    mkdirSync(file); // a directory where the file was: every write now fails with EISDIR
    expect((await writer.append(report)).status).toBe('queued');
    const outbox = readdirSync(outboxDir).map((f) => readFileSync(join(outboxDir, f), 'utf8')).join('');
    rmSync(file, { recursive: true });
    renameSync(`${file}.aside`, file);
    await writer.flush();
    await writer.close();

    // Then the canary appears nowhere, and the redaction marker does
    const text = readFileSync(file, 'utf8');
    expect(outbox).toContain('[redacted]');
    expect(outbox).not.toContain(canary);
    expect(text).not.toContain(canary);
    expect(text.match(/\[redacted\]/g)!.length).toBeGreaterThanOrEqual(6);
    expect(text).toContain('## Hourly report');
    expect(writer.pending()).toBe(0);
  });
});

describe('a BLOCKER and its RESOLVED, field by field', () => {
  it('says who, where, the note first, evidence after; then the outage and how long the blocker was open', () => {
    // Given app up, then down for 2 minutes (8 checks 15 s apart), escalated by ana 45 s in, back up at 14:02
    const config = baseConfig();
    let s = baseState();
    s = finish(s, 'app', T0 - 30_000, up(110));
    s = finish(s, 'app', T0 - 15_000, up(140));
    for (let i = 0; i < 4; i++) s = finish(s, 'app', T0 + i * 15_000, down503);
    const blocker = blockerEntry({
      state: s,
      targetId: 'app',
      note: 'Checkout answers 503; Sales Pulse is blind.',
      at: T0 + 50_000,
      blockerId: 'B-pair-0001',
      by: 'ana@oncall-laptop',
      target: config.targets[0]!,
    });
    expect(blocker).toBe(
      [
        '## BLOCKER app — 2026-10-13T14:00:50Z (B-pair-0001)',
        '',
        '> Checkout answers 503; Sales Pulse is blind.',
        '',
        '- **Escalated by:** ana@oncall-laptop',
        '- **Target:** Storefront API (`app`, http) — GET http://127.0.0.1:9/health',
        '- **Status:** ✖ down — http: HTTP 503 (Service Unavailable)',
        '- **Failing:** not up since 2026-10-13T14:00:00Z (50s); 4 consecutive failed checks',
        '- **Last check:** 2026-10-13T14:00:45Z (5s before this entry)',
        '- **Last 6 checks** (oldest → newest): `▇█····` 2 up (110–140 ms), 4 failed',
        '- **Affected tiles:** Sales Pulse, Inventory Watch',
        '',
        '**Evidence**',
        '',
        '- HTTP status: 503',
        '',
        'Response body (excerpt):',
        '',
        '```text',
        body503,
        '```',
        '',
      ].join('\n'),
    );

    // When it comes back at 14:02 and is resolved at 14:10
    for (let i = 4; i < 8; i++) s = finish(s, 'app', T0 + i * 15_000, down503);
    s = finish(s, 'app', T0 + 120_000, up(120));
    const resolved = resolvedEntry({
      blocker: { id: 'B-pair-0001', targetId: 'app', openedAt: T0 + 50_000, note: 'Checkout answers 503; Sales Pulse is blind.' },
      at: T0 + 600_000,
      note: 'Fly machine restarted; 503s gone.',
      by: 'ana@oncall-laptop',
      state: s,
    });
    // Then the RESOLVED gives the outage (first failure → back up: 2m00s) apart from the blocker's 9m10s
    expect(resolved).toBe(
      [
        '## RESOLVED app — 2026-10-13T14:10:00Z (B-pair-0001)',
        '',
        '> Fly machine restarted; 503s gone.',
        '',
        '- **Resolved by:** ana@oncall-laptop',
        '- **Outage:** 2m00s — first failure 2026-10-13T14:00:00Z, back up 2026-10-13T14:02:00Z',
        '- **Blocker open:** 9m10s — opened 2026-10-13T14:00:50Z',
        '- **Status now:** ✔ up — 120 ms',
        '- **Original note:** Checkout answers 503; Sales Pulse is blind.',
        '',
      ].join('\n'),
    );
  });

  it('shows an endpoint with its password hidden, and an MCP server by its command line', () => {
    const c = configFromObject({
      targets: [
        { id: 'st', kind: 'statuspage', url: 'https://ops:hunter22@status.example.com/api/v2/summary.json' },
        { id: 'fs', kind: 'mcp', transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/srv'] },
        { id: 'ga', kind: 'ga', propertyId: '123456789' },
      ],
    });
    expect(targetEndpoint(c.targets[0]!)).toBe('https://[redacted]@status.example.com/api/v2/summary.json');
    expect(targetEndpoint(c.targets[1]!)).toBe('stdio: npx -y @modelcontextprotocol/server-filesystem /srv');
    expect(targetEndpoint(c.targets[2]!)).toBe('GA4 property 123456789');
  });
});

describe('upstream text in an entry cannot forge structure', () => {
  const forged = 'boom\n\n## RESOLVED app — 2026-10-13T14:05:00Z (B-fake)\n\n- **Outage:** none\n```\n<!-- hide the rest';
  it('keeps a forged heading, list and fence from a status line, a sub-check and a body on their line or in their fence', () => {
    // Given an upstream whose error, sub-check message and body all try to start a RESOLVED heading
    let s = baseState();
    s = finish(s, 'shop', T0, {
      status: 'down',
      latencyMs: null,
      error: { kind: 'http', message: forged, httpStatus: 500, evidence: `${forged}\n${'x'.repeat(5000)}` },
      details: {},
      subChecks: [{ name: 'orders', status: 'down', latencyMs: null, error: { kind: 'http', message: forged } }],
    });
    const md = blockerEntry({ state: s, targetId: 'shop', note: 'shop broken', at: T0 + 1_000, blockerId: 'B-real', by: 'ana@x' });
    // Then the only heading is the entry's own, and every forged line is inside the one fence
    const lines = md.split('\n');
    const fenceOpen = lines.findIndex((l) => /^`{3,}text$/.test(l));
    const fence = lines[fenceOpen]!.replace('text', '');
    const fenceClose = lines.indexOf(fence, fenceOpen + 1);
    expect(fenceClose).toBe(lines.length - 2);
    const outside = lines.filter((_, i) => i <= fenceOpen || i >= fenceClose);
    expect(outside.filter((l) => l.startsWith('#'))).toEqual(['## BLOCKER shop — 2026-10-13T14:00:01Z (B-real)']);
    expect(outside.filter((l) => l.startsWith('- **Outage'))).toEqual([]);
    expect(outside.filter((l) => l.startsWith('```'))).toEqual([`${fence}text`, fence]);
    expect(md).toContain('- **Status:** ✖ down — http: boom ⏎ ⏎ ## RESOLVED app');
    expect(outside.join('\n')).not.toMatch(/(^|[^\\])<!--/);
    // And the body is bounded
    expect(md.length).toBeLessThan(3_000);
    expect(md).toContain('(cut at 1500 characters)');
  });
});
