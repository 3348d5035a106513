import { describe, expect, it } from 'vitest';
import { ConfigError, configFromObject, parseConfig } from '../../src/config/config.js';

function errorOf(text: string, env: Record<string, string> = {}): string {
  try {
    parseConfig(text, { env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const http = (extra: string) => `targets:\n  - {id: a, kind: http, url: "http://127.0.0.1:1", ${extra}}\n`;

describe('config minimums', () => {
  it('refuses an interval below 1 s, in a target and in defaults, naming the key', () => {
    expect(errorOf(http('intervalSeconds: 0.001'))).toBe(
      'targets[0].intervalSeconds: expected at least 1 second between checks (got 0.001); a smaller interval hammers the upstream',
    );
    expect(errorOf(`defaults: {intervalSeconds: 0}\n${http('')}`)).toMatch(/^defaults\.intervalSeconds: expected at least 1 second/);
    expect(errorOf(http('intervalSeconds: -5'))).toMatch(/^targets\[0\]\.intervalSeconds: expected at least 1 second/);
  });

  it('refuses a timeout below 200 ms, naming the key', () => {
    expect(errorOf(http('timeoutMs: 1'))).toBe('targets[0].timeoutMs: expected at least 200 ms (got 1); a shorter timeout makes every check a false red');
    expect(errorOf(`defaults: {timeoutMs: 50}\n${http('')}`)).toMatch(/^defaults\.timeoutMs: expected at least 200 ms/);
  });

  it('accepts the minimums themselves', () => {
    const c = parseConfig(http('intervalSeconds: 1, timeoutMs: 200'), { env: {} });
    expect(c.targets[0]).toMatchObject({ intervalSeconds: 1, timeoutMs: 200 });
  });
});

describe('config errors never echo a secret', () => {
  const TOKEN = 'shpat_0123456789abcdef0123456789abcdef';

  it('does not echo a ${VAR} value that landed in the wrong key', () => {
    const msg = errorOf(`targets:\n  - {id: a, kind: "\${TOK}", url: "http://x"}\n`, { TOK: TOKEN });
    expect(msg).toBe('targets[0].kind: expected one of shopify, chatwoot, ga, mcp, statuspage, http, sales-sync');
    expect(msg).not.toContain('0123456789');
  });

  it('does not echo a token-shaped literal, and does not echo a word that is a secret elsewhere', () => {
    expect(errorOf(`targets:\n  - {id: a, kind: ${TOKEN}}\n`)).not.toContain(TOKEN.slice(6, 20));
    const msg = errorOf(`targets:\n  - {id: a, kind: hunter-two, url: "http://x"}\n  - {id: b, kind: chatwoot, baseUrl: "http://x", accountId: 1, apiToken: hunter-two}\n`);
    expect(msg).not.toContain('hunter-two');
  });

  it('still echoes a plain mistyped word', () => {
    expect(errorOf(`targets:\n  - {id: a, kind: ftp}\n`)).toBe('targets[0].kind: expected one of shopify, chatwoot, ga, mcp, statuspage, http, sales-sync (got "ftp")');
  });

  it('redacts a secret wherever else it would appear, in files and in code-built configs', () => {
    // The token pasted a second time as a key of its own: the key is named, the secret in it is not.
    const msg = errorOf(http(`headers: {Authorization: "Bearer ${TOKEN}"}, ${TOKEN}: 1`));
    expect(msg).toBe('targets[0].[redacted]: unknown key (check the spelling; unknown keys are not ignored)');
    const chatwoot = { id: 'b', kind: 'chatwoot', baseUrl: 'http://x', accountId: 1, apiToken: 'abcdefgh' };
    expect(() => configFromObject({ targets: [{ id: 'a', kind: 'abcdefgh' }, chatwoot] })).toThrow(
      new ConfigError('targets[0].kind: expected one of shopify, chatwoot, ga, mcp, statuspage, http, sales-sync'),
    );
  });
});

describe('unknown YAML tags', () => {
  it('are one sentence naming the line and the key, not a YAMLWarning', () => {
    expect(errorOf(`store: x\ntargets:\n  - {id: a, kind: http, url: !vault foo}\n`)).toBe(
      'config at line 3, column 30 (targets[0].url): unknown YAML tag !vault; write the value itself, or "${VAR}" to take it from the environment',
    );
    expect(errorOf(`targets:\n  - id: b\n    kind: mcp\n    transport: stdio\n    command: x\n    env:\n      TOKEN: !secret github\n`)).toMatch(
      /^config at line 7, column 14 \(targets\[0\]\.env\.TOKEN\): unknown YAML tag !secret;/,
    );
  });

  it('are not printed as a process warning', async () => {
    const warnings: unknown[] = [];
    const onWarning = (w: unknown) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      errorOf(`targets:\n  - {id: a, kind: http, url: !vault foo}\n`);
      // process.emitWarning delivers on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });
});
