import { startPeer, sendJson, sendTruncatedJson, type Peer } from './serve.js';

export type StatuspageMode = 'operational' | 'minor' | 'major' | 'critical' | 'maintenance' | 'html502' | 'http429' | 'truncated' | 'hang' | 'missing-indicator';

/** An Atlassian Statuspage-style vendor page serving /api/v2/summary.json in the documented shape. */
export interface StatuspagePeer extends Peer {
  setMode(mode: StatuspageMode): void;
  readonly mode: StatuspageMode;
  hits: number;
}

const DESCRIPTION: Record<string, string> = {
  none: 'All Systems Operational',
  minor: 'Minor Service Outage',
  major: 'Partial System Outage',
  critical: 'Major System Outage',
  maintenance: 'Service Under Maintenance',
};

/** Builds a summary.json body for an indicator, with components and incidents to match. */
export function summaryFor(name: string, indicator: 'none' | 'minor' | 'major' | 'critical' | 'maintenance') {
  const now = new Date().toISOString();
  const componentStatus = { none: 'operational', minor: 'degraded_performance', major: 'partial_outage', critical: 'major_outage', maintenance: 'under_maintenance' }[indicator];
  return {
    page: { id: 'kctbh9vrtdwd', name, url: `https://www.${name.toLowerCase().replace(/\s+/g, '')}.com`, time_zone: 'Etc/UTC', updated_at: now },
    components: [
      { id: 'c1', name: 'Admin', status: 'operational', created_at: now, updated_at: now, position: 1, description: null, showcase: false, start_date: null, group_id: null, page_id: 'kctbh9vrtdwd', group: false, only_show_if_degraded: false },
      { id: 'c2', name: 'API & Mobile', status: componentStatus, created_at: now, updated_at: now, position: 2, description: null, showcase: false, start_date: null, group_id: null, page_id: 'kctbh9vrtdwd', group: false, only_show_if_degraded: false },
      { id: 'g1', name: 'Checkout', status: componentStatus, created_at: now, updated_at: now, position: 3, description: null, showcase: false, start_date: null, group_id: null, page_id: 'kctbh9vrtdwd', group: true, only_show_if_degraded: false, components: ['c2'] },
    ],
    incidents:
      indicator === 'none'
        ? []
        : [
            {
              id: 'inc1',
              name: indicator === 'maintenance' ? 'Scheduled database maintenance' : 'Elevated API error rates',
              status: indicator === 'maintenance' ? 'in_progress' : 'investigating',
              created_at: now,
              updated_at: now,
              monitoring_at: null,
              resolved_at: null,
              impact: indicator === 'maintenance' ? 'maintenance' : indicator,
              shortlink: 'https://stspg.io/abc123',
              started_at: now,
              page_id: 'kctbh9vrtdwd',
              incident_updates: [],
              components: [],
            },
            { id: 'inc0', name: 'Yesterday: webhooks delayed', status: 'resolved', created_at: now, updated_at: now, impact: 'minor', shortlink: 'https://stspg.io/old' },
          ],
    scheduled_maintenances: [],
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
        return sendTruncatedJson(res, summaryFor(name, 'none'));
      case 'missing-indicator':
        return sendJson(res, 200, { page: { name }, components: [] });
      case 'operational':
        return sendJson(res, 200, summaryFor(name, 'none'));
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
