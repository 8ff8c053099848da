#!/usr/bin/env bash
# The test suite under AddressSanitizer and UndefinedBehaviorSanitizer (docs/fuzzing.md), as CI
# runs it after scripts/test.sh (.ci/run): a separate build directory with -DCFNSPLIT_SANITIZE=ON
# at -O1, only cfnsplit and the test binary, then the CTest entries that exercise our own code
# in-process or through the CLI (unit, golden, corpus, fuzz, package). The Python-driven entries
# (deploy, migrate, plugin) are left out: they spend their time in moto, the CloudFormation model
# and node, not in cfnsplit, and the Release suite already runs them.
# With clang++ (CI installs it: install-deps.sh, CFNSPLIT_FULL_DEPS=1) the same build also gets
# the libFuzzer targets (-DCFNSPLIT_FUZZ=ON), and each one replays its seeds as libFuzzer runs
# them; with g++ only the suite runs (its [fuzz] entry replays the same seeds in-process).
#   scripts/sanitize.sh [BUILD=build-asan] [ctest arguments…]     (default: the entries above)
# Environment: CFNSPLIT_SANITIZE_CXX picks the compiler (default clang++ when present, else g++).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-asan}
shift || true
cxx=${CFNSPLIT_SANITIZE_CXX:-$(command -v clang++ || echo g++)}
fuzz=OFF debug=-g1
targets=(cfnsplit cfnsplit_tests)
fuzz_targets=(load zip requirements record plan split)
if [[ $("$cxx" --version) == *clang* ]]; then
  fuzz=ON debug=-gline-tables-only  # line numbers in reports, a fraction of -g's build time
  for t in "${fuzz_targets[@]}"; do targets+=("cfnsplit_fuzz_$t"); done
fi
# -O1 without -DNDEBUG: fast to build, asserts on, reports still point at the right lines.
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 $debug" -DCFNSPLIT_SANITIZE=ON -DCFNSPLIT_FUZZ="$fuzz" \
  -DCFNSPLIT_WERROR=ON >/dev/null
cmake --build "$build" --target "${targets[@]}"
# Leaks are errors too; halt on the first report so that a test fails where it happens.
# Suppressions: third-party false positives only, each with its reason (tests/sanitizers/).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [[ $# -eq 0 ]]; then set -- -R '^(unit|golden|corpus|fuzz|package)$'; fi
ctest --test-dir "$build" --output-on-failure "$@"
if [[ $fuzz == ON ]]; then
  for t in "${fuzz_targets[@]}"; do
    dirs=(tests/fuzz/seeds/"$t")
    [[ $t == load ]] && dirs=(tests/fuzz/corpus tests/data/load)
    [[ $t == split ]] && dirs=(tests/fuzz/seeds/split tests/fuzz/corpus)
    # Files only: given a directory, libFuzzer would start fuzzing instead of replaying.
    mapfile -t seeds < <(find "${dirs[@]}" -type f | sort)
    echo "sanitize.sh: cfnsplit_fuzz_$t replays ${#seeds[@]} seeds"
    "$build/cfnsplit_fuzz_$t" -rss_limit_mb=2048 -timeout=30 "${seeds[@]}" >"$build/replay-$t.log" 2>&1 ||
      { tail -40 "$build/replay-$t.log"; echo "sanitize.sh: cfnsplit_fuzz_$t failed on a seed" >&2; exit 1; }
  done
fi
echo "sanitize.sh: passed"
