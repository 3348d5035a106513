import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../src/config/config.js';

const targets = `
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

describe('config: webhooks block', () => {
  it('is optional', () => {
    expect(parseConfig(targets, { env: {} }).webhooks).toBeUndefined();
  });

  it('substitutes the secrets and lists them for the redactor', () => {
    const c = parseConfig(
      // Block style: in flow style (\`{ secret: \${X} }\`) YAML reads the "{" of \${X} as a nested map, so it must be quoted there.
      `${targets}webhooks:\n  listen: 0.0.0.0:9090\n  shopify:\n    secret: \${SHOPIFY_API_SECRET}\n  chatwoot: { secret: "\${CHATWOOT_WEBHOOK_SECRET}" }\n`,
      { env: { SHOPIFY_API_SECRET: 'shpss_abcdef', CHATWOOT_WEBHOOK_SECRET: 'cw_123456' } },
    );
    expect(c.webhooks).toEqual({ listen: '0.0.0.0:9090', shopify: { secret: 'shpss_abcdef' }, chatwoot: { secret: 'cw_123456' } });
    expect(c.secrets).toEqual(expect.arrayContaining(['shpss_abcdef', 'cw_123456']));
  });

  it('defaults listen to 127.0.0.1:8787 and takes IPv6', () => {
    expect(parseConfig(`${targets}webhooks: {}\n`, { env: {} }).webhooks).toEqual({ listen: '127.0.0.1:8787' });
    expect(parseConfig(`${targets}webhooks: { listen: "[::1]:8787" }\n`, { env: {} }).webhooks?.listen).toBe('[::1]:8787');
  });

  it('names the key in its errors', () => {
    expect(errorOf(`${targets}webhooks: { listen: "8787" }\n`)).toBe('webhooks.listen: expected host:port, e.g. 127.0.0.1:8787');
    expect(errorOf(`${targets}webhooks: { listen: "127.0.0.1:70000" }\n`)).toBe('webhooks.listen: port must be 0–65535');
    expect(errorOf(`${targets}webhooks: { shopify: { secret: "\${NOPE}" } }\n`)).toBe('webhooks.shopify.secret: environment variable NOPE is not set');
    expect(errorOf(`${targets}webhooks: { shopify: { secrte: x } }\n`)).toBe('webhooks.shopify.secret: required (also wrong: webhooks.shopify.secrte)');
    expect(errorOf(`${targets}webhooks: { listen: "127.0.0.1:8787", shopfy: { secret: x } }\n`)).toBe(
      'webhooks.shopfy: unknown key, did you mean "shopify"? (unknown keys are not ignored)',
    );
  });
});
