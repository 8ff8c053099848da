#!/usr/bin/env bash
# README command 1: install dependencies, build, and run cfnsplit on the bundled ML sample.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target cfnsplit
build/cfnsplit analyze samples/ml-service/template.json "$@" || test $? -eq 1
