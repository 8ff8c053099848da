#!/usr/bin/env python3
"""Where a split's time goes, against the cost of reading the template (issue 13's figures).

Needs: python3 (3.8+) on Linux, g++ and nlohmann-json3-dev (for the floor), a built cfnsplit.
Usage: bench/bench_split.py [--cfnsplit build/cfnsplit] [--functions 1000,2000,10000] [--runs 3]

For each function count F, bench/bench_plan.py's generator writes a Serverless-like template
(about 5.9 F resources) with its dependency manifest (cached in bench/results/). Then, RUNS
times each, every size and row in turn within each run so that machine load hits every row and
every size alike:
  floor             nlohmann::ordered_json parse + dump(2) of the template (bench/json_floor.cpp),
                    CPU seconds inside the process; the ratios are to this row
  floor (mimalloc)  the same program with mimalloc preloaded (when libmimalloc is installed),
                    since cfnsplit links mimalloc: what the floor costs with cfnsplit's allocator
  floor (mimalloc, 2 MiB)  and with mimalloc's 2 MiB pages (MIMALLOC_LARGE_OS_PAGES=1), which
                    cfnsplit picks where they fault in faster (src/common/heap_pages.cpp)
  analyze           `cfnsplit analyze T --timings`
  split nested|exports, with and without the manifest: `cfnsplit split ... --timings`, each
                    run into a new directory (all removed at the end, see main)
Printed: median CPU seconds (user+sys of the child), ratio to the floor, median wall, peak RSS,
and for the split rows the median CPU seconds of every stage `--timings` reports. The growth
exponent between the smallest and largest F is printed per stage (log ratio of times over log
ratio of sizes), and the floor's own: what the machine adds to every row's.
"""
import argparse
import glob
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_load  # noqa: E402
import bench_plan  # noqa: E402

RESULTS = bench_load.RESULTS
MIMALLOC = "/usr/lib/x86_64-linux-gnu/libmimalloc.so.2"


def build_floor():
    exe = os.path.join(RESULTS, "json_floor")
    src = os.path.join(HERE, "json_floor.cpp")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        os.makedirs(RESULTS, exist_ok=True)
        subprocess.run(["g++", "-O2", "-std=c++17", "-o", exe, src], check=True)
    return exe


def run(argv):
    """(stdout, stderr, wall seconds, exit code) of one child."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate()
    wall = time.perf_counter() - t0
    return out.decode(), err.decode(errors="replace"), wall, p.returncode


def child_cpu():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def timed(argv):
    before = child_cpu()
    out, err, wall, code = run(argv)
    return child_cpu() - before, wall, out, err, code


def stages(err):
    """stage → cpu seconds from --timings lines; 'stage/MiB' → the growth of resident memory
    during the stage (the "+RSS MiB" column: fresh memory costs time on a VM); also 'peak'."""
    got = {}
    for line in err.splitlines():
        parts = line.split()
        # the header and notes such as "timings:   heap: 2 MiB pages: ..." are not stages
        if (len(parts) >= 3 and parts[0] == "timings:" and parts[1] != "stage"
                and not parts[1].endswith(":")):
            try:
                got[parts[1]] = float(parts[2])
                # stage rows: cpu wall runs MiB; "other" and "total": cpu wall MiB
                column = 4 if parts[1] in ("other", "total") else 5
                if len(parts) > column:
                    got[parts[1] + "/MiB"] = float(parts[column])
            except ValueError:
                continue
            if parts[1] == "total" and "RSS" in parts:
                got["peak"] = float(parts[parts.index("RSS") + 1])
    return got


def growth_exponent(lo, hi, sizes):
    """e in time ~ n^e from the smallest size to the largest."""
    return math.log(hi / lo) / math.log(sizes[-1] / sizes[0])


def rows_for(cfnsplit, floor_exe, f):
    """The commands timed for F functions, by row name."""
    template, manifest = bench_plan.prepare(f, 1)
    rows = {"floor (nlohmann)": [floor_exe, template]}
    if os.path.exists(MIMALLOC):
        rows["floor (mimalloc)"] = ["env", f"LD_PRELOAD={MIMALLOC}", floor_exe, template]
        rows["floor (mimalloc, 2 MiB)"] = ["env", f"LD_PRELOAD={MIMALLOC}",
                                           "MIMALLOC_LARGE_OS_PAGES=1", floor_exe, template]
    rows["analyze"] = [cfnsplit, "analyze", template, "--timings"]
    for mode in ("nested", "exports"):
        rows[f"split {mode}"] = [cfnsplit, "split", template, "--mode", mode, "--timings"]
        rows[f"split {mode} +manifest"] = rows[f"split {mode}"] + ["--manifest", manifest]
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cfnsplit", default=os.path.join(os.path.dirname(HERE), "build", "cfnsplit"))
    ap.add_argument("--functions", default="1000,2000,10000")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    floor_exe = build_floor()
    sizes = [int(x) for x in args.functions.split(",")]
    per_stage = {}  # (row, F) → {stage: median}
    outputs = []  # split output directories, removed at the end
    for stale in glob.glob(os.path.join(RESULTS, "out-split-*")):  # of an interrupted run
        shutil.rmtree(stale, ignore_errors=True)
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    header = (f"{'functions':>9} {'row':<24} {'cpu s':>7} {'x floor':>7} {'wall s':>7} "
              f"{'peak MiB':>9} exit")
    print(header)
    rows_of = {f: rows_for(args.cfnsplit, floor_exe, f) for f in sizes}
    samples = {(f, name): [] for f in sizes for name in rows_of[f]}
    # Run by run, every size in turn: this VM's speed drifts by half within minutes, and a block
    # of small runs in a fast minute against large ones in a slow one would bend the growth
    # exponents (the floor's own exponent, printed below, shows what the machine adds anyway).
    for _ in range(args.runs):
        for f in sizes:
            for name, argv in rows_of[f].items():
                if name.startswith("split"):
                    # A new directory per run, all removed at the very end: on an ext4 without a
                    # journal (this VM's), creating files within a minute of deleting others
                    # scans every recently freed inode (the kernel's recently_deleted), so a
                    # `--force` run right after another paid for the benchmark's own deletions
                    # (up to 0.7 s of the write stage at 10,000 functions).
                    out = os.path.join(RESULTS, f"out-split-{f}-{len(outputs)}")
                    outputs.append(out)
                    argv = argv + ["-o", out]
                cpu, wall, stdout, err, code = timed(argv)
                if name.startswith("floor"):
                    cpu = float(stdout.split()[0])
                samples[(f, name)].append((cpu, wall, code, stages(err), err))
    floors = {}
    for f in sizes:
        floor = statistics.median(s[0] for s in samples[(f, "floor (nlohmann)")])
        floors[f] = floor
        for name in rows_of[f]:
            runs = samples[(f, name)]
            cpu = statistics.median(r[0] for r in runs)
            wall = statistics.median(r[1] for r in runs)
            peaks = [r[3].get("peak", 0) for r in runs]
            code = runs[0][2]
            note = ""
            if code != 0:  # a refusal (nested over 2,500 resources: E4018) is not a split
                first = next((ln for ln in runs[0][4].splitlines() if "error" in ln), "")
                note = f": {first[:90]}"
            print(f"{f:>9} {name:<24} {cpu:7.3f} {cpu / floor:7.2f} {wall:7.3f} {max(peaks):9.1f}"
                  f" {code:>4}{note}")
            names = set().union(*(r[3].keys() for r in runs)) - {"peak"}
            per_stage[(name, f)] = {s: statistics.median(r[3].get(s, 0.0) for r in runs) for s in names}
    if len(sizes) > 1:
        # The yardstick: a bare parse + dump is linear in the input, so its exponent here is
        # what the machine (caches, fresh memory) adds to every row's.
        lo, hi = floors[sizes[0]], floors[sizes[-1]]
        print(f"\nfloor (nlohmann) growth {sizes[0]} -> {sizes[-1]} functions: "
              f"n^{growth_exponent(lo, hi, sizes):.2f}")
    for out in outputs:
        shutil.rmtree(out, ignore_errors=True)
    print("\nCPU seconds per stage (median; --timings), growth, then +RSS MiB per stage:")
    for name in [n for n in per_stage if n[1] == sizes[-1] and not n[0].startswith("floor")]:
        row = name[0]
        all_stages = sorted(set().union(*(per_stage[(row, f)].keys() for f in sizes)))
        print(f"  {row}")
        for stage in [s for s in all_stages if not s.endswith("/MiB")]:
            figures = [per_stage[(row, f)].get(stage, 0.0) for f in sizes]
            growth = ""
            lo, hi = figures[0], figures[-1]
            if len(sizes) > 1 and lo > 0.002 and hi > 0:
                growth = f"  n^{growth_exponent(lo, hi, sizes):.2f}"
            mib = [per_stage[(row, f)].get(stage + "/MiB") for f in sizes]
            fresh = ("  |" + " ".join(f"{x:7.1f}" for x in mib)) if None not in mib else ""
            seconds = " ".join(f"{x:8.3f}" for x in figures)
            print(f"    {stage:<12} {seconds}{growth:<9}{fresh}")


if __name__ == "__main__":
    main()
