#!/usr/bin/env bash
# Runs libFuzzer targets of a -DCFNSPLIT_FUZZ=ON build for SECONDS (wall) each, from a scratch
# copy of their seeds, and prints executions, coverage and crashes per target (docs/fuzzing.md).
# A crash does not end a target's run: the fuzzer restarts from the grown corpus until SECONDS
# are used (at most 20 crashes), so every target gets its full time. Crashers are left in
# WORK/<target>/ as crash-* (timeouts as timeout-*, out-of-memory as oom-*); copy them into
# tests/fuzz/seeds/<target>/ (or tests/fuzz/corpus/ for load) once fixed.
#   scripts/fuzz.sh [SECONDS=300] [BUILD=build-fuzz] [WORK=/tmp/cfnsplit-fuzz]
# Environment: FUZZ_TARGETS (default "load zip requirements record plan split"), FUZZ_JOBS (targets
# run at once, default 1; the machine's cores are shared, so keep it low), FUZZ_NICE (default 19).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
build=${2:-build-fuzz}
work=${3:-/tmp/cfnsplit-fuzz}
targets=(${FUZZ_TARGETS:-load zip requirements record plan split})
jobs=${FUZZ_JOBS:-1}
niceness=${FUZZ_NICE:-19}
root=$PWD
[[ $build == /* ]] || build=$root/$build
[[ $work == /* ]] || work=$root/$work

# One libFuzzer process until it exits; prints its log's path. Stats come from -print_final_stats.
# -timeout is wall time: at nice 19 on a busy machine the alias-bomb seed (0.4 s of CPU) took
# over 10 s and ended every run while the corpus loaded; 60 s still catches a real hang.
run_segment() {
  local target=$1 bin=$2 budget=$3 segment=$4
  shift 4
  local log="$work/$target/fuzz-$segment.log"
  (cd "$work/$target" && nice -n "$niceness" "$bin" -max_total_time="$budget" -rss_limit_mb=2048 \
      -timeout=60 -print_final_stats=1 "$@" corpus) >"$log" 2>&1 || true
  echo "$log"
}

# True when a libFuzzer log ends in a crash, timeout, leak or out-of-memory, not at the time limit.
crashed() {
  grep -qE '(==[0-9]+== ?ERROR|^SUMMARY: |contract broken|ALARM: working on the last)' "$1" ||
    ! grep -q 'Done [0-9]* runs' "$1"
}

# Fuzzes one target for `seconds` of wall time, then writes WORK/<target>/result (one table row).
# A second call with the same WORK continues from the grown corpus and adds to the totals (wall
# time, executions, crashes), so a target's time may be given in several slices.
fuzz_target() {
  local target=$1 bin="$build/cfnsplit_fuzz_$1" seeds="tests/fuzz/seeds/$1" extra=()
  if [[ $target == load ]]; then seeds=tests/fuzz/corpus; extra=(-dict="$root/tests/fuzz/load.dict"); fi
  # The split takes templates too: the loader's corpus and dictionary besides its own seeds.
  if [[ $target == split ]]; then extra=(-dict="$root/tests/fuzz/load.dict"); fi
  local dir="$work/$target"
  mkdir -p "$dir/corpus"
  cp -n "$seeds"/* "$dir/corpus/" 2>/dev/null || true
  [[ $target == split ]] && { cp -n tests/fuzz/corpus/* "$dir/corpus/" 2>/dev/null || true; }
  local start=$SECONDS segment crashes=0 log
  segment=$(find "$dir" -maxdepth 1 -name 'fuzz-*.log' | wc -l)
  while ((SECONDS - start < seconds - 5 && crashes <= 20)); do
    segment=$((segment + 1))
    log=$(run_segment "$target" "$bin" $((seconds - (SECONDS - start))) "$segment" "${extra[@]}")
    if crashed "$log"; then crashes=$((crashes + 1)); fi
  done
  local wall=$(($(cat "$dir/wall" 2>/dev/null || echo 0) + SECONDS - start))
  echo "$wall" >"$dir/wall"
  # Totals over every slice and segment; coverage at the start (seeds) and at the last line.
  local execs=0 n all_crashes=0 seed_cov seed_ft last cov ft result="no crash"
  for log in $(ls -v "$dir"/fuzz-*.log); do
    n=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    execs=$((execs + n))
    if crashed "$log"; then all_crashes=$((all_crashes + 1)); fi
  done
  seed_cov=$(grep -m1 'INITED' "$dir/fuzz-1.log" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*' || echo -)
  seed_ft=$(grep -m1 'INITED' "$dir/fuzz-1.log" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*' || echo -)
  last=$(cat $(ls -v "$dir"/fuzz-*.log) | grep -E '^#[0-9]+' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo -)
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo -)
  ((all_crashes == 0)) || result="$all_crashes crash(es): see $dir/fuzz-*.log and crash-*"
  printf '%-13s %6s %12s %8s %8s %8s %8s %8s %s\n' "$target" "$wall" "$execs" \
    "$((execs / (wall > 0 ? wall : 1)))" "$seed_cov" "$cov" "$seed_ft" "$ft" "$result" \
    >"$dir/result"
}

for target in "${targets[@]}"; do
  [[ -x "$build/cfnsplit_fuzz_$target" ]] || { echo "$target: $build/cfnsplit_fuzz_$target not built" >&2; exit 2; }
  rm -f "$work/$target/result"
done
for target in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  echo "fuzz.sh: $(date -u +%H:%M:%S) $target for ${seconds}s" >&2
  fuzz_target "$target" &
done
wait
printf '%-13s %6s %12s %8s %8s %8s %8s %8s %s\n' target wall-s executions exec/s seed-cov cov \
  seed-ft ft result
for target in "${targets[@]}"; do cat "$work/$target/result"; done
