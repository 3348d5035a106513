import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/commands/exit.js';
import { loadTestWebhooks, runWebhooksTest, type WebhooksTestOptions } from '../../src/commands/webhooks-test.js';
import { startWebhookEndpointPeer, type WebhookEndpointPeer } from '../../src/peers/webhook-endpoint-peer.js';
import { startPeer } from '../../src/peers/serve.js';

const SHOPIFY_SECRET = 'shpss_loadtest_5e6f7a8b';
const CHATWOOT_SECRET = 'cw_loadtest_1q2w3e4r';
let peer: WebhookEndpointPeer;

beforeAll(async () => {
  peer = await startWebhookEndpointPeer({ shopifySecret: SHOPIFY_SECRET, chatwootSecret: CHATWOOT_SECRET });
});
afterAll(() => peer.close());

function capture(over: Partial<WebhooksTestOptions> & Pick<WebhooksTestOptions, 'to' | 'kind' | 'secret'>) {
  const out: string[] = [];
  const err: string[] = [];
  const opts: WebhooksTestOptions = {
    write: (t) => out.push(t),
    stderr: { write: (t) => err.push(t), isTTY: false },
    count: 40,
    concurrency: 8,
    ...over,
  };
  return { opts, out, err, text: () => out.join('') };
}

describe('webhooks test against an endpoint that verifies properly', () => {
  it('delivers every Shopify webhook, sees both forgeries rejected, and exits 0', async () => {
    peer.setMode('verify');
    const before = peer.stats();
    const c = capture({ to: peer.shopifyUrl, kind: 'shopify', secret: SHOPIFY_SECRET });
    expect(await runWebhooksTest(c.opts)).toBe(0);
    const text = c.text();
    expect(text).toContain('- Delivered: 40/40 in ');
    expect(text).toContain('- Errors: none');
    expect(text).toContain('- Bad signature: rejected, answered 401');
    expect(text).toContain('- Missing signature: rejected, answered 401');
    expect(text).toContain('- Replayed delivery: information, answered 200');
    expect(text).toContain('**Result: PASS**');
    expect(text).not.toContain(SHOPIFY_SECRET);
    // The endpoint's own counts agree: 40 new deliveries split over both topics, one duplicate, two refusals.
    const after = peer.stats();
    expect(after.delivered - before.delivered).toBe(40);
    expect(after.duplicates - before.duplicates).toBe(1);
    expect(after.topics.filter((t) => t.source === 'shopify').map((t) => [t.topic, t.count])).toEqual(
      expect.arrayContaining([
        ['orders/create', expect.any(Number)],
        ['inventory_levels/update', expect.any(Number)],
      ]),
    );
    expect(after.rejected).toMatchObject({ bad_signature: 1, missing_signature: 1 });
  });

  it('probes a stale Chatwoot timestamp too, reading the secret from env:', async () => {
    peer.setMode('verify');
    const c = capture({ to: peer.chatwootUrl, kind: 'chatwoot', secret: 'env:PW_TEST_CW_SECRET', env: { PW_TEST_CW_SECRET: CHATWOOT_SECRET }, count: 20, topic: 'message_created' });
    const report = await loadTestWebhooks(c.opts);
    expect(report).toMatchObject({ kind: 'chatwoot', count: 20, delivered: 20, errors: {}, ok: true, topics: ['message_created'] });
    expect(report.probes.map((p) => [p.name, p.outcome, p.status])).toEqual([
      ['bad signature', 'rejected', 401],
      ['missing signature', 'rejected', 401],
      ['stale timestamp', 'rejected', 401],
      ['replayed delivery', null, 200],
    ]);
  });

  it('reports latency percentiles from the answers it timed', async () => {
    // Every 10th request is held 150 ms: of 100, ten are slow, so p50 is fast and p95/p99/max are slow.
    peer.setMode('verify', { slowEvery: 10, slowMs: 150 });
    try {
      const c = capture({ to: peer.shopifyUrl, kind: 'shopify', secret: SHOPIFY_SECRET, count: 100, concurrency: 10 });
      const r = await loadTestWebhooks(c.opts);
      expect(r.delivered).toBe(100);
      expect(r.latency.p50!).toBeLessThan(r.latency.p95!);
      expect(r.latency.p95!).toBeGreaterThanOrEqual(145);
      expect(r.latency.p99!).toBeGreaterThanOrEqual(145);
      expect(r.latency.max!).toBeGreaterThanOrEqual(r.latency.p99!);
      expect(r.throughput).toBeGreaterThan(0);
      expect(r.throughput).toBeCloseTo((r.delivered * 1000) / r.elapsedMs, 6);
    } finally {
      peer.setMode('verify', { slowEvery: 0 });
    }
  });
});

describe('webhooks test against a flawed endpoint', () => {
  it('reports forgeries ACCEPTED by an endpoint that accepts everything, and exits 2', async () => {
    peer.setMode('accept-all');
    const c = capture({ to: peer.chatwootUrl, kind: 'chatwoot', secret: CHATWOOT_SECRET, count: 10 });
    expect(await runWebhooksTest(c.opts)).toBe(2);
    const text = c.text();
    expect(text).toContain('- Delivered: 10/10');
    expect(text).toContain('- Bad signature: **ACCEPTED** (security finding), answered 200');
    expect(text).toContain('- Missing signature: **ACCEPTED** (security finding)');
    expect(text).toContain('- Stale timestamp: **ACCEPTED** (security finding)');
    expect(text).toContain('**Result: FAIL**: bad signature, missing signature, stale timestamp ACCEPTED.');
  });

  it('singles out the missing freshness check', async () => {
    peer.setMode('skip-timestamp-check');
    const r = await loadTestWebhooks(capture({ to: peer.chatwootUrl, kind: 'chatwoot', secret: CHATWOOT_SECRET, count: 5 }).opts);
    expect(r.probes.filter((p) => p.forgery).map((p) => [p.name, p.outcome])).toEqual([
      ['bad signature', 'rejected'],
      ['missing signature', 'rejected'],
      ['stale timestamp', 'ACCEPTED'],
    ]);
    expect(r.ok).toBe(false);
  });

  it('breaks failures down by status and calls 5xx forgery answers inconclusive', async () => {
    peer.setMode('error500');
    const c = capture({ to: peer.shopifyUrl, kind: 'shopify', secret: SHOPIFY_SECRET, count: 12, concurrency: 3 });
    const r = await loadTestWebhooks(c.opts);
    expect(r).toMatchObject({ delivered: 0, errors: { 'HTTP 500': 12 }, ok: false });
    expect(r.probes.filter((p) => p.forgery).every((p) => p.outcome === 'inconclusive')).toBe(true);
  });

  it('counts timeouts when the endpoint never answers', async () => {
    peer.setMode('hang');
    try {
      const r = await loadTestWebhooks(capture({ to: peer.shopifyUrl, kind: 'shopify', secret: SHOPIFY_SECRET, count: 3, concurrency: 3, timeoutMs: 150 }).opts);
      expect(r).toMatchObject({ delivered: 0, errors: { timeout: 3 } });
      expect(r.probes[0]).toMatchObject({ outcome: 'inconclusive', status: null, detail: 'no answer: timeout' });
    } finally {
      peer.setMode('verify');
    }
  });

  it('names a refused connection', async () => {
    const gone = await startPeer(() => undefined);
    await gone.close();
    const r = await loadTestWebhooks(capture({ to: `${gone.url}/webhooks/shopify`, kind: 'shopify', secret: SHOPIFY_SECRET, count: 2, concurrency: 1 }).opts);
    expect(r.errors).toEqual({ 'connection error (ECONNREFUSED)': 2 });
  });
});

describe('webhooks test: output, recording and usage', () => {
  it('records the same markdown it prints, with --record', async () => {
    peer.setMode('verify');
    const entries: string[] = [];
    const c = capture({ to: `${peer.shopifyUrl}?token=abc12345secret`, kind: 'shopify', secret: SHOPIFY_SECRET, count: 5, record: true, appendEntry: async (m) => void entries.push(m) });
    expect(await runWebhooksTest(c.opts)).toBe(0);
    expect(entries).toEqual([c.text()]);
    expect(entries[0]).toMatch(/^### Webhook test · shopify · \d{4}-\d\d-\d\d \d\d:\d\d UTC\n/);
    // The endpoint is shown without its query string.
    expect(entries[0]).toContain(`Endpoint \`${peer.shopifyUrl}\` · orders/create, inventory_levels/update · 5 deliveries, concurrency 5`);
    expect(entries[0]).not.toContain('abc12345secret');
  });

  it('draws a progress line on stderr only when it is a terminal', async () => {
    peer.setMode('verify');
    const tty = capture({ to: peer.shopifyUrl, kind: 'shopify', secret: SHOPIFY_SECRET, count: 5 });
    tty.opts.stderr = { write: (t) => tty.err.push(t), isTTY: true };
    await runWebhooksTest(tty.opts);
    expect(tty.err.join('')).toContain('\r\x1b[2Kwebhooks test: 1/5 sent · 0 failed');
    expect(tty.err.at(-1)).toBe('\r\x1b[2K');
    const pipe = capture({ to: peer.shopifyUrl, kind: 'shopify', secret: SHOPIFY_SECRET, count: 5 });
    await runWebhooksTest(pipe.opts);
    expect(pipe.err).toEqual([]);
  });

  it('refuses bad arguments with one sentence each, before sending anything', async () => {
    const base = { to: peer.shopifyUrl, kind: 'shopify', secret: SHOPIFY_SECRET };
    const requests = peer.requests;
    const cases: [Partial<WebhooksTestOptions>, string][] = [
      [{ kind: 'stripe' }, '--kind: expected shopify or chatwoot, got "stripe"'],
      [{ to: 'ftp://x' }, '--to: expected an http(s) URL, got "ftp:"'],
      [{ to: 'not a url' }, '--to: expected an http(s) URL, got "not a url"'],
      [{ topic: 'message_created' }, '--topic: shopify topics are orders/create, inventory_levels/update (got "message_created")'],
      [{ count: '0' }, '--count: expected a whole number from 1 to 100000, got "0"'],
      [{ concurrency: '2.5' }, '--concurrency: expected a whole number from 1 to 256, got "2.5"'],
      [{ secret: 'env:PW_NOT_SET_ANYWHERE', env: {} }, '--secret: environment variable PW_NOT_SET_ANYWHERE is not set'],
      [{ record: true }, '--record: no feedback file to record to (check feedbackFile in pitwall.yaml)'],
    ];
    for (const [over, message] of cases) {
      const c = capture({ ...base, ...over } as WebhooksTestOptions);
      const err = await runWebhooksTest(c.opts).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toBe(message);
    }
    expect(peer.requests).toBe(requests);
  });

  it('reports a failed --record on stderr and exits 2', async () => {
    peer.setMode('verify');
    const c = capture({
      to: peer.shopifyUrl,
      kind: 'shopify',
      secret: SHOPIFY_SECRET,
      count: 3,
      record: true,
      appendEntry: () => Promise.reject(new Error(`disk full while writing ${SHOPIFY_SECRET}`)),
    });
    expect(await runWebhooksTest(c.opts)).toBe(2);
    expect(c.err).toEqual(['pitwall: could not record the result: disk full while writing [redacted]\n']);
  });
});
