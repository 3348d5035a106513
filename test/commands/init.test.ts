import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/commands/doctor.js';
import { UsageError } from '../../src/commands/exit.js';
import { runInit } from '../../src/commands/init.js';
import { TILE_IDS, configVariables, loadConfig, parseConfig, type Target } from '../../src/config/config.js';

let root: string;
let out: string;
const write = (t: string) => void (out += t);
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pitwall-init-'));
  out = '';
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A value of the right shape for each variable init's config uses. */
function valuesFor(names: string[], credentials: string): Record<string, string> {
  const shaped: Record<string, string> = {
    CHATWOOT_BASE_URL: 'https://chat.hotrodan.example',
    CHATWOOT_ACCOUNT_ID: '3',
    GA_PROPERTY_ID: '412345678',
    GA_CREDENTIALS_FILE: credentials,
    SUPABASE_PROJECT_REF: 'abcdefghijklmnopqrst',
  };
  return Object.fromEntries(names.map((n) => [n, shaped[n] ?? `${n.toLowerCase()}_canary_9f2k`]));
}

/** The `NAME=` lines of an env file (commented-out ones are not variables). */
function envNames(text: string): string[] {
  return text
    .split('\n')
    .map((l) => /^([A-Z_][A-Z0-9_]*)=/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
}

function fakeBin(names: string[]): string {
  const bin = join(root, 'fake-bin');
  mkdirSync(bin, { recursive: true });
  for (const n of names) {
    writeFileSync(join(bin, n), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, n), 0o755);
  }
  return bin;
}

const tty = { isTTY: true, columns: 120, rows: 40, getColorDepth: () => 8 };

describe('pitwall init', () => {
  it('writes pitwall.yaml, .env.example and the feedback file, and says what to do next', async () => {
    // When
    const code = await runInit({ dir: root, write });

    // Then
    expect(code).toBe(0);
    expect(existsSync(join(root, 'pitwall.yaml'))).toBe(true);
    expect(readFileSync(join(root, 'feedback', 'integrations.md'), 'utf8')).toBe('# Integrations log\n');
    expect(out).toContain(`Wrote ${join(root, 'pitwall.yaml')}`);
    expect(out).toContain(`Wrote ${join(root, '.env.example')}`);
    expect(out).toContain(`Created ${join(root, 'feedback', 'integrations.md')}`);
    expect(out).toContain('pitwall doctor');
  });

  it('lists every variable the config uses in .env.example, each under a comment', async () => {
    await runInit({ dir: root, write });
    const yaml = readFileSync(join(root, 'pitwall.yaml'), 'utf8');
    const example = readFileSync(join(root, '.env.example'), 'utf8');

    const used = configVariables(yaml, { env: {} }).map((v) => v.name);
    expect(used.length).toBeGreaterThanOrEqual(10);
    expect(envNames(example).sort()).toEqual([...used].sort());
    // Each block of variables follows a comment line.
    const lines = example.split('\n');
    for (const name of used) {
      let i = lines.findIndex((l) => l.startsWith(`${name}=`));
      while (i > 0 && /^[A-Z_][A-Z0-9_]*=/.test(lines[i - 1]!)) i--;
      expect(lines[i - 1], `comment above ${name}`).toMatch(/^# /);
    }
  });

  it('parses with our own parseConfig once the variables are set, with the real launch commands', async () => {
    await runInit({ dir: root, write });
    const yaml = readFileSync(join(root, 'pitwall.yaml'), 'utf8');
    const names = configVariables(yaml, { env: {} }).map((v) => v.name);
    const env = valuesFor(names, join(root, 'sa.json'));

    const config = parseConfig(yaml, { path: join(root, 'pitwall.yaml'), env });

    const byId = new Map<string, Target>(config.targets.map((t) => [t.id, t]));
    expect([...byId.keys()]).toEqual([
      'shopify-admin',
      'chatwoot',
      'ga',
      'sales-sync',
      'app-health',
      'mcp-shopify',
      'mcp-context7',
      'mcp-github',
      'mcp-supabase',
      'mcp-fly',
      'shopify-status',
      'github-status',
      'supabase-status',
      'fly-status',
    ]);
    expect(config.feedbackFile).toBe(join(root, 'feedback', 'integrations.md'));
    expect(config.credentials).toEqual({ warnHours: 24 });
    expect(byId.get('shopify-admin')).toMatchObject({
      kind: 'shopify',
      shop: 'hotrodan.myshopify.com',
      accessToken: env.SHOPIFY_ADMIN_TOKEN,
      subChecks: ['orders', 'products', 'inventory', 'fulfillment'],
    });
    expect(byId.get('chatwoot')).toMatchObject({ baseUrl: 'https://chat.hotrodan.example', accountId: 3, apiToken: env.CHATWOOT_API_TOKEN });
    expect(byId.get('ga')).toMatchObject({ propertyId: '412345678', credentialsFile: join(root, 'sa.json') });
    expect(byId.get('sales-sync')).toMatchObject({ kind: 'sales-sync', shopify: 'shopify-admin', ga: 'ga', windows: ['realtime-30m', 'closed-hour'], tiles: ['sales-pulse'] });
    expect(byId.get('app-health')).toMatchObject({ kind: 'http', url: 'https://hotdash.fly.dev/health' });
    expect(byId.get('mcp-shopify')).toMatchObject({ transport: 'stdio', command: 'npx', args: ['-y', '@shopify/dev-mcp@latest'] });
    expect(byId.get('mcp-context7')).toMatchObject({ transport: 'stdio', command: 'npx', args: ['-y', '@upstash/context7-mcp'] });
    expect(byId.get('mcp-github')).toMatchObject({
      transport: 'http',
      url: 'https://api.githubcopilot.com/mcp/',
      headers: { Authorization: `Bearer ${env.GITHUB_TOKEN}` },
    });
    expect(byId.get('mcp-supabase')).toMatchObject({
      command: 'npx',
      args: ['-y', '@supabase/mcp-server-supabase@latest', '--read-only', '--project-ref=abcdefghijklmnopqrst'],
      env: { SUPABASE_ACCESS_TOKEN: env.SUPABASE_ACCESS_TOKEN },
    });
    expect(byId.get('mcp-fly')).toMatchObject({ command: 'fly', args: ['mcp', 'server'], env: { FLY_API_TOKEN: env.FLY_API_TOKEN } });
    for (const [id, url] of [
      ['shopify-status', 'https://www.shopifystatus.com'],
      ['github-status', 'https://www.githubstatus.com'],
      ['supabase-status', 'https://status.supabase.com'],
      ['fly-status', 'https://status.flyio.net'],
    ] as const) {
      expect(byId.get(id)).toMatchObject({ kind: 'statuspage', url });
    }
    // MCP targets: a minute apart, and time for an npx cold start.
    for (const t of config.targets.filter((t) => t.kind === 'mcp')) {
      expect(t.intervalSeconds, t.id).toBe(60);
      expect(t.timeoutMs, t.id).toBeGreaterThanOrEqual(20_000);
      if (t.transport === 'stdio' && t.command === 'npx') expect(t.timeoutMs, t.id).toBeGreaterThanOrEqual(60_000);
    }
    // Every tile has a source; every secret-looking value came from a variable.
    for (const tile of TILE_IDS) expect(config.targets.some((t) => t.tiles.includes(tile)), tile).toBe(true);
    for (const n of names.filter((n) => /TOKEN/.test(n))) expect(config.secrets).toContain(env[n]);
  });

  it('keeps secrets out of the file: every token, secret and Authorization value is a ${VAR}', async () => {
    await runInit({ dir: root, write });
    const doc: unknown = parseYaml(readFileSync(join(root, 'pitwall.yaml'), 'utf8'));
    const found: string[] = [];
    const walk = (v: unknown, key: string) => {
      if (typeof v === 'string' && /token|secret|authorization|api[-_]?key|password/i.test(key)) {
        found.push(key);
        expect(v, key).toMatch(/\$\{[A-Z_]+\}/);
      } else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) walk(x, Array.isArray(v) ? key : k);
      }
    };
    walk(doc, '');
    expect(found.sort()).toEqual(['Authorization', 'FLY_API_TOKEN', 'SUPABASE_ACCESS_TOKEN', 'accessToken', 'apiToken']);
  });

  it('works from a .env copied from .env.example beside it', async () => {
    await runInit({ dir: root, write });
    const yaml = readFileSync(join(root, 'pitwall.yaml'), 'utf8');
    const values = valuesFor(
      configVariables(yaml, { env: {} }).map((v) => v.name),
      join(root, 'sa.json'),
    );
    const filled = readFileSync(join(root, '.env.example'), 'utf8').replace(/^([A-Z_][A-Z0-9_]*)=$/gm, (_m, n: string) => `${n}=${values[n]}`);
    writeFileSync(join(root, '.env'), filled);

    const config = loadConfig(join(root, 'pitwall.yaml'), {});

    expect(config.targets.find((t) => t.id === 'mcp-github')).toMatchObject({ headers: { Authorization: `Bearer ${values.GITHUB_TOKEN}` } });
  });

  it('passes pitwall doctor once the variables are set and npx and fly are on PATH', async () => {
    await runInit({ dir: root, write });
    const configPath = join(root, 'pitwall.yaml');
    const names = configVariables(readFileSync(configPath, 'utf8'), { env: {} }).map((v) => v.name);
    writeFileSync(join(root, 'sa.json'), '{"type":"service_account"}');
    const env = { ...valuesFor(names, join(root, 'sa.json')), PATH: fakeBin(['npx', 'fly']), XDG_STATE_HOME: join(root, 'state'), TERM: 'xterm-256color' };
    let report = '';

    // Before: doctor names every variable still to set.
    const before = await runDoctor({ configPath, env: { PATH: env.PATH, XDG_STATE_HOME: env.XDG_STATE_HOME }, write: (t) => (report += t), stdout: tty });
    expect(before).toBe(3);
    for (const n of names) expect(report).toContain(n);

    report = '';
    const after = await runDoctor({ configPath, env, write: (t) => (report += t), stdout: tty });

    expect(report).not.toContain('✖');
    expect(report).toContain('All checks passed.');
    expect(after).toBe(0);
  });

  it('refuses to overwrite an existing pitwall.yaml, and leaves it as it was', async () => {
    await runInit({ dir: root, write });
    const path = join(root, 'pitwall.yaml');
    writeFileSync(path, `${readFileSync(path, 'utf8')}# the team's edits\n`);
    const before = readFileSync(path, 'utf8');

    const err = await runInit({ dir: root, write }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(
      `${path} already exists; pitwall init never overwrites a config (move it aside, or use --dir for another folder)`,
    );
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('refuses when a pitwall.yml is there (the CLI would read that one)', async () => {
    writeFileSync(join(root, 'pitwall.yml'), 'targets: []\n');
    await expect(runInit({ dir: root, write })).rejects.toThrow(`${join(root, 'pitwall.yml')} already exists`);
    expect(existsSync(join(root, 'pitwall.yaml'))).toBe(false);
  });

  it('keeps an existing .env.example and feedback file untouched', async () => {
    writeFileSync(join(root, '.env.example'), 'MINE=1\n');
    mkdirSync(join(root, 'feedback'));
    writeFileSync(join(root, 'feedback', 'integrations.md'), '# Integrations\n\n- 09:00 launch prep\n');

    await runInit({ dir: root, write });

    expect(readFileSync(join(root, '.env.example'), 'utf8')).toBe('MINE=1\n');
    expect(readFileSync(join(root, 'feedback', 'integrations.md'), 'utf8')).toBe('# Integrations\n\n- 09:00 launch prep\n');
    expect(out).toContain(`Kept the existing ${join(root, '.env.example')}`);
    expect(out).not.toContain('Created');
  });

  it('creates the --dir folder when it does not exist', async () => {
    const dir = join(root, 'ops', 'pitwall');
    expect(await runInit({ dir, write })).toBe(0);
    expect(existsSync(join(dir, 'pitwall.yaml'))).toBe(true);
  });
});
