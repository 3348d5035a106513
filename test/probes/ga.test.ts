import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGaProber, probeGa } from '../../src/probes/ga.js';
import { startGaPeer, type GaPeer, type GaPeerMode } from '../../src/peers/ga-peer.js';
import { startPeer } from '../../src/peers/serve.js';
import type { GaTarget } from '../../src/config/config.js';
import type { ProbeContext } from '../../src/probes/types.js';

const root = join(import.meta.dirname, '..', '..');

function gaTarget(over: Partial<GaTarget> = {}): GaTarget {
  return {
    id: 'ga',
    kind: 'ga',
    propertyId: '123456789',
    tiles: [],
    insecure: true,
    intervalSeconds: 30,
    timeoutMs: 2000,
    degradedMs: 1000,
    retries: 0,
    ...over,
  } as GaTarget;
}

function ctx(timeoutMs = 2000, degradedMs = 1000, signal: AbortSignal = AbortSignal.timeout(timeoutMs)): ProbeContext {
  return { signal, timeoutMs, degradedMs };
}

/** A port nothing listens on: bound, read, released. */
async function refusedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as import('node:net').AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe('probeGa against the loopback Analytics Data API', () => {
  let peer: GaPeer;
  beforeAll(async () => {
    peer = await startGaPeer();
  });
  afterAll(async () => {
    await peer.close();
  });
  afterEach(() => {
    peer.setMode('healthy');
  });

  it('sends one small RunReport asking for the property quota, and reports every quota group', async () => {
    // Given a healthy peer with standard-property allowances
    const before = peer.calls.length;
    // When probing
    const r = await probeGa(gaTarget({ endpoint: peer.address }), ctx());
    // Then the request is the small one, the property in the REST path, without Google auth over plain http
    expect(peer.calls.slice(before)).toEqual([
      {
        property: 'properties/123456789',
        metrics: ['activeUsers'],
        dateRanges: [{ startDate: 'today', endDate: 'today' }],
        limit: '1',
        returnPropertyQuota: true,
        path: '/v1beta/properties/123456789:runReport',
        authorized: false,
      },
    ]);
    expect(r.status).toBe('up');
    expect(r.latencyMs).toBeGreaterThan(0);
    expect(r.phases?.map((p) => p.name)).toEqual(['init', 'runReport']);
    const remaining = peer.quota;
    expect(r.details).toMatchObject({
      property: 'properties/123456789',
      activeUsers: 42,
      quotaTier: 'standard',
      quota: {
        tokensPerDay: { consumed: 5, remaining: remaining.tokensPerDay },
        tokensPerHour: { consumed: 5, remaining: remaining.tokensPerHour },
        concurrentRequests: { consumed: 0, remaining: 10 },
        serverErrorsPerProjectPerHour: { consumed: 0, remaining: 10 },
        potentiallyThresholdedRequestsPerHour: { consumed: 0, remaining: 120 },
        tokensPerProjectPerHour: { consumed: 5, remaining: remaining.tokensPerProjectPerHour },
      },
    });
    expect(r.headroom).toEqual([
      { name: 'tokensPerHour', remaining: remaining.tokensPerHour, limit: 40_000 },
      { name: 'tokensPerDay', remaining: remaining.tokensPerDay, limit: 200_000 },
      { name: 'tokensPerProjectPerHour', remaining: remaining.tokensPerProjectPerHour, limit: 14_000 },
    ]);
  });

  it('sees the tokens drain from one run to the next', async () => {
    const a = await probeGa(gaTarget({ endpoint: peer.address }), ctx());
    const b = await probeGa(gaTarget({ endpoint: peer.address }), ctx());
    const hour = (r: typeof a) => r.headroom?.find((h) => h.name === 'tokensPerHour')?.remaining;
    expect(hour(a)! - hour(b)!).toBe(5);
  });

  it.each<[GaPeerMode, string, string, string, number]>([
    ['exhausted', 'degraded', 'rate_limited', 'RESOURCE_EXHAUSTED', 429],
    ['denied', 'down', 'auth', 'PERMISSION_DENIED', 403],
    ['unauthenticated', 'down', 'auth', 'UNAUTHENTICATED', 401],
    ['unavailable', 'down', 'connection', 'UNAVAILABLE', 503],
    ['invalid', 'down', 'bad_response', 'INVALID_ARGUMENT', 400],
  ])('mode %s → %s, %s, code %s (HTTP %d)', async (mode, status, kind, code, httpStatus) => {
    peer.setMode(mode);
    const r = await probeGa(gaTarget({ endpoint: peer.address }), ctx());
    expect(r.status).toBe(status);
    expect(r.error).toMatchObject({ kind, code, httpStatus });
    expect(r.error?.message).toMatch(new RegExp(`^${code}: \\w`));
  });

  it('calls an answer without propertyQuota a bad response', async () => {
    peer.setMode('no-quota');
    const r = await probeGa(gaTarget({ endpoint: peer.address }), ctx());
    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'bad_response' });
    expect(r.error?.message).toContain('propertyQuota');
    expect(r.details).toMatchObject({ activeUsers: 42 });
  });

  it('is degraded when slower than degradedMs', async () => {
    const slow = await startGaPeer({ mode: 'slow', slowMs: 150 });
    try {
      const r = await probeGa(gaTarget({ endpoint: slow.address }), ctx(2000, 50));
      expect(r.status).toBe('degraded');
      expect(r.status === 'degraded' && r.reason).toMatch(/^slow: \d+ ms > 50 ms$/);
      expect(r.latencyMs).toBeGreaterThanOrEqual(150);
    } finally {
      await slow.close();
    }
  });

  it('is degraded when under 10% of tokensPerHour is left', async () => {
    const low = await startGaPeer({ quota: { tokensPerHour: 3_000 } });
    try {
      const r = await probeGa(gaTarget({ endpoint: low.address }), ctx());
      expect(r.status).toBe('degraded');
      expect(r.error).toBeNull();
      expect(r.status === 'degraded' && r.reason).toBe('tokensPerHour headroom 7% left');
      expect(r.headroom?.[0]).toEqual({ name: 'tokensPerHour', remaining: 2_995, limit: 40_000 });
    } finally {
      await low.close();
    }
  });

  it('is rate limited once a token bucket runs dry', async () => {
    const dry = await startGaPeer({ quota: { tokensPerProjectPerHour: 7 }, tokensPerCall: 5 });
    try {
      expect((await probeGa(gaTarget({ endpoint: dry.address }), ctx())).status).toBe('degraded'); // 2 of 14,000 left
      const r = await probeGa(gaTarget({ endpoint: dry.address }), ctx());
      expect(r.error).toMatchObject({ kind: 'rate_limited', code: 'RESOURCE_EXHAUSTED' });
    } finally {
      await dry.close();
    }
  });

  it('reads Analytics 360 allowances when more is left than a standard property gets', async () => {
    const big = await startGaPeer({ quota: { tokensPerHour: 350_000, tokensPerDay: 1_900_000, tokensPerProjectPerHour: 130_000, concurrentRequests: 50 } });
    try {
      const r = await probeGa(gaTarget({ endpoint: big.address }), ctx());
      expect(r.status).toBe('up');
      expect(r.details).toMatchObject({ quotaTier: 'analytics360' });
      expect(r.headroom?.[0]).toEqual({ name: 'tokensPerHour', remaining: 349_995, limit: 400_000 });
    } finally {
      await big.close();
    }
  });

  it('times out on a hanging server within the run timeout, cancelling the call', async () => {
    peer.setMode('hang');
    const r = await probeGa(gaTarget({ endpoint: peer.address }), ctx(500));
    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'timeout', message: 'no RunReport answer within 500 ms' });
  });

  it('cancels the call when the signal aborts before the deadline', async () => {
    peer.setMode('hang');
    const r = await probeGa(gaTarget({ endpoint: peer.address }), ctx(5000, 1000, AbortSignal.timeout(200)));
    expect(r.error).toEqual({ kind: 'timeout', message: 'no RunReport answer within 5000 ms' });
  });

  it('times out through its own budget alone when the signal never fires', async () => {
    peer.setMode('hang');
    const r = await probeGa(gaTarget({ endpoint: peer.address }), ctx(300, 1000, new AbortController().signal));
    expect(r.error).toEqual({ kind: 'timeout', message: 'no RunReport answer within 300 ms' });
  });

  it('reports a refused port as a connection failure', async () => {
    const port = await refusedPort();
    const r = await probeGa(gaTarget({ endpoint: `127.0.0.1:${port}` }), ctx());
    expect(r.status).toBe('down');
    expect(r.error).toMatchObject({ kind: 'connection', code: 'ECONNREFUSED' });
    expect(r.error?.message).toContain('ECONNREFUSED');
  });

  it('takes the endpoint as a full http URL too', async () => {
    const r = await probeGa(gaTarget({ endpoint: `http://127.0.0.1:${peer.port}/` }), ctx());
    expect(r.status).toBe('up');
    expect(r.details).toMatchObject({ endpoint: `http://127.0.0.1:${peer.port}` });
  });

  it('reuses one client per target in createGaProber, and closes it', async () => {
    const prober = createGaProber();
    const t = gaTarget({ endpoint: peer.address });
    const a = await prober.probe(t, ctx());
    const b = await prober.probe(t, ctx());
    await prober.close();
    expect([a.status, b.status]).toEqual(['up', 'up']);
    // Only the run that built the client spends time in init.
    expect(a.phases?.map((p) => p.name)).toEqual(['init', 'runReport']);
    expect(b.phases?.map((p) => p.name)).toEqual(['runReport']);
  });
});

describe('probeGa credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-ga-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('says plainly that there are no Google credentials when ADC finds none', async () => {
    // Given no key file, no gcloud config and no metadata server to ask
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', '');
    vi.stubEnv('CLOUDSDK_CONFIG', dir);
    vi.stubEnv('METADATA_SERVER_DETECTION', 'none');
    const port = await refusedPort();
    // When probing without insecure or credentialsFile
    const r = await probeGa(gaTarget({ insecure: false, endpoint: `127.0.0.1:${port}` }), ctx());
    // Then it is an auth failure with one sentence, before any connection is tried
    expect(r.status).toBe('down');
    expect(r.error).toEqual({ kind: 'auth', message: 'no Google credentials: set credentialsFile or GOOGLE_APPLICATION_CREDENTIALS' });
    expect(r.latencyMs).toBeNull();
  });

  it('never consults Google auth in insecure mode', async () => {
    // Given ADC that would hang: a "present" metadata server that never answers
    const seen: string[] = [];
    const metadata = await startPeer((req) => void seen.push(req.url ?? ''));
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', '');
    vi.stubEnv('CLOUDSDK_CONFIG', dir);
    vi.stubEnv('METADATA_SERVER_DETECTION', 'assume-present');
    vi.stubEnv('GCE_METADATA_HOST', `127.0.0.1:${metadata.port}`);
    const peer = await startGaPeer();
    try {
      // When probing an insecure target
      const r = await probeGa(gaTarget({ endpoint: peer.address }), ctx(1000));
      // Then the report runs and the metadata server is never asked anything
      expect(r.status).toBe('up');
      expect(seen).toEqual([]);
    } finally {
      await peer.close();
      await metadata.close();
    }
  });

  it('times out while credentials are still loading, without waiting for them', async () => {
    // Given ADC on a "GCE" whose metadata server never answers
    const seen: string[] = [];
    const metadata = await startPeer((req) => void seen.push(req.url ?? ''));
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', '');
    vi.stubEnv('CLOUDSDK_CONFIG', dir);
    vi.stubEnv('METADATA_SERVER_DETECTION', 'assume-present');
    vi.stubEnv('GCE_METADATA_HOST', `127.0.0.1:${metadata.port}`);
    vi.stubEnv('PATH', ''); // no gcloud to ask for a project id
    const port = await refusedPort();
    try {
      const r = await probeGa(gaTarget({ insecure: false, endpoint: `127.0.0.1:${port}` }), ctx(300));
      // Then the run ends at its timeout with the stage named (whether or not the metadata request got out yet)
      expect(r.error).toEqual({ kind: 'timeout', message: 'loading Google credentials took over 300 ms' });
    } finally {
      await metadata.close();
    }
  });

  it('names an unreadable credentialsFile', async () => {
    const missing = join(dir, 'missing.json');
    const r = await probeGa(gaTarget({ insecure: false, credentialsFile: missing }), ctx());
    expect(r.error?.kind).toBe('auth');
    expect(r.error?.message).toContain(`cannot read credentialsFile ${missing}`);
  });

  it('refuses credential types it does not construct explicitly', async () => {
    const file = join(dir, 'external.json');
    writeFileSync(file, JSON.stringify({ type: 'external_account', audience: 'x', token_url: 'http://127.0.0.1:1/' }));
    const r = await probeGa(gaTarget({ insecure: false, credentialsFile: file }), ctx());
    expect(r.error?.kind).toBe('auth');
    expect(r.error?.message).toContain('has type "external_account"');
  });

  it('accepts a service-account key file (self-signed JWT, no token exchange; the TLS handshake with a plaintext peer is what fails)', async () => {
    // Given a well-formed service-account key and a plaintext peer where TLS is expected
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const file = join(dir, 'sa.json');
    writeFileSync(
      file,
      JSON.stringify({
        type: 'service_account',
        client_email: 'pitwall@example.iam.gserviceaccount.com',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
        private_key_id: 'k1',
      }),
    );
    const peer = await startGaPeer();
    try {
      const r = await probeGa(gaTarget({ insecure: false, credentialsFile: file, endpoint: `localhost:${peer.port}` }), ctx());
      // Then credentials load fine and the failure is the connection's (https to a plaintext server), no call reaching it
      expect(r.error).toMatchObject({ kind: 'connection' });
      expect(r.error?.message).toMatch(/TLS|SSL|ssl|tls/);
      expect(r.details).toMatchObject({ auth: 'credentialsFile' });
      expect(peer.calls).toHaveLength(0);
    } finally {
      await peer.close();
    }
  });
});

describe('process lifetime', () => {
  it('leaves nothing open: a script that probes (healthy, hang, cached, refused) exits on its own', async () => {
    // Given peers in this process, so the child holds only client-side handles
    const healthy = await startGaPeer();
    const hang = await startGaPeer({ mode: 'hang' });
    const refused = await refusedPort();
    // Node strips the types itself; the hook maps the project's `.js` import specifiers to the `.ts` sources.
    const hook = `data:text/javascript,${encodeURIComponent(
      "import { registerHooks } from 'node:module';" +
        "registerHooks({ resolve(s, c, next) { try { return next(s, c); } catch (e) { if (s.startsWith('.') && s.endsWith('.js')) return next(s.slice(0, -3) + '.ts', c); throw e; } } });",
    )}`;
    const src = (p: string) => JSON.stringify(pathToFileURL(join(root, p)).href);
    const script = `
      import { probeGa, createGaProber } from ${src('src/probes/ga.ts')};
      process.on('unhandledRejection', (e) => { console.log('UNHANDLED', String(e)); process.exitCode = 9; });
      const t = (endpoint) => ({ id: 'ga', kind: 'ga', propertyId: '1', endpoint, insecure: true });
      const ctx = (ms) => ({ signal: AbortSignal.timeout(ms), timeoutMs: ms, degradedMs: 1000 });
      const out = [(await probeGa(t(${JSON.stringify(healthy.address)}), ctx(2000))).status];
      out.push((await probeGa(t(${JSON.stringify(hang.address)}), ctx(300))).error.kind);
      const prober = createGaProber();
      out.push((await prober.probe(t(${JSON.stringify(healthy.address)}), ctx(2000))).status);
      out.push((await prober.probe(t(${JSON.stringify(hang.address)}), ctx(300))).error.kind);
      await prober.close();
      out.push((await probeGa(t('127.0.0.1:${refused}'), ctx(2000))).error.kind);
      console.log(out.join(' '));
    `;
    try {
      // When it runs to its end
      const child = spawn(process.execPath, ['--no-warnings', '--import', hook, '--input-type=module', '-e', script], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 8000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
      // Then it exits by itself (not killed by the spawn timeout), cleanly, with every result as expected
      expect(stderr).toBe('');
      expect(stdout.trim()).toBe('up timeout up timeout connection');
      expect({ code, signal }).toEqual({ code: 0, signal: null });
    } finally {
      await healthy.close();
      await hang.close();
    }
  });
});
