#!/usr/bin/env bash
# Runs every libFuzzer target of a -DCFNSPLIT_FUZZ=ON build for SECONDS each, one after another,
# from a scratch copy of its seeds, and prints executions and coverage per target
# (docs/fuzzing.md). Crashers are left in WORK/<target>/ as crash-*; copy them into
# tests/fuzz/seeds/<target>/ (or tests/fuzz/corpus/ for load) once fixed.
#   scripts/fuzz.sh [SECONDS=300] [BUILD=build-fuzz] [WORK=/tmp/cfnsplit-fuzz]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
build=${2:-build-fuzz}
work=${3:-/tmp/cfnsplit-fuzz}
root=$PWD
[[ $build == /* ]] || build=$root/$build
printf '%-13s %12s %8s %9s %8s %8s %s\n' target executions exec/s seed-cov cov ft result
for target in load zip requirements record plan; do
  bin="$build/cfnsplit_fuzz_$target"
  [[ -x "$bin" ]] || { echo "$target: $bin not built"; continue; }
  seeds=tests/fuzz/seeds/$target
  extra=()
  if [[ $target == load ]]; then seeds=tests/fuzz/corpus; extra=(-dict="$root/tests/fuzz/load.dict"); fi
  mkdir -p "$work/$target/corpus"
  cp -n "$seeds"/* "$work/$target/corpus/" 2>/dev/null || true
  log="$work/$target/fuzz.log"
  result=ok
  (cd "$work/$target" && "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 "${extra[@]}" corpus) >"$log" 2>&1 ||
    result="FAILED (see $log)"
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo -)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo -)
  seed_cov=$(grep -E 'INITED' "$log" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*' || echo -)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo -)
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo -)
  printf '%-13s %12s %8s %9s %8s %8s %s\n' "$target" "$execs" "$rate" "$seed_cov" "$cov" "$ft" \
    "$result"
done
