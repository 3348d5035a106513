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

describe('redactor: every form a secret comes back in', () => {
  const secret = 'shpat_0123456789abcdef0123456789abc'; // 35 characters
  const r = createRedactor([secret, 'p@ss word/with+chars']);

  it('scrubs the URL-encoded, base64 (each alignment, URL-safe too) and hex forms', () => {
    expect(r.text(`q=${encodeURIComponent('p@ss word/with+chars')}`)).toBe(`q=${REDACTED}`);
    for (const prefix of ['', 'u', 'us', 'use']) {
      const basic = Buffer.from(`${prefix}:${secret}`).toString('base64');
      expect(r.text(`Authorization was ${basic}`)).not.toContain(Buffer.from(secret).toString('base64').slice(4, 20));
    }
    expect(r.text(`echo ${Buffer.from(secret).toString('base64url')}`)).toBe(`echo ${REDACTED}`);
    expect(r.text(`hex ${Buffer.from(secret).toString('hex')}`)).toBe(`hex ${REDACTED}`);
    expect(r.text(`HEX ${Buffer.from(secret).toString('hex').toUpperCase()}`)).toBe(`HEX ${REDACTED}`);
  });

  it('scrubs a piece of a secret left at the end of a cut excerpt, or at the start of a tail', () => {
    const body = `{"errors":"bad token for ${secret}"}`;
    const cut = `${body.slice(0, body.indexOf(secret) + 34)}…`;
    expect(cut).toContain(secret.slice(0, 34));
    expect(r.text(cut)).toBe(`{"errors":"bad token for ${REDACTED}…`);
    expect(r.text(`${secret.slice(5)} was refused`)).toBe(`${REDACTED} was refused`);
    // A piece shorter than eight characters is ordinary text.
    expect(r.text('ends with shpat_0')).toBe('ends with shpat_0');
  });

  it('scrubs vendor token shapes it was never told about', () => {
    expect(r.text('ghp_abcdefghijklmnopqrstuvwxyz0123 leaked')).toBe(`${REDACTED} leaked`);
    expect(r.text('shpat_ffffffffffffffffffffffffffffffff')).toBe(REDACTED);
    expect(r.text('jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U')).toBe(`jwt ${REDACTED}`);
  });
});

describe('redactor: hides secrets, not the clue', () => {
  const r = createRedactor([]);

  it('leaves English after the word "token" alone, and never crosses a line', () => {
    expect(r.text('invalid token\n\nResponse: 401')).toBe('invalid token\n\nResponse: 401');
    expect(r.text('the token expired yesterday')).toBe('the token expired yesterday');
    expect(r.text('token abc123def456')).toBe(`token ${REDACTED}`);
    expect(r.text('Bearer\nabcdefghijkl')).toBe('Bearer\nabcdefghijkl');
  });

  it('leaves ids, paths and counts alone', () => {
    for (const s of ['property 123456789', 'cannot read /etc/pitwall/ga.json: ENOENT', 'tokensPerHour: 40000', 'signature: rejected', 'https://hot-rod-an.myshopify.com/admin/api/2026-01/graphql.json']) {
      expect(r.text(s)).toBe(s);
    }
  });

  it('shows an upstream terminal escape instead of obeying it, and keeps newlines and tabs', () => {
    expect(r.text('\u001b[2J\u001b[H✔ ALL SYSTEMS UP\u0007')).toBe('\\x1b[2J\\x1b[H✔ ALL SYSTEMS UP\\x07');
    expect(r.text('\u001b]0;pwned\u0007')).toBe('\\x1b]0;pwned\\x07');
    expect(r.text('a\tb\nc\rd')).toBe('a\tb\nc\\x0dd');
    expect(r.value({ error: { message: 'x\u009bq' } })).toEqual({ error: { message: 'x\\x9bq' } });
  });
});

describe('redactor: linear time on adversarial text', () => {
  // Counted in work, not timed: the ratio of the time for 8× the input stays near 8 (a quadratic rule gives ~64).
  // Each size is run a few times and the fastest kept, so one slow moment of a shared machine does not decide.
  const r = createRedactor(['shpat_0123456789abcdef0123456789abc']);
  const fastest = (s: string) => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      r.text(s);
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  for (const [name, unit] of [
    ['word characters and dashes', 'a-'],
    ['secret words without a value', 'token_'],
    ['spaces after a key', 'secret '],
    ['quotes', '"a'],
  ] as const) {
    it(`stays linear on ${name}`, () => {
      const small = unit.repeat(Math.ceil(50_000 / unit.length));
      const big = unit.repeat(Math.ceil(400_000 / unit.length));
      fastest(small);
      const ratio = fastest(big) / Math.max(fastest(small), 0.05);
      expect(ratio).toBeLessThan(24);
    });
  }
});

describe('redactor: positive and negative cases side by side', () => {
  const r = createRedactor(['cw-secret-xyz']);
  const hidden: [string, string][] = [
    ['Authorization: Basic dXNlcjpwYXNzd29yZA==', `Authorization: Basic ${REDACTED}`],
    ['X-Shopify-Access-Token: shpat_0123456789abcdef0123', `X-Shopify-Access-Token: ${REDACTED}`],
    ['password=hunter2hunter2&user=ana', `password=${REDACTED}&user=ana`],
    ['{"api_key": "k-12345678"}', `{"api_key": "${REDACTED}"}`],
    ['token 1a2b3c4d5e6f', `token ${REDACTED}`],
    ['echoed Y3ctc2VjcmV0LXh5eg== back', `echoed ${REDACTED} back`],
    ['key AIzaSyA-0123456789abcdefghijklmnopqrstu', `key ${REDACTED}`],
  ];
  const kept = [
    'invalid token\n\nResponse: 401',
    'token\n\nResponse',
    'the token has expired, request a new one',
    'Token refresh failed at 2026-12-04T03:00:00Z',
    'api_key missing from request',
    'secret rotation scheduled for Friday',
    'Bearer realm="api"',
    'tokensPerHour: 40000 remaining',
    'GA property 123456789: quota exhausted',
    'cannot read /etc/pitwall/ga.json: ENOENT',
    'x-request-id: 7f3a9c2e-1b4d-4e8f-9a0b-2c3d4e5f6a7b',
    'sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  ];
  it.each(hidden)('hides %j', (input, expected) => {
    expect(r.text(input)).toBe(expected);
  });
  it.each(kept.map((k) => [k]))('keeps %j', (input) => {
    expect(r.text(input)).toBe(input);
  });
});
