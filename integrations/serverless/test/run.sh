#!/usr/bin/env bash
# CTest entry `plugin`: the plugin's unit tests (node --test, a fake Serverless) and, when the
# Serverless Framework 3 is installed, generated services packaged by the real `sls package`
# (integration.py). Usage: run.sh [CFNSPLIT_BINARY]
# Exit 77 (CTest: skipped) when node or Serverless is missing locally; with CI=true a missing
# node fails, and Serverless is installed from npm (at most 3 minutes; if that fails the
# framework part is skipped with a message and the unit tests still count).
# Environment: CFNSPLIT_SLS_MODULES (a node_modules with serverless 3.x), CFNSPLIT_PLUGIN_SIZES
# (default 50,300; 2000 adds the exports-mode run: its nested tree would exceed one operation).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
binary=$(realpath "${1:-$repo/build/cfnsplit}")
ci=${CI:-false}

missing() {
  if [ "$ci" = true ]; then echo "plugin test FAILED (CI=true): $*" >&2; exit 1; fi
  echo "plugin test SKIPPED: $*" >&2
  exit 77
}

command -v node >/dev/null 2>&1 || missing "node is not installed (Debian: apt-get install nodejs npm; node >= 18)"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 18 ] || missing "node $major is too old (node --test needs >= 18)"
[ -x "$binary" ] || { echo "plugin test FAILED: no cfnsplit binary at $binary" >&2; exit 1; }

echo "== unit tests (node --test integrations/serverless/test/)"
CFNSPLIT_BINARY=$binary node --test "$here"/ || exit 1

find_modules() {
  for d in "${CFNSPLIT_SLS_MODULES:-}" "${CFNSPLIT_NPM_DIR:-$HOME/.cache/cfnsplit-npm}/node_modules" \
           "${PEER_DIR:-/tmp/peer-split-stacks}/node_modules" "$repo/build/npm-sls/node_modules"; do
    if [ -n "$d" ] && [ -x "$d/.bin/sls" ]; then echo "$d"; return 0; fi
  done
  return 1
}

modules=$(find_modules)
if [ -z "$modules" ] && [ "$ci" = true ] && command -v npm >/dev/null 2>&1; then
  echo "== installing serverless@3.39.0 into build/npm-sls (at most 3 minutes)"
  mkdir -p "$repo/build/npm-sls"
  timeout 180 npm install --prefix "$repo/build/npm-sls" --no-audit --no-fund --silent serverless@3.39.0 \
    >"$repo/build/npm-sls/install.log" 2>&1
  modules=$(find_modules)
  if [ -z "$modules" ]; then
    echo "plugin test: the framework integration is SKIPPED in CI: serverless@3.39.0 could not be" \
         "installed from npm within 3 minutes (see build/npm-sls/install.log); the unit tests passed" >&2
    exit 0
  fi
fi
[ -n "$modules" ] || missing "unit tests passed; the Serverless integration needs Serverless Framework 3" \
  "(set CFNSPLIT_SLS_MODULES to a node_modules holding serverless 3.39, or run bench/compare/npm_env.sh)"
command -v python3 >/dev/null 2>&1 || missing "python3 is needed for the Serverless integration"

echo "== Serverless integration with $modules"
exec python3 "$here/integration.py" --sls-modules "$modules" --cfnsplit "$binary" \
  --sizes "${CFNSPLIT_PLUGIN_SIZES:-50,300}"
