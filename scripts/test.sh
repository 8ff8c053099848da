#!/usr/bin/env bash
# README command 2: install dependencies, build with warnings as errors, run every test via ctest.
# CFNSPLIT_FULL_DEPS=1 (as CI sets) also installs chromium, node/npm and zip, so the HTML
# rendering test runs instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCFNSPLIT_WERROR=ON >/dev/null
cmake --build build
# The deploy and lint tests use the Python tools every machine of the project has (moto,
# awscli, cfn-lint, aws-sam-translator; docs/deploying.md): say so early when one is missing.
if ! python3 -c "import moto, awscli, cfnlint, samtranslator" 2>/dev/null; then
  echo "test.sh: moto, awscli, cfn-lint or aws-sam-translator is missing from python3:" \
       "the deploy and cfn-lint tests will skip (and fail with CI=true)" >&2
fi
ctest --test-dir build --output-on-failure "$@"
