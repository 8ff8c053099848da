#!/usr/bin/env bash
# Source this file: makes sure the pinned npm tools used by the samples and the side-by-side
# benchmark are installed in a cache directory OUTSIDE the repository, then exports
#   CFNSPLIT_NPM_DIR   the cache directory (default: $HOME/.cache/cfnsplit-npm)
#   SLS                path of the Serverless Framework CLI (3.39.0)
#   CFN_LINT           path of the npm cfn-lint CLI (1.9.7)
# Needs: node >= 18 and npm (from the npm registry configured for this machine).
# The versions are pinned here and nowhere else.
# (no `set -e` here: this file is sourced and must not change the caller's shell options)
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "error: node and npm are required (Debian: apt-get install nodejs npm; node >= 18)" >&2
  return 1 2>/dev/null || exit 1
fi
CFNSPLIT_NPM_DIR=${CFNSPLIT_NPM_DIR:-$HOME/.cache/cfnsplit-npm}
if [ ! -x "$CFNSPLIT_NPM_DIR/node_modules/.bin/sls" ] || [ ! -d "$CFNSPLIT_NPM_DIR/node_modules/serverless-plugin-split-stacks" ]; then
  mkdir -p "$CFNSPLIT_NPM_DIR"
  cat > "$CFNSPLIT_NPM_DIR/package.json" <<'JSON'
{
  "name": "cfnsplit-bench-npm",
  "private": true,
  "description": "Pinned npm tools for cfnsplit samples and the side-by-side benchmark",
  "dependencies": {
    "serverless": "3.39.0",
    "serverless-plugin-split-stacks": "1.15.0",
    "serverless-python-requirements": "6.1.2",
    "cfn-lint": "1.9.7"
  }
}
JSON
  echo "installing pinned npm tools into $CFNSPLIT_NPM_DIR (once)..." >&2
  (cd "$CFNSPLIT_NPM_DIR" && npm install --no-audit --no-fund >npm-install.log 2>&1) || {
    echo "error: npm install failed, see $CFNSPLIT_NPM_DIR/npm-install.log" >&2
    return 1 2>/dev/null || exit 1
  }
fi
export CFNSPLIT_NPM_DIR
export SLS="$CFNSPLIT_NPM_DIR/node_modules/.bin/sls"
export CFN_LINT="$CFNSPLIT_NPM_DIR/node_modules/.bin/cfn-lint"
# Serverless must not reach AWS or its dashboard: fake credentials, no telemetry.
export AWS_ACCESS_KEY_ID=AKIAOFFLINE AWS_SECRET_ACCESS_KEY=offline AWS_REGION=us-east-1
export SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off SLS_DEPRECATION_DISABLE='*'
