import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/config.js';

const withZone = (zone: string) => `timezone: ${zone}\ntargets:\n  - {id: a, kind: http, url: "http://127.0.0.1:1/"}\n`;

describe('config timezone', () => {
  it('takes an IANA zone name', () => {
    expect(parseConfig(withZone('Europe/Berlin'), { env: {} }).timezone).toBe('Europe/Berlin');
    expect(parseConfig(withZone('UTC'), { env: {} }).timezone).toBe('UTC');
    expect(parseConfig('targets:\n  - {id: a, kind: http, url: "http://127.0.0.1:1/"}\n', { env: {} }).timezone).toBeUndefined();
  });

  it('refuses anything else in one sentence naming the key', () => {
    expect(() => parseConfig(withZone('Berlin/Europe'), { env: {} })).toThrow(ConfigError);
    expect(() => parseConfig(withZone('CEST'), { env: {} })).toThrow(
      'timezone: expected an IANA time zone name such as "Europe/Berlin", "America/New_York" or "UTC"',
    );
  });
});
