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
from concurrent.futures import ProcessPoolExecutor
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


def run_case(aws, cfnsplit, case, work, log):
    """Returns ("pass"|"fail"|"moto"|"refused"|"single", detail)."""
    template = case_list.load_template(case.template)
    try:
        first = deploy_original(aws, case, template, work / "original-1")
        second = deploy_original(aws, case, template, work / "original-2")
    except DeployError as e:
        return "moto", str(e)
    problems = []
    deployed_modes, stacks = 0, 0
    lint_before = validators.lint(case.template)
    for mode in case.modes:
        outdir = work / mode
        code, text = split(cfnsplit, case, mode, outdir)
        if code != 0:
            if any(c in text for c in case_list.REFUSALS):
                log(f"    {mode}: refused as documented: {text.strip().splitlines()[-1]}")
                continue
            problems.append(f"{mode}: cfnsplit split failed ({code}): {text.strip()[-600:]}")
            continue
        for path in sorted(outdir.rglob("*")):
            if path.suffix in (".json", ".yaml") and path.name not in ("stacks.json", "plan.yaml"):
                if path.name.startswith("bootstrap.") or "packages" in path.relative_to(outdir).parts:
                    continue
                for f in validators.new_errors(lint_before, validators.lint(path)):
                    problems.append(f"{mode}: cfn-lint {f.rule} {f.resource}: "
                                    f"{path.relative_to(outdir)}: {f.message}")
                sam = validators.sam_error(path)
                if sam:
                    problems.append(f"{mode}: SAM transform: {path.relative_to(outdir)}: {sam}")
        case_list.stand_in_packages(case, outdir)
        try:
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


def run_one(cfnsplit, case, root):
    work = Path(root) / case.slug
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    lines = []
    t0 = time.time()
    try:
        status, detail = run_case(WORKER_AWS, cfnsplit, case, work, lines.append)
    except Exception as e:  # a harness bug must show, not hide the other cases
        status, detail = "fail", f"harness error: {type(e).__name__}: {e}"
    return status, detail, lines, time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cfnsplit", required=True)
    ap.add_argument("--set", choices=["quick", "full"], default=os.environ.get(
        "CFNSPLIT_DEPLOY_SET", "quick"))
    ap.add_argument("--only", default="")
    ap.add_argument("--keep", default="", help="keep each case's files under this folder")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("CFNSPLIT_DEPLOY_JOBS", "2")),
                    help="cases deployed in parallel, each worker with its own moto_server")
    args = ap.parse_args()
    ci = os.environ.get("CI", "").lower() == "true"
    missing = missing_tools()
    if missing or not shutil.which("sh"):
        print(f"deploy test: SKIPPED LOUDLY: missing {', '.join(missing)} "
              "(pip install moto[server] awscli cfn-lint aws-sam-translator)", file=sys.stderr)
        return 1 if ci else 77
    import test_compare
    test_compare.check()  # a comparison that cannot fail would pass every case
    cases = case_list.all_cases(args.set, args.only)
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="cfnsplit-deploy-"))
    results = {"pass": [], "fail": [], "moto": [], "refused": [], "single": []}
    started = time.time()
    jobs = max(1, min(args.jobs, len(cases)))
    with ProcessPoolExecutor(jobs, initializer=start_worker, initargs=(str(root),)) as pool:
        futures = [pool.submit(run_one, args.cfnsplit, case, str(root)) for case in cases]
        for i, future in enumerate(futures, 1):
            case = cases[i - 1]
            status, detail, lines, seconds = future.result()
            results[status].append((case.name, detail))
            for line in lines:
                print(line)
            print(f"[{i}/{len(cases)}] {status:5} {case.name} ({seconds:.1f} s)", flush=True)
            if status == "fail":
                print("    " + detail.replace("\n", "\n    "), flush=True)
            elif status == "moto":
                print("    moto cannot deploy the original: " + detail[-400:], flush=True)
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    counted = len(results["pass"]) + len(results["fail"])
    print(f"\ndeploy test ({args.set}): {len(cases)} cases in {time.time() - started:.0f} s; "
          f"{counted} counted (the original deploys in moto, the split has several stacks): "
          f"{len(results['pass'])} pass, {len(results['fail'])} fail; not counted: "
          f"{len(results['moto'])} moto cannot deploy the original, {len(results['refused'])} "
          f"refused by cfnsplit as documented, {len(results['single'])} deployed but one stack "
          f"only")
    reasons = {}
    for _, detail in results["moto"]:
        key = compare.reason_class(detail)
        reasons[key] = reasons.get(key, 0) + 1
    for key, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
        print(f"  not counted: {n} x {key}")
    for name, detail in results["fail"]:
        print(f"FAIL {name}")
    minimum = case_list.MINIMUM_COUNTED[args.set]
    if not case_list.corpus_present():
        print(f"deploy test: NOTE: no corpus at {case_list.CORPUS} (CFNSPLIT_CORPUS): only the "
              "samples and generated services ran", flush=True)
        minimum = 4 if args.set == "quick" else 5
    if counted < minimum and not args.only:
        print(f"deploy test: only {counted} counted cases, expected at least {minimum}")
        return 1
    return 1 if results["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
