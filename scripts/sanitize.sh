#!/usr/bin/env bash
# The whole test suite under AddressSanitizer and UndefinedBehaviorSanitizer (docs/fuzzing.md):
# a separate build directory with -DCFNSPLIT_SANITIZE=ON (g++ or clang++), then every CTest
# entry. Not part of scripts/test.sh: a second full build roughly doubles CI time (see
# docs/fuzzing.md, "Sanitizer build"); run it before a release or after touching a parser.
#   scripts/sanitize.sh [BUILD=build-asan] [ctest arguments…]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-asan}
shift || true
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCFNSPLIT_SANITIZE=ON \
  -DCFNSPLIT_WERROR=ON >/dev/null
cmake --build "$build"
# Leaks are errors too; halt on the first report so that a test fails where it happens.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" --output-on-failure "$@"
