#!/usr/bin/env bash
# README command 2: install dependencies, build with warnings as errors, run every test via ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCFNSPLIT_WERROR=ON >/dev/null
cmake --build build
ctest --test-dir build --output-on-failure "$@"
