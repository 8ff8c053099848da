#!/usr/bin/env python3
"""simdjson as cfnsplit's JSON front end, evaluated: median CPU milliseconds of cfnsplit's
reader, simdjson's DOM parser alone, simdjson's DOM turned into cfnsplit's Value, simdjson's
On-Demand parser building the positioned Value with the duplicate-key check, and nlohmann's
parse, on the generated F-function template (bench/json_frontends.cpp says what each row does).

Needs: libsimdjson-dev (apt-get install libsimdjson-dev; not a dependency of cfnsplit itself),
the CMake build (build/libcfnsplit_core.a) and, when installed, mimalloc, which the cfnsplit
executable links.
Usage: bench/bench_json_frontends.py [--build build] [--functions 2000,10000] [--runs 11]
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import bench_plan  # noqa: E402


def build_driver(build_dir, out):
    libs = ["-lsimdjson", "-lyaml-cpp"]
    if os.path.exists("/usr/include/mimalloc.h"):
        libs.append("-lmimalloc")  # the allocator the cfnsplit executable runs with
    cmd = ["g++", "-std=c++17", "-O3", "-DNDEBUG", "-I", os.path.join(ROOT, "include"),
           os.path.join(HERE, "json_frontends.cpp"),
           os.path.join(build_dir, "libcfnsplit_core.a")] + libs + ["-o", out]
    subprocess.run(cmd, check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--functions", default="2000,10000")
    ap.add_argument("--runs", type=int, default=11)
    args = ap.parse_args()
    if not os.path.exists("/usr/include/simdjson.h"):
        print("bench_json_frontends: libsimdjson-dev is not installed; nothing measured",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        driver = os.path.join(tmp, "json_frontends")
        build_driver(args.build, driver)
        for n in [int(x) for x in args.functions.split(",")]:
            template, _ = bench_plan.prepare(n, 1)
            subprocess.run([driver, template, str(args.runs)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
