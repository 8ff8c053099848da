#!/usr/bin/env python3
"""Migration planning time: `cfnsplit migrate` on generated Serverless-like services.

Needs: python3 (3.8+) on Linux, no third-party modules; a built cfnsplit.
Usage: bench/bench_migrate.py [--cfnsplit build/cfnsplit] [--functions 2000] [--runs 3]
                              [--seed 1] [--replay]

For each function count F, bench/gen_template.py writes the service (about 5.9 F resources,
cached in bench/results/); tests/migrate/make_deployed.py cuts from it the part that fit one
stack when it was deployed (at most 490 resources); `cfnsplit plan --mode exports` plans the
whole service. Then it times `cfnsplit migrate` RUNS times (median, min-max, peak RSS), with and
without --no-verify-states, and prints the steps and refactor batches. With --replay it also
replays the migration in tests/migrate's model once (its time is not counted).
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "migrate"))
import bench_load  # noqa: E402

RESULTS = bench_load.RESULTS


def prepare(binary, functions, seed):
    template = bench_load.generate(int(functions * 5.9) + 20, seed, "json")
    base = template[: -len(".json")]
    deployed, plan = base + "-deployed.json", base + "-plan.yaml"
    if not os.path.exists(deployed):
        subprocess.run([sys.executable, os.path.join(ROOT, "tests/migrate/make_deployed.py"), template,
                        "--max-resources", "490", "--get-template", "--drop-prefix", "PadAlarm",
                        "-o", deployed], check=True,
                       stderr=subprocess.DEVNULL)
    if not os.path.exists(plan):
        subprocess.run([binary, "plan", template, "--mode", "exports", "-o", plan], check=True,
                       stdout=subprocess.DEVNULL)
    return template, deployed, plan


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfnsplit", default=os.path.join(ROOT, "build", "cfnsplit"))
    ap.add_argument("--functions", default="2000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--replay", action="store_true")
    a = ap.parse_args()
    binary = os.path.abspath(a.cfnsplit)
    print("| functions | resources (deployed) | steps | refactor batches | `migrate` median (min-max) s | peak RSS | `--no-verify-states` s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for f in (int(x) for x in a.functions.split(",")):
        template, deployed, plan = prepare(binary, f, a.seed)
        n = len(json.load(open(template))["Resources"])
        nd = len(json.load(open(deployed))["TemplateBody"]["Resources"])
        cmd = f"migrate --deployed {deployed} --deployed-stack service {plan} -o {{out}} --force"
        full, err = bench_load.time_command(binary, cmd, template, a.runs, f"migrate-{f}")
        if err:
            print(f"| {f} | {n} ({nd}) | error: {err} |")
            continue
        fast, err = bench_load.time_command(binary, cmd + " --no-verify-states", template, a.runs,
                                            f"migrate-fast-{f}")
        out = os.path.join(RESULTS, f"out-migrate-{f}-run0")
        steps = json.load(open(os.path.join(out, "steps.json")))["steps"]
        batches = sum(1 for s in steps if "refactor" in s["folder"])
        print(f"| {f:,} | {n:,} ({nd}) | {len(steps)} | {batches} | {full[0]:.3f} ({full[1]:.3f}-{full[2]:.3f}) "
              f"| {full[3] / 1024:.1f} MiB | {fast[0]:.3f} |")
        if a.replay:
            import replay  # noqa: E402
            print("  replay:", replay.replay(out, deployed), file=sys.stderr)


if __name__ == "__main__":
    main()
