// The journal's fast reader against a reference: the file decoded whole, split into lines and every line
// read with JSON.parse, as the journal did before it read bytes by hand. Every record shape and the ways a
// line can go wrong, loaded whole and from various times, after appends, replacements and truncation.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { journalPath, openJournal, type Journal, type JournalHistory } from '../../src/journal/journal.js';

const T0 = Date.UTC(2026, 9, 13, 14);
const H = 3_600_000;
const CONFIG = '/srv/launch/pitwall.yaml';

// ---------------------------------------------------------------- the reference

type RefRec =
  | { kind: 'sample'; id: string; sample: Record<string, unknown>; evidence?: unknown }
  | { kind: 'event'; event: { at: number } }
  | { kind: 'opened'; blocker: { id: unknown; openedAt: number } }
  | { kind: 'resolved'; resolved: { id: unknown; at: number } }
  | { kind: 'report'; summary: { at: number } }
  | { kind: 'era'; era: { targetId: string; at: number; era: string; protocolVersion?: string } }
  | { kind: 'header' };

const STATUS = ['up', 'degraded', 'down'];

function refParse(line: string): RefRec | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (Array.isArray(v)) {
    const [id, at, st, lat, kind, msg, head, ev, apart, remeasured] = v as unknown[];
    if (typeof id !== 'string' || typeof at !== 'number' || typeof st !== 'number' || !STATUS[st]) return null;
    // The one change from before: a headroom entry that is not an array made load() throw; now the line is skipped.
    if (Array.isArray(head) && !head.every(Array.isArray)) return null;
    const sample: Record<string, unknown> = { at, status: STATUS[st], latencyMs: typeof lat === 'number' ? lat : null };
    if (typeof kind === 'string') sample.errorKind = kind;
    if (typeof msg === 'string') sample.message = msg;
    if (Array.isArray(head)) sample.headroom = (head as [string, number, number][]).map(([name, remaining, limit]) => ({ name, remaining, limit }));
    // Since samples are kept apart: "cold" or "stalled", then a count of re-measures; anything else there is ignored.
    if (apart === 'cold' || apart === 'stalled') sample.apart = apart;
    if (typeof remeasured === 'number' && Number.isInteger(remeasured) && remeasured > 0) sample.remeasured = remeasured;
    return ev && typeof ev === 'object' ? { kind: 'sample', id, sample, evidence: ev } : { kind: 'sample', id, sample };
  }
  if (v === null || typeof v !== 'object') return null;
  const o = v as Record<string, never>;
  if (o.ev && typeof o.ev === 'object') return { kind: 'event', event: o.ev };
  if (o.bo && typeof o.bo === 'object') return { kind: 'opened', blocker: o.bo };
  if (o.br && typeof o.br === 'object') return { kind: 'resolved', resolved: o.br };
  if (o.rp && typeof o.rp === 'object') return { kind: 'report', summary: o.rp };
  if (o.er && typeof o.er === 'object') {
    const e = o.er as Record<string, unknown>;
    if (typeof e.targetId !== 'string' || typeof e.at !== 'number' || typeof e.era !== 'string') return null;
    return { kind: 'era', era: { targetId: e.targetId, at: e.at, era: e.era, ...(typeof e.protocolVersion === 'string' ? { protocolVersion: e.protocolVersion } : {}) } };
  }
  if (o.journal !== undefined) return { kind: 'header' };
  return null;
}

const refAt = (r: RefRec): number | null =>
  r.kind === 'sample'
    ? (r.sample.at as number)
    : r.kind === 'event'
      ? r.event.at
      : r.kind === 'opened'
        ? r.blocker.openedAt
        : r.kind === 'resolved'
          ? r.resolved.at
          : r.kind === 'report'
            ? r.summary.at
            : r.kind === 'era'
              ? r.era.at
              : null;

/** Each target's latest era record before `before`, by time (a tie: the later line), as [index, record]. */
function refErasBefore<T extends { era: { targetId: string; at: number } }>(list: T[], before: number): Map<string, T> {
  const latest = new Map<string, T>();
  for (const e of list) if (e.era.at < before && !(e.era.at < (latest.get(e.era.targetId)?.era.at ?? -Infinity))) latest.set(e.era.targetId, e);
  return latest;
}

function referenceLoad(bytes: Buffer, sinceMs = -Infinity): unknown {
  const out = {
    samples: {} as Record<string, { at: number }[]>,
    events: [] as { at: number }[],
    blockers: [] as unknown[],
    evidence: {} as Record<string, unknown>,
    reports: [] as { at: number }[],
    eras: [] as { at: number }[],
    skipped: 0,
  };
  const open = new Map<unknown, { openedAt: number }>();
  const eras: { era: { targetId: string; at: number } }[] = [];
  for (const line of bytes.toString('utf8').split('\n')) {
    if (line === '') continue;
    const r = refParse(line);
    if (!r) out.skipped++;
    else if (r.kind === 'sample') {
      if (r.evidence) out.evidence[r.id] = { at: r.sample.at, evidence: r.evidence };
      if ((r.sample.at as number) >= sinceMs) (out.samples[r.id] ??= []).push(r.sample as { at: number });
    } else if (r.kind === 'event' && r.event.at >= sinceMs) out.events.push(r.event);
    else if (r.kind === 'opened') open.set(r.blocker.id, r.blocker);
    else if (r.kind === 'resolved') open.delete(r.resolved.id);
    else if (r.kind === 'report') out.reports.push(r.summary);
    else if (r.kind === 'era') eras.push({ era: r.era });
  }
  // The eras at or after the time asked for, and the one each target was in then.
  const before = new Set(refErasBefore(eras, sinceMs).values());
  out.eras = eras.filter((e) => e.era.at >= sinceMs || before.has(e)).map((e) => e.era).sort((a, b) => a.at - b.at);
  for (const list of Object.values(out.samples)) {
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.at < list[i - 1]!.at) {
        list.sort((a, b) => a.at - b.at);
        break;
      }
    }
  }
  out.events.sort((a, b) => a.at - b.at);
  out.reports.sort((a, b) => a.at - b.at);
  out.blockers = [...open.values()].sort((a, b) => a.openedAt - b.openedAt);
  return out;
}

function referenceCompact(text: string, cutoff: number): string {
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  const keep = [JSON.stringify({ journal: 1, config: CONFIG })];
  const open = new Map<unknown, string>();
  const evidenceLine = new Map<string, { index: number; line: string }>();
  const eras: { era: { targetId: string; at: number }; line: string }[] = [];
  const kept: (string | null)[] = [];
  for (const line of lines) {
    const r = refParse(line);
    if (!r || r.kind === 'header') continue;
    if (r.kind === 'opened') open.set(r.blocker.id, line);
    if (r.kind === 'resolved') open.delete(r.resolved.id);
    if (r.kind === 'sample' && r.evidence) evidenceLine.set(r.id, { index: kept.length, line });
    if (r.kind === 'era') eras.push({ era: r.era, line });
    const at = refAt(r)!;
    kept.push(at >= cutoff && r.kind !== 'opened' ? line : null);
  }
  for (const line of open.values()) keep.push(line);
  for (const { index, line } of evidenceLine.values()) if (kept[index] === null) keep.push(line);
  for (const { line } of refErasBefore(eras, cutoff).values()) keep.push(line);
  for (const line of kept) if (line !== null) keep.push(line);
  if (tail && refParse(tail)) keep.push(tail);
  return `${keep.join('\n')}\n`;
}

// ---------------------------------------------------------------- journals with every shape

/** A seeded PRNG (mulberry32), so every run writes the same journal. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const at = (m: number) => T0 + m * 60_000;

/** Lines our writer produces, and lines it does not but JSON.parse reads (or rejects) all the same. */
function edgeLines(): (string | Buffer)[] {
  const evidence = { httpStatus: 503, evidence: '{"status":"error","checks":{"db":"down"}}\n<h1>503</h1>', subChecks: [{ name: 'a', status: 'down' }] };
  return [
    // What the writer writes
    `["app",${at(0)},0,123.4]`,
    `["app",${at(1)},0,12]`,
    `["app",${at(2)},2,null,"timeout","no answer within 5000 ms"]`,
    `["app",${at(3)},2,null,"http","HTTP 503, expected 200",null,${JSON.stringify(evidence)}]`,
    `["shop",${at(3)},0,88.8,null,null,[["throttle",980,1000]]]`,
    `["shop",${at(4)},1,2100.5,null,"slow: 2100 ms over 2000 ms",[["throttle",40,1000],["cost",1.5,50]]]`,
    `["shop",${at(5)},1,2100,"slow","said \\"no\\", then \\\\ and \\n and \\u2028 and é…"]`,
    `["shop",${at(5)},2,null,"protocol","",[]]`,
    `{"ev":{"type":"transition","at":${at(2)},"targetId":"app","from":"up","to":"down","errorKind":"timeout","message":"a \\"quoted\\", message"}}`,
    `{"ev":{"type":"notice","at":${at(4)},"level":"info","message":"café ✓ 🚀","nested":{"at":1,"list":[1,-2.5e3,true,false,null,"x"]}}}`,
    `{"bo":{"id":"B-1","targetId":"app","openedAt":${at(-600)},"note":"old, still open"}}`,
    `{"bo":{"id":"B-2","targetId":"app","openedAt":${at(2)},"note":"short"}}`,
    `{"br":{"id":"B-2","targetId":"app","at":${at(6)}}}`,
    `{"br":{"id":"B-never-opened","targetId":"app","at":${at(6)}}}`,
    `{"rp":{"hourStart":${at(-60)},"hourEnd":${at(0)},"at":${at(1)},"partial":false,"overall":"up","targets":{},"openBlockers":["B-1"]}}`,
    `{"rp":{"hourStart":${at(-120)},"hourEnd":${at(-60)},"at":${at(-59)},"partial":true,"overall":null,"targets":{},"openBlockers":[]}}`,
    `{"journal":1,"config":"/another/header.yaml"}`,
    // Kept apart (cold start, stall), re-measured, and MCP eras: what the writer writes since samples are kept apart
    `["app",${at(0)},0,700.2,null,null,null,null,"cold"]`,
    `["app",${at(1)},0,40,null,null,null,null,"stalled",2]`,
    `["app",${at(1)},0,12.5,null,null,null,null,null,1]`,
    `["shop",${at(6)},1,2100,null,"slow",[["throttle",40,1000]],null,"cold"]`,
    `["app",${at(3)},1,2300,"http","HTTP 429",null,{"httpStatus":429},"stalled",3]`,
    `{"er":{"targetId":"mcp-docs","at":${at(-900)},"era":"legacy (initialize handshake)","protocolVersion":"2025-11-25"}}`,
    `{"er":{"targetId":"mcp-docs","at":${at(4)},"era":"modern (stateless, server/discover)","protocolVersion":"2026-07-28"}}`,
    `{"er":{"targetId":"mcp-docs","at":${at(4)},"era":"legacy (initialize handshake)"}}`,
    `{"er":{"targetId":"mcp-fly","at":${at(9)},"era":"legacy (initialize handshake)","protocolVersion":7}}`,
    // …and what it does not write, read as JSON.parse reads it
    `["apart-odd",${at(8)},0,5,null,null,null,null,"warm"]`,
    `["apart-odd",${at(8)},0,5,null,null,null,null,"c\u006fld"]`,
    `["apart-odd",${at(8)},0,5,null,null,null,null,7]`,
    `["apart-odd",${at(8)},0,5,null,null,null,null,"COLD"]`,
    `["apart-odd",${at(8)},0,5,null,null,null,null,"cold",0]`,
    `["apart-odd",${at(8)},0,5,null,null,null,null,"cold",-2]`,
    `["apart-odd",${at(8)},0,5,null,null,null,null,"cold",2.5]`,
    `["apart-odd",${at(8)},0,5,null,null,null,null,"cold",2.0]`,
    `["apart-odd",${at(8)},0,5,null,null,null,null,"cold",2e0]`,
    `["apart-odd",${at(8)},0,5,null,null,null,null,"stalled","2"]`,
    `["apart-odd",${at(8)},0,5,null,null,null,null,"stalled",2,"tenth"]`,
    `["apart-odd",${at(8)},0,5,null,null,null,null,"stalled",12345678901234567890]`,
    `["apart-odd",${at(8)},0,5,null,null,null,[1],"cold"]`,
    `{"er":{"targetId":"mcp-odd","at":"${at(9)}","era":"legacy"}}`,
    `{"er":{"at":${at(9)},"era":"legacy"}}`,
    `{"er":{"targetId":"mcp-odd","at":${at(9)}}}`,
    `{"er":null}`,
    // Numbers as JSON writes them, and as it may
    `["num",${at(7)},0,0]`,
    `["num",${at(7)},0,-0]`,
    `["num",${at(7)},0,-0.0]`,
    `["num",${at(7)},0,0.1]`,
    `["num",${at(7)},0,123.45600]`,
    `["num",${at(7)},0,1e3]`,
    `["num",${at(7)},0,2.5E-3]`,
    `["num",${at(7)},0,12345678901234567]`,
    `["num",${at(7)},0,0.30000000000000004]`,
    `["num",${at(7)},0,1.7976931348623157e308]`,
    `["num",${at(7)},0,999999999999999.9]`,
    `["num",${at(7)}.5,0,1]`,
    `["num",${at(7)},0,-12.5]`,
    `["num",-5,0,1]`,
    `["num",${at(7)}e0,0,1]`,
    // Ids and text the fast path leaves to JSON.parse
    `["ünïcødé-id",${at(8)},0,5]`,
    `["quo\\"te\\",id",${at(8)},0,5]`,
    `["",${at(8)},0,5]`,
    `["tab\\tid",${at(8)},0,5]`,
    `[ "spaced" , ${at(8)} , 0 , 5 ]`,
    `["trailing-space",${at(8)},0,5] `,
    `["crlf",${at(8)},0,5]\r`,
    `["ninth",${at(8)},0,5,null,null,null,null,null]`,
    `["ev-array",${at(8)},2,null,null,null,null,[1,2]]`,
    `["ev-string",${at(8)},2,null,null,null,null,"text"]`,
    `["ev-then-more",${at(8)},2,null,null,null,null,{"a":1},7]`,
    `["no-latency",${at(8)},0]`,
    `["lat-string",${at(8)},0,"12"]`,
    `["kind-number",${at(8)},2,null,5,"m"]`,
    `["head-short",${at(8)},0,1,null,null,[["x",1]]]`,
    `["head-obj",${at(8)},0,1,null,null,[{"name":"x"}]]`,
    `["head-esc",${at(8)},0,1,null,null,[["thr\\u00f6ttle",1,2]]]`,
    // Not records: skipped
    `["app",${at(9)},3,1]`,
    `["app","${at(9)}",0,1]`,
    `["app",0${at(9)},0,1]`,
    `["app",${at(9)},0,01]`,
    `["app",${at(9)},0,1.]`,
    `["app",${at(9)},0,.5]`,
    `["app",${at(9)},0,1`,
    `["app",${at(9)},0,1]]`,
    `["app",${at(9)},0,1]["app",${at(9)},0,2]`,
    `["raw\ttab",${at(9)},0,1]`,
    `["app",${at(9)},0,nul]`,
    `{"ev":null}`,
    `{"ev":{"at":1,}}`,
    `{"ev":{"at":1}`,
    `{}`,
    `[]`,
    `null`,
    `123`,
    `garbage`,
    '',
    `\ufeff["bom",${at(9)},0,1]`,
    // Events whose time JSON.parse reads differently from a plain "at"
    `{"ev":{"type":"notice","level":"info","message":"no time"}}`,
    `{"ev":{"type":"notice","at":"${at(9)}","level":"info","message":"time as text"}}`,
    `{"ev":{"type":"notice","at":${at(1)},"at":${at(9)},"level":"info","message":"last at wins"}}`,
    `{"ev":{"type":"notice","\\u0061t":${at(9)},"level":"info","message":"escaped key"}}`,
    `{"ev":{"type":"notice","at":${at(9)}e0,"level":"info","message":"exponent"}}`,
    `{"ev":{ "type" : "paused" , "at" : ${at(9)} }}`,
    `{"ev":{"type":"paused","at":${at(9)}},"other":1}`,
    `{"ev":[1,2]}`,
    `{"ev":{"type":"rerun","at":${at(9)},"attempts":3,"a":1,"atx":2}}`,
    `{"ev":{"type":"paused","at":${at(9)}}}}`,
    `{"ev":{"type":"notice","at":${at(9)},"level":"info","message":"raw	tab"}}`,
    `["app",${at(9)},2,null,"http","m",null,{"evidence":"raw	tab"}]`,
    `{"ev":{"type":"resumed","at":${at(9)},"deep":${'['.repeat(100)}${']'.repeat(100)}}}`,
    // Bytes that are not UTF-8, in and out of strings
    Buffer.concat([Buffer.from(`["app",${at(10)},2,null,"http","bad `), Buffer.from([0xff, 0xc3]), Buffer.from(` bytes"]`)]),
    Buffer.concat([Buffer.from('["bad-id-'), Buffer.from([0xe2, 0x80]), Buffer.from(`",${at(10)},0,1]`)]),
    Buffer.concat([Buffer.from(`["app",${at(10)},0,1]`), Buffer.from([0xc3])]),
    Buffer.concat([Buffer.from(`{"ev":{"type":"notice","at":${at(10)},"level":"info","message":"`), Buffer.from([0xf0, 0x9f]), Buffer.from('"}}')]),
  ];
}

/** A journal's worth of ordinary lines: samples mostly in time order, the odd one late (two processes). */
function ordinaryLines(n: number, seed: number, from = 0): string[] {
  const rand = seeded(seed);
  const ids = ['app-health-1', 'app-health-2', 'shopify-admin-1', 'chatwoot-1', 'github-status-1'];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = ids[i % ids.length]!;
    const t = T0 + (from + i) * 1000 - (rand() < 0.01 ? Math.round(rand() * 40 * H) : 0);
    const x = rand();
    const head = id.startsWith('shopify') ? `,[["throttle",${Math.round(rand() * 2000)},2000]]` : '';
    if (x < 0.01) out.push(`["${id}",${t},2,null,"timeout","no answer within 5000 ms"${head ? `${head},{"reason":"r ${i}"}` : ',null,{"code":"ETIMEDOUT"}'}]`);
    else if (x < 0.02) out.push(`{"ev":{"type":"transition","at":${t},"targetId":"${id}","from":"up","to":"down"}}`);
    else if (x < 0.025) out.push(`{"bo":{"id":"B-${i}","targetId":"${id}","openedAt":${t},"note":"n"}}`);
    else if (x < 0.03) out.push(`{"br":{"id":"B-${i - 1 - Math.floor(rand() * 50)}","targetId":"${id}","at":${t}}}`);
    else if (x < 0.032) out.push(`["${id}",${t},0,1`); // torn by a crash, then a fresh line
    else if (x < 0.034) out.push(`["${id}",${t},0,${Math.round(rand() * 90000) / 100}${head ? `,null,null${head}` : ',null,null,null'},null,"${x < 0.033 ? 'cold' : 'stalled'}"${x < 0.0335 ? '' : ',2'}]`);
    else if (x < 0.035) out.push(`{"er":{"targetId":"mcp-${i % 3}","at":${t},"era":"${rand() < 0.5 ? 'legacy (initialize handshake)' : 'modern (stateless, server/discover)'}"}}`);
    else out.push(`["${id}",${t},${x < 0.05 ? 1 : 0},${Math.round(rand() * 40000) / 100}${head ? `,null,null${head}` : ''}]`);
  }
  return out;
}

const toBytes = (lines: (string | Buffer)[]) => Buffer.concat(lines.map((l) => Buffer.concat([typeof l === 'string' ? Buffer.from(l) : l, Buffer.from('\n')])));

// ---------------------------------------------------------------- the tests

let dir: string;
const opened: Journal[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitwall-journal-lines-'));
});
afterEach(() => {
  for (const j of opened.splice(0)) j.close();
  rmSync(dir, { recursive: true, force: true });
});
function journal(now = () => T0): Journal {
  const j = openJournal({ dir, configPath: CONFIG, now });
  opened.push(j);
  return j;
}
const file = () => readFileSync(journalPath(dir, CONFIG));

/** Loads and checks against the reference: values (-0 included) and key order. */
function expectLikeReference(j: Journal, sinceMs?: number): JournalHistory {
  const got = j.load(sinceMs);
  const want = referenceLoad(file(), sinceMs);
  // Every sample read back through its target's columns, in order.
  const samples = Object.fromEntries(Object.entries(got.samples).map(([id, list]) => [id, list.slice()]));
  expect({ ...got, samples }).toStrictEqual(want);
  expect(JSON.stringify(got)).toBe(JSON.stringify(want));
  return got;
}

const SINCES = [undefined, -Infinity, at(-700), at(0), at(3), at(5), at(7), at(8), at(9), at(10), at(11), Infinity];

describe('journal: the fast reader reads what JSON.parse reads', () => {
  it('every record shape and every way a line can be wrong, from any time', () => {
    const j = journal();
    appendFileSync(j.path, toBytes(edgeLines()));
    for (const since of SINCES) expectLikeReference(j, since);
    // The same in a fresh journal for each time: nothing read before
    for (const since of SINCES) {
      const fresh = journal();
      expectLikeReference(fresh, since);
    }
    const h = j.load();
    expect(h.samples.num!.map((s) => s.latencyMs)).toContain(-0);
    expect(h.samples.shop!.at(2)!.message).toBe('said "no", then \\ and \n and \u2028 and é…');
  });

  it('a torn last line, then the rest of it, then more', () => {
    const j = journal();
    appendFileSync(j.path, toBytes(ordinaryLines(50, 1)));
    const line = `["app-health-1",${T0 + 99_000},2,null,"http","HTTP 503, expected 200"]\n`;
    appendFileSync(j.path, line.slice(0, 20));
    expect(expectLikeReference(j).skipped).toBeGreaterThan(0);
    expectLikeReference(j, T0 + 10_000);
    appendFileSync(j.path, line.slice(20, 40));
    expectLikeReference(j, T0 + 10_000);
    appendFileSync(j.path, line.slice(40));
    expectLikeReference(j, T0 + 10_000);
    expectLikeReference(j);
    // A blocker opened, then resolved, in a torn last line: open while torn, as JSON.parse sees it
    appendFileSync(j.path, `{"bo":{"id":"B-t","targetId":"app","openedAt":${T0},"note":"n"}}\n{"br":{"id":"B-t","targetId":"app","at":${T0}}`);
    expect(expectLikeReference(j).blockers.map((b) => b.id)).toContain('B-t');
    appendFileSync(j.path, '}\n');
    expect(expectLikeReference(j).blockers.map((b) => b.id)).not.toContain('B-t');
    // A whole record without its newline yet (another process mid-write) counts
    appendFileSync(j.path, `["app-health-1",${T0 + 100_000},0,1]`);
    expect(expectLikeReference(j).samples['app-health-1']!.at(-1)!.at).toBe(T0 + 100_000);
    appendFileSync(j.path, '\n');
    expectLikeReference(j);
  });

  it('a long journal read in spans, with late samples, from many times and after appends', () => {
    // Given about a megabyte of lines (several spans), some written late by a second process
    const j = journal();
    appendFileSync(j.path, toBytes(ordinaryLines(12_000, 2)));
    const times = [-Infinity, T0 - 50 * H, T0, T0 + 2 * H, T0 + 3 * H, T0 + 3.3 * H, T0 + 3.4 * H, Infinity];
    for (const since of times) expectLikeReference(j, since);
    // When more is appended, line by line and in bulk, every load still reads the same
    for (let k = 0; k < 5; k++) {
      appendFileSync(j.path, toBytes(ordinaryLines(300, 10 + k, 12_000 + k * 300)));
      for (const since of [T0 + 3.3 * H, T0, -Infinity]) expectLikeReference(j, since);
    }
    j.appendResult('app-health-1', { status: 'up', latencyMs: 5, error: null, details: {} }, T0 - 60 * H);
    for (const since of times) expectLikeReference(j, since);
  });

  it('a file replaced by another process, shrunk, or rewritten in place is read again from the start', () => {
    let now = T0 + 10 * H;
    const j = journal(() => now);
    const other = journal(() => now);
    appendFileSync(j.path, toBytes([...ordinaryLines(3000, 3), ...edgeLines()]));
    expectLikeReference(j, T0 + 2 * H);

    // Compacted by another process: a new file under the same name
    now = T0 + 72 * H + 30 * 60_000;
    expect(other.compact()).toBe(true);
    expectLikeReference(j, T0 + 2 * H);
    expectLikeReference(j);

    // Shrunk to nothing and written again, longer
    const before = statSync(j.path).size;
    truncateSync(j.path, 0);
    writeFileSync(j.path, toBytes(ordinaryLines(4000, 4)), { flag: 'a' });
    expect(statSync(j.path).size).toBeGreaterThan(before);
    expectLikeReference(j, T0);
    expectLikeReference(j);

    // Rewritten in place to the same length: the same lines, last first
    const reversed = file().toString('utf8').split('\n').slice(0, -1).reverse();
    writeFileSync(j.path, `${reversed.join('\n')}\n`);
    expectLikeReference(j);
  });

  it('compacts to what the line-by-line compaction kept, in the same order', () => {
    let now = T0;
    const j = journal(() => now);
    const lines = [...edgeLines().filter((l) => typeof l === 'string'), ...ordinaryLines(6000, 5)];
    appendFileSync(j.path, toBytes(lines));
    appendFileSync(j.path, `["app-health-1",${T0 + 7 * H},0,1]`); // a complete last line without its newline
    now = T0 + 72 * H + 3 * H;
    const before = file().toString('utf8');
    expect(j.compact()).toBe(true);
    expect(file().toString('utf8')).toBe(referenceCompact(before, now - 72 * H));
    expectLikeReference(j);
  });
});
