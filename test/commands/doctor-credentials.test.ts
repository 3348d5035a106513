import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diagnose, formatChecklist } from '../../src/commands/doctor.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pitwall-doctor-cred-'));
  mkdirSync(join(root, 'feedback'));
  writeFileSync(join(root, 'feedback', 'integrations.md'), '# Integrations log\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const H = 3_600_000;
const iso = (ms: number) => new Date(Date.now() + ms).toISOString();

function credentialChecks(lines: string[]) {
  const configPath = join(root, 'pitwall.yaml');
  writeFileSync(configPath, ['feedbackFile: feedback/integrations.md', 'targets:', ...lines, ''].join('\n'));
  const checks = diagnose({ configPath, env: { XDG_STATE_HOME: join(root, 'state'), TERM: 'xterm-256color' }, stdout: { isTTY: false } });
  return { all: checks, creds: checks.filter((c) => c.name === 'credentials') };
}

describe('pitwall doctor lists credentials and their ends', () => {
  it('warns on a Shopify token ending within 24 h, and lists a GA key by id', () => {
    writeFileSync(join(root, 'sa.json'), JSON.stringify({ type: 'service_account', private_key_id: 'kid-42', client_email: 'a@b.iam.gserviceaccount.com', private_key: 'x' }));
    const { all, creds } = credentialChecks([
      '  - { id: shopify-admin, kind: shopify, shop: hotrodan.myshopify.com, accessToken: shpat_literal, apiVersion: "2026-10",',
      `      accessTokenExpiresAt: "${iso(5 * H + 90_000)}" }`,
      '  - { id: ga, kind: ga, propertyId: "1", credentialsFile: sa.json }',
      '  - { id: mcp-github, kind: mcp, transport: http, url: "https://api.githubcopilot.com/mcp/" }',
    ]);
    expect(creds[0]).toMatchObject({ status: 'warn', summary: 'shopify-admin: access token expires in 5 h 1 min (under 24 h)' });
    expect(creds[1]).toMatchObject({ status: 'ok', summary: 'ga: service-account key', details: ['service-account key: no end stated, key id kid-42'] });
    expect(creds[2]!.summary).toMatch(/^mcp-github: the token's end comes from GitHub's GitHub-Authentication-Token-Expiration header/);
    // A warning does not fail doctor; the checklist shows the line.
    expect(formatChecklist(all, null)).toContain('▲ warn  credentials ');
  });

  it('watches the refresh token, not the hour-long access token, when pitwall refreshes it', () => {
    const { creds } = credentialChecks([
      '  - id: shopify-admin',
      '    kind: shopify',
      '    shop: hotrodan.myshopify.com',
      '    accessToken: shpat_literal',
      '    apiVersion: "2026-10"',
      `    accessTokenExpiresAt: "${iso(20 * 60_000)}"`,
      '    tokenRefresh:',
      '      clientId: app-id',
      '      clientSecret: shpss_literal',
      '      refreshToken: shprt_literal',
      `      refreshTokenExpiresAt: "${iso(60 * 24 * H + 60_000)}"`,
    ]);
    expect(creds).toHaveLength(1);
    expect(creds[0]).toMatchObject({ status: 'ok', summary: 'shopify-admin: refresh token' });
    expect(creds[0]!.details![0]).toMatch(/^refresh token: ends .* \(60 d left\)$/);
  });
});
