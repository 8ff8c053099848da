#!/usr/bin/env bash
# Side-by-side benchmark: cfnsplit vs serverless-plugin-split-stacks 1.15.0 (see compare.py).
# Usage: bench/compare/run.sh [compare.py options], e.g.
#   bench/compare/run.sh                                  # quick set: 100,500 functions
#   bench/compare/run.sh --sizes 100,500,2000,5000        # the full set
#   bench/compare/run.sh --sizes 2000 --skip-cfnsplit     # peer figures only
# Needs: python3, node >= 18 + npm (pinned npm tools go to $CFNSPLIT_NPM_DIR, outside the repo),
# and a built cfnsplit (default build/cfnsplit; its rows print n/a otherwise).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v python3 >/dev/null || { echo "error: python3 is required" >&2; exit 1; }
# shellcheck source=npm_env.sh
source "$here/npm_env.sh"
exec python3 "$here/compare.py" "$@"
