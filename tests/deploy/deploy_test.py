#!/usr/bin/env python3
"""The deploy test (issue 10): every output deploys and behaves as the original does.

For each case, in one patched moto_server (moto_patched.py; reset between deploys):
  1. the ORIGINAL template is deployed twice (as a user would: `aws cloudformation package` and
     `deploy`; a Serverless template the way the Serverless Framework does it, bucket first);
     resources whose physical ID is the same in both deploys have a name the template fixes;
  2. `cfnsplit split` writes OUTDIR in each mode, and OUTDIR's own deploy.sh deploys it, with the
     arguments its README gives (region, bucket, parameters), through the real aws CLI;
  3. the two deployments are compared: every resource (logical ID, type; physical ID where the
     template fixes it), every root output (value where it is fixed) and every export;
  4. every emitted template goes through cfn-lint 1.51 differentially (no error the input lacked)
     and every template that keeps AWS::Serverless resources through the SAM transform alone.
A case counts where moto can deploy the original; the others are listed with moto's reason.

Usage: deploy_test.py --cfnsplit BIN [--set quick|full] [--only SUBSTR] [--keep DIR]
Exit status: 0 when every counted case passes, 1 otherwise, 77 when a tool is missing (CTest
SKIP; with CI=true a missing tool is a failure instead).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import cases as case_list  # noqa: E402
import compare  # noqa: E402
import validators  # noqa: E402
from servers import LocalAws  # noqa: E402
from deployers import deploy_original, deploy_outdir, DeployError  # noqa: E402


def missing_tools():
    missing = []
    for module in ("moto", "boto3", "cfnlint", "samtranslator", "awscli"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    return missing


def split_once(cfnsplit, case, mode, outdir, extra):
    args = [cfnsplit, "split", str(case.template), "--mode", mode, "-o", str(outdir), "--force",
            "--stack-name", case.stack_name] + case.split_args + extra
    run = subprocess.run(args, capture_output=True, text=True)
    return run.returncode, run.stdout + run.stderr


def stack_count(outdir):
    index = Path(outdir) / "stacks.json"
    return len(json.loads(index.read_text()).get("stacks", [])) if index.exists() else 0


def split(cfnsplit, case, mode, outdir):
    """cfnsplit split; a corpus case is forced into several stacks by pinning one of its
    candidates into a stack of its own (the next candidate when a pin cannot hold)."""
    code, text = split_once(cfnsplit, case, mode, outdir, [])
    for pin in case.pin_candidates:
        if code == 0 and stack_count(outdir) > 1:
            break
        tried = split_once(cfnsplit, case, mode, outdir, ["--pin", f"{pin}=Pinned"])
        if tried[0] == 0 or code != 0:
            code, text = tried
    if code == 0 and stack_count(outdir) == 0:
        code = 1
    return code, text


class Phases:
    """Seconds spent per phase of a case (moto, the aws CLI, cfnsplit, cfn-lint, SAM), so the
    summary says where the time goes."""

    def __init__(self):
        self.seconds = {}

    def __call__(self, name):
        phases = self

        class Timer:
            def __enter__(self):
                self.t0 = time.time()

            def __exit__(self, *exc):
                phases.seconds[name] = phases.seconds.get(name, 0.0) + time.time() - self.t0
                return False
        return Timer()


def check_outdir(outdir, mode, lint_before, phases, problems):
    """cfn-lint (differential) and the SAM transform on every template OUTDIR holds."""
    for path in sorted(Path(outdir).rglob("*")):
        if path.suffix not in (".json", ".yaml") or path.name in ("stacks.json", "plan.yaml") \
                or path.name.startswith("bootstrap.") \
                or "packages" in path.relative_to(outdir).parts:  # artifacts.json, recipes
            continue
        with phases("cfn-lint"):
            found = validators.lint(path)
        for f in validators.new_errors(lint_before, found):
            problems.append(f"{mode}: cfn-lint {f.rule} {f.resource}: "
                            f"{path.relative_to(outdir)}: {f.message}")
        with phases("SAM transform"):
            sam = validators.sam_error(path)
        if sam:
            problems.append(f"{mode}: SAM transform: {path.relative_to(outdir)}: {sam}")


def run_case(aws, cfnsplit, case, work, log, phases):
    """Returns ("pass"|"fail"|"moto"|"refused"|"single", detail)."""
    template = case_list.load_template(case.template)
    try:
        with phases("original deploys (moto)"):
            first = deploy_original(aws, case, template, work / "original-1")
            second = deploy_original(aws, case, template, work / "original-2")
    except DeployError as e:
        return "moto", str(e)
    problems = []
    deployed_modes, stacks = 0, 0
    with phases("cfn-lint"):
        lint_before = validators.lint(case.template)
    for mode in case.modes:
        outdir = work / mode
        with phases("cfnsplit split"):
            code, text = split(cfnsplit, case, mode, outdir)
        if code != 0:
            if any(c in text for c in case_list.REFUSALS):
                log(f"    {mode}: refused as documented: {text.strip().splitlines()[-1]}")
                continue
            problems.append(f"{mode}: cfnsplit split failed ({code}): {text.strip()[-600:]}")
            continue
        check_outdir(outdir, mode, lint_before, phases, problems)
        case_list.stand_in_packages(case, outdir)
        try:
            with phases("split deploys (deploy.sh: aws CLI + moto)"):
                deployed = deploy_outdir(aws, case, outdir)
        except DeployError as e:
            problems.append(f"{mode}: deploy.sh failed: {e}")
            continue
        deployed_modes += 1
        stacks = max(stacks, stack_count(outdir))
        for diff in compare.differences(first, second, deployed):
            problems.append(f"{mode}: {diff}")
    if problems:
        return "fail", "\n".join(problems)
    if not deployed_modes:
        return "refused", "every mode refused as documented"
    return ("pass" if stacks > 1 else "single"), ""


WORKER_AWS = None


def start_worker(root):
    """Each worker process has its own moto_server and aws fork server."""
    global WORKER_AWS
    import multiprocessing.util
    WORKER_AWS = LocalAws(Path(root) / f"_server-{os.getpid()}").__enter__()
    multiprocessing.util.Finalize(None, WORKER_AWS.__exit__, args=(None, None, None),
                                  exitpriority=10)


def triage_case(aws, cfnsplit, case, work):
    """What the candidates file records for one corpus template, without the costly part of a
    case: does moto deploy the original, and does cfnsplit split it (several stacks) or refuse?
    Returns (verdict, reason); verdict "deploys" marks a template that counts when run."""
    template = case_list.load_template(case.template)
    try:
        deploy_original(aws, case, template, work / "original-1")
    except DeployError as e:
        return "moto", compare.reason_class(str(e)) + ": " + " ".join(str(e).split())[-160:]
    refused, stacks = [], 0
    for mode in case.modes:
        code, text = split(cfnsplit, case, mode, work / mode)
        if code != 0:
            if not any(c in text for c in case_list.REFUSALS):
                # Not a documented refusal: a failure of ours, which the case must count.
                return "deploys", f"{mode}: cfnsplit split failed ({code})"
            last = (text.strip().splitlines() or [""])[-1]
            refused.append(f"{mode}: {last[:160]}")
            continue
        stacks = max(stacks, stack_count(work / mode))
    if len(refused) == len(case.modes):
        return "refused", "; ".join(refused)
    if stacks <= 1:
        return "single", "split into one stack only, even with a pin"
    return "deploys", ""


def run_one(cfnsplit, case, root, triage=False):
    deadline = float(os.environ.get("CFNSPLIT_DEPLOY_DEADLINE", "0") or 0)
    if deadline and time.time() > deadline:
        return "late", "not started: past CFNSPLIT_DEPLOY_DEADLINE", [], 0.0, {}
    work = Path(root) / case.slug
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    lines = []
    t0 = time.time()
    phases = Phases()
    try:
        if triage:
            status, detail = triage_case(WORKER_AWS, cfnsplit, case, work)
        else:
            status, detail = run_case(WORKER_AWS, cfnsplit, case, work, lines.append, phases)
    except Exception as e:  # a harness bug must show, not hide the other cases
        status, detail = "fail", f"harness error: {type(e).__name__}: {e}"
    return status, detail, lines, time.time() - t0, phases.seconds


def longest_first(cases):
    """The generated services take longest: started first, they do not end the run alone."""
    def weight(case):
        if case.name.startswith("generated"):
            return -int(case.name.split()[1])
        return 0 if case.name.startswith("sample") else 1
    return sorted(cases, key=weight)


def run_all(args, cases, root, triage=False, progress=None):
    results, phase_totals, done = [], {}, 0
    jobs = max(1, min(args.jobs, len(cases)))
    with ProcessPoolExecutor(jobs, initializer=start_worker, initargs=(str(root),)) as pool:
        futures = {pool.submit(run_one, args.cfnsplit, case, str(root), triage): case
                   for case in longest_first(cases)}
        for future in as_completed(futures):
            case, done = futures[future], done + 1
            status, detail, lines, seconds, phases = future.result()
            results.append((case, status, detail, seconds))
            for name, value in phases.items():
                phase_totals[name] = phase_totals.get(name, 0.0) + value
            for line in lines:
                print(line)
            print(f"[{done}/{len(cases)}] {status:5} {case.name} ({seconds:.1f} s)", flush=True)
            if status == "fail":
                print("    " + detail.replace("\n", "\n    "), flush=True)
            elif status == "moto":
                print("    moto cannot deploy the original: " + detail[-400:], flush=True)
            if progress and done % 10 == 0:
                progress(results)
    return results, phase_totals


def summary(args, results, phase_totals, seconds, ci):
    """Prints the counts by status and reason and the time per phase; returns the exit code."""
    by = {k: [r for r in results if r[1] == k] for k in ("pass", "fail", "moto", "refused",
                                                          "single", "late")}
    counted = len(by["pass"]) + len(by["fail"])
    corpus_counted = sum(1 for r in by["pass"] + by["fail"] if r[0].name.startswith("corpus"))
    print(f"\ndeploy test ({args.set}): {len(results)} cases in {seconds:.0f} s "
          f"(--jobs {args.jobs}); {counted} counted (the original deploys in moto, the split has "
          f"several stacks; {corpus_counted} of them corpus templates): {len(by['pass'])} pass, "
          f"{len(by['fail'])} fail; not counted: {len(by['moto'])} moto cannot deploy the "
          f"original, {len(by['refused'])} refused by cfnsplit as documented, "
          f"{len(by['single'])} deployed but one stack only")
    reasons = {}
    for _, _, detail, _ in by["moto"]:
        key = compare.reason_class(detail)
        reasons[key] = reasons.get(key, 0) + 1
    for key, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
        print(f"  not counted: {n} x {key}")
    busy = sum(r[3] for r in results)
    print(f"  time in cases: {busy:.0f} s over {args.jobs} worker(s); by phase:")
    for name, value in sorted(phase_totals.items(), key=lambda kv: -kv[1]):
        print(f"    {value:7.0f} s  {100 * value / max(busy, 1):4.1f} %  {name}")
    slow = sorted(results, key=lambda r: -r[3])[:3]
    print("  slowest: " + ", ".join(f"{r[0].name} {r[3]:.0f} s" for r in slow))
    for case, _, _, _ in by["fail"]:
        print(f"FAIL {case.name}")
    if args.only:
        return 1 if by["fail"] else 0
    minimum = case_list.MINIMUM_COUNTED[args.set]
    if not case_list.corpus_present():
        print(f"deploy test: NOTE: no corpus at {case_list.CORPUS} (CFNSPLIT_CORPUS): only the "
              "samples and generated services ran", flush=True)
        if args.set == "quick" or not ci:
            minimum = 0  # the ci and full sets need the corpus under CI=true
    fixed = len([r for r in results if not r[0].name.startswith("corpus") and r[1] != "late"])
    fixed_counted = counted - corpus_counted
    if fixed_counted < fixed:
        print(f"deploy test: {fixed - fixed_counted} sample or generated case(s) did not count; "
              "each of them must")
        return 1
    if by["late"]:
        # CI's whole run has a hard time limit (.ci/run sets the deadline): a set cut short by it
        # says so loudly and is judged on what ran, rather than losing the whole run to a timeout.
        print(f"deploy test: TIME BUDGET: {len(by['late'])} case(s) not started before "
              f"CFNSPLIT_DEPLOY_DEADLINE; {corpus_counted} corpus cases counted "
              f"(the {args.set} set asks for {minimum})", flush=True)
        return 1 if by["fail"] else 0
    if corpus_counted < minimum:
        print(f"deploy test: only {corpus_counted} counted corpus cases, expected at least "
              f"{minimum}")
        return 1
    return 1 if by["fail"] else 0


def corpus_path(case):
    return str(case.template.relative_to(case_list.CORPUS))


def triage_order(case):
    """Folders with the most deployable templates first (a stopped triage has found the most
    it could): SAM translator outputs and Serverless services, then the others."""
    first = ("sam-translator-output", "serverless-", "aws-cloudformation-templates",
             "cfn-lint-good", "sam-translator-input")
    path = corpus_path(case)
    return (next((i for i, f in enumerate(first) if f"templates/{f}" in path), len(first)), path)


def triaged(path):
    """Rows of an existing candidates file that a triage reached: {path: (verdict, reason)}."""
    if not Path(path).exists():
        return {}
    lines = [line for line in Path(path).read_text().splitlines() if not line.startswith("#")]
    import csv
    return {r["path"]: (r["verdict"], r["reason"]) for r in csv.DictReader(lines, delimiter="\t")
            if r["verdict"] != "untriaged"}


def write_candidates(path, results, argv, known=None, pending=()):
    """The candidates file the ci set reads; `pending` cases are written as 'untriaged'."""
    rows = {corpus_path(case): (status, detail) for case, status, detail, _ in results}
    for p, row in (known or {}).items():
        rows.setdefault(p, row)
    for case in pending:
        rows.setdefault(corpus_path(case), ("untriaged", "not reached by the triage yet"))
    rows = sorted((p, v, d) for p, (v, d) in rows.items())
    import moto
    commit = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    tmp = Path(str(path) + ".tmp")
    with open(tmp, "w") as out:
        out.write("# Corpus candidates of the deploy test (tests/deploy/README.md), one a line:\n"
                  "# path (under the corpus), verdict, reason. verdict 'deploys': moto deploys\n"
                  "# the original and cfnsplit splits it (these are what the ci set runs);\n"
                  "# 'moto': moto cannot deploy the original; 'refused': cfnsplit refuses it as\n"
                  "# documented in every mode; 'single': it splits into one stack only;\n"
                  "# 'unreadable': the harness cannot read it (cfn-lint's decoder fails);\n"
                  "# 'untriaged': not reached yet (a stopped triage resumes from this file).\n"
                  "# 'fail': the triage itself failed (a harness error, shown).\n"
                  f"# Generated by: deploy_test.py {' '.join(argv)}\n"
                  f"# with moto {moto.__version__}, cfnsplit at commit {commit or '?'}.\n")
        out.write("path\tverdict\treason\n")
        for row in rows:
            out.write("\t".join(" ".join(str(v).split()) for v in row) + "\n")
    tmp.replace(path)
    counts = {}
    for _, verdict, _ in rows:
        counts[verdict] = counts.get(verdict, 0) + 1
    print(f"deploy test: wrote {path}: " +
          ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cfnsplit", required=True)
    ap.add_argument("--set", choices=["quick", "ci", "full"], default=os.environ.get(
        "CFNSPLIT_DEPLOY_SET", "quick"))
    ap.add_argument("--only", default="")
    ap.add_argument("--keep", default="", help="keep each case's files under this folder")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("CFNSPLIT_DEPLOY_JOBS", "2")),
                    help="cases deployed in parallel, each worker with its own moto_server")
    ap.add_argument("--write-candidates", default="", metavar="TSV",
                    help="triage every corpus candidate (deploy the original once, split it) "
                         "and write the candidates file the ci set reads")
    args = ap.parse_args()
    ci = os.environ.get("CI", "").lower() == "true"
    missing = missing_tools()
    if missing or not shutil.which("sh"):
        print(f"deploy test: SKIPPED LOUDLY: missing {', '.join(missing)} "
              "(pip install moto[server] awscli cfn-lint aws-sam-translator)", file=sys.stderr)
        return 1 if ci else 77
    import test_compare
    test_compare.check()  # a comparison that cannot fail would pass every case
    triage = bool(args.write_candidates)
    progress = None
    if triage:
        args.set = "full"
        cases = [c for c in case_list.all_cases("full", args.only or "corpus")
                 if c.name.startswith("corpus")]
        known = triaged(args.write_candidates)  # a stopped triage resumes where it was
        cases = sorted((c for c in cases if corpus_path(c) not in known), key=triage_order)
        print(f"deploy test: triage of {len(cases)} candidates ({len(known)} already in "
              f"{args.write_candidates})", flush=True)

        def progress(results):
            write_candidates(args.write_candidates, results, sys.argv[1:], known, cases)
    else:
        cases = case_list.all_cases(args.set, args.only)
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="cfnsplit-deploy-"))
    started = time.time()
    results, phase_totals = run_all(args, cases, root, triage, progress)
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    if triage:
        results += [(case, "unreadable", why, 0.0) for case, why in case_list.UNREADABLE]
        write_candidates(args.write_candidates, results, sys.argv[1:], known, [])
        print(f"deploy test: triage of {len(results)} candidates in "
              f"{time.time() - started:.0f} s")
        return 0
    return summary(args, results, phase_totals, time.time() - started, ci)


if __name__ == "__main__":
    sys.exit(main())
