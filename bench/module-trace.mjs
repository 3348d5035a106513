// `node --import ./module-trace.mjs …`: records every module the process loads and, at exit, writes
// {total, packages: {name: files}} (most files first) to $PITWALL_BENCH_MODULES.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const seen = new Set();
registerHooks({
  load(url, context, next) {
    seen.add(url);
    return next(url, context);
  },
});
process.on('exit', () => {
  const packages = {};
  for (const url of seen) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    const name = m ? m[1] : url.startsWith('node:') ? 'node:' : 'pitwall';
    packages[name] = (packages[name] ?? 0) + 1;
  }
  const sorted = Object.fromEntries(Object.entries(packages).sort((a, b) => b[1] - a[1]));
  writeFileSync(process.env.PITWALL_BENCH_MODULES, JSON.stringify({ total: seen.size, packages: sorted }));
});
