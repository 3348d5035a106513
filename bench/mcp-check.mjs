// One MCP check, whole process to whole process: `pitwall check --only healthy-mcp` (a config with just
// that stdio target) against the MCP Inspector's CLI (`--method tools/list`) on the same server
// (fixtures/mcp/healthy.mjs), alternating, median of N wall times each. Both run on this Node.
// Also: how many modules `pitwall check` loads (in how many files), and whether Ink/React are among them (they
// must not be); module-trace.mjs sees through the bundle's files to the packages their modules come from.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BINARY_FLAGS, CLI, ROOT, median, report, round } from './lib.mjs';

const N = Number(process.env.BENCH_MCP_RUNS ?? 5);
const server = join(ROOT, 'fixtures', 'mcp', 'healthy.mjs');
const inspector = realpathSync(join(ROOT, 'node_modules', '.bin', 'mcp-inspector'));
const dir = mkdtempSync(join(tmpdir(), 'pitwall-bench-mcp-'));
const config = join(dir, 'pitwall.yaml');
writeFileSync(
  config,
  JSON.stringify({ store: 'Bench', feedbackFile: 'integrations.md', targets: [{ id: 'healthy-mcp', kind: 'mcp', transport: 'stdio', command: process.execPath, args: [server] }] }),
);
// The Inspector keeps a catalog of servers; keep it out of the user's home.
const env = { ...process.env, MCP_CATALOG_PATH: join(dir, 'mcp-catalog.json') };

function timed(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.slice(0, 3).join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
  return { ms, out: r.stdout };
}

const pitwallArgs = [...BINARY_FLAGS, CLI, 'check', '-c', config, '--only', 'healthy-mcp', '--json'];
const inspectorArgs = [inspector, '--cli', process.execPath, server, '--method', 'tools/list'];
const p = [];
const i = [];
let modules;
try {
  // Warm the file cache for both, then alternate.
  timed(pitwallArgs);
  timed(inspectorArgs);
  for (let k = 0; k < N; k++) {
    const a = timed(pitwallArgs);
    if (JSON.parse(a.out).targets[0].status !== 'up') throw new Error(`pitwall check did not see the server up: ${a.out}`);
    p.push(a.ms);
    const b = timed(inspectorArgs);
    if (!b.out.includes('"echo"')) throw new Error(`the Inspector did not list the tools: ${b.out}`);
    i.push(b.ms);
  }
  // What `check` loads: counted with a module hook (node --import), not timed.
  const trace = join(dir, 'modules.json');
  execFileSync(process.execPath, ['--import', new URL('./module-trace.mjs', import.meta.url).href, ...pitwallArgs], {
    env: { ...env, PITWALL_BENCH_MODULES: trace },
    stdio: 'ignore',
  });
  modules = JSON.parse(readFileSync(trace, 'utf8'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const heavy = ['ink', 'react', 'react-reconciler', 'yoga-layout', 'google-gax', '@grpc/grpc-js', '@google-analytics/data', '@shopify/shopify-api', 'date-fns'];
report({
  runs: N,
  pitwallMedianMs: round(median(p), 0),
  inspectorMedianMs: round(median(i), 0),
  ratio: round(median(p) / median(i), 2),
  pitwallAllMs: p.map((x) => round(x, 0)),
  inspectorAllMs: i.map((x) => round(x, 0)),
  checkModules: modules.total,
  // Files Node loaded: the binary is bundled (scripts/bundle.mjs), so fewer files than modules.
  checkFiles: modules.files,
  checkLoadsUnneeded: heavy.filter((name) => modules.packages[name]),
  checkTopPackages: Object.fromEntries(Object.entries(modules.packages).slice(0, 8)),
});
