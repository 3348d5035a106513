import type { Config } from '../config/config.js';
import { createEngine, type RunOutcome } from '../state/engine.js';
import { createProbeRunner } from '../state/probe-runner.js';
import { resolveStateDir } from '../journal/journal.js';
import { startSpawnRecord } from '../journal/spawn-record.js';
import { createRedactor } from '../text/redact.js';
import { createStore, initialState } from '../state/store.js';
import { held } from '../state/derive.js';
import { formatLatency, statusLabel, truncate } from '../text/format.js';
import type { ProbeResult } from '../probes/types.js';
import { exitCodeFor } from './exit.js';
import { onlyIds } from './only.js';

export interface CheckOptions {
  json?: boolean;
  only?: string[];
  write: (text: string) => void;
  /** Lets the caller kill MCP children on a signal while the check runs. */
  onRunner?: (runner: { killAllSync(): void }) => void;
  /** Where a line about MCP servers a killed run left goes (stderr); default: nowhere. */
  warn?: (text: string) => void;
  /** Where the spawn record lives (journal/spawn-record.ts); default: the config's stateDir, else the default. */
  stateDir?: string;
}

/** `pitwall check`: every target once, concurrently; a table or one JSON document. Returns the exit code. */
export async function runCheck(config: Config, opts: CheckOptions): Promise<number> {
  const ids = onlyIds(config, opts.only);
  const runner = createProbeRunner();
  opts.onRunner?.(runner);
  const store = createStore(initialState(config, { now: Date.now() }));
  const engine = createEngine({ config, store, runProbe: runner.run });
  // What this check spawns is recorded; what a killed run left is ended (one line on stderr). A state folder that
  // cannot take the record is not the check's business (cron mails stderr; doctor says what is wrong with it).
  const record = startSpawnRecord({
    stateDir: opts.stateDir ?? resolveStateDir({ config }),
    command: 'check',
    say: (m, level) => void (level === 'warn' && opts.warn?.(`pitwall: ${m}\n`)),
  });
  let outcomes: Map<string, RunOutcome>;
  try {
    outcomes = await engine.checkOnce(ids);
  } finally {
    engine.stop();
    await runner.close();
    await record.leftovers;
    record.close();
  }
  const redactor = createRedactor(config.secrets);
  const rows = ids.map((id) => {
    const target = config.targets.find((t) => t.id === id)!;
    const o = outcomes.get(id)!;
    return { id, kind: target.kind, tiles: target.tiles, outcome: o };
  });
  // A failure held while pitwall's own network was down (state/connectivity.ts) is unknown, not degraded.
  const shown = (r: ProbeResult) => (held(r) ? null : r.status);
  const statuses = rows.map((r) => shown(r.outcome.result));
  if (opts.json) {
    const doc = {
      checkedAt: new Date().toISOString(),
      targets: rows.map(({ id, kind, tiles, outcome: { result, attempts } }) => ({
        id,
        kind,
        status: shown(result) ?? 'unknown',
        latencyMs: result.latencyMs === null ? null : Math.round(result.latencyMs * 10) / 10,
        error: result.error ? { kind: result.error.kind, message: result.error.message } : null,
        details: result.details,
        ...(result.status === 'degraded' ? { reason: result.reason } : {}),
        ...(result.error?.httpStatus ? { httpStatus: result.error.httpStatus } : {}),
        ...(result.subChecks ? { subChecks: result.subChecks } : {}),
        ...(result.headroom ? { headroom: result.headroom } : {}),
        ...(result.phases ? { phases: result.phases } : {}),
        tiles,
        attempts,
      })),
    };
    opts.write(`${JSON.stringify(redactor.value(doc), null, 2)}\n`);
  } else {
    opts.write(redactor.text(table(rows.map((r) => ({ id: r.id, kind: r.kind, result: r.outcome.result, attempts: r.outcome.attempts })))));
  }
  return exitCodeFor(statuses);
}

function table(rows: { id: string; kind: string; result: ProbeResult; attempts: number }[]): string {
  const head = ['STATUS', 'TARGET', 'KIND', 'LATENCY', 'DETAIL'];
  const body = rows.map(({ id, kind, result, attempts }) => [
    statusLabel(held(result) ? null : result.status),
    id,
    kind,
    formatLatency(result.latencyMs),
    truncate(detail(result) + (attempts > 1 ? ` (after ${attempts} attempts)` : ''), 100),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...body.map(line)].join('\n') + '\n';
}

function detail(r: ProbeResult): string {
  if (r.status === 'down') return `${r.error.kind}: ${r.error.message}`;
  if (r.status === 'degraded') return r.error ? `${r.error.kind}: ${r.error.message}` : r.reason;
  return '';
}
