#!/usr/bin/env python3
"""Sizing benchmark: median of 5 runs and peak RSS for
  1. a generated site-packages tree of 500 distributions / 100,000 files, and
  2. a manifest of 2,000 functions (each with its own requirements list).

Usage: bench/bench_sizing.py [--build build] [--runs 5] [--keep DIR]
Builds bench/sizing_bench.cpp against build/libcfnsplit_core.a (run the CMake build first).
"""
import argparse, os, random, shutil, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build_driver(build_dir, out):
    cmd = ["g++", "-std=c++17", "-O2", "-I", os.path.join(ROOT, "include"),
           os.path.join(ROOT, "bench", "sizing_bench.cpp"),
           os.path.join(build_dir, "libcfnsplit_core.a"), "-lyaml-cpp", "-o", out]
    subprocess.run(cmd, check=True)


def make_site(dir_, dists=500, files=100_000):
    rnd = random.Random(42)
    site = os.path.join(dir_, "site")
    per = files // dists
    names = [f"pkg{i:03d}" for i in range(dists)]
    for i, name in enumerate(names):
        info = os.path.join(site, f"{name}-1.{i}.0.dist-info")
        os.makedirs(info)
        rows = []
        for j in range(per - 2):  # METADATA and RECORD count as files too
            rel = f"{name}/sub{j % 10}/mod{j}.py"
            path = os.path.join(site, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            size = rnd.randint(10, 200)
            with open(path, "wb") as f:
                f.write(b"x" * size)
            rows.append(f"{rel},sha256=x,{size}")
        deps = [names[k] for k in rnd.sample(range(dists), 3) if k != i]
        with open(os.path.join(info, "METADATA"), "w") as f:
            f.write(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.{i}.0\n")
            for d in deps:
                f.write(f"Requires-Dist: {d}>=1.0 ; python_version >= '3.8'\n")
        rows.append(f"{name}-1.{i}.0.dist-info/METADATA,,")
        rows.append(f"{name}-1.{i}.0.dist-info/RECORD,,")
        with open(os.path.join(info, "RECORD"), "w") as f:
            f.write("\n".join(rows) + "\n")
    with open(os.path.join(dir_, "requirements.txt"), "w") as f:
        f.write("\n".join(names[:50]) + "\n")


def make_manifest(dir_, functions=2000):
    rnd = random.Random(7)
    os.makedirs(os.path.join(dir_, "reqs"), exist_ok=True)
    for r in range(20):
        with open(os.path.join(dir_, "reqs", f"r{r}.txt"), "w") as f:
            f.write("\n".join(f"pkg{rnd.randrange(500):03d}" for _ in range(8)) + "\n")
    with open(os.path.join(dir_, "deps.yaml"), "w") as f:
        f.write("version: 1\nservice:\n  site_packages: site\n  packaging: individual\nfunctions:\n")
        for i in range(functions):
            f.write(f"  Fn{i}:\n    requirements: [reqs/r{i % 20}.txt]\n"
                    f"    packages: [\"pkg{rnd.randrange(500):03d}[extra] ; python_version >= '3.9'\"]\n")


def measure(driver, args, runs):
    times, rss = [], []
    last = ""
    for _ in range(runs):
        # wait4 gives this child's own peak RSS (RUSAGE_CHILDREN would include the compiler).
        proc = subprocess.Popen([driver] + args, stdout=subprocess.PIPE, text=True)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"sizing_bench failed: {args}")
        fields = dict(kv.split("=") for kv in out.split())
        times.append(float(fields["ms"]))
        rss.append(usage.ru_maxrss)
        last = out.strip()
    return statistics.median(times), max(rss), last


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--keep")
    a = p.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="cfnsplit-bench-")
    os.makedirs(work, exist_ok=True)
    try:
        driver = os.path.join(work, "sizing_bench")
        build_driver(a.build, driver)
        if not os.path.exists(os.path.join(work, "site")):
            make_site(work)
            make_manifest(work)
        for label, args in [("site-packages 500 dists / 100k files", ["site", work]),
                            ("manifest 2,000 functions", ["manifest", work, "2000"])]:
            med, rss, last = measure(driver, args, a.runs)
            print(f"{label}: median {med:.1f} ms of {a.runs}, peak RSS {rss / 1024:.1f} MiB  ({last})")
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
