import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, latestShopifyApiVersion, loadConfig, parseConfig } from '../../src/config/config.js';

const minimal = `
targets:
  - id: app-health
    kind: http
    url: http://127.0.0.1:1/health
`;

function errorOf(text: string, env: Record<string, string> = {}): string {
  try {
    parseConfig(text, { env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('fills defaults and settles timing per target', () => {
    const c = parseConfig(minimal, { env: {} });
    expect(c.defaults).toEqual({ intervalSeconds: 30, timeoutMs: 10000, degradedMs: 2000, retries: 1 });
    expect(c.targets[0]).toMatchObject({ id: 'app-health', kind: 'http', expectStatus: 200, intervalSeconds: 30, timeoutMs: 10000 });
  });

  it("defaults Shopify's apiVersion to the newest quarterly release", () => {
    expect(latestShopifyApiVersion(new Date('2026-11-25T00:00:00Z'))).toBe('2026-10');
    expect(latestShopifyApiVersion(new Date('2027-03-31T23:00:00Z'))).toBe('2027-01');
    expect(errorOf(`targets:\n  - {id: s, kind: shopify, shop: a.myshopify.com, accessToken: x, apiVersion: "2025-11"}\n`)).toBe(
      'targets[0].apiVersion: expected a quarterly version like "2026-10"',
    );
  });

  it('names the path of a bad URL', () => {
    expect(errorOf(`targets:\n  - {id: a, kind: http, url: "not a url"}\n`)).toBe('targets[0].url: expected an http(s) URL');
  });

  it('suggests the key a typo was meant to be, case and all, and nothing for another word', () => {
    const target = (extra: string) => `targets:\n  - {id: a, kind: http, url: "http://x", ${extra}}\n`;
    expect(errorOf(`defaults: {timeoutMS: 3000}\n${target('')}`)).toBe('defaults.timeoutMS: unknown key, did you mean "timeoutMs"? (unknown keys are not ignored)');
    expect(errorOf(target('tilez: [cx-pulse]'))).toBe('targets[0].tilez: unknown key, did you mean "tiles"? (unknown keys are not ignored)');
    expect(errorOf(target('frobnicate: 1'))).toBe('targets[0].frobnicate: unknown key (check the spelling; unknown keys are not ignored)');
  });

  it('rejects unknown keys, naming them', () => {
    expect(errorOf(`targets:\n  - {id: a, kind: http, url: "http://x", intervalSecs: 5}\n`)).toBe(
      'targets[0].intervalSecs: unknown key (check the spelling; unknown keys are not ignored)',
    );
    expect(errorOf(`feedbackfile: x\ntargets:\n  - {id: a, kind: http, url: "http://x"}\n`)).toMatch(/^feedbackfile: unknown key/);
  });

  it('names the other mistakes too, so one run shows them all', () => {
    expect(errorOf(`targets:\n  - {id: a, kind: http, url: "http://x", timeotMs: 5}\n  - {id: b, kind: http, url: "http://y", expectStatuss: 200}\n`)).toBe(
      'targets[0].timeotMs: unknown key, did you mean "timeoutMs"? (unknown keys are not ignored) (also wrong: targets[1].expectStatuss)',
    );
  });

  it('rejects an unknown kind and a missing field', () => {
    expect(errorOf(`targets:\n  - {id: a, kind: ftp}\n`)).toBe(
      'targets[0].kind: expected one of shopify, chatwoot, ga, mcp, statuspage, http, sales-sync (got "ftp")',
    );
    expect(errorOf(`targets:\n  - {id: a, kind: statuspage}\n`)).toBe('targets[0].url: required');
    expect(errorOf(`targets:\n  - {id: a, kind: mcp, transport: carrier-pigeon}\n`)).toBe('targets[0].transport: expected "stdio" or "http"');
  });

  it('substitutes ${VAR}, records it as a secret, and names a missing one with its key', () => {
    const text = `targets:\n  - {id: s, kind: shopify, shop: hotrodan.myshopify.com, accessToken: "\${TOKEN}"}\n`;
    const c = parseConfig(text, { env: { TOKEN: 'shpat_abc123' } });
    expect(c.targets[0]).toMatchObject({ accessToken: 'shpat_abc123' });
    expect(c.secrets).toEqual(['shpat_abc123']);
    expect(errorOf(text)).toBe('targets[0].accessToken: environment variable TOKEN is not set');
  });

  it('treats values under secret-looking keys as secrets even when written literally', () => {
    const c = parseConfig(
      `targets:\n  - {id: s, kind: shopify, shop: hotrodan.myshopify.com, accessToken: shpat_literal_1234}\n  - {id: g, kind: mcp, transport: http, url: "http://x/mcp", headers: {Authorization: "Bearer ghp_literal_5678"}}\n  - {id: f, kind: mcp, transport: stdio, command: fly, env: {FLY_API_TOKEN: fo1_literal_9999}}\n`,
      { env: {} },
    );
    expect(c.secrets).toEqual(expect.arrayContaining(['shpat_literal_1234', 'ghp_literal_5678', 'Bearer ghp_literal_5678', 'fo1_literal_9999']));
  });

  it('reads .env beside the config and resolves relative paths from its folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitwall-config-'));
    writeFileSync(join(dir, '.env'), 'CW_TOKEN=cw-secret-1\n');
    writeFileSync(
      join(dir, 'pitwall.yaml'),
      `feedbackFile: feedback/integrations.md\ntargets:\n  - {id: cw, kind: chatwoot, baseUrl: "http://127.0.0.1:1", accountId: 1, apiToken: "\${CW_TOKEN}"}\n`,
    );
    const c = loadConfig(join(dir, 'pitwall.yaml'), {});
    expect(c.feedbackFile).toBe(join(dir, 'feedback/integrations.md'));
    expect(c.secrets).toEqual(['cw-secret-1']);
  });

  it('rejects duplicate ids, bad YAML and an empty file', () => {
    expect(errorOf(`targets:\n  - {id: a, kind: statuspage, url: "http://x"}\n  - {id: a, kind: statuspage, url: "http://y"}\n`)).toBe(
      'targets[1].id: "a" is already used by targets[0]',
    );
    expect(errorOf(`targets: [\n`)).toMatch(/^config is not valid YAML at line \d+/);
    expect(errorOf(``)).toBe('config must be a mapping with at least a "targets" list');
    expect(errorOf(`targets:\n  - {id: a, kind: http, url: "http://x", tiles: [cx]}\n`)).toMatch(/^targets\[0\]\.tiles\[0\]: expected one of "cx-pulse"/);
  });
});
