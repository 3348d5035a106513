// `node --import ./module-trace.mjs …`: records every module the process loads and, at exit, writes
// {total, files, packages: {name: modules}} (most modules first) to $PITWALL_BENCH_MODULES.
// The binary is bundled (scripts/bundle.mjs): a file of dist/bin/ holds many source modules and its URL names
// no package, so it is counted through dist/bin/modules.json, module by module, under the packages they come
// from. `total` counts source modules either way (comparable with an unbundled build); `files` is what Node
// actually loaded.
import { readFileSync, writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const BIN = new URL('../dist/bin/', import.meta.url).href;
let bundled = null;
try {
  bundled = JSON.parse(readFileSync(new URL('modules.json', BIN), 'utf8'));
} catch {
  // not bundled: every file is one module
}

const seen = new Set();
registerHooks({
  load(url, context, next) {
    seen.add(url);
    return next(url, context);
  },
});

const packageOf = (id) => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(id);
  return m ? m[1] : id.startsWith('node:') ? 'node:' : 'pitwall';
};

process.on('exit', () => {
  const packages = {};
  let total = 0;
  for (const url of seen) {
    const inBundle = bundled && url.startsWith(BIN) ? bundled[url.slice(BIN.length)] : undefined;
    for (const id of inBundle ?? [url]) {
      packages[packageOf(id)] = (packages[packageOf(id)] ?? 0) + 1;
      total++;
    }
  }
  const sorted = Object.fromEntries(Object.entries(packages).sort((a, b) => b[1] - a[1]));
  writeFileSync(process.env.PITWALL_BENCH_MODULES, JSON.stringify({ total, files: seen.size, packages: sorted }));
});
