#!/usr/bin/env python3
"""Side-by-side benchmark: cfnsplit vs serverless-plugin-split-stacks 1.15.0 on the same
Serverless Framework 3 service.

Needs: python3 (3.8+) on Linux; node >= 18 + npm (Serverless and the plugin are installed once
into $CFNSPLIT_NPM_DIR, default ~/.cache/cfnsplit-npm, by npm_env.sh); a built cfnsplit for its
rows. Prefer running it through run.sh, which checks all of that.
Usage:
  compare.py [--sizes 100,500] [--runs 3] [--cfnsplit build/cfnsplit] [--workdir DIR]
             [--seed 11] [--skip-peer] [--skip-cfnsplit] [--peer-modes perGroupFunction,perFunction]

For each N (functions):
  1. gen_service.py writes the service; `sls package` (offline) compiles it RUNS times: the
     compiled template (.serverless/cloudformation-template-update-stack.json) is the input of
     every cfnsplit row, and its bare `json.load` time is printed as the floor.
  2. The peer: the same service with serverless-plugin-split-stacks in perGroupFunction mode
     (nestedStackCount = max(10, ceil(N/50))) and in perFunction mode, `sls package` RUNS times
     each. The plugin runs inside `sls package`, so its time includes the Serverless compile.
     Subtracting the no-split compile does NOT isolate the plugin: most of a big no-split
     `sls package` is Serverless saving serverless-state.json through json-cycle's derez, which
     grows faster than linearly with the root template, and the plugin shrinks that root first.
  3. cfnsplit: `cfnsplit split TEMPLATE --manifest cfnsplit.yaml -o OUT --mode nested|exports`, RUNS
     times each, then `cfnsplit verify TEMPLATE OUT`. A missing or failing command prints "n/a"
     with its first error line; the run goes on.
  4. stackcheck.py reads every tool's emitted templates: stacks, largest stack, parameters +
     outputs created, stacks over a quota (500 resources / 200 outputs / 200 parameters /
     1,000,000 bytes), stacks whose artifact exceeds 262,144,000 unzipped bytes (peer: every child
     ships the one service artifact = union of all functions' dependency closures; cfnsplit: one
     artifact per stack = union of its functions' closures), cycles, dangling references.
Wall time is time.perf_counter() around the child; peak memory is GNU time's %M (max RSS, MiB)
when /usr/bin/time exists. Everything is written under --workdir (outside the repository by
default); a JSON copy of the results goes to bench/results/compare-N.json (git-ignored).
"""
import argparse
import glob
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import stackcheck  # noqa: E402

GNU_TIME = "/usr/bin/time"


def npm_env():
    """Environment with SLS / CFNSPLIT_NPM_DIR, from npm_env.sh unless already set."""
    env = dict(os.environ)
    if env.get("SLS") and os.path.exists(env["SLS"]):
        return env
    out = subprocess.run(["bash", "-c", f'source "{HERE}/npm_env.sh" >&2 && env -0'],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr.strip() or "error: npm_env.sh failed")
    for item in out.stdout.split("\0"):
        if "=" in item:
            k, v = item.split("=", 1)
            env[k] = v
    return env


def timed(argv, cwd, env, runs, before_each=None):
    """Run argv RUNS times. Returns {"ok", "walls", "rss_mib", "error"}."""
    walls, rss = [], []
    if not (os.path.isfile(argv[0]) and os.access(argv[0], os.X_OK)):
        return {"ok": False, "error": f"cannot run {argv[0]}: not an executable file (build it first)"}
    for _ in range(runs):
        if before_each:
            before_each()
        rss_file = os.path.join(cwd, ".maxrss")
        cmd = ([GNU_TIME, "-f", "%M", "-o", rss_file] if os.access(GNU_TIME, os.X_OK) else []) + argv
        t0 = time.perf_counter()
        try:
            p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
        except OSError as e:
            return {"ok": False, "error": f"cannot run {argv[0]}: {e.strerror}"}
        walls.append(time.perf_counter() - t0)
        if p.returncode != 0:
            text = (p.stderr + "\n" + p.stdout).splitlines()
            err = [ln.strip() for ln in text if ln.strip() and not ln.startswith("Command exited")]
            # Serverless prints the useful line after "Error:"; cfnsplit prints notes first and
            # its errors as "…: error: …".
            if "Error:" in err:
                i = err.index("Error:")
                err = err[i + 1:] + err[:i]
            err = sorted(err, key=lambda ln: ": error: " not in ln)  # stable: errors first
            return {"ok": False, "error": f"exit {p.returncode}: {(err or [''])[0][:200]}"}
        if os.path.exists(rss_file):
            with open(rss_file) as f:
                words = f.read().split()
            if words and words[-1].isdigit():
                rss.append(int(words[-1]) / 1024)
    return {"ok": True, "walls": walls, "rss_mib": max(rss) if rss else None}


def json_floor(path, runs):
    code = ("import json,statistics,sys,time\nw=[]\nfor _ in range(int(sys.argv[2])):\n"
            " t=time.perf_counter(); json.load(open(sys.argv[1],'rb')); w.append(time.perf_counter()-t)\n"
            "print(statistics.median(w))")
    p = subprocess.run([sys.executable, "-c", code, path, str(runs)], capture_output=True, text=True, check=True)
    return float(p.stdout)


def prepare_service(d, n, seed, split, stacks, env):
    shutil.rmtree(d, ignore_errors=True)
    args = [sys.executable, os.path.join(HERE, "gen_service.py"), d, str(n), "--seed", str(seed)]
    if split != "none":
        args += ["--split", split, "--stacks", str(stacks)]
    subprocess.run(args, check=True)
    shutil.copy(os.path.join(HERE, "offline_shim.js"), os.path.join(d, "offline_shim.js"))
    os.symlink(os.path.join(env["CFNSPLIT_NPM_DIR"], "node_modules"), os.path.join(d, "node_modules"))


def sls_package(d, env, runs):
    clean = lambda: shutil.rmtree(os.path.join(d, ".serverless"), ignore_errors=True)  # noqa: E731
    return timed([env["SLS"], "package"], d, env, runs, before_each=clean)


def collect_peer(d, out):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    sd = os.path.join(d, ".serverless")
    for fn in sorted(os.listdir(sd)):
        if fn == "cloudformation-template-update-stack.json" or fn.endswith("-nested-stack.json"):
            shutil.copy(os.path.join(sd, fn), out)


def fmt_time(r):
    if not r or not r.get("ok"):
        return "n/a"
    w = r["walls"]
    return f"{statistics.median(w):.2f} ({min(w):.2f}-{max(w):.2f})"


def row(label, timing, rep, verify="-", extra=""):
    if timing is not None and not timing.get("ok"):
        return [label, "n/a", "", "", "", "", "", "", "", "", "", timing["error"]]
    mem = f"{timing['rss_mib']:.0f}" if timing and timing.get("rss_mib") else "-"
    if rep is None:
        return [label, fmt_time(timing), mem] + ["-"] * 8 + [extra]
    return [label, fmt_time(timing), mem, str(rep["stacks"]), str(rep["largest_stack_resources"]),
            str(rep["params_outputs_created"]),
            f"{rep['stacks_over_quota']}" + (f" {','.join(rep['quota_breaches'])}" if rep["quota_breaches"] else ""),
            str(rep.get("stacks_over_package_limit", "-")), str(len(rep["cycles"])), str(rep["dangling_refs"]),
            verify, extra]


HEAD = ["tool / mode", "wall s median (min-max)", "peak MiB", "stacks", "largest", "+par/out",
        "over quota", "over 250MB", "cycles", "dangling", "verify", "note"]


def print_table(rows):
    widths = [max(len(str(r[i])) for r in rows + [HEAD]) for i in range(len(HEAD) - 1)]
    line = "  ".join(h.ljust(w) for h, w in zip(HEAD, widths)) + "  " + HEAD[-1]
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)) + "  " + str(r[-1]))


def run_size(n, a, env):
    work = os.path.join(a.workdir, f"n{n}")
    os.makedirs(work, exist_ok=True)
    res = {"n": n, "runs": a.runs}
    rows = []
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n=== N = {n} functions (seed {a.seed}, {a.runs} runs each; load average {load}; "
          f"work dir {work})", flush=True)
    base = os.path.join(work, "service")
    prepare_service(base, n, a.seed, "none", 0, env)
    sls_package(base, env, 1)  # untimed warm-up: fills the OS file cache for node_modules
    t_base = sls_package(base, env, a.runs)
    if not t_base["ok"]:
        print(f"serverless package failed: {t_base['error']}")
        return res
    template = os.path.join(work, "template.json")
    shutil.copy(os.path.join(base, ".serverless", "cloudformation-template-update-stack.json"), template)
    manifest = os.path.join(work, "deps.json")
    shutil.copy(os.path.join(base, "deps.json"), manifest)
    floor = json_floor(template, a.runs)
    unsplit_dir = os.path.join(work, "unsplit")
    shutil.rmtree(unsplit_dir, ignore_errors=True)
    os.makedirs(unsplit_dir)
    shutil.copy(template, unsplit_dir)
    rep0 = stackcheck.analyze_dir(unsplit_dir, template, manifest, "single")
    tpl = json.load(open(template))
    print(f"compiled template: {os.path.getsize(template):,} bytes, {len(tpl['Resources'])} resources, "
          f"{len(tpl.get('Outputs', {}))} outputs; service artifact {rep0['largest_package_bytes'] / 1e6:.0f} MB "
          f"unzipped; {rep0['functions_over_limit_alone']} functions over 262,144,000 B on their own")
    res.update(template_bytes=os.path.getsize(template), resources=len(tpl["Resources"]),
               outputs=len(tpl.get("Outputs", {})), json_floor_s=floor, sls_package=t_base, unsplit=rep0)
    rows.append(["json.load (floor)", f"{floor:.3f}", "-"] + ["-"] * 8 + ["python json module, same file"])
    rows.append(row("sls package, no split", t_base, rep0, extra="Serverless compile only (input of all rows)"))
    peer_med = {}
    if not a.skip_peer:
        for mode in a.peer_modes.split(","):
            k = max(10, math.ceil(n / 50))
            d = os.path.join(work, f"peer-{mode}")
            prepare_service(d, n, a.seed, mode, k, env)
            t = sls_package(d, env, a.runs)
            rep = None
            note = f"nestedStackCount {k}" if mode == "perGroupFunction" else ""
            if t["ok"]:
                out = os.path.join(work, f"peer-{mode}-out")
                collect_peer(d, out)
                rep = stackcheck.analyze_dir(out, template, manifest, "single")
                peer_med[mode] = statistics.median(t["walls"])
            res[f"peer-{mode}"] = {"timing": t, "report": rep, "nestedStackCount": k}
            rows.append(row(f"peer {mode}", t, rep, extra=note))
            print(f"  peer {mode}: {fmt_time(t)}  {stackcheck.summary_line(rep) if rep else t.get('error')}",
                  flush=True)
    cf_med = {}
    if not a.skip_cfnsplit:
        for mode in ("nested", "exports"):
            out = os.path.join(work, f"cfnsplit-{mode}-out")
            argv = [a.cfnsplit, "split", template, "--manifest", os.path.join(base, "cfnsplit.yaml"),
                    "-o", out, "--mode", mode]
            # The previous run's output is moved aside, not deleted, and all are deleted after the
            # runs: on an ext4 without a journal, creating files within a minute of deleting
            # others scans every recently freed inode (the kernel's recently_deleted), which
            # charged the benchmark's own deletions to cfnsplit's write (see docs/bench.md).
            aside = []
            for stale in glob.glob(f"{out}.old*"):  # of an interrupted run, before any timing
                shutil.rmtree(stale, ignore_errors=True)

            def move_aside(out=out, aside=aside):
                if os.path.exists(out):
                    aside.append(f"{out}.old{len(aside)}")
                    os.rename(out, aside[-1])

            t = timed(argv, work, env, a.runs, before_each=move_aside)
            for old in aside:
                shutil.rmtree(old, ignore_errors=True)
            rep, verify = None, "n/a"
            if t["ok"]:
                rep = stackcheck.analyze_dir(out, template, manifest, "per-stack")
                cf_med[mode] = statistics.median(t["walls"])
                v = timed([a.cfnsplit, "verify", template, out], work, env, 1)
                verify = "ok" if v["ok"] else f"n/a ({v['error'][:60]})"
            res[f"cfnsplit-{mode}"] = {"timing": t, "report": rep, "verify": verify}
            rows.append(row(f"cfnsplit {mode}", t, rep, verify))
            print(f"  cfnsplit {mode}: {fmt_time(t)}  {stackcheck.summary_line(rep) if rep else t.get('error')}",
                  flush=True)
    print()
    print_table(rows)
    ref = peer_med.get("perGroupFunction") or next(iter(peer_med.values()), None)
    for mode, med in cf_med.items():
        if ref:
            print(f"ratio cfnsplit {mode} / peer perGroupFunction `sls package`: {med / ref:.3f}")
    if not cf_med:
        print("ratio cfnsplit / peer: n/a (no cfnsplit row succeeded)")
    os.makedirs(os.path.join(REPO, "bench", "results"), exist_ok=True)
    with open(os.path.join(REPO, "bench", "results", f"compare-{n}.json"), "w") as f:
        json.dump(res, f, indent=1, default=str)
    return res


def main():
    ap = argparse.ArgumentParser(description="cfnsplit vs serverless-plugin-split-stacks, side by side.")
    ap.add_argument("--sizes", default="100,500", help="function counts, e.g. 100,500,2000,5000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cfnsplit", default=os.path.join(REPO, "build", "cfnsplit"))
    ap.add_argument("--workdir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "cfnsplit-compare"))
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--skip-peer", action="store_true")
    ap.add_argument("--skip-cfnsplit", action="store_true")
    ap.add_argument("--peer-modes", default="perGroupFunction,perFunction")
    a = ap.parse_args()
    a.cfnsplit = os.path.abspath(a.cfnsplit)
    env = npm_env()
    print(f"serverless: {env['SLS']}  cfnsplit: {a.cfnsplit}  python: {sys.version.split()[0]}")
    for n in [int(s) for s in a.sizes.split(",") if s]:
        run_size(n, a, env)


if __name__ == "__main__":
    main()
