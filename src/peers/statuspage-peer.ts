import { startPeer, sendJson, sendTruncatedJson, type Peer } from './serve.js';

/** A page's situation the peer can serve (`summaryFor`), plus transport failures. */
export const STATUSPAGE_SCENARIOS = [
  'operational',
  'minor',
  'major',
  'critical',
  /** A scheduled maintenance in progress, nothing else. */
  'maintenance',
  /** A maintenance in progress on one component while another is in a major outage with a critical incident. */
  'maintenance-outage',
  /** All operational, with a maintenance scheduled two hours from now. */
  'upcoming-maintenance',
  /** Only the Webhooks component is degraded (the page-wide indicator says minor). */
  'webhooks-degraded',
] as const;
export type StatuspageScenario = (typeof STATUSPAGE_SCENARIOS)[number];
export type StatuspageMode = StatuspageScenario | 'html502' | 'http429' | 'truncated' | 'hang' | 'missing-indicator';

/** An Atlassian Statuspage-style vendor page serving /api/v2/summary.json in the documented shape. */
export interface StatuspagePeer extends Peer {
  setMode(mode: StatuspageMode): void;
  readonly mode: StatuspageMode;
  hits: number;
}

const PAGE_ID = 'kctbh9vrtdwd';
const DESCRIPTION: Record<string, string> = {
  none: 'All Systems Operational',
  minor: 'Minor Service Outage',
  major: 'Partial System Outage',
  critical: 'Major System Outage',
  maintenance: 'Service Under Maintenance',
};

type ComponentStatus = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | 'under_maintenance';

/**
 * Builds a summary.json body as Atlassian documents it (https://developer.statuspage.io, public API v2 "Summary":
 * page, components, unresolved incidents, upcoming and in-progress scheduled_maintenances, status.indicator) for
 * a scenario, as of `now`. Components: Admin API and Checkout in the "Commerce" group, and Webhooks.
 */
export function summaryFor(name: string, scenario: StatuspageScenario | 'none', now = Date.now()) {
  const at = (ms: number) => new Date(now + ms).toISOString();
  const min = 60_000;
  const sc: StatuspageScenario = scenario === 'none' ? 'operational' : scenario;
  const status: Record<'admin' | 'checkout' | 'webhooks', ComponentStatus> = {
    admin: sc === 'minor' ? 'degraded_performance' : sc === 'major' ? 'partial_outage' : sc === 'critical' ? 'major_outage' : sc === 'maintenance' || sc === 'maintenance-outage' ? 'under_maintenance' : 'operational',
    checkout: sc === 'maintenance-outage' ? 'major_outage' : 'operational',
    webhooks: sc === 'webhooks-degraded' ? 'degraded_performance' : 'operational',
  };
  const component = (id: string, cname: string, st: ComponentStatus, position: number, groupId: string | null) => ({
    id, name: cname, status: st, created_at: at(-90 * 24 * 60 * min), updated_at: at(-5 * min), position, description: null, showcase: false,
    start_date: null, group_id: groupId, page_id: PAGE_ID, group: false, only_show_if_degraded: false,
  });
  const admin = component('c-admin', 'Admin API', status.admin, 1, 'g-commerce');
  const checkout = component('c-checkout', 'Checkout', status.checkout, 2, 'g-commerce');
  const webhooks = component('c-webhooks', 'Webhooks', status.webhooks, 4, null);
  const worstOfGroup = [admin.status, checkout.status].find((s) => s !== 'operational') ?? 'operational';
  const group = { ...component('g-commerce', 'Commerce', worstOfGroup, 3, null), group: true, components: ['c-admin', 'c-checkout'] };
  const ref = (c: { id: string; name: string; status: string }) => ({ id: c.id, name: c.name, status: c.status });

  const incident = (id: string, iname: string, impact: string, components: ReturnType<typeof ref>[]) => ({
    id, name: iname, status: 'investigating', created_at: at(-20 * min), updated_at: at(-10 * min), monitoring_at: null, resolved_at: null,
    impact, shortlink: `https://stspg.io/${id}`, started_at: at(-20 * min), page_id: PAGE_ID, incident_updates: [], components,
  });
  const maintenance = (id: string, mname: string, state: 'scheduled' | 'in_progress', from: number, until: number, components: ReturnType<typeof ref>[]) => ({
    id, name: mname, status: state, created_at: at(-3 * 24 * 60 * min), updated_at: at(-min), monitoring_at: null, resolved_at: null,
    impact: 'maintenance', shortlink: `https://stspg.io/${id}`, started_at: at(from), page_id: PAGE_ID, incident_updates: [],
    components, scheduled_for: at(from), scheduled_until: at(until),
  });

  const incidents = [];
  if (sc === 'minor' || sc === 'major' || sc === 'critical') incidents.push(incident('inc-api', 'Elevated API error rates', sc, [ref(admin)]));
  if (sc === 'maintenance-outage') incidents.push(incident('inc-checkout', 'Checkout failing for some stores', 'critical', [ref(checkout)]));
  if (sc === 'webhooks-degraded') incidents.push(incident('inc-hooks', 'Webhook deliveries delayed', 'minor', [ref(webhooks)]));
  const scheduled_maintenances = [];
  if (sc === 'maintenance' || sc === 'maintenance-outage') {
    scheduled_maintenances.push(maintenance('mnt-db', 'Database maintenance', 'in_progress', -15 * min, 45 * min, [ref(admin)]));
  }
  if (sc === 'upcoming-maintenance') {
    scheduled_maintenances.push(maintenance('mnt-later', 'Checkout platform upgrade', 'scheduled', 120 * min, 180 * min, [ref(checkout)]));
    scheduled_maintenances.push(maintenance('mnt-much-later', 'Webhook queue migration', 'scheduled', 3 * 24 * 60 * min, 3 * 24 * 60 * min + 60 * min, [ref(webhooks)]));
  }
  // The page-wide indicator: the worst open incident's impact, else maintenance while one is in progress.
  const indicator =
    sc === 'maintenance-outage' ? 'maintenance' : sc === 'maintenance' ? 'maintenance' : sc === 'webhooks-degraded' ? 'minor' : sc === 'upcoming-maintenance' ? 'none' : sc === 'operational' ? 'none' : sc;
  return {
    page: { id: PAGE_ID, name, url: `https://www.${name.toLowerCase().replace(/\s+/g, '')}status.com`, time_zone: 'Etc/UTC', updated_at: at(-min) },
    components: [admin, checkout, group, webhooks],
    incidents,
    scheduled_maintenances,
    status: { indicator, description: DESCRIPTION[indicator] },
  };
}

/** Starts a status page on loopback. */
export async function startStatuspagePeer(opts: { name?: string; mode?: StatuspageMode } = {}): Promise<StatuspagePeer> {
  let mode: StatuspageMode = opts.mode ?? 'operational';
  const name = opts.name ?? 'Shopify';
  const state = { hits: 0 };
  const peer = await startPeer((req, res) => {
    if (req.url !== '/api/v2/summary.json') return sendJson(res, 404, { error: 'not found' });
    state.hits++;
    switch (mode) {
      case 'hang':
        return;
      case 'html502':
        res.writeHead(502, { 'content-type': 'text/html' });
        return void res.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>');
      case 'http429':
        // The CDN in front of a status page rate-limits pollers: plain text, Retry-After.
        res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '60' });
        return void res.end('Too Many Requests\n');
      case 'truncated':
        return sendTruncatedJson(res, summaryFor(name, 'operational'));
      case 'missing-indicator':
        return sendJson(res, 200, { page: { name }, components: [] });
      default:
        return sendJson(res, 200, summaryFor(name, mode));
    }
  });
  // defineProperties, not Object.assign: assign would copy the getters' values once instead of the getters.
  return Object.defineProperties(peer, {
    setMode: { value: (m: StatuspageMode) => void (mode = m) },
    mode: { get: () => mode },
    hits: { get: () => state.hits },
  }) as StatuspagePeer;
}
