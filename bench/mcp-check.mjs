// One MCP check, whole process to whole process: `pitwall check --only <target>` (a config with that stdio target)
// against the MCP Inspector's CLI (`--method tools/list`) on the same server, alternating, median of N wall times
// each, in both protocol eras: fixtures/mcp/healthy.mjs (SDK v1, 2025-11-25 only) and fixtures/mcp/v2-server.mjs in
// dual mode (SDK v2: pitwall negotiates 2026-07-28; the Inspector CLI 2.x connects in its default legacy mode and
// cannot talk to a modern-only server at all, so the dual server is the one both can reach). Both run on this Node.
// Also: how many modules `pitwall check` loads (in how many files), and whether Ink/React are among them (they
// must not be); module-trace.mjs sees through the bundle's files to the packages their modules come from.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BINARY_FLAGS, CLI, ROOT, median, report, round } from './lib.mjs';

const N = Number(process.env.BENCH_MCP_RUNS ?? 5);
const SERVERS = [
  { id: 'mcp-2025', era: '2025-11-25', args: [join(ROOT, 'fixtures', 'mcp', 'healthy.mjs')] },
  { id: 'mcp-2026', era: '2026-07-28', args: [join(ROOT, 'fixtures', 'mcp', 'v2-server.mjs'), 'stdio', 'dual'] },
];
const inspector = realpathSync(join(ROOT, 'node_modules', '.bin', 'mcp-inspector'));
const dir = mkdtempSync(join(tmpdir(), 'pitwall-bench-mcp-'));
const config = join(dir, 'pitwall.yaml');
writeFileSync(
  config,
  JSON.stringify({ store: 'Bench', feedbackFile: 'integrations.md', targets: SERVERS.map((s) => ({ id: s.id, kind: 'mcp', transport: 'stdio', command: process.execPath, args: s.args })) }),
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

const pitwallArgs = (id) => [...BINARY_FLAGS, CLI, 'check', '-c', config, '--only', id, '--json'];
const inspectorArgs = (server) => [inspector, '--cli', process.execPath, ...server.args, '--method', 'tools/list'];
const results = {};
let modules;
try {
  for (const server of SERVERS) {
    const p = [];
    const i = [];
    // Warm the file cache for both, then alternate.
    timed(pitwallArgs(server.id));
    timed(inspectorArgs(server));
    for (let k = 0; k < N; k++) {
      const a = timed(pitwallArgs(server.id));
      const t = JSON.parse(a.out).targets[0];
      if (t.status !== 'up') throw new Error(`pitwall check did not see ${server.id} up: ${a.out}`);
      if (t.details.protocolVersion !== server.era) throw new Error(`pitwall check spoke ${t.details.protocolVersion} to ${server.id}, expected ${server.era}`);
      p.push(a.ms);
      const b = timed(inspectorArgs(server));
      if (!b.out.includes('"echo"')) throw new Error(`the Inspector did not list the tools: ${b.out}`);
      i.push(b.ms);
    }
    results[server.era] = { p, i };
  }
  // What `check` loads: counted with a module hook (node --import), not timed.
  const trace = join(dir, 'modules.json');
  execFileSync(process.execPath, ['--import', new URL('./module-trace.mjs', import.meta.url).href, ...pitwallArgs(SERVERS[0].id)], {
    env: { ...env, PITWALL_BENCH_MODULES: trace },
    stdio: 'ignore',
  });
  modules = JSON.parse(readFileSync(trace, 'utf8'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const legacy = results['2025-11-25'];
const modern = results['2026-07-28'];
const heavy = ['ink', 'react', 'react-reconciler', 'yoga-layout', 'google-gax', '@grpc/grpc-js', '@google-analytics/data', '@shopify/shopify-api', 'date-fns'];
report({
  runs: N,
  // The 2025 era (healthy.mjs): the figures the summary has always shown.
  pitwallMedianMs: round(median(legacy.p), 0),
  inspectorMedianMs: round(median(legacy.i), 0),
  ratio: round(median(legacy.p) / median(legacy.i), 2),
  pitwallAllMs: legacy.p.map((x) => round(x, 0)),
  inspectorAllMs: legacy.i.map((x) => round(x, 0)),
  // The 2026-07-28 era (v2-server.mjs dual: pitwall negotiates modern, the Inspector CLI the 2025 handshake).
  modernPitwallMedianMs: round(median(modern.p), 0),
  modernInspectorMedianMs: round(median(modern.i), 0),
  modernRatio: round(median(modern.p) / median(modern.i), 2),
  checkModules: modules.total,
  // Files Node loaded: the binary is bundled (scripts/bundle.mjs), so fewer files than modules.
  checkFiles: modules.files,
  checkLoadsUnneeded: heavy.filter((name) => modules.packages[name]),
  checkTopPackages: Object.fromEntries(Object.entries(modules.packages).slice(0, 8)),
});
