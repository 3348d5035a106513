import { mkdtempSync, writeFileSync } from 'node:fs';
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
    const [unknown] = await gaCredentialSubChecks({ insecure: false, credentialsFile: file }, NOW);
    expect(unknown).toMatchObject({ status: 'up', details: { keyId: 'abc123', expiresAt: null } });
    expect(JSON.stringify(unknown)).not.toContain('private_key"');
    writeFileSync(file, JSON.stringify({ type: 'authorized_user', client_id: 'x', client_secret: 'y', refresh_token: 'z' }));
    expect(await gaCredentialSubChecks({ insecure: false, credentialsFile: file }, NOW)).toEqual([]);
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
