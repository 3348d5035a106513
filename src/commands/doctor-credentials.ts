/** `pitwall doctor`'s credential lines: each credential whose end the config or a key file states, with the time left. */
import { readFileSync } from 'node:fs';
import type { Config } from '../config/config.js';
import { credentialSubCheck, DEFAULT_POLICY, gaKeyCredential, type Credential } from '../probes/credentials.js';
import { UNSET, type DoctorCheck } from './doctor-checks.js';

/** One line per target with a credential to watch; warn when one ends under the threshold or before the launch. No network. */
export function checkCredentials(config: Config, now: Date = new Date()): DoctorCheck[] {
  const policy = config.credentials ?? DEFAULT_POLICY;
  const name = 'credentials';
  const out: DoctorCheck[] = [];
  const line = (id: string, creds: Credential[], extra: string[] = []): DoctorCheck => {
    const subs = creds.map((c) => credentialSubCheck(c, policy, now));
    const details = [
      ...subs.map((s) => `${s.name}: ${s.details?.expiresAt ? `ends ${String(s.details.expiresAt)} (${String(s.details.left)} left)` : 'no end stated'}${s.details?.keyId ? `, key id ${String(s.details.keyId)}` : ''}`),
      ...extra,
    ];
    const late = subs.filter((s) => s.status !== 'up');
    return late.length
      ? { status: 'warn', name, summary: `${id}: ${String(late[0]!.details?.warning)}`, details, fix: 'renew it before then (or set credentials.warnHours / launchEndsAt)' }
      : { status: 'ok', name, summary: `${id}: ${creds.map((c) => c.name).join(', ') || 'watched while running'}`, details };
  };
  for (const t of config.targets) {
    if (t.kind === 'shopify') {
      const creds: Credential[] = [];
      if (t.accessTokenExpiresAt) creds.push({ name: 'access token', expiresAt: new Date(t.accessTokenExpiresAt), source: 'config' });
      if (t.tokenRefresh) {
        creds.push({ name: 'refresh token', expiresAt: t.tokenRefresh.refreshTokenExpiresAt ? new Date(t.tokenRefresh.refreshTokenExpiresAt) : null, source: 'config' });
        // A refreshable access token lasts an hour: pitwall renews it, so its end is not a warning here.
        if (t.accessTokenExpiresAt) creds.shift();
      }
      if (creds.length) out.push(line(t.id, creds, t.tokenRefresh ? ['the access token is refreshed while running (Shopify: one expiring token per app and store)'] : []));
    } else if (t.kind === 'ga' && !t.insecure && t.credentialsFile && !t.credentialsFile.includes(UNSET)) {
      const key = readKey(t.credentialsFile);
      if (key) out.push(line(t.id, [gaKeyCredential(key, t.keyExpiresAt)]));
    } else if (t.kind === 'mcp' && t.transport === 'http' && /(^|\.)github(copilot)?\.com$/.test(new URL(t.url).hostname)) {
      out.push({ status: 'ok', name, summary: `${t.id}: the token's end comes from GitHub's GitHub-Authentication-Token-Expiration header while running (doctor calls no upstream)` });
    }
  }
  return out;
}

function readKey(path: string): { keyId: string; clientEmail: string | null } | null {
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    if (json.type !== 'service_account' || typeof json.private_key_id !== 'string') return null;
    return { keyId: json.private_key_id, clientEmail: typeof json.client_email === 'string' ? json.client_email : null };
  } catch {
    return null;
  }
}
