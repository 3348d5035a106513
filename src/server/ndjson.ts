import type { ErrorKind, Headroom, ProbeResult, Status } from '../probes/types.js';
import type { Redactor } from '../text/redact.js';
import { iso, round1 } from '../shared/numbers.js';
import type { SampleHistory } from '../state/history.js';
import type { Sample } from '../state/stats.js';
import type { EngineEvent, State, Store, TargetState } from '../state/store.js';

/** One finished run, as found in the store: its sample, and the full result when it is the target's latest. */
export interface FinishedRun {
  target: TargetState;
  sample: Sample;
  /** The full result (error message, headroom…) when this run is `target.latest`; null for an older run of a batch. */
  result: ProbeResult | null;
}

/** What `followStore` reports, in the order things happened. */
export interface StoreFollower {
  onRun?(run: FinishedRun): void;
  onEvent?(event: EngineEvent, state: State): void;
}

/**
 * Calls `onRun` once per finished probe run and `onEvent` once per new event, from store notifications.
 * Runs are found in each target's sample ring by identity, so a batched notification that covers two
 * runs of one target reports both. History (already in the store, or loaded later from the journal:
 * older than the state's `startedAt`) is not reported. Returns the unsubscribe function.
 */
export function followStore(store: Store, follower: StoreFollower): () => void {
  let last = store.getSnapshot();
  const floor = last.startedAt;
  const newest = new Map<string, Sample | undefined>();
  for (const t of Object.values(last.targets)) newest.set(t.id, t.samples.at(-1));
  const seenEvents = new WeakSet<EngineEvent>(last.events);

  return store.subscribe(() => {
    const next = store.getSnapshot();
    if (next === last) return;
    const found: { at: number; order: number; emit: () => void }[] = [];
    if (follower.onRun && next.targets !== last.targets) {
      for (const t of Object.values(next.targets)) {
        if (t.samples === last.targets[t.id]?.samples) continue;
        const fresh = freshSamples(t.samples, newest.get(t.id), floor);
        if (fresh.length === 0) continue;
        newest.set(t.id, fresh.at(-1));
        for (const sample of fresh) {
          const isLatest = sample === t.samples.at(-1) && t.checkedAt === sample.at;
          const run: FinishedRun = { target: t, sample, result: isLatest ? t.latest : null };
          found.push({ at: sample.at, order: 0, emit: () => follower.onRun!(run) });
        }
      }
    }
    if (next.events !== last.events) {
      const fresh: EngineEvent[] = [];
      for (let i = next.events.length - 1; i >= 0 && !seenEvents.has(next.events[i]!); i--) fresh.push(next.events[i]!);
      for (const e of fresh.reverse()) {
        seenEvents.add(e);
        // Journal history is prepended by history-loaded: older than this state, not news.
        if (e.at < floor) continue;
        // A transition is caused by its run: at the same instant, the run comes first.
        if (follower.onEvent) found.push({ at: e.at, order: 1, emit: () => follower.onEvent!(e, next) });
      }
    }
    last = next;
    // Stable sort: same-instant items keep their discovery order.
    found.sort((a, b) => a.at - b.at || a.order - b.order);
    for (const f of found) f.emit();
  });
}

/** Samples after `newest` (by identity); when it is gone (the journal replaced the ring), those newer than it. */
function freshSamples(samples: SampleHistory, newest: Sample | undefined, floor: number): Sample[] {
  for (let i = samples.length - 1; i >= 0; i--) {
    if (samples.at(i) === newest) return samples.slice(i + 1);
  }
  return [...samples].filter((s) => (newest ? s.at > newest.at : s.at >= floor));
}

/** A probe result line. `error` is null when the run had none. */
export interface ResultRecord {
  type: 'result';
  at: string;
  target: string;
  kind: TargetState['kind'];
  status: Status;
  latencyMs: number | null;
  error: { kind: ErrorKind; message: string } | null;
  attempts?: number;
  reason?: string;
  httpStatus?: number;
  headroom?: Headroom[];
}

/** An engine event line: `type` is the event's type, `target` its target id when it has one. */
export interface EventRecord {
  type: EngineEvent['type'];
  at: string;
  target?: string;
  [field: string]: unknown;
}

export type NdjsonRecord = ResultRecord | EventRecord;

const latency = (ms: number | null) => (ms === null ? null : round1(ms));

/** The line for one run. An older run of a batch has only what its sample kept (no message, no headroom). */
export function resultRecord(run: FinishedRun): ResultRecord {
  const { target, sample, result } = run;
  if (!result) {
    return {
      type: 'result',
      at: iso(sample.at),
      target: target.id,
      kind: target.kind,
      status: sample.status,
      latencyMs: latency(sample.latencyMs),
      error: sample.errorKind ? { kind: sample.errorKind, message: '' } : null,
    };
  }
  return {
    type: 'result',
    at: iso(sample.at),
    target: target.id,
    kind: target.kind,
    status: result.status,
    latencyMs: latency(result.latencyMs),
    error: result.error ? { kind: result.error.kind, message: result.error.message } : null,
    attempts: target.attempts,
    ...(result.status === 'degraded' ? { reason: result.reason } : {}),
    ...(result.error?.httpStatus ? { httpStatus: result.error.httpStatus } : {}),
    ...(result.headroom?.length ? { headroom: result.headroom } : {}),
  };
}

/** The line for one engine event. A transition also says `status` (its `to`) and `error` like a result does. */
export function eventRecord(event: EngineEvent): EventRecord {
  const { type, at, ...rest } = event;
  const out: EventRecord = { type, at: iso(at) };
  if ('targetId' in rest) {
    const { targetId, ...others } = rest;
    if (targetId !== null) out.target = targetId;
    Object.assign(out, others);
  } else Object.assign(out, rest);
  if (event.type === 'transition') {
    out.status = event.to;
    delete out.errorKind;
    delete out.message;
    out.error = event.errorKind ? { kind: event.errorKind, message: event.message ?? '' } : null;
    if (!event.errorKind && event.message) out.reason = event.message;
  }
  return out;
}

/**
 * Writes one JSON line per finished run and per engine event (`pitwall serve --ndjson`,
 * `pitwall check --json --watch`), redacted on the way out. Returns the unsubscribe function.
 */
export function ndjsonLines(store: Store, opts: { write: (line: string) => void; redactor: Redactor }): () => void {
  const line = (r: NdjsonRecord) => opts.write(`${JSON.stringify(opts.redactor.value(r))}\n`);
  return followStore(store, {
    onRun: (run) => line(resultRecord(run)),
    onEvent: (e) => line(eventRecord(e)),
  });
}
