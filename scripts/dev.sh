#!/bin/sh
# One entry point for a fresh machine: bring Node >= 22 (from the npm registry when the system's is older),
# install dependencies when package-lock.json changed, build, then run what was asked.
#   sh scripts/dev.sh start [pitwall args…]   the console (the built-in demo when there is no pitwall.yaml)
#   sh scripts/dev.sh test  [vitest args…]    the test suite
#   sh scripts/dev.sh bench                   the benchmarks
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. "$root/scripts/ensure-node.sh"

stamp=node_modules/.pitwall-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "pitwall: installing dependencies (npm ci)…" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  cp package-lock.json "$stamp"
fi

# Build only when a source file is newer than the build. The bundle is the build's last step: a build by tsc alone
# leaves it older than dist/cli/program.js, and then the binary runs unbundled (correct, but ~2 s to start).
build() {
  out=dist/bin/program.js
  if [ ! -f "$out" ] || [ ! -f dist/cli.js ] || [ dist/cli/program.js -nt "$out" ] || [ -n "$(find src fixtures scripts/bundle.mjs package.json tsconfig.json tsconfig.build.json -newer "$out" -print -quit 2>/dev/null)" ]; then
    npm run --silent build >&2
  fi
}

what=${1:-start}
[ $# -gt 0 ] && shift
case "$what" in
  # pitwall runs where you called npm from (npm puts that in INIT_CWD), so ./pitwall.yaml there is found.
  # With the V8 flags of the binary's shebang (dist/cli.js's first line), as an installed pitwall runs.
  # set -f: the flags are split on spaces but never globbed (--turbo-filter=scan* is a V8 pattern, not a file name).
  start) build && flags=$(sed -n '1s/^#!.* node//p' "$root/dist/cli.js") && cd "${INIT_CWD:-$root}" && set -f && exec node $flags "$root/dist/cli.js" "$@" ;;
  test) build && exec node_modules/.bin/vitest run "$@" ;;
  bench) build && exec node bench/run.mjs "$@" ;;
  *) echo "usage: sh scripts/dev.sh start|test|bench [args…]" >&2; exit 3 ;;
esac
