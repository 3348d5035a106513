/**
 * The Analytics Data API v1beta's REST contract, read from the .proto files @google-analytics/data ships (google/api/*
 * from google-gax's protos folder) with protobufjs: the routes from each method's `google.api.http` annotation, strict
 * proto3 JSON decoding of request bodies, encoding of answers through the response message, and Google's JSON error
 * envelope. Only the GA peer loads this; the console's GA client never parses a .proto file.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';

const SERVICE = 'google.analytics.data.v1beta.BetaAnalyticsData';

/** A google.rpc.Code name the peer answers with. */
export type GaStatus =
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'RESOURCE_EXHAUSTED'
  | 'UNIMPLEMENTED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

/** A refusal: the status name and Google's message; `violations` become a google.rpc.BadRequest detail. */
export interface GaFailure {
  status: GaStatus;
  details: string;
  violations?: { field?: string; description: string }[];
}

/** HTTP status per google.rpc.Code (https://cloud.google.com/apis/design/errors#http_mapping). */
const HTTP_OF: Record<GaStatus, number> = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  RESOURCE_EXHAUSTED: 429,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** The JSON error envelope Google's REST APIs answer with (google.rpc.Status in JSON), and its HTTP status. */
export function errorEnvelope(f: GaFailure): { httpStatus: number; body: object } {
  const httpStatus = HTTP_OF[f.status];
  const details = f.violations ? [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: f.violations }] : undefined;
  return { httpStatus, body: { error: { code: httpStatus, message: f.details, status: f.status, ...(details ? { details } : {}) } } };
}

/** One REST route: the method, its verb and path pattern, and the message types. */
export interface GaRoute {
  method: string;
  verb: string;
  /** Matches the path; its one group is the field the template binds. */
  pattern: RegExp;
  /** The request field the path binds (`property`). */
  field: string;
  request: protobuf.Type;
  response: protobuf.Type;
}

let loaded: { routes: GaRoute[] } | null = null;

/** The service's REST routes, from each method's `option (google.api.http)`. Loaded once per process. */
export function gaRoutes(): GaRoute[] {
  if (loaded) return loaded.routes;
  const require = createRequire(import.meta.url);
  const gaProtos = join(dirname(require.resolve('@google-analytics/data/package.json')), 'build', 'protos');
  // google-gax's exports hide package.json; its entry is build/src/index.js, its protos build/protos.
  const gaxProtos = join(dirname(require.resolve('google-gax')), '..', 'protos');
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => {
    for (const dir of [gaProtos, gaxProtos]) if (existsSync(join(dir, target))) return join(dir, target);
    return protobuf.util.path.resolve(origin, target);
  };
  root.loadSync('google/analytics/data/v1beta/analytics_data_api.proto', { keepCase: false });
  root.resolveAll();
  const service = root.lookupService(SERVICE);
  const routes: GaRoute[] = [];
  for (const m of Object.values(service.methods)) {
    const opts = (m.options ?? {}) as Record<string, unknown>;
    const verb = (['get', 'post', 'patch', 'put', 'delete'] as const).find((v) => typeof opts[`(google.api.http).${v}`] === 'string');
    if (!verb) continue;
    const template = opts[`(google.api.http).${verb}`] as string;
    // "/v1beta/{property=properties/*}:runReport": one bound field whose segments are literals or single wildcards.
    const bound = /^(.*)\{(\w+)=([^}]+)\}(.*)$/.exec(template);
    if (!bound) continue;
    const [, before, field, inner, after] = bound as unknown as [string, string, string, string, string];
    const innerRe = inner.split('/').map((seg) => (seg === '*' ? '[^/:]+' : escape(seg))).join('/');
    routes.push({
      method: m.name,
      verb: verb.toUpperCase(),
      pattern: new RegExp(`^${escape(before)}(${innerRe})${escape(after)}$`),
      field: camel(field),
      request: m.resolvedRequestType!,
      response: m.resolvedResponseType!,
    });
  }
  loaded = { routes };
  return routes;
}

/** The route for a request line, with the path-bound value; null when none matches. */
export function matchRoute(verb: string, path: string): { route: GaRoute; bound: string } | null {
  for (const route of gaRoutes()) {
    const m = route.pattern.exec(path);
    if (m && route.verb === verb) return { route, bound: decodeURIComponent(m[1]!) };
  }
  return null;
}

/**
 * A JSON body → the request as a plain object (int64 as strings, enums as names), or Google's refusal. Stricter than
 * protobufjs's fromObject, which drops what it does not know: Google's JSON parser refuses an unknown name with
 * `Invalid JSON payload received. Unknown name "x" at 'a.b[0]': Cannot find field.` (400 INVALID_ARGUMENT, a
 * google.rpc.BadRequest detail; the wording seen in Google API answers, e.g. github.com/mnfst/llm-gateway/issues/1858)
 * and a value of the wrong type with `Invalid value at 'limit' (TYPE_INT64), "abc"`.
 */
export function decodeRequest(route: GaRoute, text: string, bound: string): { ok: true; request: Record<string, unknown> } | { ok: false; failure: GaFailure } {
  let json: unknown;
  try {
    json = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return { ok: false, failure: { status: 'INVALID_ARGUMENT', details: 'Invalid JSON payload received. Unexpected token.' } };
  }
  if (!isObject(json)) return { ok: false, failure: { status: 'INVALID_ARGUMENT', details: `Invalid JSON payload received. Expected an object, got ${JSON.stringify(json).slice(0, 40)}.` } };
  const problem = check(route.request, json, '');
  if (problem) return { ok: false, failure: { status: 'INVALID_ARGUMENT', details: problem.message, violations: [{ ...(problem.field ? { field: problem.field } : {}), description: problem.message }] } };
  const message = route.request.fromObject({ ...json, [route.field]: bound });
  const request = route.request.toObject(message, { longs: String, enums: String, defaults: false }) as Record<string, unknown>;
  return { ok: true, request };
}

/** An answer in proto3 JSON, through the response message: a field outside the contract is a peer bug, thrown. */
export function encodeResponse(route: GaRoute, body: object): unknown {
  const message = route.response.fromObject(body);
  const invalid = route.response.verify(message);
  if (invalid) throw new Error(`the GA peer built an invalid ${route.response.name}: ${invalid}`);
  const unknown = check(route.response, body as Record<string, unknown>, '');
  if (unknown) throw new Error(`the GA peer built an invalid ${route.response.name}: ${unknown.message}`);
  return route.response.toObject(message, { longs: String, enums: String, defaults: false });
}

const INT = /^-?\d+$/;
const SCALARS: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  bytes: (v) => typeof v === 'string',
  bool: (v) => typeof v === 'boolean',
  double: (v) => typeof v === 'number' || (typeof v === 'string' && !Number.isNaN(Number(v))),
  float: (v) => typeof v === 'number' || (typeof v === 'string' && !Number.isNaN(Number(v))),
};

/** The first thing Google's JSON parser would refuse in `json` as a `type`, with its field path; null when none. */
function check(type: protobuf.Type, json: Record<string, unknown>, at: string): { message: string; field: string } | null {
  for (const [key, value] of Object.entries(json)) {
    const field = type.fields[key] ?? type.fields[camel(key)];
    if (!field) return { message: `Invalid JSON payload received. Unknown name ${JSON.stringify(key)}${at ? ` at '${at}'` : ''}: Cannot find field.`, field: at };
    if (value === null) continue;
    const path = `${at ? `${at}.` : ''}${snake(field.name)}`;
    if (field.repeated) {
      if (!Array.isArray(value)) return invalidValue(field, path, value);
      for (let i = 0; i < value.length; i++) {
        const p = checkValue(field, value[i], `${path}[${i}]`);
        if (p) return p;
      }
    } else {
      const p = checkValue(field, value, path);
      if (p) return p;
    }
  }
  return null;
}

function checkValue(field: protobuf.Field, value: unknown, path: string): { message: string; field: string } | null {
  const t = field.resolvedType;
  if (t instanceof protobuf.Type) return isObject(value) ? check(t, value, path) : invalidValue(field, path, value);
  if (t instanceof protobuf.Enum) return (typeof value === 'string' && value in t.values) || (typeof value === 'number' && Number.isInteger(value)) ? null : invalidValue(field, path, value);
  const scalar = SCALARS[field.type];
  if (scalar) return scalar(value) ? null : invalidValue(field, path, value);
  // The integer types: a JSON number or a decimal string (proto3 JSON writes 64-bit ones as strings).
  return (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && INT.test(value)) ? null : invalidValue(field, path, value);
}

function invalidValue(field: protobuf.Field, path: string, value: unknown): { message: string; field: string } {
  const t = field.resolvedType;
  const kind = t ? `type.googleapis.com/${t.fullName.slice(1)}` : `TYPE_${field.type.toUpperCase()}`;
  return { message: `Invalid value at '${path}' (${kind}), ${JSON.stringify(value)?.slice(0, 60)}`, field: path };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
