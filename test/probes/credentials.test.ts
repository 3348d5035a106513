import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { sendJson, startPeer, type Peer } from '../../src/peers/serve.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromObject, type McpTarget } from '../../src/config/config.js';
import { startStreamableHttpPeer, type McpHttpPeer } from '../../src/peers/mcp-peer.js';
import { credentialSubCheck, formatLeft, gaCredentialSubChecks, parseGithubExpiry, withCredentials } from '../../src/probes/credentials.js';
import { createProbeRunner } from '../../src/state/probe-runner.js';

const H = 3_600_000;
const NOW = new Date('2026-12-04T08:00:00Z');

describe('credential sub-checks', () => {
  it('says the time left in words', () => {
    expect(formatLeft(3 * 24 * H + 4 * H + 59_000)).toBe('3 d 4 h');
    expect(formatLeft(5 * H + 12 * 60_000)).toBe('5 h 12 min');
    expect(formatLeft(40 * 60_000)).toBe('40 min');
    expect(formatLeft(-2 * H)).toBe('expired 2 h ago');
  });

  it('is up with days left, degraded under the threshold, degraded when it ends before the launch, degraded once expired', () => {
    const at = (ms: number) => new Date(NOW.getTime() + ms);
    const c = (ms: number) => ({ name: 'access token', expiresAt: at(ms), source: 'config' });
    expect(credentialSubCheck(c(3 * 24 * H), { warnHours: 24 }, NOW)).toMatchObject({ status: 'up', details: { left: '3 d', expiresAt: '2026-12-07T08:00:00.000Z' } });
    expect(credentialSubCheck(c(5 * H), { warnHours: 24 }, NOW)).toMatchObject({ status: 'degraded', details: { warning: 'access token expires in 5 h (under 24 h)' } });
    expect(credentialSubCheck(c(3 * 24 * H), { warnHours: 24, launchEndsAt: '2026-12-08T00:00:00Z' }, NOW)).toMatchObject({
      status: 'degraded',
      details: { warning: 'access token expires in 3 d, before the launch ends (2026-12-08T00:00:00.000Z)' },
    });
    expect(credentialSubCheck(c(-2 * H), { warnHours: 24 }, NOW)).toMatchObject({ status: 'degraded', details: { warning: 'access token expired 2 h ago' } });
    expect(credentialSubCheck({ name: 'x', expiresAt: null, source: 's' }, { warnHours: 24 }, NOW)).toMatchObject({ status: 'up', details: { left: 'not stated by the upstream' } });
  });

  it('turns an up result degraded (by sub-check) and leaves a down one down', () => {
    const soon = credentialSubCheck({ name: 'github token', expiresAt: new Date(NOW.getTime() + H), source: 'h' }, { warnHours: 24 }, NOW);
    const up = withCredentials({ status: 'up', error: null, latencyMs: 10, details: {} }, [soon]);
    expect(up).toMatchObject({ status: 'degraded', cause: 'sub-check', reason: 'github token expires in 1 h (under 24 h)' });
    const down = withCredentials({ status: 'down', error: { kind: 'auth', message: 'HTTP 401' }, latencyMs: null, details: {} }, [soon]);
    expect(down).toMatchObject({ status: 'down', error: { kind: 'auth' } });
    expect(down.subChecks).toHaveLength(1);
  });

  it('reads GitHub\'s expiration header in its documented form, and nothing else', () => {
    expect(parseGithubExpiry('2021-10-07 19:07:53 UTC')?.toISOString()).toBe('2021-10-07T19:07:53.000Z');
    expect(parseGithubExpiry('2026-12-04 10:00:00 -0700')?.toISOString()).toBe('2026-12-04T17:00:00.000Z');
    expect(parseGithubExpiry('soon')).toBeNull();
    expect(parseGithubExpiry(undefined)).toBeNull();
  });

  it('lists a service-account key by its private_key_id, with its end when configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitwall-cred-'));
    const file = join(dir, 'sa.json');
    writeFileSync(file, JSON.stringify({ type: 'service_account', private_key_id: 'abc123', client_email: 'pitwall@p.iam.gserviceaccount.com', private_key: 'k' }));
    const [known] = await gaCredentialSubChecks({ insecure: false, credentialsFile: file, keyExpiresAt: '2026-12-04T20:00:00Z', expiry: { warnHours: 24 } }, NOW);
    expect(known).toMatchObject({ name: 'service-account key', status: 'degraded', details: { keyId: 'abc123', account: 'pitwall@p.iam.gserviceaccount.com', left: '12 h' } });
    // (Google's certificate list unreachable: a closed loopback port; the end stays unknown, never a false amber)
    const [unknown] = await gaCredentialSubChecks({ insecure: false, credentialsFile: file, keyCertsUrl: 'http://127.0.0.1:9/x509/pitwall' }, NOW);
    expect(unknown).toMatchObject({ status: 'up', details: { keyId: 'abc123', expiresAt: null } });
    expect(JSON.stringify(unknown)).not.toContain('private_key"');
    writeFileSync(file, JSON.stringify({ type: 'authorized_user', client_id: 'x', client_secret: 'y', refresh_token: 'z' }));
    expect(await gaCredentialSubChecks({ insecure: false, credentialsFile: file }, NOW)).toEqual([]);
  });
});

describe("a service-account key's end, from Google's public certificate list", () => {
  const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'google-certs');
  const EMAIL = 'pitwall-ga@hot-rod-an.iam.gserviceaccount.com';
  // A loopback stand-in for https://www.googleapis.com/service_accounts/v1/metadata/x509/{email}: key id → PEM.
  const certs: Record<string, string> = {
    'key-expiring': readFileSync(join(FIXTURES, 'key-expiring.pem'), 'utf8'),
    'key-no-expiry': readFileSync(join(FIXTURES, 'key-no-expiry.pem'), 'utf8'),
  };
  let peer: Peer;
  beforeAll(async () => {
    peer = await startPeer((req, res) =>
      req.url === `/service_accounts/v1/metadata/x509/${encodeURIComponent(EMAIL)}` ? sendJson(res, 200, certs) : sendJson(res, 404, { error: { code: 404, message: 'Not found' } }),
    );
  });
  afterAll(async () => {
    await peer.close();
  });
  const keyFile = (keyId: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'pitwall-cert-')), 'sa.json');
    writeFileSync(file, JSON.stringify({ type: 'service_account', private_key_id: keyId, client_email: EMAIL, private_key: 'k' }));
    return file;
  };
  const check = (keyId: string, now: Date) =>
    gaCredentialSubChecks({ insecure: false, credentialsFile: keyFile(keyId), keyCertsUrl: `${peer.url}/service_accounts/v1/metadata/x509/${encodeURIComponent(EMAIL)}`, expiry: { warnHours: 24 } }, now);

  it("reads the key's end from its certificate: degraded under the threshold, up with weeks left", async () => {
    const end = new X509Certificate(certs['key-expiring']!).validTo;
    const [soon] = await check('key-expiring', new Date(Date.parse(end) - 10 * H));
    expect(soon).toMatchObject({ status: 'degraded', details: { left: '10 h', source: "Google's public certificate for the key", keyId: 'key-expiring' } });
    const [weeks] = await check('key-expiring', new Date(Date.parse(end) - 21 * 24 * H));
    expect(weeks).toMatchObject({ status: 'up', details: { left: '21 d' } });
  });

  it('says a key without an expiry policy has none (listed until 9999), and a key Google no longer lists is degraded', async () => {
    const [forever] = await check('key-no-expiry', NOW);
    expect(forever).toMatchObject({ status: 'up', details: { expiresAt: null, source: 'Google lists the key as valid until 9999-12-31 (a user-managed key without an expiry policy)' } });
    const [gone] = await check('key-deleted-0123456789', NOW);
    expect(gone).toMatchObject({ status: 'degraded', details: { warning: `service-account key key-deleted-0123456789 is not among ${EMAIL}'s public keys: deleted or disabled?` } });
    // and it turns an up GA result degraded (by sub-check), so the row says why
    expect(withCredentials({ status: 'up', latencyMs: 40, error: null, details: {} }, [gone!])).toMatchObject({ status: 'degraded', cause: 'sub-check' });
  });
});

describe('a GitHub token\'s end, from the MCP server\'s answers', () => {
  let soon: McpHttpPeer;
  let later: McpHttpPeer;
  const stamp = (ms: number) => new Date(Date.now() + ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
  beforeAll(async () => {
    soon = await startStreamableHttpPeer({ token: 'ghp_test', tokenExpiration: stamp(10 * H) });
    later = await startStreamableHttpPeer({ token: 'ghp_test', tokenExpiration: stamp(40 * 24 * H) });
  });
  afterAll(async () => {
    await Promise.all([soon.close(), later.close()]);
  });
  const target = (url: string) =>
    configFromObject({ targets: [{ kind: 'mcp', transport: 'http', id: 'mcp-github', url, headers: { Authorization: 'Bearer ghp_test' } }] }).targets[0] as McpTarget;
  const ctx = () => ({ signal: AbortSignal.timeout(8000), timeoutMs: 8000, degradedMs: 60_000 });

  it('is degraded when the header says under 24 h, up with weeks left', async () => {
    const runner = createProbeRunner();
    try {
      const a = await runner.run(target(soon.endpoint), ctx());
      expect(a.status).toBe('degraded');
      expect(a.status === 'degraded' && a.reason).toMatch(/^github token expires in (9 h 59 min|10 h) \(under 24 h\)$/);
      expect(a.subChecks?.find((s) => s.name === 'github token')).toMatchObject({ status: 'degraded', details: { source: 'GitHub-Authentication-Token-Expiration response header' } });
      const b = await runner.run(target(later.endpoint), ctx());
      expect(b.status).toBe('up');
      expect(b.subChecks?.find((s) => s.name === 'github token')?.details?.left).toMatch(/^(39 d 23 h|40 d)$/);
    } finally {
      await runner.close();
    }
  });
});
