import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diagnose, formatChecklist, runDoctor, type DoctorCheck, type TerminalInfo } from '../../src/commands/doctor.js';

let root: string;
let bin: string;
let configPath: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pitwall-doctor-'));
  bin = join(root, 'bin');
  mkdirSync(bin);
  for (const name of ['npx', 'fly']) {
    writeFileSync(join(bin, name), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, name), 0o755);
  }
  mkdirSync(join(root, 'feedback'));
  writeFileSync(join(root, 'feedback', 'integrations.md'), '# Integrations log\n');
  configPath = join(root, 'pitwall.yaml');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const tty: TerminalInfo = { isTTY: true, columns: 120, rows: 40, getColorDepth: () => 8 };

interface Setup {
  yaml?: string;
  env?: NodeJS.ProcessEnv;
  stateDir?: string;
  stdout?: TerminalInfo;
}

/** A small config with a ${VAR} secret, a stdio MCP server on PATH and an http one. */
const baseYaml = (extra = '') => `feedbackFile: feedback/integrations.md
targets:
  - id: shopify-admin
    kind: shopify
    shop: hotrodan.myshopify.com
    accessToken: "\${SHOPIFY_ADMIN_TOKEN}"
  - id: mcp-shopify
    kind: mcp
    transport: stdio
    command: npx
    args: ["-y", "@shopify/dev-mcp@latest"]
  - id: mcp-fly
    kind: mcp
    transport: stdio
    command: fly
    args: [mcp, server]
${extra}`;

function run(s: Setup = {}): DoctorCheck[] {
  writeFileSync(configPath, s.yaml ?? baseYaml());
  // An undefined in s.env removes the variable (process.env never holds undefined values).
  const env = Object.fromEntries(
    Object.entries({ PATH: bin, XDG_STATE_HOME: join(root, 'state'), TERM: 'xterm-256color', SHOPIFY_ADMIN_TOKEN: 'shpat_canary_1234', ...s.env }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  return diagnose({
    configPath,
    env,
    ...(s.stateDir ? { stateDir: s.stateDir } : {}),
    stdout: s.stdout ?? tty,
  });
}

const find = (checks: DoctorCheck[], name: string) => checks.filter((c) => c.name === name);
const failures = (checks: DoctorCheck[]) => checks.filter((c) => c.status === 'fail');

describe('pitwall doctor', () => {
  it('passes a good setup: every check ok, exit 0', async () => {
    writeFileSync(configPath, baseYaml());
    let out = '';

    const code = await runDoctor({
      configPath,
      env: { PATH: bin, XDG_STATE_HOME: join(root, 'state'), TERM: 'xterm-256color', SHOPIFY_ADMIN_TOKEN: 'shpat_canary_1234' },
      write: (t) => (out += t),
      stdout: tty,
    });

    expect(code).toBe(0);
    expect(out).toContain(`✔ ok    command        mcp-shopify: npx → ${join(bin, 'npx')}`);
    expect(out).toContain(`✔ ok    state folder   ${join(root, 'state', 'pitwall')}: writable (journal and outbox)`);
    expect(out).toMatch(/All checks passed\.\n$/);
    expect(out).not.toContain('shpat_canary_1234');
  });

  describe('variables', () => {
    it('lists every missing variable with where it is used, not just the first', async () => {
      const yaml = baseYaml(`  - id: chatwoot
    kind: chatwoot
    baseUrl: "\${CHATWOOT_BASE_URL}"
    accountId: "\${CHATWOOT_ACCOUNT_ID}"
    apiToken: "\${CHATWOOT_API_TOKEN}"
`);
      writeFileSync(configPath, yaml);
      let out = '';

      const code = await runDoctor({
        configPath,
        env: { PATH: bin, XDG_STATE_HOME: join(root, 'state'), CHATWOOT_BASE_URL: '' },
        write: (t) => (out += t),
        stdout: tty,
      });

      expect(code).toBe(3);
      expect(out).toContain('✖ fail  variables      4 of 4 not set\n');
      expect(out).toContain('SHOPIFY_ADMIN_TOKEN  used at targets[0].accessToken (shopify-admin)');
      // Set but empty counts as unset, as it does when the config loads.
      expect(out).toContain('CHATWOOT_BASE_URL    used at targets[3].baseUrl (chatwoot)');
      expect(out).toContain('CHATWOOT_ACCOUNT_ID  used at targets[3].accountId (chatwoot)');
      expect(out).toContain('CHATWOOT_API_TOKEN   used at targets[3].apiToken (chatwoot)');
      expect(out).toContain(`fix: export them, or put them in ${join(root, '.env')} (see .env.example)`);
      // The rest of the config is still validated, with stand-ins for the unset values.
      expect(out).toContain('✔ ok    config         valid: 4 targets (values from unset variables not checked)');
    });

    it('still reports a real config mistake while variables are missing', () => {
      const checks = run({ yaml: baseYaml('    colour: red\n'), env: { SHOPIFY_ADMIN_TOKEN: undefined } });

      expect(find(checks, 'config')[0]).toMatchObject({ status: 'fail', summary: 'targets[2].colour: unknown key (check the spelling; unknown keys are not ignored)' });
      expect(find(checks, 'variables')[0]).toMatchObject({ status: 'fail', summary: '1 of 1 not set' });
    });

    it('takes values from the .env beside the config', () => {
      writeFileSync(join(root, '.env'), 'SHOPIFY_ADMIN_TOKEN=shpat_from_dotenv_5678\n');

      const checks = run({ env: { SHOPIFY_ADMIN_TOKEN: undefined } });

      expect(find(checks, 'variables')[0]).toMatchObject({ status: 'ok', summary: 'all 1 set' });
      expect(failures(checks)).toEqual([]);
    });

    it('ignores ${VAR}s in comments', () => {
      const checks = run({ yaml: `# accessToken: "\${OLD_TOKEN}"\n${baseYaml()}` });
      expect(find(checks, 'variables')[0]).toMatchObject({ status: 'ok', summary: 'all 1 set' });
    });
  });

  describe('config', () => {
    it('fails with the fix when there is no config at all', () => {
      const checks = diagnose({ configPath: null, env: { XDG_STATE_HOME: join(root, 'state') }, stdout: tty });
      expect(find(checks, 'config')[0]).toMatchObject({
        status: 'fail',
        summary: 'no pitwall.yaml here and no --config given',
        fix: 'run "pitwall init" to write a starter config, or pass --config <file>',
      });
      // What does not need a config is still checked.
      expect(find(checks, 'state folder')[0]?.status).toBe('ok');
    });

    it('fails on a --config that does not exist', () => {
      const missing = join(root, 'nope.yaml');
      const checks = diagnose({ configPath: missing, env: { XDG_STATE_HOME: join(root, 'state') }, stdout: tty });
      expect(find(checks, 'config')[0]).toMatchObject({ status: 'fail', summary: `${missing} does not exist` });
    });

    it('fails on invalid YAML, naming the line', () => {
      const checks = run({ yaml: 'targets:\n  - id: a\n    kind: http\n   url: x\n' });
      expect(find(checks, 'config')[0]).toMatchObject({ status: 'fail' });
      expect(find(checks, 'config')[0]!.summary).toMatch(/^config is not valid YAML at line \d+/);
    });
  });

  describe('feedback file', () => {
    it('fails when it does not exist, with how to create it', () => {
      rmSync(join(root, 'feedback', 'integrations.md'));
      const file = join(root, 'feedback', 'integrations.md');

      const [check] = find(run(), 'feedback file');

      expect(check).toMatchObject({ status: 'fail', summary: `${file} does not exist` });
      expect(check!.fix).toBe(`create it (mkdir -p ${join(root, 'feedback')} && touch ${file}), or pass --create-feedback to the first "pitwall report"`);
    });

    it("refuses the manager's file", () => {
      writeFileSync(join(root, 'feedback', 'manager.md'), '# Manager\n');
      const [check] = find(run({ yaml: baseYaml().replace('feedback/integrations.md', 'feedback/manager.md') }), 'feedback file');
      expect(check).toMatchObject({ status: 'fail' });
      expect(check!.summary).toContain("manager.md is the manager's file");
    });

    it("refuses a symlink that leads to the manager's file", () => {
      writeFileSync(join(root, 'feedback', 'manager.md'), '# Manager\n');
      rmSync(join(root, 'feedback', 'integrations.md'));
      symlinkSync('manager.md', join(root, 'feedback', 'integrations.md'));

      const [check] = find(run(), 'feedback file');

      expect(check).toMatchObject({ status: 'fail' });
      expect(check!.summary).toContain(`(it resolves to ${join(root, 'feedback', 'manager.md')})`);
    });

    it("fails a feedback file hard-linked to a manager.md in another folder", () => {
      mkdirSync(join(root, 'team'));
      linkSync(join(root, 'feedback', 'integrations.md'), join(root, 'team', 'manager.md'));

      const [check] = find(run(), 'feedback file');

      expect(check).toMatchObject({ status: 'fail' });
      expect(check!.summary).toContain('is refused: it is hard-linked (2 names for one file)');
    });

    it('refuses a file listed in protectedFiles', () => {
      const [check] = find(run({ yaml: `protectedFiles: [feedback/integrations.md]\n${baseYaml()}` }), 'feedback file');
      expect(check).toMatchObject({ status: 'fail' });
      expect(check!.summary).toContain('it is listed in protectedFiles (');
    });

    // Root opens any file for writing whatever its mode, so this one runs only as a regular user (CI).
    it.skipIf(process.getuid?.() === 0)('fails when it cannot be opened for appending', () => {
      chmodSync(join(root, 'feedback', 'integrations.md'), 0o444);
      const [check] = find(run(), 'feedback file');
      expect(check).toMatchObject({ status: 'fail' });
      expect(check!.summary).toContain('cannot be opened for appending: EACCES');
    });

    it('fails when the path is a folder, not a file', () => {
      rmSync(join(root, 'feedback', 'integrations.md'));
      mkdirSync(join(root, 'feedback', 'integrations.md'));
      const [check] = find(run(), 'feedback file');
      expect(check).toMatchObject({ status: 'fail', summary: `${join(root, 'feedback', 'integrations.md')} is not a file` });
    });
  });

  describe('MCP commands', () => {
    it('fails a command that is not on PATH, with an install hint for fly', () => {
      rmSync(join(bin, 'fly'));

      const checks = find(run(), 'command');

      expect(checks.map((c) => c.status)).toEqual(['ok', 'fail']);
      expect(checks[1]).toMatchObject({
        summary: 'mcp-fly: fly is not on PATH',
        fix: 'install flyctl (curl -L https://fly.io/install.sh | sh) and put ~/.fly/bin on PATH',
      });
    });

    it('fails an absolute path that does not exist, and a file that is not executable', () => {
      const plain = join(root, 'server.js');
      writeFileSync(plain, 'console.log(1)\n');
      chmodSync(plain, 0o644); // no x bit: refused even for root
      const yaml = baseYaml(`  - id: mcp-gone
    kind: mcp
    transport: stdio
    command: ${join(root, 'gone', 'server')}
  - id: mcp-plain
    kind: mcp
    transport: stdio
    command: ${plain}
`);

      const checks = find(run({ yaml }), 'command');

      expect(checks.slice(2)).toEqual([
        { status: 'fail', name: 'command', summary: `mcp-gone: ${join(root, 'gone', 'server')} is not an executable file`, fix: `${join(root, 'gone', 'server')} must be an executable file: correct targets[3].command` },
        { status: 'fail', name: 'command', summary: `mcp-plain: ${plain} is not an executable file`, fix: `${plain} must be an executable file: correct targets[4].command` },
      ]);
    });

    it("looks on the target's own PATH when its env sets one", () => {
      const other = join(root, 'other-bin');
      mkdirSync(other);
      writeFileSync(join(other, 'uvx'), '#!/bin/sh\n');
      chmodSync(join(other, 'uvx'), 0o755);
      const yaml = baseYaml(`  - id: mcp-time
    kind: mcp
    transport: stdio
    command: uvx
    args: [mcp-server-time]
    env:
      PATH: ${other}
`);
      expect(find(run({ yaml }), 'command')[2]).toMatchObject({ status: 'ok', summary: `mcp-time: uvx → ${join(other, 'uvx')}` });
    });
  });

  describe('state folder', () => {
    it('fails when it cannot be created', () => {
      // As root, chmod does not stop writes; a regular file in the way makes mkdir fail with ENOTDIR for anyone.
      const blocker = join(root, 'not-a-folder');
      writeFileSync(blocker, '');

      const [check] = find(run({ stateDir: join(blocker, 'state') }), 'state folder');

      expect(check).toMatchObject({ status: 'fail' });
      expect(check!.summary).toMatch(new RegExp(`^${join(blocker, 'state')} is not writable \\(ENOTDIR: `));
      expect(check!.fix).toBe('pass --state-dir <folder> or set stateDir in pitwall.yaml to a folder this user can write');
    });

    it('fails, at once, on /dev/null and under /proc', () => {
      expect(find(run({ stateDir: '/dev/null' }), 'state folder')[0]).toMatchObject({ status: 'fail', summary: '/dev/null is not a folder (it is a character device)' });
      if (process.platform === 'linux') {
        expect(find(run({ stateDir: '/proc/pitwall' }), 'state folder')[0]).toMatchObject({
          status: 'fail',
          summary: '/proc/pitwall is on proc, a file system the kernel makes up, which cannot keep files',
        });
      }
    });

    it("uses the config's stateDir, and --state-dir over it", () => {
      const yaml = `stateDir: from-config\n${baseYaml()}`;
      expect(find(run({ yaml }), 'state folder')[0]!.summary).toBe(`${join(root, 'from-config')}: writable (journal and outbox)`);
      expect(find(run({ yaml, stateDir: join(root, 'flag') }), 'state folder')[0]!.summary).toBe(`${join(root, 'flag')}: writable (journal and outbox)`);
    });
  });

  describe('GA credentials', () => {
    const gaYaml = (extra = '') => baseYaml(`  - id: ga
    kind: ga
    propertyId: "412345678"
${extra}`);

    it('checks credentialsFile is a readable file', () => {
      expect(find(run({ yaml: gaYaml(`    credentialsFile: sa.json\n`) }), 'ga credentials')[0]).toMatchObject({ status: 'fail', summary: `ga: ${join(root, 'sa.json')} is not a readable file` });
      writeFileSync(join(root, 'sa.json'), '{}');
      expect(find(run({ yaml: gaYaml(`    credentialsFile: sa.json\n`) }), 'ga credentials')[0]).toMatchObject({ status: 'ok' });
    });

    it('warns, without failing, when no credentials are found anywhere', () => {
      const checks = run({ yaml: gaYaml(), env: { HOME: root } });
      expect(find(checks, 'ga credentials')[0]).toMatchObject({ status: 'warn' });
      expect(failures(checks)).toEqual([]);
    });
  });

  describe('terminal and colour', () => {
    it('warns (exit stays 0) on a terminal smaller than 80×24', async () => {
      writeFileSync(configPath, baseYaml());
      let out = '';
      const code = await runDoctor({
        configPath,
        env: { PATH: bin, XDG_STATE_HOME: join(root, 'state'), SHOPIFY_ADMIN_TOKEN: 'shpat_canary_1234', TERM: 'xterm' },
        write: (t) => (out += t),
        stdout: { ...tty, columns: 79, rows: 24 },
      });
      expect(code).toBe(0);
      expect(out).toContain('▲ warn  terminal       79×24: the console needs at least 80×24');
      expect(out).toContain('All checks passed (1 warning).');
    });

    it('says when output is not a terminal', () => {
      expect(find(run({ stdout: { isTTY: false } }), 'terminal')[0]).toMatchObject({ status: 'warn' });
    });

    it('reads NO_COLOR, TERM=dumb and the colour depth', () => {
      expect(find(run({ env: { NO_COLOR: '1' } }), 'colour')[0]).toMatchObject({ status: 'ok', summary: 'off (NO_COLOR is set): every status also reads as a word and a symbol' });
      expect(find(run({ env: { TERM: 'dumb' } }), 'colour')[0]).toMatchObject({ status: 'warn' });
      expect(find(run({ stdout: { ...tty, getColorDepth: () => 1 } }), 'colour')[0]).toMatchObject({ status: 'warn' });
      expect(find(run({ stdout: { ...tty, getColorDepth: () => 24 } }), 'colour')[0]).toMatchObject({ status: 'ok', summary: 'truecolor' });
      expect(find(run(), 'colour')[0]).toMatchObject({ status: 'ok', summary: '256 colours' });
    });

    it("asks the terminal for its colour depth with doctor's env", () => {
      let seen: unknown;
      run({ env: { TERM: 'screen-256color' }, stdout: { ...tty, getColorDepth: (env) => ((seen = env), 8) } });
      expect(seen).toMatchObject({ TERM: 'screen-256color' });
    });
  });

  it('formats the checklist so it reads without colour', () => {
    const text = formatChecklist(
      [
        { status: 'ok', name: 'config', summary: 'valid: 2 targets' },
        { status: 'fail', name: 'variables', summary: '1 of 1 not set', details: ['GITHUB_TOKEN  used at targets[1].headers.Authorization'], fix: 'export it' },
        { status: 'warn', name: 'terminal', summary: '60×20', fix: 'enlarge the window' },
      ],
      '/srv/pitwall.yaml',
    );
    expect(text).toBe(
      [
        'pitwall doctor: /srv/pitwall.yaml',
        '',
        '✔ ok    config     valid: 2 targets',
        '✖ fail  variables  1 of 1 not set',
        '                   GITHUB_TOKEN  used at targets[1].headers.Authorization',
        '                   fix: export it',
        '▲ warn  terminal   60×20',
        '                   fix: enlarge the window',
        '',
        '1 problem, 1 warning: fix the ✖ lines, then run "pitwall doctor" again.',
        '',
      ].join('\n'),
    );
  });
});
