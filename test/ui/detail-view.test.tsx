import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { configFromObject } from '../../src/config/config.js';
import { createRedactor } from '../../src/text/redact.js';
import { endpointsOf } from '../../src/ui/lib/endpoint.js';
import { osc52 } from '../../src/ui/lib/osc52.js';
import { finish, KEY, renderApp, settle } from './helpers.js';

afterEach(() => cleanup());

const PAGE_DOWN = '\u001B[6~';
const LONG = 'the body is not JSON: ' + Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ') + ' THE-END-OF-THE-ERROR';
const EVIDENCE = Array.from({ length: 20 }, (_, i) => `evidence line ${i + 1}`).join('\n');

function failing(opts: { rows?: number; clipboard?: (s: string) => void } = {}) {
  const endpoints = { 'shopify-admin': 'GET https://[redacted]@shop.example/admin?access_token=[redacted]' };
  const app = renderApp({ columns: 80, rows: opts.rows ?? 24, endpoints, clipboard: opts.clipboard });
  finish(app.store, 'shopify-admin', { status: 'down', latencyMs: null, error: { kind: 'bad_response', message: LONG, httpStatus: 502, evidence: EVIDENCE }, details: {} });
  return app;
}

describe('detail view', () => {
  it('shows the whole error wrapped, the redacted endpoint, and scrolls to the last line of evidence', async () => {
    const app = failing();
    await settle();
    app.stdin.write(KEY.enter);
    await settle();
    const first = app.screen();
    expect(first).toMatch(/endpoint    GET\s+│\n│\s+https:\/\/\[redacted\]@shop\.example\/admin\?access_token=\[redacted\]/);
    // The error is on screen to its last word, wrapped at 80 columns, not cut.
    expect(first).toContain('THE-END-OF-THE-ERROR');
    expect(first).toMatch(/lines 1–\d+ of \d+ · ↑↓ PgUp\/PgDn · c copies error and evidence · Esc back/);
    expect(first).not.toContain('evidence line 20');
    app.stdin.write(PAGE_DOWN);
    app.stdin.write(PAGE_DOWN);
    app.stdin.write(PAGE_DOWN);
    await settle();
    expect(app.screen()).toContain('evidence line 20');
    app.stdin.write('g');
    await settle();
    expect(app.screen()).toContain('✖ DOWN shopify-admin');
  });

  it('c copies the error and evidence as one OSC 52 sequence', async () => {
    const copied: string[] = [];
    const app = failing({ clipboard: (s) => copied.push(s) });
    await settle();
    app.stdin.write('c');
    await settle();
    expect(copied).toHaveLength(1);
    const m = /^\u001b]52;c;([A-Za-z0-9+/=]+)\u0007$/.exec(copied[0]!);
    expect(m).not.toBeNull();
    const text = Buffer.from(m![1]!, 'base64').toString('utf8');
    expect(text).toMatch(/^shopify-admin: down at \d{4}-\d\d-\d\dT[\d:.]+Z\n/);
    expect(text).toContain('endpoint: GET https://[redacted]@shop.example/admin?access_token=[redacted]\n');
    expect(text).toContain(`error: bad_response: ${LONG} (HTTP 502)\nevidence:\n  evidence line 1\n`);
    expect(text.endsWith('  evidence line 20')).toBe(true);
    expect(app.screen()).toContain("copied shopify-admin's error and evidence to the clipboard (OSC 52)");
  });
});

describe('osc52', () => {
  it('encodes as base64 and cuts at a character boundary', () => {
    expect(osc52('hi')).toEqual({ sequence: '\u001b]52;c;aGk=\u0007', cut: false });
    // "é" is two bytes: a cut after 3 bytes keeps "aé"'s first three bytes whole ("aé"), never half a character.
    const r = osc52('aéé', 4);
    expect(r.cut).toBe(true);
    expect(Buffer.from(r.sequence.slice(7, -1), 'base64').toString('utf8')).toBe('aé');
  });
});

describe('endpointsOf', () => {
  it("names where each kind is checked, user part and secrets redacted", () => {
    const config = configFromObject({
      feedbackFile: '/tmp/x.md',
      targets: [
        { id: 'shop', kind: 'shopify', shop: 'hot-rod.myshopify.com', accessToken: 'shpat_0123456789abcdef0123', apiVersion: '2026-10' },
        { id: 'h', kind: 'http', url: 'https://ops:hunter2@health.example/health?api_key=abc123' },
        { id: 'm', kind: 'mcp', transport: 'stdio', command: 'npx', args: ['server', '--token', 'sekret-value-1'] },
      ],
    });
    const redactor = createRedactor(['sekret-value-1']);
    expect(endpointsOf(config.targets, (s) => redactor.text(s))).toEqual({
      shop: 'https://hot-rod.myshopify.com/admin/api/2026-10/graphql.json',
      h: 'GET https://[redacted]@health.example/health?api_key=[redacted]',
      m: 'stdio: npx server --token [redacted]',
    });
  });
});
