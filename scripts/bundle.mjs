// `npm run build`, after tsc: bundles the binary's code (dist/cli/program.js and everything it imports, lazily
// imported commands and probes included) into a few files in dist/bin/, which the entry (dist/cli.js) loads.
//
// Why: Node pays per module file (resolve, stat, read, compile, link), and the console's first frame needed about
// 1,100 of them: Ink pulls all 415 files of es-toolkit/compat for one throttle(), and date-fns's barrel re-reads
// its 200 KB package.json for each of its files. Bundled, unused files are dropped and the rest is a few dozen files.
// Every dynamic import() stays a separate chunk, so `pitwall check` still loads neither Ink nor the vendor SDKs.
//
// dist/bin/modules.json says which source modules each file holds (bench/module-trace.mjs reads it: a bundled
// file's URL no longer names its package). tsc's per-file output stays in dist/ for the benchmarks and tests that
// import modules one by one.
import { spawnSync } from 'node:child_process';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';
import { confUnused } from './conf-unused.mjs';
import { decodeYogaWithoutFetch, isYogaLoader } from './yoga-data-uri.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist', 'bin');

// Kept as packages, loaded from node_modules when a probe or a flag needs them, never before the first frame:
// the vendor SDKs (GA's .proto files are read from their packages' folders at run time, with protobufjs, by the GA
// peer only; Google auth only for a target with credentials), prom-client (--metrics); and Ink's optional React
// DevTools, which is not installed. (The HTTP probes use Node's own http/https: see src/probes/http-client.ts.)
const EXTERNAL = [
  /^@google-analytics\//,
  /^google-gax(\/|$)/,
  /^google-auth-library(\/|$)/,
  /^protobufjs(\/|$)/,
  /^@shopify\//,
  /^prom-client(\/|$)/,
  'react-devtools-core',
];

// Yoga's loader fetched its own inlined WASM through the global fetch (+8 MiB: scripts/yoga-data-uri.mjs).
const yogaDataUri = {
  name: 'pitwall-yoga-data-uri',
  transform: (code, id) => (isYogaLoader(id) ? { code: decodeYogaWithoutFetch(code), map: null } : null),
};

const started = performance.now();
rmSync(out, { recursive: true, force: true });
const bundle = await rolldown({
  input: { program: join(root, 'dist', 'cli', 'program.js') },
  platform: 'node',
  external: EXTERNAL,
  plugins: [yogaDataUri, confUnused],
  logLevel: 'warn',
});
const { output } = await bundle.write({
  dir: out,
  format: 'esm',
  sourcemap: true,
  // Stable names, no content hashes: Node's compile cache keys entries by file path, so a rebuild replaces
  // the entries of the previous one instead of leaving ~3 MB of stale ones in <tmpdir> every build.
  entryFileNames: '[name].js',
  chunkFileNames: '[name].js',
  // Less source for V8 to hold (issue #18: module sources were ~12 MiB of the console's heap). ASCII only: one
  // non-Latin-1 character ('▁', '✔') makes V8 keep a whole file's source as a two-byte string, twice the memory.
  // Whitespace and comments go, and local names are shortened (mangle): the preset console's heap held 0.8 MiB less
  // source and 0.6 MiB less in all (heap snapshots at 60 s, 28.2 → 27.5 MiB). Function and class names stay
  // (keepNames): `.name` reads as before, and the binary's --turbo-filter=scan* (src/cli.ts) finds the journal's loops
  // by name; test/bundle-names.test.ts checks the bundle for them. No compression: it rewrites code, for little more.
  // Stack traces name the bundle's lines; its source maps (dist/bin/*.map, `node --enable-source-maps`) map them back.
  charset: 'ascii',
  comments: false,
  minify: { compress: false, mangle: { keepNames: true }, codegen: { removeWhitespace: true } },
  // CommonJS inside the bundle (React, commander, ajv) calls require() for Node's modules: give every file one.
  banner: "import { createRequire as __pitwallRequire } from 'node:module'; const require = __pitwallRequire(import.meta.url);",
});
await bundle.close();

const modules = {};
for (const file of output) {
  if (file.type === 'chunk') modules[file.fileName] = file.moduleIds.filter((id) => !id.startsWith('\0')).map((id) => relative(root, id));
}
writeFileSync(join(out, 'modules.json'), `${JSON.stringify(modules, null, 1)}\n`);
// Every file must compile as a module: the banner above declares a top-level `require`, and a source module that
// declares its own at top level would make its whole file a SyntaxError that only shows when a command loads it (tests
// run tsc's unbundled output). One Node process compiles them all without running them.
const check = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--no-warnings',
    '--input-type=module',
    '-e',
    "import vm from 'node:vm'; import { readFileSync } from 'node:fs'; for (const f of process.argv.slice(1)) { try { new vm.SourceTextModule(readFileSync(f, 'utf8'), { identifier: f }); } catch (err) { console.error(`bundle: ${f} does not compile: ${err.message}`); process.exitCode = 1; } }",
    ...output.filter((f) => f.type === 'chunk').map((f) => join(out, f.fileName)),
  ],
  { stdio: 'inherit' },
);
if (check.status !== 0) process.exit(1);
// Runnable as ./dist/cli.js, through its shebang and the V8 flags there, as npm's bin link makes it.
chmodSync(join(root, 'dist', 'cli.js'), 0o755);
const sources = Object.values(modules).reduce((n, ids) => n + ids.length, 0);
process.stderr.write(`bundle: ${sources} modules into ${Object.keys(modules).length} files in dist/bin (${Math.round(performance.now() - started)} ms)\n`);
