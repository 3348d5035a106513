/** `pitwall doctor`: MCP server processes a killed pitwall run left running (journal/spawn-record.ts). */
import { findLeftovers } from '../journal/spawn-record.js';
import type { ProcReader } from '../shared/proc.js';
import type { DoctorCheck } from './doctor-checks.js';

const SHOWN = 10;

/** Lists what killed runs that recorded their children in `stateDir` left running; reads only. */
export function checkLeftovers(stateDir: string, reader?: ProcReader): DoctorCheck {
  const name = 'mcp leftovers';
  if (process.platform !== 'linux' && !reader) return { status: 'ok', name, summary: 'not tracked on this system (Linux only)' };
  const found = findLeftovers(stateDir, reader ? { reader } : {});
  const procs = found.flatMap((l) => l.procs.map((p) => ({ ...p, owner: l.owner, command: l.command })));
  if (procs.length === 0) return { status: 'ok', name, summary: 'none left running by a killed pitwall run' };
  const owners = found.map((l) => l.owner);
  const by = owners.length === 1 ? `a pitwall run that was killed (pid ${owners[0]})` : `pitwall runs that were killed (pids ${owners.join(', ')})`;
  const details = procs.slice(0, SHOWN).map((p) => `pid ${p.pid}  ${p.comm ?? '?'}  (left by pitwall ${p.command}, pid ${p.owner})`);
  if (procs.length > SHOWN) details.push(`… and ${procs.length - SHOWN} more`);
  return {
    status: 'warn',
    name,
    summary: `${procs.length} MCP server process${procs.length === 1 ? '' : 'es'} left running by ${by}`,
    details,
    fix: `the next "pitwall", "pitwall serve" or "pitwall check" ends them; or now: kill ${procs.map((p) => p.pid).join(' ')}`,
  };
}
