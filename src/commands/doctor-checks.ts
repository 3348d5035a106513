/**
 * `pitwall doctor`'s checks of the environment, each one line of the checklist: the feedback file, MCP commands,
 * GA credentials, the state folder, the terminal and its colours. No network; doctor.ts runs them.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, openSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import type { Config, McpTarget } from '../config/config.js';
import { canonicalPath, protectedReason } from '../feedback/feedback-writer.js';
import { stateDirProblem } from '../journal/state-dir.js';

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

const MIN_COLUMNS = 80;
const MIN_ROWS = 24;
/** Stands in for unset variables so the rest of the config can still be validated. */
export const UNSET = 'pitwall-doctor-unset';

export function checkFeedback(config: Config): DoctorCheck {
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

export function checkCommand(t: Extract<McpTarget, { transport: 'stdio' }>, index: number, env: NodeJS.ProcessEnv): DoctorCheck {
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

export function checkGaCredentials(id: string, credentialsFile: string | undefined, env: NodeJS.ProcessEnv): DoctorCheck {
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

export function checkStateDir(dir: string): DoctorCheck {
  const name = 'state folder';
  const problem = stateDirProblem(dir);
  if (typeof problem === 'string') {
    return { status: 'fail', name, summary: `${dir} ${problem}`, fix: 'pass --state-dir <folder> or set stateDir in pitwall.yaml to a folder this user can write' };
  }
  try {
    if (problem) throw problem.transient;
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

export function checkTerminal(t: TerminalInfo): DoctorCheck {
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

export function checkColour(t: TerminalInfo, env: NodeJS.ProcessEnv): DoctorCheck {
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

export function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.replace(/^\w+: /, '')}` : String(e.message ?? err);
}
