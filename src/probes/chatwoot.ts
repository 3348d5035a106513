import type { ChatwootTarget } from '../config/config.js';
import { REDACTED } from '../text/redact.js';
import { classify } from './classify.js';
import { excerpt, httpExchange, parseJsonBody, statusError, type HttpAnswer } from './http-client.js';
import type { Phase, ProbeContext, ProbeError, ProbeResult, SubCheck } from './types.js';

/** The fields of GET /api/v1/profile we read. The real answer also carries `access_token`: never copied. */
interface Profile {
  id?: unknown;
  name?: unknown;
  available_name?: unknown;
  role?: unknown;
  accounts?: { id?: unknown; name?: unknown; role?: unknown }[];
}

/** GET /api/v1/accounts/:id/conversations/meta; older releases wrap it in `data`. */
interface MetaCounts {
  mine_count?: unknown;
  unassigned_count?: unknown;
  assigned_count?: unknown;
  all_count?: unknown;
}

type Step = { ok: true; answer: HttpAnswer; json: unknown } | { ok: false; error: ProbeError; latencyMs: number | null };

/**
 * Chatwoot: the profile (is the token good?) then the account's open-conversation counts
 * (the CX queue). Two sub-checks; the second runs only when the first passes.
 */
export async function probeChatwoot(target: ChatwootTarget, ctx: ProbeContext): Promise<ProbeResult> {
  const base = target.baseUrl.replace(/\/+$/, '');
  // Chatwoot echoes the token in the profile; keep it out of evidence even before the output redactor runs.
  const scrub = (e: ProbeError): ProbeError => (e.evidence ? { ...e, evidence: e.evidence.split(target.apiToken).join(REDACTED) } : e);
  const phases: Phase[] = [];
  const get = async (path: string, what: string): Promise<Step> => {
    const a = await httpExchange({
      url: `${base}${path}`,
      // Chatwoot reads HTTP_API_ACCESS_TOKEN (access_token_auth_helper.rb): `Api-Access-Token` lands there as
      // `api_access_token` does, but survives a default nginx in front (underscores_in_headers off drops the other).
      headers: { 'Api-Access-Token': target.apiToken, accept: 'application/json' },
      signal: ctx.signal,
      dispatcher: ctx.dispatcher,
      timeoutMs: ctx.timeoutMs,
    });
    phases.push({ name: what, ms: a.latencyMs });
    if (!a.ok) return { ok: false, error: a.error, latencyMs: null };
    if (a.status < 200 || a.status > 299) return { ok: false, error: scrub(withBackoff(statusError(a, `Chatwoot ${what}`))), latencyMs: a.latencyMs };
    const parsed = parseJsonBody(a);
    if (!parsed.ok) return { ok: false, error: scrub({ ...parsed.error, message: `${what}: ${parsed.error.message}` }), latencyMs: a.latencyMs };
    return { ok: true, answer: a, json: parsed.json };
  };
  const done = (subChecks: SubCheck[], error: ProbeError | null, details: Record<string, unknown>) => {
    // Both calls' time; null when the last one never got an answer (as for any transport failure).
    const total = subChecks.every((s) => s.latencyMs !== null) ? subChecks.reduce((sum, s) => sum + s.latencyMs!, 0) : null;
    return classify({ latencyMs: total, error, details, degradedMs: ctx.degradedMs, phases, subChecks });
  };

  const p = await get('/api/v1/profile', 'profile');
  if (!p.ok) return done([sub('profile', p.latencyMs, p.error)], p.error, {});
  const profile = p.json as Profile | null;
  if (!profile || typeof profile !== 'object' || typeof profile.id !== 'number') {
    const error = scrub({ kind: 'bad_response', message: 'profile: the answer has no user', httpStatus: p.answer.status, evidence: excerpt(p.answer.text) });
    return done([sub('profile', p.answer.latencyMs, error)], error, {});
  }
  const account = Array.isArray(profile.accounts) ? profile.accounts.find((a) => Number(a?.id) === target.accountId) : undefined;
  // Picked field by field: the profile also holds access_token and pubsub_token.
  const role = str(account?.role) ?? str(profile.role);
  const who = {
    user: str(profile.available_name) ?? str(profile.name),
    role,
    account: str(account?.name),
    // Chatwoot counts an agent's conversations in the agent's own inboxes only (User#assigned_inboxes).
    administrator: role === 'administrator',
    ...(role !== 'administrator' ? { countsNote: `counts may be partial: the token is ${role ? `an ${role}'s` : 'not an administrator\'s'}, so only its inboxes count` } : {}),
  };
  const profileSub: SubCheck = { ...sub('profile', p.answer.latencyMs, null), details: who };

  const c = await get(`/api/v1/accounts/${target.accountId}/conversations/meta?status=open`, 'conversations');
  if (!c.ok) return done([profileSub, sub('conversations', c.latencyMs, c.error)], c.error, who);
  const json = c.json as { meta?: MetaCounts; data?: { meta?: MetaCounts } } | null;
  const meta = json?.meta ?? json?.data?.meta;
  const open = meta?.all_count;
  const unassigned = meta?.unassigned_count;
  if (typeof open !== 'number' || typeof unassigned !== 'number') {
    const error = scrub({
      kind: 'bad_response',
      message: 'conversations: the answer has no meta.all_count / meta.unassigned_count',
      httpStatus: c.answer.status,
      evidence: excerpt(c.answer.text),
    });
    return done([profileSub, sub('conversations', c.answer.latencyMs, error)], error, who);
  }
  const counts = {
    open,
    unassigned,
    ...(typeof meta?.mine_count === 'number' ? { mine: meta.mine_count } : {}),
    ...(typeof meta?.assigned_count === 'number' ? { assigned: meta.assigned_count } : {}),
  };
  const convSub: SubCheck = { ...sub('conversations', c.answer.latencyMs, null), details: counts };
  return done([profileSub, convSub], null, { ...who, ...counts });
}

function sub(name: 'profile' | 'conversations', latencyMs: number | null, error: ProbeError | null): SubCheck {
  const status = !error ? 'up' : error.kind === 'rate_limited' ? 'degraded' : 'down';
  return { name, tile: 'cx-pulse', status, latencyMs, error };
}

/**
 * Chatwoot's 429 comes from Rack::Attack's default responder, with no Retry-After; its throttles count in windows
 * aligned to the epoch (`Time.now.to_i / period`), the main one a minute long (config/initializers/rack_attack.rb).
 * So without a Retry-After, wait for the current minute window to end.
 */
function withBackoff(e: ProbeError, now = Date.now()): ProbeError {
  if (e.kind !== 'rate_limited' || e.retryAfterMs !== undefined) return e;
  const wait = Math.max(1_000, 60_000 - (now % 60_000));
  return { ...e, retryAfterMs: wait, message: `${e.message} (no Retry-After: waiting ${Math.ceil(wait / 1000)} s for rack-attack's minute window)` };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
