/**
 * How long each credential has left, where the upstream says so: one sub-check per credential, degraded below the
 * configured threshold (`credentials.warnHours`, default 24 h) or when it ends before the launch does. A known
 * expiry never turns a target down by itself: the API's own answer says whether the token still works.
 */
import { X509Certificate } from 'node:crypto';
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

/**
 * Where Google lists a service account's public key certificates, one per key id (public, no auth): a key's
 * certificate ends when the key does. Documented with IAM's signBlob ("RSA public key wrapped in an X.509 v3
 * certificate: https://www.googleapis.com/service_accounts/v1/metadata/x509/{ACCOUNT_EMAIL}").
 */
export const GOOGLE_KEY_CERTS = 'https://www.googleapis.com/service_accounts/v1/metadata/x509/';

/** What Google's list says of one key: its end (null: no expiry, 9999-12-31), missing from the list, or unreadable. */
export type KeyValidity = { listed: true; expiresAt: Date | null } | { listed: false } | { error: string };

/** A key's validity is read at most this often per key (it changes only when someone rotates keys). */
const VALIDITY_TTL_MS = 6 * 3_600_000;
const validityCache = new Map<string, { at: number; v: KeyValidity }>();

/** Reads a key's validity from the account's certificate list (`url`), bounded by `timeoutMs`; cached for hours. */
export async function gaKeyValidity(keyId: string, url: string, opts: { timeoutMs?: number; now?: number } = {}): Promise<KeyValidity> {
  const now = opts.now ?? Date.now();
  const hit = validityCache.get(`${url} ${keyId}`);
  if (hit && now - hit.at < VALIDITY_TTL_MS && !('error' in hit.v)) return hit.v;
  let v: KeyValidity;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000), headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const text = await res.text();
    if (text.length > 256 * 1024) throw new Error('answer over 256 KiB');
    const certs = JSON.parse(text) as unknown;
    if (!certs || typeof certs !== 'object' || Array.isArray(certs)) throw new Error('not a JSON object of certificates');
    const pem = (certs as Record<string, unknown>)[keyId];
    if (typeof pem !== 'string') v = { listed: false };
    else {
      const end = Date.parse(new X509Certificate(pem).validTo);
      if (Number.isNaN(end)) throw new Error('a certificate without a readable end');
      // User-managed keys without an expiry policy are listed as valid until the year 9999.
      v = { listed: true, expiresAt: new Date(end).getUTCFullYear() >= 9999 ? null : new Date(end) };
    }
  } catch (err) {
    v = { error: (err as Error).name === 'TimeoutError' ? `no answer within ${opts.timeoutMs ?? 5_000} ms` : (err as Error).message.slice(0, 160) };
  }
  validityCache.set(`${url} ${keyId}`, { at: now, v });
  return v;
}

/**
 * The GA key as a credential: its id always; its end from the config when stated (`keyExpiresAt`), else from
 * Google's certificate list when it could be read.
 */
export function gaKeyCredential(key: GaKeyInfo, keyExpiresAt: string | undefined, validity?: KeyValidity): Credential {
  const info = { keyId: key.keyId, ...(key.clientEmail ? { account: key.clientEmail } : {}) };
  if (keyExpiresAt) return { name: 'service-account key', expiresAt: new Date(keyExpiresAt), source: 'config (keyExpiresAt)', info };
  if (validity && 'listed' in validity && validity.listed) {
    return {
      name: 'service-account key',
      expiresAt: validity.expiresAt,
      source: validity.expiresAt ? "Google's public certificate for the key" : "Google lists the key as valid until 9999-12-31 (a user-managed key without an expiry policy)",
      info,
    };
  }
  const why = validity && 'error' in validity ? `Google's key list could not be read (${validity.error})` : 'the key file states no expiry (a user-managed key lasts until deleted, unless an expiry policy applies)';
  return { name: 'service-account key', expiresAt: null, source: why, info };
}

/**
 * The GA target's key as a sub-check: a service-account key file's id, with its end from the config or Google's
 * certificate list. A key Google no longer lists (deleted or disabled) is degraded: the next token exchange fails.
 */
export async function gaCredentialSubChecks(
  target: { insecure: boolean; credentialsFile?: string; keyExpiresAt?: string; keyCertsUrl?: string; expiry?: CredentialsConfig },
  now: Date = new Date(),
): Promise<SubCheck[]> {
  if (target.insecure || !target.credentialsFile) return [];
  const key = await readGaKey(target.credentialsFile);
  if (!key) return [];
  const certsUrl = target.keyCertsUrl ?? (key.clientEmail ? `${GOOGLE_KEY_CERTS}${encodeURIComponent(key.clientEmail)}` : null);
  const validity = target.keyExpiresAt || !certsUrl ? undefined : await gaKeyValidity(key.keyId, certsUrl, { now: now.getTime() });
  if (validity && 'listed' in validity && !validity.listed) {
    const warning = `service-account key ${key.keyId} is not among ${key.clientEmail ?? 'the account'}'s public keys: deleted or disabled?`;
    return [{ name: 'service-account key', status: 'degraded', latencyMs: null, error: null, details: { keyId: key.keyId, warning, source: certsUrl } }];
  }
  return [credentialSubCheck(gaKeyCredential(key, target.keyExpiresAt, validity), target.expiry, now)];
}

/** An MCP HTTP target's token end, from GitHub's header the probe kept in `details.tokenExpiration`. */
export function mcpCredentialSubChecks(result: ProbeResult, expiry: CredentialsConfig | undefined, now: Date = new Date()): SubCheck[] {
  const raw = result.details.tokenExpiration;
  if (typeof raw !== 'string') return [];
  const at = parseGithubExpiry(raw);
  if (!at) return [{ name: 'github token', status: 'up', latencyMs: null, error: null, details: { expiresAt: null, left: `unreadable header value ${JSON.stringify(raw)}`, source: 'GitHub-Authentication-Token-Expiration' } }];
  return [credentialSubCheck({ name: 'github token', expiresAt: at, source: 'GitHub-Authentication-Token-Expiration response header' }, expiry, now)];
}
