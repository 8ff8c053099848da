#!/usr/bin/env python3
"""`sls package` time: serverless-cfnsplit vs serverless-plugin-split-stacks on the same service.

Usage: plugin_vs_peer.py --sls-modules DIR --cfnsplit BIN [--sizes 50,300,2000] [--runs 5]
  DIR: a node_modules with serverless 3.39 and serverless-plugin-split-stacks 1.15 (the peer's
  package.json, or bench/compare/npm_env.sh's cache).
For every size, three copies of the generated service (gen_service.py, seed 11): no split plugin,
the peer (perGroupFunction; 20 nested stacks, 40 from 1,000 functions, where 20 overflow), and
serverless-cfnsplit (manifest given; exports mode from 1,000 functions, whose nested tree would
exceed the 2,500 resources of one nested-stack operation). Each run packages all three back to back in a rotating
order (paired: the same machine load for the three), from a clean .serverless. Prints the median
(min-max) wall time of each and the median of the per-run ratios plugin/peer.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "integrations", "serverless", "test"))
import integration  # noqa: E402


def prepare(kind, n, a):
    d = os.path.join(a.work, f"{kind}{n}")
    shutil.rmtree(d, ignore_errors=True)
    args = [sys.executable, os.path.join(HERE, "gen_service.py"), d, str(n), "--seed", "11"]
    if kind == "peer":
        args += ["--split", "perGroupFunction", "--stacks", "40" if n >= 1000 else "20"]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    shutil.copy(os.path.join(HERE, "offline_shim.js"), os.path.join(d, "offline_shim.js"))
    os.symlink(a.sls_modules, os.path.join(d, "node_modules"))
    if kind == "plugin":
        os.symlink(integration.PLUGIN, os.path.join(d, "serverless-cfnsplit"))
        # A nested tree over 2,500 resources is refused (E4018): large services use exports mode.
        integration.with_plugin(d, "    mode: exports\n" if n >= 1000 else "")
    return d


def fmt(xs):
    return f"{statistics.median(xs):.2f} ({min(xs):.2f}-{max(xs):.2f})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sls-modules", required=True)
    ap.add_argument("--cfnsplit", required=True)
    ap.add_argument("--sizes", default="50,300,2000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", default="/tmp/cfnsplit-plugin-bench")
    a = ap.parse_args()
    a.cfnsplit, a.sls_modules = os.path.abspath(a.cfnsplit), os.path.abspath(a.sls_modules)
    os.makedirs(a.work, exist_ok=True)
    print("| N functions | no split plugin, s | peer perGroupFunction, s | serverless-cfnsplit, s | plugin/peer (median of paired ratios) |")
    print("|---:|---:|---:|---:|---:|")
    kinds = ["none", "peer", "plugin"]
    for n in (int(x) for x in a.sizes.split(",")):
        dirs = {k: prepare(k, n, a) for k in kinds}
        walls = {k: [] for k in kinds}
        for r in range(a.runs):
            for k in kinds[r % 3:] + kinds[:r % 3]:
                p, took = integration.sls_package(dirs[k], a)
                if p.returncode != 0:
                    sys.exit(f"{k} N={n}: sls package failed:\n{p.stdout[-1500:]}{p.stderr[-1500:]}")
                walls[k].append(took)
        ratios = [x / y for x, y in zip(walls["plugin"], walls["peer"])]
        print(f"| {n:,} | {fmt(walls['none'])} | {fmt(walls['peer'])} | {fmt(walls['plugin'])} | "
              f"{statistics.median(ratios):.2f} |", flush=True)


if __name__ == "__main__":
    main()
