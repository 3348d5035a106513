// The floor under the console's memory (bench/preset-memory.mjs): started by it with the binary's flags, this renders
// one Ink screen of 20 rows redrawn every second, with none of pitwall's code, so the preset's figure can be read
// against what Node plus Ink (React, Yoga's WASM) cost on their own, measured the same way.
import { registerHooks } from 'node:module';
import { createElement as h, useEffect, useState } from 'react';
import { decodeYogaWithoutFetch, isYogaLoader } from '../scripts/yoga-data-uri.mjs';

// The bundle's treatment of Yoga's loader (scripts/yoga-data-uri.mjs), so the floor is measured as the binary runs Ink.
registerHooks({
  load(url, context, next) {
    const loaded = next(url, context);
    return isYogaLoader(new URL(url).pathname) ? { ...loaded, source: decodeYogaWithoutFetch(String(loaded.source)) } : loaded;
  },
});
const { Box, Text, render } = await import('ink');

function Screen() {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, []);
  return h(Box, { flexDirection: 'column' }, ...Array.from({ length: 20 }, (_, i) => h(Text, { key: i, color: i % 2 ? 'green' : 'red' }, `row ${i} tick ${tick}`)));
}
render(h(Screen));
