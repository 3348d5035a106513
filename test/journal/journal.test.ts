import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/probes/types.js';
import { configFromObject } from '../../src/config/config.js';
import {
  attachJournal,
  defaultStateDir,
  journalPath,
  openJournal,
  resolveStateDir,
  stateFromHistory,
  type Journal,
} from '../../src/journal/journal.js';
import { createRedactor } from '../../src/text/redact.js';
import { createStore, initialState } from '../../src/state/store.js';

const HOOKS = new URL('../fixtures/ts-hooks.mjs', import.meta.url).pathname;
const CHILD = new URL('../fixtures/writer-child.mjs', import.meta.url).pathname;
const T0 = Date.UTC(2026, 9, 13, 14);
const H = 3_600_000;
const CONFIG = '/srv/launch/pitwall.yaml';

let dir: string;
const open: Journal[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitwall-journal-'));
});
afterEach(() => {
  for (const j of open.splice(0)) j.close();
  rmSync(dir, { recursive: true, force: true });
});
function journal(opts: Partial<Parameters<typeof openJournal>[0]> = {}): Journal {
  const j = openJournal({ dir, configPath: CONFIG, now: () => T0, ...opts });
  open.push(j);
  return j;
}
const lines = (j: Journal) => readFileSync(j.path, 'utf8').split('\n').filter(Boolean);

const up = (latencyMs: number, extra: Partial<ProbeResult> = {}): ProbeResult => ({ status: 'up', latencyMs, error: null, details: {}, ...extra }) as ProbeResult;
const down503: ProbeResult = {
  status: 'down',
  latencyMs: null,
  error: { kind: 'http', message: 'HTTP 503 token sk_live_journal_canary', httpStatus: 503, evidence: '<h1>503 sk_live_journal_canary</h1>' },
  details: {},
};

describe('journal: records', () => {
  it('stores samples as compact lines with headroom, error and evidence, and reads them back', () => {
    const j = journal({ redactor: createRedactor(['sk_live_journal_canary']) });
    j.appendResult('app', up(123.456, { headroom: [{ name: 'throttle', remaining: 980, limit: 1000 }] }), T0);
    j.appendResult('app', down503, T0 + 15_000);
    j.appendResult('app', down503, T0 + 30_000);
    j.appendResult('shop', { status: 'degraded', latencyMs: 2500, error: null, reason: 'slow: 2500 ms > 2000 ms', details: {} }, T0 + 30_000);

    // The first line names the config; an up sample is a short positional array; evidence is written once per streak
    const raw = lines(j);
    expect(JSON.parse(raw[0]!)).toEqual({ journal: 1, config: CONFIG });
    expect(raw[1]).toBe(`["app",${T0},0,123.5,null,null,[["throttle",980,1000]]]`);
    expect(raw[2]).toBe(`["app",${T0 + 15_000},2,null,"http","HTTP 503 token [redacted]",null,{"httpStatus":503,"evidence":"<h1>503 [redacted]</h1>"}]`);
    expect(raw[3]).toBe(`["app",${T0 + 30_000},2,null,"http","HTTP 503 token [redacted]"]`);
    expect(readFileSync(j.path, 'utf8')).not.toContain('sk_live_journal_canary');

    const h = j.load();
    expect(h.samples.app!.slice()).toEqual([
      { at: T0, status: 'up', latencyMs: 123.5, headroom: [{ name: 'throttle', remaining: 980, limit: 1000 }] },
      { at: T0 + 15_000, status: 'down', latencyMs: null, errorKind: 'http', message: 'HTTP 503 token [redacted]' },
      { at: T0 + 30_000, status: 'down', latencyMs: null, errorKind: 'http', message: 'HTTP 503 token [redacted]' },
    ]);
    expect(h.samples.shop!.slice()).toEqual([{ at: T0 + 30_000, status: 'degraded', latencyMs: 2500, message: 'slow: 2500 ms > 2000 ms' }]);
    expect(h.evidence.app).toEqual({ at: T0 + 15_000, evidence: { httpStatus: 503, evidence: '<h1>503 [redacted]</h1>' } });
    expect(h.skipped).toBe(0);
  });

  it('keeps events, blockers (open until resolved, whatever their age) and report summaries', () => {
    const j = journal();
    j.appendEvent({ type: 'transition', at: T0, targetId: 'app', from: 'up', to: 'down', errorKind: 'http', message: 'HTTP 503' });
    j.appendBlocker({ opened: { id: 'B-1', targetId: 'app', openedAt: T0 - 10 * H, note: 'old but open' } });
    j.appendBlocker({ opened: { id: 'B-2', targetId: 'app', openedAt: T0, note: 'short' } });
    j.appendBlocker({ resolved: { id: 'B-2', targetId: 'app', at: T0 + 60_000 } });
    const summary = { hourStart: T0 - H, hourEnd: T0, at: T0, partial: false, overall: 'up' as const, targets: {}, openBlockers: ['B-1'] };
    j.appendReport(summary);

    const h = j.load(T0 - H);
    expect(h.events).toEqual([{ type: 'transition', at: T0, targetId: 'app', from: 'up', to: 'down', errorKind: 'http', message: 'HTTP 503' }]);
    expect(h.blockers).toEqual([{ id: 'B-1', targetId: 'app', openedAt: T0 - 10 * H, note: 'old but open' }]);
    expect(h.reports).toEqual([summary]);
    expect(j.load(T0 + 1).events).toEqual([]);
  });

  it('keys the file by config path, under the state folder the user chose', () => {
    expect(journalPath(dir, CONFIG)).not.toBe(journalPath(dir, '/srv/other/pitwall.yaml'));
    expect(journalPath(dir, CONFIG)).toMatch(/journal-[0-9a-f]{12}\.jsonl$/);
    expect(defaultStateDir({ XDG_STATE_HOME: '/x/state' }, '/home/ana')).toBe('/x/state/pitwall');
    expect(defaultStateDir({}, '/home/ana')).toBe('/home/ana/.local/state/pitwall');
    expect(defaultStateDir({ XDG_STATE_HOME: 'relative' }, '/home/ana')).toBe('/home/ana/.local/state/pitwall');
    expect(resolveStateDir({ flag: '/flag', config: { stateDir: '/cfg' } })).toBe('/flag');
    expect(resolveStateDir({ config: { stateDir: '/cfg' } })).toBe('/cfg');
    expect(resolveStateDir({ env: { XDG_STATE_HOME: '/x' } })).toBe('/x/pitwall');
  });
});

describe('journal: crashes', () => {
  it('skips a torn last line and continues on a fresh line', () => {
    const j = journal();
    j.appendResult('app', up(10), T0);
    j.close();
    open.splice(0);
    appendFileSync(journalPath(dir, CONFIG), `["app",${T0 + 1000},0,1`); // power lost mid-line

    const again = journal();
    expect(again.load().skipped).toBe(1);
    again.appendResult('app', up(20), T0 + 2000);
    const h = again.load();
    expect(h.skipped).toBe(1);
    expect(h.samples.app!.map((s) => s.latencyMs)).toEqual([10, 20]);
    expect(lines(again).at(-1)).toBe(`["app",${T0 + 2000},0,20]`);
  });

  it('keeps every sample a process wrote before kill -9', async () => {
    const child = spawn(process.execPath, ['--import', HOOKS, CHILD, 'journal', JSON.stringify({ dir, configPath: CONFIG, count: 0 })], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let acked = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        const m = /ok (\d+)\n$/.exec(d.toString());
        if (m) acked = Number(m[1]);
        if (acked >= 2000) resolve();
      });
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));

    const h = journal().load();
    const samples = h.samples.app!;
    expect(samples.length).toBeGreaterThanOrEqual(acked);
    // In order, none missing, failures with their messages
    expect(samples.map((s) => s.at)).toEqual(samples.map((_, i) => T0 + (i + 1) * 1000));
    expect(samples.at(9)).toEqual({ at: T0 + 10_000, status: 'down', latencyMs: null, message: 'failure 10' });
    expect(h.skipped).toBeLessThanOrEqual(1);
  });
});

describe('journal: compaction', () => {
  it('drops what is older than 72 h atomically, keeping open blockers and the latest evidence', () => {
    let now = T0;
    const j = journal({ now: () => now });
    const other = journal({ now: () => now }); // a second process's view of the same file
    j.appendResult('mcp', { status: 'down', latencyMs: null, error: { kind: 'protocol', message: 'exited' }, details: { stderrTail: 'boom' } }, T0);
    for (let i = 0; i < 80; i++) j.appendResult('app', up(10 + i), T0 + i * H);
    j.appendBlocker({ opened: { id: 'B-open', targetId: 'mcp', openedAt: T0, note: 'still broken' } });
    j.appendBlocker({ opened: { id: 'B-done', targetId: 'app', openedAt: T0 + H, note: 'fixed' } });
    j.appendBlocker({ resolved: { id: 'B-done', targetId: 'app', at: T0 + 2 * H } });
    const before = statSync(j.path).size;

    // When compacted at T0 + 80 h: the cutoff is T0 + 8 h
    now = T0 + 80 * H;
    expect(j.compact()).toBe(true);
    other.appendResult('app', up(999), now); // follows the renamed file instead of writing into the old one
    j.appendResult('app', up(1000), now + 1);

    const h = j.load();
    expect(h.samples.app!.map((s) => s.at)).toEqual([...Array.from({ length: 72 }, (_, i) => T0 + (i + 8) * H), now, now + 1]);
    expect(h.blockers.map((b) => b.id)).toEqual(['B-open']);
    expect(h.evidence.mcp).toEqual({ at: T0, evidence: { stderrTail: 'boom' } });
    expect(statSync(j.path).size).toBeLessThan(before);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
  });

  it('compacts a file past its threshold when a writer closes it, not at open (before the first frame)', () => {
    let now = T0;
    const j = journal({ now: () => now });
    for (let i = 0; i < 200; i++) j.appendResult('app', up(i), T0 + i * 60_000);
    j.close();
    now = T0 + 72 * H + 100 * 60_000; // the first 100 samples are past the retention

    // When opened: untouched; when it has written and closes: compacted
    const reopened = journal({ now: () => now, compactAtBytes: 1000 });
    expect(lines(reopened)).toHaveLength(1 + 200);
    reopened.appendResult('app', up(1), now);
    reopened.close();
    expect(lines(reopened)).toHaveLength(1 + 100 + 1);
    expect(journal({ now: () => now }).load().samples.app!.at(0)!.at).toBe(T0 + 100 * 60_000);
  });

  it('leaves a file past its threshold alone while nothing in it is older than the retention', () => {
    let now = T0;
    const j = journal({ now: () => now, compactAtBytes: 1000 });
    const ino = statSync(j.path).ino;
    // When a thousand samples (a compaction check) all fall within the retention: the file is not rewritten
    for (let i = 0; i < 1000; i++) j.appendResult('app', up(i), now + i);
    expect(statSync(j.path).ino).toBe(ino);
    expect(lines(j)).toHaveLength(1 + 1000);
    // When they have aged past it, the next check compacts
    now += 73 * H;
    for (let i = 0; i < 1000; i++) j.appendResult('app', up(i), now + i);
    expect(statSync(j.path).ino).not.toBe(ino);
    expect(j.load().samples.app).toHaveLength(1000);
  });
});

describe('journal: closing', () => {
  it('never throws when the compaction due at close fails, and leaves no temp file', () => {
    // Given a process that wrote, with compaction due (a record past the retention, a tiny threshold), and its
    // path now unreadable (a folder)
    const j = openJournal({ dir, configPath: CONFIG, now: () => T0, compactAtBytes: 1 });
    j.appendResult('app', up(10), T0 - 100 * H);
    j.appendResult('app', up(10), T0);
    rmSync(j.path);
    mkdirSync(j.path);
    // When it closes (as `pitwall escalate` does after writing its BLOCKER)
    // Then it does not throw, and nothing half-written stays behind
    expect(() => j.close()).not.toThrow();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('journal: restoring state', () => {
  it('rebuilds latest result, streaks, evidence and blockers for the screen and for escalate', () => {
    const config = configFromObject({ targets: [{ id: 'app', kind: 'http', url: 'http://127.0.0.1:9/' }, { id: 'idle', kind: 'http', url: 'http://127.0.0.1:9/' }] });
    const j = journal({ redactor: createRedactor(['sk_live_journal_canary']) });
    j.appendResult('app', up(40), T0);
    j.appendResult('app', { status: 'degraded', latencyMs: 2500, error: null, reason: 'slow', details: {} }, T0 + 15_000);
    j.appendResult('app', down503, T0 + 30_000);
    j.appendResult('app', down503, T0 + 45_000);
    j.appendBlocker({ opened: { id: 'B-1', targetId: 'app', openedAt: T0 + 40_000, note: 'n' } });

    const s = stateFromHistory(initialState(config, { now: T0 + 50_000 }), j.load());
    const t = s.targets.app!;
    expect(t.consecutiveFailures).toBe(2);
    expect(t.failingSince).toBe(T0 + 15_000);
    expect(t.statusSince).toBe(T0 + 30_000);
    expect(t.checkedAt).toBe(T0 + 45_000);
    expect(t.latest).toEqual({
      status: 'down',
      latencyMs: null,
      error: { kind: 'http', message: 'HTTP 503 token [redacted]', httpStatus: 503, evidence: '<h1>503 [redacted]</h1>' },
      details: { httpStatus: 503 },
    });
    expect(t.samples).toHaveLength(4);
    expect(s.targets.idle!.latest).toBeNull();
    expect(Object.keys(s.blockers)).toEqual(['B-1']);
  });

  it('journals what the store does after it is attached: events and blockers', () => {
    const config = configFromObject({ targets: [{ id: 'app', kind: 'http', url: 'http://127.0.0.1:9/' }] });
    const store = createStore(initialState(config, { now: T0 }));
    store.dispatch({ type: 'event', event: { type: 'notice', at: T0, level: 'info', message: 'before attach' } });
    const j = journal();
    const detach = attachJournal(store, j);
    store.dispatch({ type: 'probe-finished', id: 'app', at: T0 + 1, result: down503, attempts: 1, nextAt: null });
    store.dispatch({ type: 'blocker-opened', blocker: { id: 'B-9', targetId: 'app', openedAt: T0 + 2, note: 'x' }, at: T0 + 2 });
    store.dispatch({ type: 'blocker-resolved', blockerId: 'B-9', at: T0 + 3 });
    detach();
    store.dispatch({ type: 'event', event: { type: 'notice', at: T0 + 4, level: 'info', message: 'after detach' } });

    const h = j.load();
    expect(h.events.map((e) => e.type)).toEqual(['transition', 'escalated', 'resolved']);
    expect(h.blockers).toEqual([]);
    expect(lines(j).filter((l) => l.startsWith('{"b'))).toEqual([
      '{"bo":{"id":"B-9","targetId":"app","openedAt":' + (T0 + 2) + ',"note":"x"}}',
      '{"br":{"id":"B-9","targetId":"app","at":' + (T0 + 3) + '}}',
    ]);
  });
});
