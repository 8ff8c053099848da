#!/usr/bin/env bash
# README command 2: install dependencies, build with warnings as errors, run every test via ctest.
# CFNSPLIT_FULL_DEPS=1 (as CI sets) also installs chromium, node/npm and npm's cfn-lint, so the
# HTML rendering and the differential cfn-lint tests run instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCFNSPLIT_WERROR=ON >/dev/null
cmake --build build
if [[ "${CFNSPLIT_FULL_DEPS:-0}" == 1 && ! -x build/npm/node_modules/.bin/cfn-lint ]] &&
   command -v npm >/dev/null; then
  # A registry hiccup must not fail the build: the lint test skips when the linter is missing.
  npm install --prefix build/npm --no-audit --no-fund --silent cfn-lint@1.9.7 >/dev/null 2>&1 ||
    echo "test.sh: could not install cfn-lint from npm; the differential lint test will skip"
fi
ctest --test-dir build --output-on-failure "$@"
