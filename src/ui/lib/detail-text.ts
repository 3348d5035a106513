import type { ProbeResult } from '../../probes/types.js';
import { shownStatus } from '../../state/derive.js';
import type { TargetState } from '../../state/store.js';
import { problemOf } from './row-stats.js';

/** The evidence of a result, line by line: the probe's own evidence, else an MCP server's stderr tail. */
export function evidenceLines(r: ProbeResult | null): string[] {
  if (!r) return [];
  const out: string[] = [];
  const tail = r.details.stderrTail;
  if (r.error?.evidence) out.push(...r.error.evidence.split('\n'));
  else if (Array.isArray(tail)) out.push(...tail.map(String));
  else if (typeof tail === 'string' && tail) out.push(...tail.split('\n'));
  return out.filter((l) => l.trim());
}

/**
 * What `c` copies: the target, where it is checked, its error and the evidence, as plain lines with a UTC time
 * (a chat message is read in other zones). Upstream text is as the store has it: bounded, escaped and redacted.
 */
export function copyText(t: TargetState, endpoint: string | undefined): string {
  const r = t.latest;
  const status = shownStatus(t) ?? 'not checked yet';
  const lines = [`${t.id}${t.name !== t.id ? ` (${t.name})` : ''}: ${status}${t.checkedAt ? ` at ${new Date(t.checkedAt).toISOString()}` : ''}`];
  if (endpoint) lines.push(`endpoint: ${endpoint}`);
  const problem = problemOf(r);
  if (problem) lines.push(`error: ${problem}${r?.error?.httpStatus ? ` (HTTP ${r.error.httpStatus})` : ''}`);
  const evidence = evidenceLines(r);
  if (evidence.length) lines.push('evidence:', ...evidence.map((l) => `  ${l}`));
  return lines.join('\n');
}
