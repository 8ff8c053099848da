#!/usr/bin/env python3
"""Instructions a split executes, per stage, under callgrind: the figure that does not drift.

On a shared VM the CPU seconds of bench/bench_split.py move by 10-30 % from run to run; the
count of instructions does not (same input, same binary: the same count to a few parts in a
million). Use it to judge a change; quote bench_split.py's seconds for what a user waits.

Needs: valgrind (callgrind_annotate), a built cfnsplit, the bench inputs bench_split.py writes.
Usage: bench/bench_instructions.py [--cfnsplit build/cfnsplit] [--functions 2000[,10000]]
                                   [--manifest]

Prints, for `split --mode exports` of the generated F-function template: the program's total,
each pipeline stage's inclusive count (CommandStages::Verify …, ParseTemplate, BuildModel …)
and the SHA-256 of the template; given several sizes, a column each and every stage's growth
exponent from the first size to the last (the issue's "linear" goal, in the measure that does
not drift: seconds add the machine's memory and caches). Under valgrind the SHA-256 runs its
portable code (valgrind hides the CPU's SHA instructions), which costs ~60 instructions a byte
that a real run does not spend, so "total without SHA-256" is the figure to compare.
"""
import argparse
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_plan  # noqa: E402

# Inclusive counts of these functions, in pipeline order (a substring of callgrind's name).
STAGES = [
    ("rules", "cfnsplit::LoadRuleSet("),
    ("parse", "cfnsplit::ParseTemplate("),  # the template and, with --manifest, the manifest
    ("model", "cfnsplit::BuildModel("),
    ("analyze", "cfnsplit::Analyze("),
    ("sizing", "cfnsplit::cli::CommandStages::Size("),
    ("plan", "cfnsplit::cli::CommandStages::Plan("),
    ("emit + render", "cfnsplit::cli::CommandStages::Emit("),
    ("verify", "cfnsplit::cli::CommandStages::Verify("),
    ("write", "cfnsplit::cli::CommandStages::Write("),
    ("SHA-256", "cfnsplit::Sha256Hex("),
]


def inclusive_counts(profile):
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", profile],
                         capture_output=True, text=True, check=True).stdout
    total = None
    counts = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)", line)
        if not m:
            continue
        n = int(m.group(1).replace(",", ""))
        name = m.group(2)
        if "PROGRAM TOTALS" in name:
            total = n
            continue
        for stage, needle in STAGES:
            if needle in name and "'2" not in name.split("[")[0]:
                counts[stage] = max(counts.get(stage, 0), n)
    return total, counts


def measure(cfnsplit, functions, manifest):
    """Instructions per stage of one `split --mode exports` run: (total, {stage: count})."""
    template, manifest_path = bench_plan.prepare(functions, 1)
    with tempfile.TemporaryDirectory() as tmp:
        profile = os.path.join(tmp, "callgrind.out")
        argv = [os.path.abspath(cfnsplit), "split", template, "-o", os.path.join(tmp, "out"),
                "--mode", "exports"]
        if manifest:
            argv += ["--manifest", manifest_path]
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={profile}"] + argv,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return inclusive_counts(profile)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cfnsplit", default=os.path.join(os.path.dirname(HERE), "build", "cfnsplit"))
    ap.add_argument("--functions", default="2000",
                    help="one size, or several (2000,10000): then each stage's growth exponent")
    ap.add_argument("--manifest", action="store_true", help="also pass the dependency manifest")
    args = ap.parse_args()
    if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
        print("bench_instructions: valgrind is not installed; nothing measured", file=sys.stderr)
        return 2
    sizes = [int(n) for n in args.functions.split(",")]
    runs = []
    for n in sizes:
        total, counts = measure(args.cfnsplit, n, args.manifest)
        counts["total"] = total
        counts["total w/o SHA"] = total - counts.get("SHA-256", 0)
        runs.append(counts)
    label = "split --mode exports, " + ", ".join(f"{n}" for n in sizes) + " functions"
    print(label + (" + manifest" if args.manifest else ""))
    header = "".join(f"{n:>12,}" for n in sizes)
    growth = len(sizes) > 1
    print(f"  {'stage':<16}{header}" + (f"  {'growth':>8}" if growth else "") + "   (M instructions)")
    rows = [stage for stage, _ in STAGES] + ["total", "total w/o SHA"]
    for stage in rows:
        # A stage the command did not run shows a few calls: left out.
        if any(r.get(stage, 0) < 50_000 for r in runs):
            continue
        cells = "".join(f"{r[stage] / 1e6:>12,.1f}" for r in runs)
        exponent = ""
        if growth:
            # n^e between the first and the last size: e = log(count ratio) / log(size ratio).
            e = math.log(runs[-1][stage] / runs[0][stage]) / math.log(sizes[-1] / sizes[0])
            exponent = f"  {'n^%.2f' % e:>8}"
        print(f"  {stage:<16}{cells}{exponent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
