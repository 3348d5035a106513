import type { StatuspageTarget } from '../config/config.js';
import { classify } from './classify.js';
import { httpExchange, parseJsonBody, statusError, excerpt } from './http-client.js';
import type { ProbeContext, ProbeResult } from './types.js';
import { compareText } from '../shared/builtins.js';

/** Ids and names of the components an incident or maintenance affects. */
type ComponentRef = { id?: string; name?: string };

/**
 * Atlassian Statuspage's public summary, https://<page>/api/v2/summary.json (developer.statuspage.io, "Summary"):
 * `incidents` are the unresolved ones, `scheduled_maintenances` the upcoming and in-progress ones.
 */
interface Summary {
  page?: { name?: string; updated_at?: string };
  status?: { indicator?: string; description?: string };
  components?: { id?: string; name?: string; status?: string; group?: boolean; group_id?: string | null; components?: string[] }[];
  incidents?: { name?: string; status?: string; impact?: string; shortlink?: string; created_at?: string; components?: ComponentRef[] }[];
  scheduled_maintenances?: {
    name?: string;
    status?: string;
    impact?: string;
    shortlink?: string;
    scheduled_for?: string;
    scheduled_until?: string;
    components?: ComponentRef[];
  }[];
}

/** How bad each signal is: 0 fine, 1 maintenance, 2 minor, 3 major, 4 critical. */
const INDICATOR_LEVEL: Record<string, number> = { none: 0, maintenance: 1, minor: 2, major: 3, critical: 4 };
const COMPONENT_LEVEL: Record<string, number> = { operational: 0, under_maintenance: 1, degraded_performance: 2, partial_outage: 3, major_outage: 4 };
const IMPACT_LEVEL: Record<string, number> = { none: 0, maintenance: 1, minor: 2, major: 3, critical: 4 };
const LEVEL_WORD = ['operational', 'maintenance', 'minor', 'major', 'critical'] as const;
/** A maintenance starting within this long from now is "in the launch window": shown in details and the report. */
export const MAINTENANCE_LOOKAHEAD_MS = 24 * 3_600_000;

/**
 * A vendor's public status page. The verdict is the worst of the page's indicator, its components' statuses and
 * its open incidents' impact; with `components` named in the target, only those components (a group with its
 * members) and the incidents and maintenances touching them count, and the page-wide indicator does not.
 * A maintenance in progress is its own state (degraded, saying so); the next one within a day is in the details.
 */
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
  if (typeof indicator !== 'string' || !(indicator in INDICATOR_LEVEL)) {
    return classify({
      ...base,
      error: { kind: 'bad_response', message: 'summary.json has no status.indicator', httpStatus: a.status, evidence: excerpt(a.text) },
    });
  }

  const all = Array.isArray(s.components) ? s.components : [];
  // The components watched: all of them, or the named ones with, for a group, its members.
  let watched: Set<string> | null = null;
  if (target.components) {
    const byName = new Map(all.map((c) => [(c.name ?? '').toLowerCase(), c]));
    const missing = target.components.filter((n) => !byName.has(n.toLowerCase()));
    if (missing.length) {
      const known = all.map((c) => c.name).filter(Boolean).join(', ');
      return classify({
        ...base,
        error: { kind: 'bad_response', message: `the page has no component ${missing.map((m) => `"${m}"`).join(', ')} (it has: ${known || 'none'})`, httpStatus: a.status },
      });
    }
    watched = new Set();
    for (const n of target.components) {
      const c = byName.get(n.toLowerCase())!;
      if (c.id) watched.add(c.id);
      for (const child of c.components ?? []) watched.add(child);
    }
  }
  const touches = (refs: ComponentRef[] | undefined) => !watched || !refs?.length || refs.some((r) => r.id !== undefined && watched.has(r.id));

  const components = all
    .filter((c) => !c.group && c.status && c.status !== 'operational' && (!watched || (c.id !== undefined && watched.has(c.id))))
    .map((c) => ({ name: c.name ?? '?', status: c.status! }));
  const incidents = (s.incidents ?? [])
    .filter((i) => i.status !== 'resolved' && i.status !== 'postmortem' && touches(i.components))
    .map((i) => ({ name: i.name ?? '?', status: i.status ?? '?', impact: i.impact ?? 'none', shortlink: i.shortlink, createdAt: i.created_at }));
  const maintenances = (s.scheduled_maintenances ?? []).filter((m) => touches(m.components));
  const inProgress = maintenances
    .filter((m) => m.status === 'in_progress' || m.status === 'verifying')
    .map((m) => ({ name: m.name ?? '?', status: m.status!, until: m.scheduled_until ?? null, shortlink: m.shortlink }));
  const now = Date.now();
  const next = maintenances
    .filter((m) => m.status === 'scheduled' && typeof m.scheduled_for === 'string')
    .map((m) => ({ name: m.name ?? '?', scheduledFor: m.scheduled_for!, scheduledUntil: m.scheduled_until ?? null, impact: m.impact ?? 'maintenance', shortlink: m.shortlink }))
    .filter((m) => Date.parse(m.scheduledFor) - now <= MAINTENANCE_LOOKAHEAD_MS && Date.parse(m.scheduledUntil ?? m.scheduledFor) >= now)
    .sort((x, y) => compareText(x.scheduledFor, y.scheduledFor))[0];

  const level = Math.max(
    watched ? 0 : INDICATOR_LEVEL[indicator]!,
    ...components.map((c) => COMPONENT_LEVEL[c.status] ?? 2),
    ...incidents.map((i) => IMPACT_LEVEL[i.impact] ?? 2),
    inProgress.length ? 1 : 0,
  );
  const description = s.status?.description ?? indicator;
  const details: Record<string, unknown> = {
    page: s.page?.name,
    indicator,
    description,
    state: LEVEL_WORD[level],
    watching: target.components ?? 'all components',
    components,
    incidents,
    maintenance: inProgress,
    nextMaintenance: next ?? null,
    ...(next ? { notice: `maintenance scheduled ${utc(next.scheduledFor)}${next.scheduledUntil ? `–${utc(next.scheduledUntil)}` : ''}: ${next.name}` } : {}),
  };
  const summary = [
    ...(watched ? [] : [description]),
    ...components.map((c) => `${c.name}: ${c.status.replace(/_/g, ' ')}`),
    ...incidents.map((i) => i.name),
  ]
    .filter(Boolean)
    .slice(0, 3)
    .join('; ');
  if (level >= 3) return classify({ ...base, details, error: { kind: 'http', message: `vendor reports ${LEVEL_WORD[level]} outage: ${summary}` } });
  if (level === 2) return classify({ ...base, details, degradedReason: `vendor reports minor issues: ${summary}` });
  if (level === 1) {
    const m = inProgress[0];
    const what = m ? `${m.name}${m.until ? ` until ${utc(m.until)}` : ''}` : summary;
    return classify({ ...base, details, degradedReason: `vendor maintenance in progress: ${what}` });
  }
  return classify({ ...base, details });
}

/** "2026-12-04 14:00 UTC" from an ISO time. */
function utc(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
