#!/usr/bin/env python3
"""Benchmark `cfnsplit package` on the ML sample against `zip -r -X` (and libzip).

Builds the ML sample's 7 stack artifacts (about 1.5 GB of files in all) from a real-size
synthetic installed tree (bench/make_site_tree.py), with 1 and 2 jobs, and zips the very same
files with `zip -r -X -D` at the same deflate level, one stack after another (one job). Also
writes the same files with cfnsplit's zip writer and with libzip (bench/zip_writers_bench.cpp),
which is how the writer was chosen (docs/package.md). Prints medians (min-max) of --runs runs
and peak RSS.

    python3 bench/bench_package.py [--build build] [--runs 3] [--work /tmp/cfnsplit-bench-package]
"""
import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "samples", "ml-service")
LEVEL = 6


def run(cmd, cwd=ROOT, quiet=True):
    """Runs cmd; returns (wall seconds, peak RSS in KiB, user + system CPU seconds)."""
    start = time.perf_counter()
    out = subprocess.DEVNULL if quiet else None
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    return wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def summary(samples):
    """Wall and CPU medians (min-max), peak RSS. On a shared machine CPU time is the steadier
    measure: wall time also counts waiting for the other processes."""
    times = [t for t, _, _ in samples]
    cpu = [c for _, _, c in samples]
    return (f"{statistics.median(times):.2f} s ({min(times):.2f}-{max(times):.2f})",
            f"{statistics.median(cpu):.2f} s ({min(cpu):.2f}-{max(cpu):.2f})",
            f"{max(r for _, r, _ in samples) / 1024:.0f} MiB")


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def stack_files(out, site):
    """stack -> [(name, source, size, executable)] as our zips hold them."""
    stacks = {}
    for zip_name in sorted(os.listdir(os.path.join(out, "packages"))):
        if not zip_name.endswith(".zip"):
            continue
        items = []
        for info in zipfile.ZipFile(os.path.join(out, "packages", zip_name)).infolist():
            source = os.path.join(site, info.filename)
            if not os.path.exists(source):
                source = os.path.join(SAMPLE, info.filename)
            executable = (info.external_attr >> 16) & 0o111 != 0
            items.append((info.filename, source, info.file_size, executable))
        stacks[zip_name[:-4]] = items
    return stacks


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default="/tmp/cfnsplit-bench-package")
    args = ap.parse_args()
    cfnsplit = os.path.join(args.build, "cfnsplit")
    site = os.path.join(args.work, "site")
    out = os.path.join(args.work, "out")
    os.makedirs(args.work, exist_ok=True)
    if not os.path.isdir(site):
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "make_site_tree.py"),
                        os.path.join(SAMPLE, "site-packages"), site], check=True)
    inputs = ["--site-packages", site, "--code", SAMPLE, "--serverless-config",
              os.path.join(SAMPLE, "serverless.yml")]
    run([cfnsplit, "split", os.path.join(SAMPLE, "template.json"), "--manifest",
         os.path.join(SAMPLE, "cfnsplit.yaml"), "--build", "-o", out, "--force"] + inputs)
    stacks = stack_files(out, site)
    total_files = sum(len(v) for v in stacks.values())
    total_bytes = sum(s for v in stacks.values() for _, _, s, _ in v)
    zipped = sum(os.path.getsize(os.path.join(out, "packages", s + ".zip")) for s in stacks)
    print(f"ML sample: {len(stacks)} artifacts, {total_files:,} files, {total_bytes:,} bytes "
          f"unzipped, {zipped:,} zipped (deflate level {LEVEL})\n")

    rows = []
    for jobs in (1, 2):
        samples = [run([cfnsplit, "package", out, "--jobs", str(jobs)] + inputs)
                   for _ in range(args.runs)]
        rows.append((f"cfnsplit package --jobs {jobs}", *summary(samples)))

    # zip -r -X over the very same files: a symlink farm per stack (zip stores the targets).
    if shutil.which("zip"):
        farm = os.path.join(args.work, "farm")
        shutil.rmtree(farm, ignore_errors=True)
        for stack, items in stacks.items():
            for name, source, _, _ in items:
                link = os.path.join(farm, stack, name)
                os.makedirs(os.path.dirname(link), exist_ok=True)
                os.symlink(source, link)
        samples = []
        for _ in range(args.runs):
            wall, rss, cpu = 0.0, 0, 0.0
            for stack in stacks:
                target = os.path.join(args.work, stack + ".zip")
                if os.path.exists(target):
                    os.remove(target)
                t, r, c = run(["zip", "-r", "-X", "-D", f"-{LEVEL}", "-q", target, "."],
                              cwd=os.path.join(farm, stack))
                wall, rss, cpu = wall + t, max(rss, r), cpu + c
            samples.append((wall, rss, cpu))
        rows.append((f"zip -r -X -D -{LEVEL} (7 zips, one after another)", *summary(samples)))
    else:
        print("WARNING: zip is not installed (scripts/install-deps.sh installs it with "
              "CFNSPLIT_FULL_DEPS=1): the zip -r comparison is skipped\n")

    # The writer decision: ours vs libzip on the same lists, one job.
    bench_bin = os.path.join(args.work, "zip_writers_bench")
    libzip = subprocess.run(["pkg-config", "--exists", "libzip"]).returncode == 0
    cmd = ["g++", "-std=c++17", "-O2", "-I", os.path.join(ROOT, "src"),
           os.path.join(ROOT, "bench", "zip_writers_bench.cpp"),
           os.path.join(ROOT, "src", "package", "zip_writer.cpp"), "-o", bench_bin, "-lz"]
    if libzip:
        cmd[1:1] = ["-DWITH_LIBZIP"]
        cmd.append("-lzip")
    subprocess.run(cmd, check=True)
    lists = {}
    for stack, items in stacks.items():
        path = os.path.join(args.work, stack + ".list")
        with open(path, "w") as f:
            for name, source, size, executable in items:
                f.write(f"{name}\t{source}\t{size}\t{int(executable)}\n")
        lists[stack] = path
    writers = ["ours"] + (["libzip"] if libzip else [])
    if not libzip:
        print("WARNING: libzip headers not installed (apt-get install libzip-dev): the libzip "
              "comparison is skipped\n")
    for writer in writers:
        samples, digests, size = [], [], 0
        for _ in range(args.runs):
            wall, rss, cpu, digest = 0.0, 0, 0.0, hashlib.sha256()
            for stack, path in lists.items():
                target = os.path.join(args.work, f"{stack}.{writer}.zip")
                t, r, c = run([bench_bin, writer, target, path, str(LEVEL)])
                wall, rss, cpu = wall + t, max(rss, r), cpu + c
                digest.update(sha(target).encode())
                size = size if len(samples) else size + os.path.getsize(target)
            samples.append((wall, rss, cpu))
            digests.append(digest.hexdigest())
        same = "yes" if len(set(digests)) == 1 else "NO"
        rows.append((f"writer: {writer} (7 zips, one job; {size:,} bytes; same bytes each run: "
                     f"{same})", *summary(samples)))

    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (on "
          f"{os.cpu_count()} cores)\n")
    print("| what | wall, median (min-max) | CPU (user+sys), median (min-max) | peak RSS |")
    print("|---|---:|---:|---:|")
    for row in rows:
        print(f"| {row[0]} | {row[1]} | {row[2]} | {row[3]} |")


if __name__ == "__main__":
    main()
