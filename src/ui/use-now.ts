import { useEffect, useState } from 'react';

/** The current time, ticking once a second (for clocks and "12s ago"). Data never arrives this way. */
export function useNow(tickMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    // Align ticks to the wall-clock second so every "ago" advances together.
    let timer = setTimeout(function tick() {
      setNow(Date.now());
      timer = setTimeout(tick, tickMs - (Date.now() % tickMs));
    }, tickMs - (Date.now() % tickMs));
    return () => clearTimeout(timer);
  }, [tickMs]);
  return now;
}
