/**
 * How long each credential has left, where the upstream says so: one sub-check per credential, degraded below the
 * configured threshold (`credentials.warnHours`, default 24 h) or when it ends before the launch does. A known
 * expiry never turns a target down by itself: the API's own answer says whether the token still works.
 */
import { readFile } from 'node:fs/promises';
import type { CredentialsConfig } from '../config/config.js';
import type { ProbeResult, SubCheck } from './types.js';

/** One credential with a known (or unknown) end. */
export interface Credential {
  /** Sub-check name: "access token", "refresh token", "github token", "service-account key". */
  name: string;
  /** When it stops working; null when the upstream does not say. */
  expiresAt: Date | null;
  /** Where the expiry comes from: "config", "Shopify refresh response", "GitHub response header"… */
  source: string;
  /** Extra lines for the detail view (a key id, a refresh outcome). Never the secret itself. */
  info?: Record<string, unknown>;
}

export const DEFAULT_POLICY: CredentialsConfig = { warnHours: 24 };

/** "3 d 4 h", "5 h 12 min", "40 min", "expired 2 h ago". */
export function formatLeft(ms: number): string {
  const past = ms < 0;
  const min = Math.floor(Math.abs(ms) / 60_000);
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  const text = d ? `${d} d${h ? ` ${h} h` : ''}` : h ? `${h} h${m ? ` ${m} min` : ''}` : `${m} min`;
  return past ? `expired ${text} ago` : text;
}

/** The credential as a sub-check: up with the time left, degraded when it ends too soon, or unknown (up, said so). */
export function credentialSubCheck(c: Credential, policy: CredentialsConfig = DEFAULT_POLICY, now: Date = new Date()): SubCheck {
  const base = { name: c.name, latencyMs: null, error: null };
  if (!c.expiresAt) return { ...base, status: 'up', details: { expiresAt: null, left: 'not stated by the upstream', source: c.source, ...c.info } };
  const leftMs = c.expiresAt.getTime() - now.getTime();
  const details = { expiresAt: c.expiresAt.toISOString(), left: formatLeft(leftMs), source: c.source, ...c.info };
  const launchEnd = policy.launchEndsAt ? Date.parse(policy.launchEndsAt) : null;
  const why =
    leftMs <= 0
      ? `${c.name} expired ${formatLeft(-leftMs)} ago`
      : leftMs < policy.warnHours * 3_600_000
        ? `${c.name} expires in ${formatLeft(leftMs)} (under ${policy.warnHours} h)`
        : launchEnd !== null && c.expiresAt.getTime() < launchEnd
          ? `${c.name} expires in ${formatLeft(leftMs)}, before the launch ends (${new Date(launchEnd).toISOString()})`
          : null;
  if (!why) return { ...base, status: 'up', details };
  return { ...base, status: 'degraded', details: { ...details, warning: why } };
}

/**
 * Adds credential sub-checks to a probe's result: an up result with a credential expiring soon becomes degraded
 * (cause sub-check, so its tiles stay as they are); a down or degraded one keeps its own reason.
 */
export function withCredentials(result: ProbeResult, subs: SubCheck[]): ProbeResult {
  if (!subs.length) return result;
  const merged = { ...result, subChecks: [...(result.subChecks ?? []), ...subs] };
  const soon = subs.find((s) => s.status !== 'up');
  if (result.status !== 'up' || !soon) return merged as ProbeResult;
  return { ...merged, status: 'degraded', error: null, reason: String(soon.details?.warning ?? `${soon.name} expires soon`), cause: 'sub-check' };
}

/** GitHub's `GitHub-Authentication-Token-Expiration` header ("2026-12-31 23:59:59 UTC"); null when absent or unreadable. */
export function parseGithubExpiry(value: string | null | undefined): Date | null {
  if (!value) return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})\s*(UTC|Z|[+-]\d{2}:?\d{2})$/.exec(value.trim());
  if (!m) return null;
  const zone = m[3] === 'UTC' || m[3] === 'Z' ? 'Z' : m[3]!.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const t = Date.parse(`${m[1]}T${m[2]}${zone}`);
  return Number.isNaN(t) ? null : new Date(t);
}

/** A service-account key file's identity: its key id and account (the key's validity is not in the file). */
export interface GaKeyInfo {
  keyId: string;
  clientEmail: string | null;
}

/** Reads `private_key_id` from a service-account key file; null for other credential types or an unreadable file. */
export async function readGaKey(path: string): Promise<GaKeyInfo | null> {
  try {
    const json = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    if (json.type !== 'service_account' || typeof json.private_key_id !== 'string') return null;
    return { keyId: json.private_key_id, clientEmail: typeof json.client_email === 'string' ? json.client_email : null };
  } catch {
    return null;
  }
}

/** The GA key as a credential: its id always, its end when the config states it (keys made under an expiry policy). */
export function gaKeyCredential(key: GaKeyInfo, keyExpiresAt: string | undefined): Credential {
  return {
    name: 'service-account key',
    expiresAt: keyExpiresAt ? new Date(keyExpiresAt) : null,
    source: keyExpiresAt ? 'config (keyExpiresAt)' : 'the key file states no expiry (a user-managed key lasts until deleted, unless an expiry policy applies)',
    info: { keyId: key.keyId, ...(key.clientEmail ? { account: key.clientEmail } : {}) },
  };
}

/** The GA target's key as a sub-check: a service-account key file's id, with its end when configured. */
export async function gaCredentialSubChecks(
  target: { insecure: boolean; credentialsFile?: string; keyExpiresAt?: string; expiry?: CredentialsConfig },
  now: Date = new Date(),
): Promise<SubCheck[]> {
  if (target.insecure || !target.credentialsFile) return [];
  const key = await readGaKey(target.credentialsFile);
  return key ? [credentialSubCheck(gaKeyCredential(key, target.keyExpiresAt), target.expiry, now)] : [];
}

/** An MCP HTTP target's token end, from GitHub's header the probe kept in `details.tokenExpiration`. */
export function mcpCredentialSubChecks(result: ProbeResult, expiry: CredentialsConfig | undefined, now: Date = new Date()): SubCheck[] {
  const raw = result.details.tokenExpiration;
  if (typeof raw !== 'string') return [];
  const at = parseGithubExpiry(raw);
  if (!at) return [{ name: 'github token', status: 'up', latencyMs: null, error: null, details: { expiresAt: null, left: `unreadable header value ${JSON.stringify(raw)}`, source: 'GitHub-Authentication-Token-Expiration' } }];
  return [credentialSubCheck({ name: 'github token', expiresAt: at, source: 'GitHub-Authentication-Token-Expiration response header' }, expiry, now)];
}
