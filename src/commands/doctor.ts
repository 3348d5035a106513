import { ConfigError, configVariables, parseConfig, type Config, type ConfigVariable } from '../config/config.js';
import { resolveStateDir } from '../journal/journal.js';
import { EXIT } from './exit.js';
import { shopifyVersionProblem } from '../probes/shopify-documents.js';
import { checkCredentials } from './doctor-credentials.js';
import { checkLeftovers } from './doctor-leftovers.js';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkColour, checkCommand, checkFeedback, checkGaCredentials, checkStateDir, checkTerminal, UNSET, type CheckStatus, type DoctorCheck, type TerminalInfo } from './doctor-checks.js';

export type { CheckStatus, DoctorCheck, TerminalInfo } from './doctor-checks.js';

export interface DoctorOptions {
  /** The config file (--config, else ./pitwall.yaml); null when there is none. */
  configPath: string | null;
  env?: NodeJS.ProcessEnv;
  /** --state-dir, when given. */
  stateDir?: string;
  write: (text: string) => void;
  stdout: TerminalInfo;
}

const SYMBOL: Record<CheckStatus, string> = { ok: '✔ ok  ', warn: '▲ warn', fail: '✖ fail' };

/** `pitwall doctor`: checks the setup without calling any upstream; prints a checklist. 0 all pass (warnings allowed), 3 any failure. */
export async function runDoctor(opts: DoctorOptions): Promise<number> {
  const checks = diagnose(opts);
  opts.write(formatChecklist(checks, opts.configPath));
  return checks.some((c) => c.status === 'fail') ? EXIT.usage : EXIT.ok;
}

/** Runs every check; no network, and the only writes are a probe file in the state folder (removed at once). */
export function diagnose(opts: Omit<DoctorOptions, 'write'>): DoctorCheck[] {
  const env = opts.env ?? process.env;
  const checks: DoctorCheck[] = [];
  const config = opts.configPath ? checkConfig(opts.configPath, env, checks) : null;
  if (!opts.configPath) {
    checks.push({
      status: 'fail',
      name: 'config',
      summary: 'no pitwall.yaml here and no --config given',
      fix: 'run "pitwall init" to write a starter config, or pass --config <file>',
    });
  }
  if (config) {
    checks.push(checkFeedback(config));
    config.targets.forEach((t, i) => {
      if (t.kind === 'mcp' && t.transport === 'stdio') checks.push(checkCommand(t, i, env));
    });
    for (const t of config.targets) {
      if (t.kind === 'ga' && !t.insecure) checks.push(checkGaCredentials(t.id, t.credentialsFile, env));
    }
    for (const t of config.targets) if (t.kind === 'shopify') checks.push(checkShopifyApiVersion(t.id, t.apiVersion, new Date()));
    checks.push(...checkCredentials(config));
  }
  const stateDir = resolveStateDir({ flag: opts.stateDir, ...(config ? { config } : {}), env });
  checks.push(checkStateDir(stateDir), checkLeftovers(stateDir));
  checks.push(checkTerminal(opts.stdout), checkColour(opts.stdout, env));
  return checks;
}

/** The checklist as text: one line per check, details and the fix indented under it, then a verdict. */
export function formatChecklist(checks: readonly DoctorCheck[], configPath: string | null): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const indent = ' '.repeat(SYMBOL.ok.length + 2 + width + 2);
  const out = [`pitwall doctor${configPath ? `: ${configPath}` : ''}`, ''];
  for (const c of checks) {
    out.push(`${SYMBOL[c.status]}  ${c.name.padEnd(width)}  ${c.summary}`);
    for (const d of c.details ?? []) out.push(`${indent}${d}`);
    if (c.fix && c.status !== 'ok') out.push(`${indent}fix: ${c.fix}`);
  }
  const fails = checks.filter((c) => c.status === 'fail').length;
  const warns = checks.filter((c) => c.status === 'warn').length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  out.push(
    '',
    fails
      ? `${plural(fails, 'problem')}${warns ? `, ${plural(warns, 'warning')}` : ''}: fix the ✖ lines, then run "pitwall doctor" again.`
      : `All checks passed${warns ? ` (${plural(warns, 'warning')})` : ''}.`,
  );
  return `${out.join('\n')}\n`;
}

/** config + variables; returns the config (unset variables stood in for) when it validates. */
function checkConfig(path: string, env: NodeJS.ProcessEnv, checks: DoctorCheck[]): Config | null {
  const fail = (summary: string, fix: string) => {
    checks.push({ status: 'fail', name: 'config', summary, fix });
    return null;
  };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail(`${path} does not exist`, 'run "pitwall init" to write a starter config, or pass --config <file>');
    return fail(`cannot read ${path}: ${(err as Error).message}`, `make ${path} readable by this user`);
  }
  let vars: ConfigVariable[];
  try {
    vars = configVariables(text, { path, env });
  } catch (err) {
    return fail((err as Error).message, `correct ${path} where the message points`);
  }
  const unset = vars.filter((v) => !v.set);
  // Validate the rest even when variables are missing: stand-ins shaped like what each key expects.
  const standIns = Object.fromEntries(unset.map((v) => [v.name, standIn(v.at)]));
  let config: Config | null = null;
  let problem: DoctorCheck | null = null;
  try {
    config = parseConfig(text, { path, env: { ...env, ...standIns } });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const blocked = unset.find((v) => err.message.startsWith(`${v.at}:`));
    problem = blocked
      ? { status: 'warn', name: 'config', summary: `not fully checked: ${blocked.at} needs ${blocked.name}`, fix: `set ${blocked.name}, then run "pitwall doctor" again` }
      : { status: 'fail', name: 'config', summary: err.message, fix: `correct that key in ${path} (unknown keys are not ignored)` };
  }
  if (config) {
    const note = unset.length ? ' (values from unset variables not checked)' : '';
    checks.push({ status: 'ok', name: 'config', summary: `valid: ${config.targets.length} targets${note}` });
  } else {
    checks.push(problem!);
  }
  if (vars.length === 0) {
    checks.push({ status: 'ok', name: 'variables', summary: 'the config uses no ${VAR}s' });
  } else if (unset.length === 0) {
    checks.push({ status: 'ok', name: 'variables', summary: `all ${vars.length} set` });
  } else {
    const w = Math.max(...unset.map((v) => v.name.length));
    checks.push({
      status: 'fail',
      name: 'variables',
      summary: `${unset.length} of ${vars.length} not set`,
      details: unset.map((v) => `${v.name.padEnd(w)}  used at ${v.at}${targetName(v.at, config)}`),
      fix: `export ${unset.length === 1 ? 'it' : 'them'}, or put ${unset.length === 1 ? 'it' : 'them'} in ${join(dirname(path), '.env')} (see .env.example)`,
    });
  }
  return config;
}

/** " (mcp-fly)" for a path inside targets[8], when the config parsed. */
function targetName(at: string, config: Config | null): string {
  const i = /^targets\[(\d+)\]/.exec(at)?.[1];
  const id = i === undefined ? undefined : config?.targets[Number(i)]?.id;
  return id ? ` (${id})` : '';
}

/** A stand-in value the key's schema accepts: a URL for urls, digits for ids, else a word. */
function standIn(at: string): string {
  const key = at.slice(at.lastIndexOf('.') + 1);
  if (/url$/i.test(key)) return `https://${UNSET}.invalid`;
  if (/Id$/.test(key)) return '1';
  return UNSET;
}

/** Shopify supports a stable API version for 12 months; past that it silently answers with another one. */
function checkShopifyApiVersion(id: string, version: string, now: Date): DoctorCheck {
  const name = 'shopify api';
  const problem = shopifyVersionProblem(version, now);
  if (!problem) return { status: 'ok', name, summary: `${id}: ${version} is within Shopify's support window` };
  return { status: 'warn', name, summary: `${id}: ${problem}`, fix: 'set apiVersion to a supported quarterly version (or leave it out for the newest)' };
}
