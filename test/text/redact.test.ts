import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED } from '../../src/text/redact.js';

describe('redactor', () => {
  const r = createRedactor(['shpat_canary_0123456789', 'cw-secret-xyz']);

  it('scrubs ${VAR} values from free text, even when an upstream echoed them', () => {
    expect(r.text('401: token shpat_canary_0123456789 is invalid')).toBe(`401: token ${REDACTED} is invalid`);
    expect(r.text('{"access_token":"cw-secret-xyz"}')).toBe(`{"access_token":"${REDACTED}"}`);
  });

  it('scrubs bearer tokens and key=value secrets it was never told about', () => {
    expect(r.text('Authorization: Bearer ghp_abcdefghijklmnop')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(r.text('url?api_key=abc123def&x=1')).toBe(`url?api_key=${REDACTED}&x=1`);
  });

  it('replaces fields named like secrets, deep in objects, but leaves counts alone', () => {
    const v = r.value({
      headers: { Authorization: 'Bearer x', 'X-Shopify-Access-Token': 'anything' },
      profile: { name: 'Ana', access_token: 'zzzz' },
      quota: { tokensPerHour: { consumed: 10, remaining: 39990 } },
      list: ['shpat_canary_0123456789'],
    });
    expect(v).toEqual({
      headers: { Authorization: REDACTED, 'X-Shopify-Access-Token': REDACTED },
      profile: { name: 'Ana', access_token: REDACTED },
      quota: { tokensPerHour: { consumed: 10, remaining: 39990 } },
      list: [REDACTED],
    });
  });

  it('scrubs JSON fields named like secrets inside echoed bodies', () => {
    expect(r.text('{"name":"Ana","pubsub_token":"PUBSUB123456","refresh_token": "1//0gRefresh"}')).toBe(
      `{"name":"Ana","pubsub_token":"${REDACTED}","refresh_token": "${REDACTED}"}`,
    );
    expect(r.text('tokensPerHour: 40000')).toBe('tokensPerHour: 40000');
  });

  it('does not shred text with very short secrets', () => {
    expect(createRedactor(['1']).text('targets 1 and 11')).toBe('targets 1 and 11');
  });
});
