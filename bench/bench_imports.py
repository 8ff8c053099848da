#!/usr/bin/env python3
"""Import-inference benchmark: `cfnsplit analyze` of 2,000 Python functions over one shared code
tree, with --infer-imports on and off (the difference is the inference), median of N runs, CPU
time and peak RSS.

The generated service: a code tree of 2,000 handlers (functions/fn_NNNN/handler.py, ~60 lines
each: stdlib imports, 2-4 distributions, 3 modules of a shared `common` package, an optional
import, a TYPE_CHECKING block, an import inside the handler) and a `common` package of 60
modules that import each other (acyclic) and distributions; an installed tree of 120
distributions (dist-info with METADATA, RECORD and top_level.txt, no payload); one service-wide
requirements.txt naming all of them; a plain CloudFormation template of the 2,000 functions.

It also times the imports stage alone (bench/imports_bench.cpp, built against
build/libcfnsplit_core.a): every handler's imports inferred over the shared tree, no sizing.

Usage: bench/bench_imports.py [--build build] [--functions 2000] [--runs 5] [--keep DIR]
"""
import argparse, json, os, random, shutil, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STDLIB = ["json", "os", "re", "logging", "datetime", "decimal", "uuid", "base64", "hashlib",
          "itertools", "functools", "collections", "typing", "urllib.parse", "dataclasses"]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def make_site(work, dists):
    names = [f"dist{i:03d}" for i in range(dists)]
    for i, name in enumerate(names):
        info = os.path.join(work, "site", f"{name}-1.0.{i}.dist-info")
        rows = [f"{name}_mod/__init__.py,sha256=x,{1000 + i}",
                f"{name}_mod/core.py,sha256=x,{20000 + 10 * i}",
                f"{name}_mod/__pycache__/core.cpython-312.pyc,,{15000 + i}"]
        meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0.{i}\n"
        if i % 7 == 0 and i + 1 < dists:
            meta += f"Requires-Dist: {names[i + 1]}>=1.0\n"
        write(os.path.join(info, "METADATA"), meta)
        write(os.path.join(info, "top_level.txt"), f"{name}_mod\n")
        rows += [f"{name}-1.0.{i}.dist-info/METADATA,,", f"{name}-1.0.{i}.dist-info/top_level.txt,,",
                 f"{name}-1.0.{i}.dist-info/RECORD,,"]
        write(os.path.join(info, "RECORD"), "\n".join(rows) + "\n")
    write(os.path.join(work, "requirements.txt"), "".join(f"{n}==1.0.{i}\n" for i, n in enumerate(names)))
    return names


FILLER = '''

def helper_{n}(values):
    """Sums what it is given; the text says import nothing_{n} but is a docstring."""
    total = 0
    for v in values:  # import in a comment
        total += v
    return f"{{total}} items ({{'import x'}})"
'''


def make_code(work, functions, dists, rnd):
    common = 60
    for m in range(common):
        deps = [f"from common import mod{k:02d}" for k in rnd.sample(range(m), min(m, 2))]
        dist = f"import dist{rnd.randrange(dists):03d}_mod"
        std = "\n".join(f"import {s}" for s in rnd.sample(STDLIB, 3))
        write(os.path.join(work, "code", "common", f"mod{m:02d}.py"),
              f"{std}\n{dist}\n" + "\n".join(deps) + "\n" + FILLER.format(n=m))
    write(os.path.join(work, "code", "common", "__init__.py"), "")
    for i in range(functions):
        std = "\n".join(f"import {s}" for s in rnd.sample(STDLIB, 4))
        picked = rnd.sample(range(dists), rnd.randint(2, 4))
        ds = "\n".join(f"import dist{d:03d}_mod" for d in picked)
        mods = ", ".join(f"mod{k:02d}" for k in rnd.sample(range(common), 3))
        body = (f'"""Handler {i}: generated for bench/bench_imports.py."""\n{std}\n{ds}\n'
                f"from common import {mods}\n"
                "try:\n    import ujson as fastjson\nexcept ImportError:\n    fastjson = None\n"
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import mypy_boto3_s3\n\n"
                "def main(event, context):\n    import boto3\n"
                "    return {'ok': True, 'records': len(event.get('Records', []))}\n"
                + FILLER.format(n=i) + FILLER.format(n=i + 1))
        write(os.path.join(work, "code", "functions", f"fn_{i:04d}", "handler.py"), body)


def make_template(work, functions):
    resources = {"Role": {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}}}}
    for i in range(functions):
        resources[f"Fn{i:04d}"] = {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": f"functions/fn_{i:04d}/handler.main",
            "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            "Code": {"S3Bucket": "b", "S3Key": "k.zip"}}}
    with open(os.path.join(work, "template.json"), "w") as f:
        json.dump({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}, f)


def measure(cmd, runs):
    """Wall, CPU (user+sys) and peak RSS of `cmd` as GNU time sees them: RSS taken from a fork of
    this Python process would count Python's own pages."""
    walls, cpus, rss = [], [], []
    with tempfile.NamedTemporaryFile("r", suffix=".time") as stats:
        for _ in range(runs):
            proc = subprocess.run(["/usr/bin/time", "-o", stats.name, "-f", "%e %U %S %M"] + cmd,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if proc.returncode not in (0, 1):  # 1: findings (quotas), fine here
                raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
            stats.seek(0)
            wall, user, system, kb = stats.read().split()[-4:]
            walls.append(float(wall))
            cpus.append(float(user) + float(system))
            rss.append(int(kb))
    return walls, cpus, max(rss)


def fmt(values):
    return f"{statistics.median(values):.3f} s ({min(values):.3f}-{max(values):.3f})"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--functions", type=int, default=2000)
    p.add_argument("--dists", type=int, default=120)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--keep")
    a = p.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="cfnsplit-bench-imports-")
    try:
        if not os.path.exists(os.path.join(work, "template.json")):
            rnd = random.Random(16)
            make_site(work, a.dists)
            make_code(work, a.functions, a.dists, rnd)
            make_template(work, a.functions)
        binary = os.path.join(a.build, "cfnsplit")
        driver = os.path.join(work, "imports_bench")
        subprocess.run(["g++", "-std=c++17", "-O2", "-I", os.path.join(ROOT, "include"),
                        os.path.join(ROOT, "bench", "imports_bench.cpp"),
                        os.path.join(a.build, "libcfnsplit_core.a"), "-lyaml-cpp", "-o", driver],
                       check=True)
        base = [binary, "analyze", os.path.join(work, "template.json"), "--format", "json",
                "--site-packages", os.path.join(work, "site"), "--requirements",
                os.path.join(work, "requirements.txt"), "--code", os.path.join(work, "code")]
        stage, stage_cpu, stage_rss = measure([driver, os.path.join(work, "site"),
                                               os.path.join(work, "code")], a.runs)
        print(f"  imports stage alone:  wall {fmt(stage)}, CPU {fmt(stage_cpu)}, "
              f"peak RSS {stage_rss / 1024:.1f} MiB")
        for mode in ("off", "on"):
            walls, cpus, rss = measure(base + ["--infer-imports", mode], a.runs)
            print(f"  --infer-imports {mode:3}: wall {fmt(walls)}, CPU {fmt(cpus)}, "
                  f"peak RSS {rss / 1024:.1f} MiB  (median of {a.runs}, min-max)")
        out = subprocess.run(base + ["--infer-imports", "on"], capture_output=True, text=True)
        report = json.loads(out.stdout)
        inferred = sum(1 for f in report["sizing"]["functions"] if f["requirements_from"] == "imports")
        files = sum(len(fs) for _, _, fs in os.walk(os.path.join(work, "code")))
        print(f"{a.functions} functions, {files} code files, {a.dists} distributions; "
              f"inferred for {inferred} functions")
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
