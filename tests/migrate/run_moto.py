#!/usr/bin/env python3
"""CTest entry `migrate_moto`: the ordinary updates of generated migrations run in the deploy
test's patched moto_server (moto_replay.py), a second opinion on the model's replay.

Usage: run_moto.py CFNSPLIT_BINARY SOURCE_DIR
Cases: the ML sample as deployed before its last functions (one stack) -> its split: the prepare
step runs in moto (stacks created, the deployed stack updated, no physical ID changed); the
refactor and the steps after it are said not to run (moto has no stack refactoring API). A
700-resource generated service split earlier (exports OUTDIR, deployed) -> a re-split with
`--previous` after functions were added: no refactor, so every step runs in moto to the end.
Exit 0 when all hold; 77 (skipped, said loudly) when moto is missing, except with CI=true."""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    binary, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError as e:
        print(f"SKIPPED LOUDLY: {e}; the moto replay of migrations did not run", file=sys.stderr)
        return 1 if os.environ.get("CI", "").lower() == "true" else 77
    work = tempfile.mkdtemp(prefix="cfnsplit-migrate-moto-")
    failures = []

    def run(*args):
        p = subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=work)
        if p.returncode != 0:
            print(f"command {' '.join(map(str, args))} exited {p.returncode}\n{p.stdout[-1500:]}"
                  f"\n{p.stderr[-2500:]}", flush=True)
        return p

    def moto(name, migration, deployed, expect):
        p = run(sys.executable, os.path.join(HERE, "moto_replay.py"), migration, "--deployed",
                deployed, "--work", os.path.join(work, name + "-moto"))
        ok = p.returncode == 0 and expect in p.stdout
        print(("ok   " if ok else "FAIL ") + f"{name}: {p.stdout.strip() or p.stderr.strip()[-600:]}",
              flush=True)
        if not ok:
            failures.append(name)

    j = lambda *p: os.path.join(work, *p)  # noqa: E731
    shutil.copy(os.path.join(src, "samples/ml-service/template.json"), j("ml-platform.json"))
    run(sys.executable, os.path.join(HERE, "make_deployed.py"), j("ml-platform.json"),
        "--max-resources", "490", "--get-template", "-o", j("ml-deployed.json"))
    run(binary, "plan", j("ml-platform.json"), "--mode", "exports", "-o", j("ml-plan.yaml"))
    run(binary, "migrate", "--deployed", j("ml-deployed.json"), "--deployed-stack",
        "ml-platform-prod", j("ml-plan.yaml"), "-o", j("ml-M"))
    moto("ml prepare step", j("ml-M"), j("ml-deployed.json"), "moto 5.2.1 lacks")
    # A nested target: its nest step is an IMPORT change set of AWS::CloudFormation::Stack
    # resources, which moto lacks as every IMPORT; the prepare step runs.
    run(binary, "plan", j("ml-platform.json"), "--mode", "nested", "-o", j("ml-nested-plan.yaml"))
    run(binary, "migrate", "--deployed", j("ml-deployed.json"), "--deployed-stack",
        "ml-platform-prod", j("ml-nested-plan.yaml"), "-o", j("ml-nested-M"))
    moto("ml to nested, prepare step", j("ml-nested-M"), j("ml-deployed.json"), "moto 5.2.1 lacks")

    run(sys.executable, os.path.join(src, "bench/gen_template.py"), "700", j("grown.json"))
    run(sys.executable, os.path.join(HERE, "make_deployed.py"), j("grown.json"), "--max-resources",
        "560", "--drop-prefix", "PadAlarm", "-o", j("svc.json"))
    run(binary, "plan", j("svc.json"), "--mode", "exports", "-o", j("old-plan.yaml"))
    run(binary, "emit", j("old-plan.yaml"), "-o", j("old"))
    shutil.copy(j("grown.json"), j("svc.json"))
    run(binary, "plan", j("svc.json"), "--mode", "exports", "--previous", j("old-plan.yaml"),
        "--deployed", j("old"), "-o", j("new-plan.yaml"))
    run(binary, "migrate", "--deployed", j("old"), j("new-plan.yaml"), "-o", j("resplit-M"))
    moto("re-split --previous, every step", j("resplit-M"), j("old"), "ran to the end")
    print(f"{len(failures)} failure(s)" + (f"; work dir kept: {work}" if failures else ""))
    if not failures:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
