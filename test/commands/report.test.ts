import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/commands/exit.js';
import { runReport } from '../../src/commands/report.js';
import { startStatuspagePeer, type StatuspagePeer } from '../../src/peers/statuspage-peer.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { openJournal } from '../../src/journal/journal.js';

const T0 = Date.UTC(2026, 9, 13, 14);
const MIN = 60_000;
const H = 60 * MIN;

interface Env {
  root: string;
  config: Config;
  peer: StatuspagePeer;
  file: string;
  out: string[];
  /** Requests the vendor page served (the peer's own `hits` getter is copied, not live, by Object.assign). */
  hits: () => number;
}
const envs: Env[] = [];
afterEach(async () => {
  for (const e of envs.splice(0)) {
    await e.peer.close();
    rmSync(e.root, { recursive: true, force: true });
  }
});

async function setup(feedbackFile = 'feedback/integrations.md', second = false): Promise<Env> {
  const root = mkdtempSync(join(tmpdir(), 'pitwall-report-cmd-'));
  mkdirSync(join(root, 'feedback'));
  const file = join(root, 'feedback', 'integrations.md');
  writeFileSync(file, '# Integrations log\n');
  const peer = await startStatuspagePeer();
  writeFileSync(
    join(root, 'pitwall.yaml'),
    [
      `feedbackFile: ${feedbackFile}`,
      'protectedFiles: [feedback/decisions.md]',
      'targets:',
      '  - id: vendor',
      '    kind: statuspage',
      `    url: ${peer.url}`,
      '    intervalSeconds: 300',
      '    retries: 0',
      ...(second ? ['  - id: vendor-two', '    kind: statuspage', `    url: ${peer.url}`, '    intervalSeconds: 300', '    retries: 0'] : []),
    ].join('\n'),
  );
  const config = loadConfig(join(root, 'pitwall.yaml'), {});
  let n = 0;
  peer.server.on('request', () => n++);
  const e: Env = { root, config, peer, file, out: [], hits: () => n };
  envs.push(e);
  return e;
}
const stateDir = (e: Env) => join(e.root, 'state');
const opts = (e: Env, now?: number) => ({
  write: (t: string) => void e.out.push(t),
  stateDir: stateDir(e),
  timeZone: 'UTC',
  ...(now !== undefined ? { now: () => now } : {}),
});

/** Journals one sample every 5 minutes over [from, to): up at 100 ms. */
function journalHour(e: Env, from: number, to: number) {
  const j = openJournal({ dir: stateDir(e), configPath: e.config.path });
  for (let at = from; at < to; at += 5 * MIN) j.appendResult('vendor', { status: 'up', latencyMs: 100, error: null, details: {} }, at);
  j.close();
}

describe('pitwall report', () => {
  it('reports the last full hour from the journal, without checking, and compares with the report before', async () => {
    const e = await setup();
    journalHour(e, T0 - H, T0 + H);

    expect(await runReport(e.config, opts(e, T0 + 5_000))).toBe(0);
    expect(await runReport(e.config, opts(e, T0 + H + 5_000))).toBe(0);
    expect(e.hits()).toBe(0);
    expect(e.out).toEqual([
      `hourly report for 13:00–14:00 UTC written to ${e.file}\n`,
      `hourly report for 14:00–15:00 UTC written to ${e.file}\n`,
    ]);
    const text = readFileSync(e.file, 'utf8');
    const reports = text.split('\n## Hourly report — ').slice(1);
    expect(reports).toHaveLength(2);
    expect(reports[0]).toMatch(/^2026-10-13 13:00–14:00 UTC\n/);
    expect(reports[0]).toContain('\n`vendor` up at every check, p95 under 200 ms.\n');
    expect(reports[0]).not.toContain('Since the previous report');
    expect(reports[1]).toMatch(/^2026-10-13 14:00–15:00 UTC\n/);
    expect(reports[1]).toContain('### Since the previous report (2026-10-13 13:00–14:00 UTC, written 14:00:05)\n\n- No change.');
  });

  it('compares a report with the one written seconds before it, about the same hour', async () => {
    const e = await setup();
    journalHour(e, T0, T0 + 40 * MIN);
    expect(await runReport(e.config, opts(e, T0 + 40 * MIN))).toBe(0);
    expect(await runReport(e.config, opts(e, T0 + 40 * MIN + 4_000))).toBe(0);
    const reports = readFileSync(e.file, 'utf8').split('\n## Hourly report — ').slice(1);
    expect(reports).toHaveLength(2);
    expect(reports[1]).toContain('### Since the previous report (2026-10-13 14:00–14:40 UTC, partial, written 14:40:00)\n\n- No change.');
  });

  it('names the last report in the file when another pitwall (another state folder) wrote it', async () => {
    const e = await setup();
    writeFileSync(e.file, '# Integrations log\n\n## Hourly report — 2026-10-13 13:00–14:00 UTC\n\n- **Worst:** nothing\n');
    journalHour(e, T0, T0 + H);
    expect(await runReport(e.config, opts(e, T0 + H + 5_000))).toBe(0);
    const text = readFileSync(e.file, 'utf8');
    expect(text).toContain(
      '### Since the previous report\n\n- The last report in this file (2026-10-13 13:00–14:00 UTC) came from a pitwall with another state folder: its figures are not in this journal, so nothing is compared.\n',
    );
  });

  it('reports the current partial hour when pitwall only started this hour', async () => {
    const e = await setup();
    journalHour(e, T0 + 20 * MIN, T0 + 40 * MIN);
    expect(await runReport(e.config, opts(e, T0 + 40 * MIN))).toBe(0);
    expect(e.hits()).toBe(0);
    expect(e.out).toEqual([`hourly report for 14:00–14:40 UTC (partial hour) written to ${e.file}\n`]);
    const text = readFileSync(e.file, 'utf8');
    expect(text).toContain('## Hourly report — 2026-10-13 14:00–14:40 UTC, partial hour');
    expect(text).toContain('\n`vendor` up at every check, p95 under 200 ms.\n');
    expect(text).toContain('- **Gaps:** no checks 14:00:00–14:20:00 (20m00s) UTC');
  });

  it('checks once, for a partial hour, the targets the journal has nothing on, rather than saying "no data"', async () => {
    // Given a journal with this hour for vendor only (vendor-two was never watched; say, only vendor was escalated)
    const e = await setup('feedback/integrations.md', true);
    e.peer.setMode('major');
    journalHour(e, T0 + 20 * MIN, T0 + 40 * MIN);
    // (a clock that moves: the check lands before the report is written)
    let clock = T0 + 40 * MIN;
    expect(await runReport(e.config, { ...opts(e), now: () => (clock += 1000) })).toBe(0);
    // Then vendor-two, and only it, is checked now, and the entry says which figures come from that check
    expect(e.hits()).toBe(1);
    expect(e.out).toEqual([`hourly report for 14:00–14:40 UTC (partial hour) (vendor-two checked just now) written to ${e.file}\n`]);
    const text = readFileSync(e.file, 'utf8');
    expect(text).toContain('\n1 other up at every check, p95 under 200 ms.\n');
    expect(text).toMatch(/\| `vendor-two` \| ✖ down \| ✖ down \| \d\d:\d\d:\d\d–now \(\ds so far\) \| \ds \| 0\.0% of 1 \|/);
    expect(text).toContain('- **Note:** the journal had nothing this hour for `vendor-two`, so pitwall checked it once at');
    expect(text).not.toContain('no data');
  });

  it('runs one round of checks when the journal is empty, and says so in the entry', async () => {
    const e = await setup();
    e.peer.setMode('minor');
    expect(await runReport(e.config, opts(e))).toBe(0);
    expect(e.hits()).toBe(1);
    expect(e.out.join('')).toMatch(/^hourly report for \d\d:00–\d\d:\d\d UTC \(partial hour\) \(from one round of checks just now\) written to /);
    const text = readFileSync(e.file, 'utf8');
    expect(text).toContain('- **Note:** the journal had nothing for this hour, so pitwall ran one round of checks at');
    expect(text).toMatch(/\| `vendor` \| ▲ degraded \| ▲ degraded \| .* \| 100\.0% of 1 \|/);
    // and that round is in the journal now, with the report's summary
    const j = openJournal({ dir: stateDir(e), configPath: e.config.path });
    const h = j.load();
    j.close();
    expect(h.samples.vendor).toHaveLength(1);
    expect(h.reports).toHaveLength(1);
    expect(h.events.map((x) => x.type)).toEqual(['transition', 'report']);
  });

  it('refuses a protected file (exit 3)', async () => {
    const e = await setup('feedback/decisions.md');
    writeFileSync(join(e.root, 'feedback', 'decisions.md'), '');
    await expect(runReport(e.config, opts(e))).rejects.toThrow(UsageError);
    await expect(runReport(e.config, opts(e))).rejects.toThrow(/it is listed in protectedFiles \(.*decisions\.md\)/);
    expect(readFileSync(join(e.root, 'feedback', 'decisions.md'), 'utf8')).toBe('');
  });
});
