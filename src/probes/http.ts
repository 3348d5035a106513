import type { HttpTarget } from '../config/config.js';
import { classify } from './classify.js';
import { CUT_BODY, httpExchange, parseJsonBody, statusError, excerpt } from './http-client.js';
import type { ProbeContext, ProbeResult } from './types.js';

/** The app's own health endpoint: GET, expected status, optional JSON field check. */
export async function probeHttp(target: HttpTarget, ctx: ProbeContext): Promise<ProbeResult> {
  const a = await httpExchange({
    url: target.url,
    method: target.method,
    headers: { accept: 'application/json, text/plain;q=0.9, */*;q=0.5', ...target.headers },
    signal: ctx.signal,
    dispatcher: ctx.dispatcher,
    timeoutMs: ctx.timeoutMs,
  });
  if (!a.ok) return classify({ latencyMs: null, error: a.error, degradedMs: ctx.degradedMs, phases: a.phases });
  const details: Record<string, unknown> = { httpStatus: a.status };
  // A body cut at the cap is not a whole answer: the right status alone does not make it up.
  if (a.truncated) details.truncated = true;
  const done = (error: Parameters<typeof classify>[0]['error']) =>
    classify({ latencyMs: a.latencyMs, error, details, degradedMs: ctx.degradedMs, phases: a.phases, degradedReason: a.truncated ? CUT_BODY : null });

  if (a.status !== target.expectStatus) {
    const err = statusError(a);
    // An unexpected 2xx/3xx is still a wrong answer, not "up".
    return done(err.kind === 'http' ? { ...err, message: `${err.message}, expected ${target.expectStatus}` } : err);
  }
  if (!target.expectJson) {
    details.bodyExcerpt = excerpt(a.text, 120);
    return done(null);
  }
  const parsed = parseJsonBody(a);
  if (!parsed.ok) return done(parsed.error);
  const actual = pick(parsed.json, target.expectJson.path);
  details.field = { path: target.expectJson.path, value: actual };
  if (actual !== target.expectJson.equals) {
    return done({
      kind: 'bad_response',
      message: `${target.expectJson.path} is ${JSON.stringify(actual) ?? 'missing'}, expected ${JSON.stringify(target.expectJson.equals)}`,
      httpStatus: a.status,
      evidence: excerpt(a.text),
    });
  }
  return done(null);
}

function pick(json: unknown, path: string): unknown {
  let cur = json;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}
