import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';

/** The console's one clock: the time of the last tick, and who to tell at the next. */
export interface Clock {
  now(): number;
  subscribe(listener: () => void): () => void;
}

/** A clock moved by hand (tests, benchmarks): `set` moves it and tells every subscriber. */
export function manualClock(at: number): Clock & { set(now: number): void } {
  let now = at;
  const listeners = new Set<() => void>();
  return {
    now: () => now,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(next) {
      now = next;
      for (const l of [...listeners]) l();
    },
  };
}

/** A clock ticking on the wall-clock second (every "ago" advances together); `start` returns its stop. */
export function tickingClock(tickMs = 1000): Clock & { start(): () => void } {
  const clock = manualClock(Date.now());
  return {
    now: clock.now,
    subscribe: clock.subscribe,
    start() {
      let timer = setTimeout(function tick() {
        clock.set(Date.now());
        timer = setTimeout(tick, tickMs - (Date.now() % tickMs));
      }, tickMs - (Date.now() % tickMs));
      return () => clearTimeout(timer);
    },
  };
}

const ClockContext = createContext<Clock | null>(null);
const ZoneContext = createContext<string | undefined>(undefined);

/**
 * Hands the screen its clock: the one given (tests), else a ticking one for as long as the console is mounted; and
 * the zone times are shown in (config `timezone`; the machine's when unset).
 */
export function ClockProvider({ clock: given, timeZone, children }: { clock?: Clock; timeZone?: string; children: ReactNode }) {
  const [ticking] = useState(() => (given ? null : tickingClock()));
  useEffect(() => ticking?.start(), [ticking]);
  return (
    <ClockContext.Provider value={given ?? ticking}>
      <ZoneContext.Provider value={timeZone}>{children}</ZoneContext.Provider>
    </ClockContext.Provider>
  );
}

/** The IANA zone the screen shows times in, or undefined for the machine's own. */
export function useTimeZone(): string | undefined {
  return useContext(ZoneContext);
}

/**
 * What a component shows of the time, from the last tick: it re-renders only when `select` gives another value,
 * so `select` must return a string, number or boolean (the text itself, ideally), never a new object.
 */
export function useClock<T extends string | number | boolean | null>(select: (now: number) => T): T {
  const clock = useContext(ClockContext);
  if (!clock) throw new Error('useClock outside <ClockProvider>');
  return useSyncExternalStore(clock.subscribe, () => select(clock.now()));
}
