/**
 * Timers a peer starts to answer late, tracked so close() clears them all: a slow answer pending when a
 * test or the demo stops must neither fire into a closed server nor keep the process alive.
 */
export interface PeerTimers {
  /** Resolves after `ms` (never, if cleared first). */
  delay(ms: number): Promise<void>;
  /** Runs `fn` after `ms` (not at all, if cleared first). */
  after(ms: number, fn: () => void): void;
  /** Clears every pending timer. */
  clear(): void;
}

/** A fresh set of tracked timers. */
export function peerTimers(): PeerTimers {
  const pending = new Set<NodeJS.Timeout>();
  const after = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      pending.delete(t);
      fn();
    }, ms);
    pending.add(t);
  };
  return {
    after,
    delay: (ms) => new Promise<void>((resolve) => after(ms, resolve)),
    clear() {
      for (const t of pending) clearTimeout(t);
      pending.clear();
    },
  };
}
