#!/usr/bin/env python3
"""Time a cfnsplit subcommand on generated templates of growing size.

Needs: python3 (3.8+) on Linux, no third-party modules; a built cfnsplit.
Usage:
  bench/bench_load.py [--cfnsplit build/cfnsplit] [--sizes 1000,10000,50000]
                      [--runs 5] [--format json|yaml] [--seed 1]
                      [--command 'analyze {file} --format json']

For each size N, bench/gen_template.py writes bench/results/gen-N-sSEED.FORMAT
(cached; bench/results/ is git-ignored). The command template is run RUNS times
as `CFNSPLIT <command>` with {file} replaced by the template path and {out} by a
fresh output directory under bench/results/ (so `--command 'plan {file} -o {out}'`
or `'split {file} -o {out} --mode nested'` time other subcommands). Each run's
wall time comes from time.perf_counter() and its peak RSS from `/usr/bin/time -f %M`
when that exists, else from os.wait4() on the child (which can over-report by the
size of this Python process, as the high-water mark survives fork+exec). Printed per size: median/min/max wall seconds, max peak RSS, and the
median time of a bare `json.load` of the same file (the floor; JSON only).
A command that is missing or fails prints "n/a" and its first error line; the
harness keeps going.
"""
import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")


def generate(n, seed, fmt):
    path = os.path.join(RESULTS, f"gen-{n}-s{seed}.{fmt}")
    if not os.path.exists(path):
        os.makedirs(RESULTS, exist_ok=True)
        subprocess.run([sys.executable, os.path.join(HERE, "gen_template.py"), str(n), path,
                        "--seed", str(seed), "--format", fmt], check=True, stdout=subprocess.DEVNULL)
    return path


GNU_TIME = "/usr/bin/time"


def run_once(argv):
    """(wall seconds, peak RSS KiB, exit code, stderr text) of one child run."""
    rss_file = os.path.join(RESULTS, "maxrss.txt")
    use_time = os.access(GNU_TIME, os.X_OK)
    if use_time:
        argv = [GNU_TIME, "-f", "%M", "-o", rss_file] + argv
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # Read stderr fully before reaping: wait4 must be the call that reaps the child.
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    peak = ru.ru_maxrss
    if use_time:
        with open(rss_file) as f:
            lines = f.read().split()
        peak = int(lines[-1]) if lines and lines[-1].isdigit() else peak
    return wall, peak, code, err.decode(errors="replace")


def time_command(binary, command, path, runs, tag, ok_codes=(0,)):
    walls, rss = [], []
    for r in range(runs):
        out = os.path.join(RESULTS, f"out-{tag}-run{r}")
        shutil.rmtree(out, ignore_errors=True)
        argv = [binary] + [a.replace("{file}", path).replace("{out}", out) for a in shlex.split(command)]
        if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            return None, f"cannot run {binary}: not an executable file (build it first)"
        wall, peak, code, err = run_once(argv)
        if code not in ok_codes:
            first = next((ln for ln in err.splitlines() if ln.strip()), "")
            return None, f"exit {code}: {first[:160]}"
        walls.append(wall)
        rss.append(peak)
    return (statistics.median(walls), min(walls), max(walls), max(rss)), None


JSON_FLOOR = """
import json, statistics, sys, time
walls = []
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    with open(sys.argv[1], "rb") as f:
        json.load(f)
    walls.append(time.perf_counter() - t0)
print(statistics.median(walls))
"""


def time_json_parse(path, runs):
    """Median seconds of json.load on the file, in a separate Python (keeps this one small)."""
    out = subprocess.run([sys.executable, "-c", JSON_FLOOR, path, str(runs)],
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main():
    ap = argparse.ArgumentParser(description="Time a cfnsplit subcommand on generated templates.")
    ap.add_argument("--cfnsplit", default=os.path.join(REPO, "build", "cfnsplit"))
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--format", choices=["json", "yaml"], default="json")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--command", default="analyze {file} --format json",
                    help="arguments after the binary; {file} and {out} are substituted")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",") if s]
    print(f"cfnsplit: {a.cfnsplit}")
    print(f"command:  cfnsplit {a.command}   runs: {a.runs}   format: {a.format}   seed: {a.seed}")
    hdr = f"{'resources':>9} {'MB':>7} {'median s':>9} {'min s':>8} {'max s':>8} {'peak RSS MiB':>12} {'json.load s':>11}"
    print(hdr)
    print("-" * len(hdr))
    for n in sizes:
        path = generate(n, a.seed, a.format)
        mb = os.path.getsize(path) / 1e6
        floor = f"{time_json_parse(path, a.runs):11.3f}" if a.format == "json" else f"{'-':>11}"
        # Exit 1 means findings (these templates are over quotas on purpose), not a failure.
        stats, err = time_command(a.cfnsplit, a.command, path, a.runs, f"{n}-{a.format}", ok_codes=(0, 1))
        if stats is None:
            print(f"{n:>9} {mb:7.1f} {'n/a':>9} {'':>8} {'':>8} {'':>12} {floor}   ({err})")
        else:
            med, lo, hi, rss = stats
            print(f"{n:>9} {mb:7.1f} {med:9.3f} {lo:8.3f} {hi:8.3f} {rss / 1024:12.1f} {floor}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
