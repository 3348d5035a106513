import type { StatuspageTarget } from '../config/config.js';
import { classify } from './classify.js';
import { httpExchange, parseJsonBody, statusError, excerpt } from './http-client.js';
import type { ProbeContext, ProbeResult } from './types.js';

/** Atlassian Statuspage's public summary: https://<page>/api/v2/summary.json */
interface Summary {
  page?: { name?: string; updated_at?: string };
  status?: { indicator?: string; description?: string };
  components?: { name?: string; status?: string; group?: boolean }[];
  incidents?: { name?: string; status?: string; impact?: string; shortlink?: string; created_at?: string }[];
}

const INDICATORS = new Set(['none', 'minor', 'major', 'critical', 'maintenance']);

/** A vendor's public status page: indicator, non-operational components, unresolved incidents. */
export async function probeStatuspage(target: StatuspageTarget, ctx: ProbeContext): Promise<ProbeResult> {
  const url = new URL('/api/v2/summary.json', target.url);
  const a = await httpExchange({
    url,
    headers: { accept: 'application/json' },
    signal: ctx.signal,
    dispatcher: ctx.dispatcher,
    timeoutMs: ctx.timeoutMs,
  });
  if (!a.ok) return classify({ latencyMs: null, error: a.error, degradedMs: ctx.degradedMs, phases: a.phases });
  const base = { latencyMs: a.latencyMs, degradedMs: ctx.degradedMs, phases: a.phases };
  if (a.status < 200 || a.status > 299) return classify({ ...base, error: statusError(a) });
  const parsed = parseJsonBody(a);
  if (!parsed.ok) return classify({ ...base, error: parsed.error });
  const s = parsed.json as Summary;
  const indicator = s.status?.indicator;
  if (typeof indicator !== 'string' || !INDICATORS.has(indicator)) {
    return classify({
      ...base,
      error: { kind: 'bad_response', message: 'summary.json has no status.indicator', httpStatus: a.status, evidence: excerpt(a.text) },
    });
  }
  const components = (s.components ?? [])
    .filter((c) => !c.group && c.status && c.status !== 'operational')
    .map((c) => ({ name: c.name ?? '?', status: c.status! }));
  const incidents = (s.incidents ?? [])
    .filter((i) => i.status !== 'resolved' && i.status !== 'postmortem')
    .map((i) => ({ name: i.name ?? '?', status: i.status ?? '?', impact: i.impact ?? 'none', shortlink: i.shortlink, createdAt: i.created_at }));
  const description = s.status?.description ?? indicator;
  const details = { page: s.page?.name, indicator, description, components, incidents };
  const summary = [description, ...components.map((c) => `${c.name}: ${c.status.replace(/_/g, ' ')}`), ...incidents.map((i) => i.name)]
    .filter(Boolean)
    .slice(0, 3)
    .join('; ');
  if (indicator === 'major' || indicator === 'critical') {
    return classify({ ...base, details, error: { kind: 'http', message: `vendor reports ${indicator} outage: ${summary}` } });
  }
  const degradedReason = indicator === 'minor' ? `vendor reports minor issues: ${summary}` : null;
  return classify({ ...base, details, degradedReason });
}
