/**
 * Watches pitwall's own event loop while exchanges are in flight. A latency is the time between sending a request
 * and the callback that reads the answer; when the loop is busy (loading a module, drawing a frame, spawning a
 * child), that callback runs late and the late part is pitwall's, not the upstream's. The engine asks how late the
 * loop ran during each attempt, and re-measures an attempt that overlapped a stall (engine.ts).
 *
 * Our own measure, not perf_hooks.monitorEventLoopDelay: its histogram is one per process and cannot say which
 * exchange a stall overlapped, and it misses the stall that ends just as the answer is read (its timer has not
 * fired yet). Here a ticker runs only while something is watched, and `end()` also counts the time since the last
 * tick, so a stall that delayed the answer's callback is seen.
 */
export interface LoopWatch {
  /** Starts watching; the returned function stops and gives the worst lateness seen meanwhile, in ms. */
  begin(): () => number;
}

/** How often the ticker looks at the clock while something is watched. */
export const TICK_MS = 10;

/** A LoopWatch on the real event loop: a ticker every TICK_MS while at least one watch is open. */
export function createLoopWatch(clock: () => number = () => performance.now()): LoopWatch {
  const open = new Set<{ worst: number }>();
  let ticker: ReturnType<typeof setInterval> | undefined;
  let last = 0;
  const note = (t: number) => {
    const late = t - last - TICK_MS;
    last = t;
    if (late > 0) for (const w of open) if (late > w.worst) w.worst = late;
  };
  return {
    begin() {
      const w = { worst: 0 };
      if (!open.size) {
        last = clock();
        ticker = setInterval(() => note(clock()), TICK_MS);
        ticker.unref?.();
      }
      open.add(w);
      let done = false;
      return () => {
        if (!done) {
          done = true;
          note(clock());
          open.delete(w);
          if (!open.size) clearInterval(ticker);
        }
        return w.worst;
      };
    },
  };
}

/** A LoopWatch that never sees a stall (tests, and callers that do not want re-measuring). */
export const QUIET_LOOP: LoopWatch = { begin: () => () => 0 };
