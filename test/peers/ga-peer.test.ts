import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gaRoutes } from '../../src/peers/ga-contract.js';
import { startGaPeer, type GaPeer } from '../../src/peers/ga-peer.js';

/** POSTs `body` (an object, or raw text) to the peer and returns the status, content type and parsed body. */
async function post(peer: GaPeer, path: string, body: unknown, method = 'POST') {
  const res = await fetch(`${peer.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(method === 'GET' ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // an HTML page
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', json, text };
}

const small = { metrics: [{ name: 'activeUsers' }], dateRanges: [{ startDate: 'today', endDate: 'today' }], limit: '1', returnPropertyQuota: true };

describe('the GA peer is as strict as the Analytics Data API on its REST surface', () => {
  let peer: GaPeer;
  beforeAll(async () => {
    peer = await startGaPeer();
  });
  afterAll(async () => {
    await peer.close();
  });

  it('routes by the .proto google.api.http annotations', () => {
    const routes = gaRoutes().map((r) => `${r.verb} ${r.method} ${r.field}`);
    expect(routes).toEqual(expect.arrayContaining(['POST RunReport property', 'POST RunRealtimeReport property', 'GET GetMetadata name']));
    const runReport = gaRoutes().find((r) => r.method === 'RunReport')!;
    expect(runReport.pattern.exec('/v1beta/properties/42:runReport')?.[1]).toBe('properties/42');
    expect(runReport.pattern.test('/v1beta/properties/42/x:runReport')).toBe(false);
  });

  it('answers a RunReport in proto3 JSON: lowerCamelCase, enums as names, only the contract\'s fields', async () => {
    const r = await post(peer, '/v1beta/properties/123:runReport', small);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      metricHeaders: [{ name: 'activeUsers', type: 'TYPE_INTEGER' }],
      rows: [{ metricValues: [{ value: '42' }] }],
      rowCount: 1,
      propertyQuota: { tokensPerHour: { consumed: 5 } },
      kind: 'analyticsData#runReport',
    });
    expect(peer.calls.at(-1)).toMatchObject({ property: 'properties/123', limit: '1', path: '/v1beta/properties/123:runReport', authorized: false });
  });

  it('takes the proto field names (snake_case) as Google\'s JSON parser does', async () => {
    const r = await post(peer, '/v1beta/properties/123:runReport', { metrics: [{ name: 'activeUsers' }], date_ranges: [{ start_date: 'today', end_date: 'today' }] });
    expect(r.status).toBe(200);
  });

  it.each<[string, unknown, string]>([
    ['an unknown top-level field', { ...small, foo: 1 }, 'Invalid JSON payload received. Unknown name "foo": Cannot find field.'],
    ['an unknown nested field', { ...small, metrics: [{ name: 'activeUsers', bar: true }] }, 'Invalid JSON payload received. Unknown name "bar" at \'metrics[0]\': Cannot find field.'],
    ['a string where an int64 goes', { ...small, limit: 'abc' }, 'Invalid value at \'limit\' (TYPE_INT64), "abc"'],
    ['an unknown enum name', { ...small, metricAggregations: ['SUMMED'] }, 'Invalid value at \'metric_aggregations[0]\' (type.googleapis.com/google.analytics.data.v1beta.MetricAggregation), "SUMMED"'],
    ['an object where a list goes', { ...small, metrics: { name: 'activeUsers' } }, 'Invalid value at \'metrics\' (type.googleapis.com/google.analytics.data.v1beta.Metric), {"name":"activeUsers"}'],
    ['a body that is not JSON', '{"metrics": [', 'Invalid JSON payload received. Unexpected token.'],
  ])('refuses %s with 400 INVALID_ARGUMENT in Google\'s error envelope', async (_name, body, message) => {
    const before = peer.calls.length;
    const r = await post(peer, '/v1beta/properties/123:runReport', body);
    expect(r.status).toBe(400);
    expect(r.type).toContain('application/json');
    expect(r.json).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT', message } });
    // Refused before the report logic: no call recorded, no tokens spent.
    expect(peer.calls.length).toBe(before);
  });

  it('names the field of a refused value in a google.rpc.BadRequest detail', async () => {
    const r = await post(peer, '/v1beta/properties/123:runReport', { ...small, dimensionFilter: { filter: { fieldName: 'eventName', typo: 1 } } });
    expect(r.json).toMatchObject({
      error: {
        details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'dimension_filter.filter', description: expect.stringContaining('Unknown name "typo"') }] }],
      },
    });
  });

  it('keeps the report refusals (property, names, dates) as envelopes', async () => {
    const bad = await post(peer, '/v1beta/properties/abc:runReport', small);
    expect(bad.json).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT', message: 'Invalid property: "properties/abc". Expected properties/<numeric id>.' } });
    const name = await post(peer, '/v1beta/properties/123:runRealtimeReport', { metrics: [{ name: 'ecommercePurchases' }] });
    expect(name.status).toBe(400);
    expect((name.json as { error: { message: string } }).error.message).toMatch(/^Field ecommercePurchases is not a valid metric\./);
  });

  it('answers each failure mode with its HTTP status', async () => {
    const seen: Record<string, [number, string]> = {};
    for (const mode of ['exhausted', 'denied', 'unauthenticated', 'unavailable'] as const) {
      peer.setMode(mode);
      const r = await post(peer, '/v1beta/properties/123:runReport', small);
      seen[mode] = [r.status, (r.json as { error: { status: string } }).error.status];
    }
    peer.setMode('healthy');
    expect(seen).toEqual({
      exhausted: [429, 'RESOURCE_EXHAUSTED'],
      denied: [403, 'PERMISSION_DENIED'],
      unauthenticated: [401, 'UNAUTHENTICATED'],
      unavailable: [503, 'UNAVAILABLE'],
    });
  });

  it('answers an unknown URL or verb with an HTML 404, as Google\'s front end does; a method it does not serve with 501', async () => {
    const unknown = await post(peer, '/v1beta/properties/123:runReports', small);
    expect([unknown.status, unknown.type]).toEqual([404, 'text/html; charset=UTF-8']);
    expect(unknown.text).toContain('Error 404 (Not Found)');
    const get = await post(peer, '/v1beta/properties/123:runReport', null, 'GET');
    expect(get.status).toBe(404);
    const pivot = await post(peer, '/v1beta/properties/123:runPivotReport', {});
    expect(pivot.json).toMatchObject({ error: { code: 501, status: 'UNIMPLEMENTED' } });
  });
});
