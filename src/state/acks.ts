/**
 * Per-target acknowledgements: "I have seen this one" silences one target's bell, not all. An ack holds until the
 * target is up again (or 15m / 1h / 4h), and ends at once when the target gets worse than it was when acked
 * (degraded → down), so that rings again. Kept beside the store, not in it: the store is the probes' truth.
 */
import type { Status } from '../probes/types.js';
import type { Store } from './store.js';

/** How long an ack holds: until the target is up again, or a fixed time. */
export type AckExpiry = 'until-up' | '15m' | '1h' | '4h';

export const ACK_EXPIRIES: readonly AckExpiry[] = ['until-up', '15m', '1h', '4h'];

const EXPIRY_MS: Record<Exclude<AckExpiry, 'until-up'>, number> = { '15m': 15 * 60_000, '1h': 3_600_000, '4h': 4 * 3_600_000 };

export interface Ack {
  targetId: string;
  /** Who acknowledged (the OS user, or $PITWALL_USER). */
  by: string;
  at: number;
  note: string;
  expiry: AckExpiry;
  /** The status acknowledged: a worse one rings again. */
  status: Exclude<Status, 'up'>;
}

const SEVERITY: Record<Status, number> = { up: 0, degraded: 1, down: 2 };

/** When a timed ack ends, or null for "until up". */
export function ackEndsAt(a: Pick<Ack, 'at' | 'expiry'>): number | null {
  return a.expiry === 'until-up' ? null : a.at + EXPIRY_MS[a.expiry];
}

/** True while `a` holds at `now` (a timed ack past its time does not). */
export function ackActive(a: Ack | undefined, now: number): a is Ack {
  if (!a) return false;
  const end = ackEndsAt(a);
  return end === null || now < end;
}

/** True when a transition of the acked target to `to` must not ring: the ack holds and `to` is no worse. */
export function ackSilences(a: Ack | undefined, to: Status, now: number): boolean {
  return ackActive(a, now) && SEVERITY[to] <= SEVERITY[a.status];
}

export type Acks = Readonly<Record<string, Ack>>;

/** A tiny external store of acks (subscribe / getSnapshot), as the main store is. */
export interface AckStore {
  getSnapshot(): Acks;
  subscribe(listener: () => void): () => void;
  set(ack: Ack): void;
  clear(targetId: string): void;
}

export function createAckStore(initial: Acks = {}): AckStore {
  let acks = initial;
  const listeners = new Set<() => void>();
  const publish = (next: Acks) => {
    acks = next;
    for (const l of listeners) l();
  };
  return {
    getSnapshot: () => acks,
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    set: (ack) => publish({ ...acks, [ack.targetId]: ack }),
    clear(id) {
      if (!(id in acks)) return;
      const { [id]: _gone, ...rest } = acks;
      publish(rest);
    },
  };
}

/**
 * Ends acks as the store's transitions say: a target up again ends its ack (whatever its expiry: the incident is
 * over), a worse status ends it too (that must ring). Returns the unsubscribe.
 */
export function followTransitions(acks: AckStore, store: Store): () => void {
  let seen = store.getSnapshot().events.at(-1);
  return store.subscribe(() => {
    const events = store.getSnapshot().events;
    const start = seen ? events.lastIndexOf(seen) + 1 : 0;
    seen = events.at(-1);
    for (const e of events.slice(start)) {
      if (e.type !== 'transition') continue;
      const a = acks.getSnapshot()[e.targetId];
      if (a && e.at >= a.at && (e.to === 'up' || SEVERITY[e.to] > SEVERITY[a.status])) acks.clear(e.targetId);
    }
  });
}

/** "acked by dana 03:12 (until up)": what the row and the tiles say; `clock` formats the time. */
export function ackLabel(a: Ack, clock: (at: number) => string): string {
  const end = ackEndsAt(a);
  return `acked by ${a.by} ${clock(a.at)} (${end === null ? 'until up' : `until ${clock(end)}`})`;
}
