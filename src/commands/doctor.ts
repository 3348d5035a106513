import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { ConfigError, configVariables, parseConfig, type Config, type ConfigVariable, type McpTarget } from '../config/config.js';
import { canonicalPath, protectedReason } from '../feedback/feedback-writer.js';
import { resolveStateDir } from '../journal/journal.js';
import { shopifyVersionProblem } from '../probes/shopify-documents.js';
import { EXIT } from './exit.js';

/** ok: fine · warn: worth knowing, does not fail the run · fail: pitwall will not work until fixed. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of the checklist. */
export interface DoctorCheck {
  status: CheckStatus;
  /** What was checked: config, variables, feedback file, command, ga credentials, state folder, terminal, colour. */
  name: string;
  /** What was found, in one line. */
  summary: string;
  /** Lines under the summary (each missing variable, say). */
  details?: string[];
  /** How to fix it, in one line. */
  fix?: string;
}

/** What doctor needs to know about the terminal pitwall would draw on (process.stdout fits). */
export interface TerminalInfo {
  isTTY?: boolean;
  columns?: number;
  rows?: number;
  getColorDepth?(env?: object): number;
}

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
const MIN_COLUMNS = 80;
const MIN_ROWS = 24;
/** Stands in for unset variables so the rest of the config can still be validated. */
const UNSET = 'pitwall-doctor-unset';

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
  }
  checks.push(checkStateDir(resolveStateDir({ flag: opts.stateDir, ...(config ? { config } : {}), env })));
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

function checkFeedback(config: Config): DoctorCheck {
  const name = 'feedback file';
  const file = config.feedbackFile;
  if (file.includes(UNSET)) return { status: 'warn', name, summary: 'not checked: feedbackFile uses an unset variable' };
  let why: string | null;
  let real: string;
  try {
    why = protectedReason(file, config.protectedFiles);
    real = canonicalPath(file);
  } catch (err) {
    return { status: 'fail', name, summary: `cannot resolve ${file}: ${(err as Error).message}`, fix: 'point feedbackFile at a plain file' };
  }
  if (why) {
    return { status: 'fail', name, summary: `${file} is refused: ${why}`, fix: 'point feedbackFile at the team\'s log, feedback/integrations.md' };
  }
  let isFile: boolean;
  try {
    isFile = statSync(real).isFile();
  } catch {
    return {
      status: 'fail',
      name,
      summary: `${file} does not exist`,
      fix: `create it (mkdir -p ${dirname(file)} && touch ${file}), or pass --create-feedback to the first "pitwall report"`,
    };
  }
  if (!isFile) return { status: 'fail', name, summary: `${file} is not a file`, fix: 'point feedbackFile at a file' };
  try {
    // Really open it the way the writer does (append, no create), and write nothing.
    closeSync(openSync(real, constants.O_WRONLY | constants.O_APPEND));
  } catch (err) {
    return { status: 'fail', name, summary: `${file} cannot be opened for appending: ${errText(err)}`, fix: `give this user write access to ${file}` };
  }
  try {
    accessSync(dirname(real), constants.W_OK);
  } catch (err) {
    return {
      status: 'fail',
      name,
      summary: `its folder ${dirname(real)} is not writable (${errText(err)}); the writer locks with ${basename(real)}.lock there`,
      fix: `give this user write access to ${dirname(real)}`,
    };
  }
  return { status: 'ok', name, summary: `${file}: writable, not protected` };
}

function checkCommand(t: Extract<McpTarget, { transport: 'stdio' }>, index: number, env: NodeJS.ProcessEnv): DoctorCheck {
  const name = 'command';
  const where = `targets[${index}].command`;
  if (t.command.includes(UNSET)) return { status: 'warn', name, summary: `${t.id}: not checked: the command uses an unset variable` };
  if (t.cwd) {
    try {
      if (!statSync(t.cwd).isDirectory()) throw new Error('not a folder');
    } catch {
      return { status: 'fail', name, summary: `${t.id}: working folder ${t.cwd} does not exist`, fix: `create it or correct targets[${index}].cwd` };
    }
  }
  // The MCP probe spawns with the target's env over the inherited one, so its PATH wins.
  const found = resolveCommand(t.command, t.env.PATH ?? env.PATH ?? '', t.cwd ?? process.cwd(), env);
  if (found) return { status: 'ok', name, summary: `${t.id}: ${t.command} → ${found}` };
  const bare = !/[\\/]/.test(t.command);
  const fix = !bare
    ? `${t.command} must be an executable file: correct ${where}`
    : t.command === 'npx'
      ? 'install Node.js 22 or newer (npx comes with npm), or put its folder on PATH'
      : t.command === 'fly' || t.command === 'flyctl'
        ? 'install flyctl (curl -L https://fly.io/install.sh | sh) and put ~/.fly/bin on PATH'
        : `install ${t.command}, or give its absolute path in ${where}`;
  return { status: 'fail', name, summary: `${t.id}: ${bare ? `${t.command} is not on PATH` : `${t.command} is not an executable file`}`, fix };
}

/** Where spawn would find `command`: a path as given (against cwd), else the first executable on PATH. */
function resolveCommand(command: string, pathVar: string, cwd: string, env: NodeJS.ProcessEnv): string | null {
  const exts = process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';')] : [''];
  const candidates = /[\\/]/.test(command)
    ? exts.map((e) => resolve(cwd, command + e))
    : pathVar
        .split(delimiter)
        .filter(Boolean)
        .flatMap((dir) => exts.map((e) => join(dir, command + e)));
  return candidates.find(isExecutableFile) ?? null;
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function checkGaCredentials(id: string, credentialsFile: string | undefined, env: NodeJS.ProcessEnv): DoctorCheck {
  const name = 'ga credentials';
  const readable = (p: string) => {
    try {
      accessSync(p, constants.R_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (credentialsFile !== undefined) {
    if (credentialsFile.includes(UNSET)) return { status: 'warn', name, summary: `${id}: not checked: credentialsFile uses an unset variable` };
    return readable(credentialsFile)
      ? { status: 'ok', name, summary: `${id}: ${credentialsFile}` }
      : { status: 'fail', name, summary: `${id}: ${credentialsFile} is not a readable file`, fix: 'point credentialsFile at the service-account JSON key' };
  }
  const adc = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (adc) {
    return readable(adc)
      ? { status: 'ok', name, summary: `${id}: GOOGLE_APPLICATION_CREDENTIALS (${adc})` }
      : { status: 'fail', name, summary: `${id}: GOOGLE_APPLICATION_CREDENTIALS names ${adc}, which is not a readable file`, fix: 'point it at the service-account JSON key' };
  }
  const gcloud = join(env.CLOUDSDK_CONFIG ?? join(env.HOME ?? homedir(), '.config', 'gcloud'), 'application_default_credentials.json');
  if (readable(gcloud)) return { status: 'ok', name, summary: `${id}: gcloud application default credentials (${gcloud})` };
  return {
    status: 'warn',
    name,
    summary: `${id}: no Google credentials found (fine only on Google Cloud, where the metadata server has them)`,
    fix: 'set credentialsFile to a service-account key, or run "gcloud auth application-default login"',
  };
}

/** Shopify supports a stable API version for 12 months; past that it silently answers with another one. */
function checkShopifyApiVersion(id: string, version: string, now: Date): DoctorCheck {
  const name = 'shopify api';
  const problem = shopifyVersionProblem(version, now);
  if (!problem) return { status: 'ok', name, summary: `${id}: ${version} is within Shopify's support window` };
  return { status: 'warn', name, summary: `${id}: ${problem}`, fix: 'set apiVersion to a supported quarterly version (or leave it out for the newest)' };
}

function checkStateDir(dir: string): DoctorCheck {
  const name = 'state folder';
  try {
    mkdirSync(dir, { recursive: true });
    // Really write: permissions, a read-only mount or a file in the way all show up here.
    const probe = join(dir, `.doctor-${process.pid}-${randomBytes(4).toString('hex')}`);
    writeFileSync(probe, '', { flag: 'wx' });
    unlinkSync(probe);
  } catch (err) {
    return {
      status: 'fail',
      name,
      summary: `${dir} is not writable (${errText(err)})`,
      fix: 'pass --state-dir <folder> or set stateDir in pitwall.yaml to a folder this user can write',
    };
  }
  return { status: 'ok', name, summary: `${dir}: writable (journal and outbox)` };
}

function checkTerminal(t: TerminalInfo): DoctorCheck {
  const name = 'terminal';
  if (!t.isTTY) {
    return {
      status: 'warn',
      name,
      summary: 'output is not a terminal: the console needs one (check, report and escalate do not)',
      fix: 'run "pitwall" itself in a terminal window',
    };
  }
  const { columns, rows } = t;
  if (!columns || !rows) return { status: 'warn', name, summary: 'the terminal does not report its size', fix: `make sure it is at least ${MIN_COLUMNS}×${MIN_ROWS}` };
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    return { status: 'warn', name, summary: `${columns}×${rows}: the console needs at least ${MIN_COLUMNS}×${MIN_ROWS}`, fix: 'enlarge the window (or the tmux pane)' };
  }
  return { status: 'ok', name, summary: `${columns}×${rows}` };
}

function checkColour(t: TerminalInfo, env: NodeJS.ProcessEnv): DoctorCheck {
  const name = 'colour';
  if (env.NO_COLOR) return { status: 'ok', name, summary: 'off (NO_COLOR is set): every status also reads as a word and a symbol' };
  if (env.TERM === 'dumb') {
    return { status: 'warn', name, summary: 'TERM=dumb: no colour and no cursor movement, so the console cannot draw', fix: 'set TERM to your terminal (e.g. xterm-256color)' };
  }
  if (!t.isTTY) return { status: 'ok', name, summary: 'not a terminal: plain text' };
  const depth = t.getColorDepth?.(env) ?? 1;
  if (depth < 4) {
    return {
      status: 'warn',
      name,
      summary: `no colour support detected (TERM=${env.TERM ?? 'unset'}); statuses still read as words`,
      fix: 'set TERM=xterm-256color, or NO_COLOR=1 to turn colour off on purpose',
    };
  }
  return { status: 'ok', name, summary: depth >= 24 ? 'truecolor' : `${2 ** depth} colours` };
}

function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.replace(/^\w+: /, '')}` : String(e.message ?? err);
}
