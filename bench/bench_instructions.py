#!/usr/bin/env python3
"""Instructions a split executes, per stage, under callgrind: the figure that does not drift.

On a shared VM the CPU seconds of bench/bench_split.py move by 10-30 % from run to run; the
count of instructions does not (same input, same binary: the same count to a few parts in a
million). Use it to judge a change; quote bench_split.py's seconds for what a user waits.

Needs: valgrind (callgrind_annotate), a built cfnsplit, the bench inputs bench_split.py writes.
Usage: bench/bench_instructions.py [--cfnsplit build/cfnsplit] [--functions 2000] [--manifest]

Prints, for `split --mode exports` of the generated F-function template: the program's total,
each pipeline stage's inclusive count (CommandStages::Verify …, ParseTemplate, BuildModel …)
and the SHA-256 of the template. Under valgrind the SHA-256 runs its portable code (valgrind
hides the CPU's SHA instructions), which costs ~60 instructions a byte that a real run does not
spend, so "total without SHA-256" is the figure to compare.
"""
import argparse
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


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cfnsplit", default=os.path.join(os.path.dirname(HERE), "build", "cfnsplit"))
    ap.add_argument("--functions", type=int, default=2000)
    ap.add_argument("--manifest", action="store_true", help="also pass the dependency manifest")
    args = ap.parse_args()
    if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
        print("bench_instructions: valgrind is not installed; nothing measured", file=sys.stderr)
        return 2
    template, manifest = bench_plan.prepare(args.functions, 1)
    with tempfile.TemporaryDirectory() as tmp:
        profile = os.path.join(tmp, "callgrind.out")
        argv = [os.path.abspath(args.cfnsplit), "split", template, "-o", os.path.join(tmp, "out"),
                "--mode", "exports"]
        if args.manifest:
            argv += ["--manifest", manifest]
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={profile}"] + argv,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        total, counts = inclusive_counts(profile)
    sha = counts.get("SHA-256", 0)
    label = f"split --mode exports, {args.functions} functions" + (" + manifest" if args.manifest else "")
    print(label)
    print(f"  {'stage':<16} {'instructions (M)':>17}")
    for stage, _ in STAGES:
        if counts.get(stage, 0) >= 50_000:  # a stage the command did not run shows a few calls
            print(f"  {stage:<16} {counts[stage] / 1e6:>17,.1f}")
    print(f"  {'total':<16} {total / 1e6:>17,.1f}")
    print(f"  {'total w/o SHA':<16} {(total - sha) / 1e6:>17,.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
