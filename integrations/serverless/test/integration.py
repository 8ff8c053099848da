#!/usr/bin/env python3
"""The plugin inside the real Serverless Framework 3 (offline): generated services packaged with
`sls package`, once without any split plugin and once with serverless-cfnsplit, then checked.

Usage: integration.py --sls-modules DIR --cfnsplit BIN [--sizes 50,300] [--work DIR] [--json F]
  --sls-modules: a node_modules holding serverless 3.x (e.g. the peer's, or bench/compare's
  npm cache); Serverless runs with fake credentials, no telemetry, no network call.

For every size N (bench/compare/gen_service.py, seed 11):
  1. the unsplit `sls package` and the plugin's `sls package` of the same service;
  2. `cfnsplit verify` of the plugin's .serverless folder against the plugin's own saved input
     (byte for byte the template Serverless compiled in that run), and against the unsplit run's
     template once the two runs' timestamps are made equal (Serverless puts the packaging time in
     the artifact directory name and the API Gateway deployment's logical ID);
  3. every stack within every quota, no cycle, no dangling reference (bench/compare/stackcheck.py);
  4. TemplateURLs: each child stack's URL is the peer's Fn::Join into this deployment's artifact
     directory, names a file in .serverless that the upload step sends, and every child file is
     named by exactly one URL;
  5. a service too big for one nested operation (E4018): refused with the switch to exports
     mode, and exports mode packages stacks that verify, within every quota;
  6. (first size) a second package with the committed cfnsplit-plan.yaml keeps every placement,
     a peer key in custom.cfnsplit stops `sls package` with exit code 2 and the explanation, and
     `package: perStack` builds each stack's zip from an installed tree.
Prints one line per check; exits 1 on any failure.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(PLUGIN))
COMPARE = os.path.join(REPO, "bench", "compare")
sys.path.insert(0, COMPARE)
import stackcheck  # noqa: E402

UPLOADED = re.compile(r"nested-stack(-[0-9]+)?\.json$")  # the peer's (and our) upload filter
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


def sls_env(a):
    env = dict(os.environ)
    env.update(AWS_ACCESS_KEY_ID="AKIAOFFLINE", AWS_SECRET_ACCESS_KEY="offline", AWS_REGION="us-east-1",
               SLS_TELEMETRY_DISABLED="1", SLS_NOTIFICATIONS_MODE="off", SLS_DEPRECATION_DISABLE="*",
               CFNSPLIT_BINARY=a.cfnsplit)
    return env


def sls_package(d, a):
    shutil.rmtree(os.path.join(d, ".serverless"), ignore_errors=True)
    t = time.monotonic()
    p = subprocess.run([os.path.join(d, "node_modules", ".bin", "sls"), "package"], cwd=d, env=sls_env(a),
                       capture_output=True, text=True)
    return p, time.monotonic() - t


def with_plugin(d, extra=""):
    """serverless.yml with serverless-cfnsplit listed first and custom.cfnsplit set."""
    path = os.path.join(d, "serverless.yml")
    text = open(path).read()
    if "./serverless-cfnsplit" not in text:
        text = text.replace("plugins:\n", "plugins:\n  - ./serverless-cfnsplit\n", 1)
        text = text.replace("\nfunctions:\n", "\ncustom:\n  cfnsplit:\n    manifest: cfnsplit.yaml\n"
                            "#EXTRA\nfunctions:\n", 1)
    text = re.sub(r"#EXTRA\n(    .*\n)*", "#EXTRA\n" + extra, text)
    open(path, "w").write(text)


def prepare(n, a):
    d = os.path.join(a.work, f"svc{n}")
    shutil.rmtree(d, ignore_errors=True)
    subprocess.run([sys.executable, os.path.join(COMPARE, "gen_service.py"), d, str(n), "--seed", "11"],
                   check=True, stdout=subprocess.DEVNULL)
    shutil.copy(os.path.join(COMPARE, "offline_shim.js"), os.path.join(d, "offline_shim.js"))
    os.symlink(a.sls_modules, os.path.join(d, "node_modules"))
    os.symlink(PLUGIN, os.path.join(d, "serverless-cfnsplit"))
    return d


def artifact_dir(serverless_dir):
    state = json.load(open(os.path.join(serverless_dir, "serverless-state.json")))
    return state["package"]["artifactDirectoryName"]


def deployment_id(template):
    ids = [k for k in template["Resources"] if re.fullmatch(r"ApiGatewayDeployment\d+", k)]
    return ids[0] if ids else None


def normalised_copy(serverless_dir, out, unsplit_template, unsplit_dir_name):
    """The plugin's templates with this run's timestamps replaced by the unsplit run's."""
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    ours = artifact_dir(serverless_dir)
    parent = json.load(open(os.path.join(serverless_dir, "cloudformation-template-update-stack.json")))
    pairs = [(ours, unsplit_dir_name)]
    a, b = deployment_id(json.load(open(os.path.join(serverless_dir, "cfnsplit", "template.json")))), \
        deployment_id(unsplit_template)
    if a and b:
        pairs.append((a, b))
    del parent
    for fn in os.listdir(serverless_dir):
        if fn == "cloudformation-template-update-stack.json" or UPLOADED.search(fn):
            text = open(os.path.join(serverless_dir, fn)).read()
            for x, y in pairs:
                text = text.replace(x, y)
            open(os.path.join(out, fn), "w").write(text)


def check_urls(serverless_dir, n):
    parent = json.load(open(os.path.join(serverless_dir, "cloudformation-template-update-stack.json")))
    directory = artifact_dir(serverless_dir)
    children = sorted(f for f in os.listdir(serverless_dir) if UPLOADED.search(f))
    named, bad = [], []
    for rid, r in parent["Resources"].items():
        if r.get("Type") != "AWS::CloudFormation::Stack":
            continue
        url = r["Properties"]["TemplateURL"]
        parts = url.get("Fn::Join", [None, []])[1] if isinstance(url, dict) else []
        expected = ["https://s3.us-east-1.amazonaws.com", {"Ref": "ServerlessDeploymentBucket"}, directory]
        if len(parts) != 4 or parts[:3] != expected or not os.path.isfile(os.path.join(serverless_dir, parts[3])):
            bad.append(rid)
        else:
            named.append(parts[3])
    check(not bad, f"N={n}: every TemplateURL is the peer's Fn::Join to a file in .serverless ({len(named)} children)"
          + (f"; bad: {bad[:3]}" if bad else ""))
    check(sorted(named) == children and len(set(named)) == len(named),
          f"N={n}: the child files the upload step sends are exactly the ones the URLs name ({len(children)})")


def placements(plan_text):
    out = {}
    for chunk in plan_text.split("\n  - name: ")[1:]:
        name = chunk.split("\n")[0]
        body = chunk[chunk.find("    resources:"):]
        out[name] = sorted(re.findall(r"^ {6}- ([A-Za-z0-9]+)", body, re.M))
    return out


def run_size(n, a, first, timings):
    d = prepare(n, a)
    p, unsplit_s = sls_package(d, a)
    if not check(p.returncode == 0, f"N={n}: sls package without a split plugin ({unsplit_s:.1f}s)"):
        print(p.stdout[-2000:], p.stderr[-2000:])
        return
    unsplit_path = os.path.join(a.work, f"svc{n}-unsplit.json")
    shutil.copy(os.path.join(d, ".serverless", "cloudformation-template-update-stack.json"), unsplit_path)
    unsplit = json.load(open(unsplit_path))
    unsplit_dir_name = artifact_dir(os.path.join(d, ".serverless"))

    with_plugin(d)
    p, split_s = sls_package(d, a)
    timings[n] = {"unsplit_s": round(unsplit_s, 2), "plugin_s": round(split_s, 2)}
    if "E4018" in p.stdout + p.stderr:
        check_exports(d, n, a, p)
        return
    if not check(p.returncode == 0, f"N={n}: sls package with serverless-cfnsplit ({split_s:.1f}s)"):
        print(p.stdout[-3000:], p.stderr[-3000:])
        return
    summary = re.search(r"cfnsplit: (\d+) stacks \(nested mode\)", p.stdout + p.stderr)
    check(summary is not None, f"N={n}: the plugin reports its split ({summary.group(0) if summary else 'no summary'})")
    sdir = os.path.join(d, ".serverless")
    v = subprocess.run([a.cfnsplit, "verify", os.path.join(sdir, "cfnsplit", "template.json"), sdir],
                       capture_output=True, text=True)
    check(v.returncode == 0, f"N={n}: cfnsplit verify .serverless against the compiled template: {v.stdout.splitlines()[0] if v.stdout else v.stderr[:300]}")
    norm = os.path.join(a.work, f"svc{n}-normalised")
    normalised_copy(sdir, norm, unsplit, unsplit_dir_name)
    v = subprocess.run([a.cfnsplit, "verify", unsplit_path, norm], capture_output=True, text=True)
    check(v.returncode == 0, f"N={n}: cfnsplit verify against the package made without any split plugin: "
          f"{v.stdout.splitlines()[0] if v.stdout else v.stderr[:300]}")
    rep = stackcheck.analyze_dir(norm, unsplit_path)
    check(rep["stacks_over_quota"] == 0 and rep["roots"] == 1,
          f"N={n}: {rep['stacks']} stacks, largest {rep['largest_stack_resources']} resources, none over a quota "
          f"{rep['quota_breaches'] or ''}")
    check(not rep["cycles"] and rep["dangling_refs"] == 0, f"N={n}: no cycle, no dangling reference")
    check_urls(sdir, n)
    timings[n]["stacks"] = rep["stacks"]
    if not first:
        return
    plan = open(os.path.join(d, "cfnsplit-plan.yaml")).read()
    p, _ = sls_package(d, a)
    again = open(os.path.join(d, "cfnsplit-plan.yaml")).read()
    # Serverless names the API Gateway deployment after the packaging time: a new resource on
    # every package (CloudFormation replaces it on every deploy anyway). Everything else stays.
    pairs = lambda t: {(s, r) for s, ids in placements(t).items() for r in ids  # noqa: E731
                       if not re.fullmatch(r"ApiGatewayDeployment\d+", r)}
    moved = pairs(plan) ^ pairs(again)
    check(p.returncode == 0 and not moved and len(placements(plan)) > 1,
          f"N={n}: a second package with the committed plan keeps every placement"
          + (f" (differences: {sorted(moved)[:6]})" if moved else ""))
    with_plugin(d, "    perFunction: true\n")
    p, _ = sls_package(d, a)
    out = p.stdout + p.stderr
    check(p.returncode == 2 and "custom.cfnsplit.perFunction is a serverless-plugin-split-stacks key" in out,
          f"N={n}: a peer key stops sls package with exit code 2 (got {p.returncode}) and the explanation")
    check_per_stack(d, n, a)


def check_exports(d, n, a, p):
    """A service whose nested tree would exceed 2,500 resources: nested mode is refused (E4018)
    with the way out, and exports mode packages stacks that verify, each within every quota."""
    out = p.stdout + p.stderr
    check(p.returncode == 1 and "custom.cfnsplit.mode: exports" in out,
          f"N={n}: nested mode refused (E4018, exit {p.returncode}) with the switch to exports mode")
    with_plugin(d, "    mode: exports\n")
    p, took = sls_package(d, a)
    if not check(p.returncode == 0, f"N={n}: sls package in exports mode ({took:.1f}s)"):
        print(p.stdout[-3000:], p.stderr[-3000:])
        return
    sdir = os.path.join(d, ".serverless")
    out_dir = os.path.join(sdir, "cfnsplit", "out")
    v = subprocess.run([a.cfnsplit, "verify", os.path.join(sdir, "cfnsplit", "template.json"), out_dir],
                       capture_output=True, text=True)
    check(v.returncode == 0, f"N={n}: exports output verifies: {v.stdout.splitlines()[0] if v.stdout else v.stderr[:300]}")
    rep = stackcheck.analyze_dir(os.path.join(out_dir, "stacks"))
    check(rep["stacks_over_quota"] == 0 and not rep["cycles"],
          f"N={n}: {rep['stacks']} exports stacks, largest {rep['largest_stack_resources']} resources, none over a quota")
    check(os.path.isfile(os.path.join(out_dir, "deploy.sh")), f"N={n}: the deploy kit is in .serverless/cfnsplit/out")
    with_plugin(d, "")


def check_per_stack(d, n, a):
    """package: perStack, from the generator's metadata snapshot made into an installed tree
    (bench/make_site_tree.py --sparse: every RECORDed file at its recorded size, as holes)."""
    site = os.path.join(a.work, f"svc{n}-site")
    subprocess.run([sys.executable, os.path.join(REPO, "bench", "make_site_tree.py"), os.path.join(d, "site-packages"),
                    site, "--sparse"], check=True, stdout=subprocess.DEVNULL)
    with_plugin(d, f"    package: perStack\n    sitePackages: {site}\n")
    p, took = sls_package(d, a)
    if not check(p.returncode == 0, f"N={n}: sls package with package: perStack ({took:.1f}s)"):
        print(p.stdout[-3000:], p.stderr[-3000:])
        return
    sdir = os.path.join(d, ".serverless")
    listing = json.load(open(os.path.join(sdir, "cfnsplit", "out", "packages", "artifacts.json")))["artifacts"]
    state = json.load(open(os.path.join(sdir, "serverless-state.json")))
    directory = state["package"]["artifactDirectoryName"]
    zips = {os.path.basename(x["key"]): x for x in listing.values()}
    ok = all(os.path.dirname(x["key"]) == directory and os.path.isfile(os.path.join(sdir, z))
             and x["unzipped"] <= 262144000 for z, x in zips.items())
    check(ok and len(zips) > 1, f"N={n}: {len(zips)} per-stack zips in .serverless under their S3 keys' names, "
          f"each within 262,144,000 bytes (largest {max(x['unzipped'] for x in zips.values()):,})")
    pointed = [f for f in state["service"]["functions"].values()
               if os.path.basename((f.get("package") or {}).get("artifact", "")) in zips]
    check(len(pointed) > 0, f"N={n}: {len(pointed)} functions deploy from their stack's zip (serverless-state.json)")
    v = subprocess.run([a.cfnsplit, "verify", os.path.join(sdir, "cfnsplit", "template.json"), sdir],
                       capture_output=True, text=True)
    check(v.returncode == 0, f"N={n}: perStack output verifies: {v.stdout.splitlines()[0] if v.stdout else v.stderr[:300]}")
    with_plugin(d, "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sls-modules", required=True)
    ap.add_argument("--cfnsplit", required=True)
    ap.add_argument("--sizes", default="50,300")
    ap.add_argument("--work", default=None)
    ap.add_argument("--json", default=None, help="write the timings here")
    a = ap.parse_args()
    a.cfnsplit = os.path.abspath(a.cfnsplit)
    a.sls_modules = os.path.abspath(a.sls_modules)
    own_work = a.work is None
    if own_work:
        import tempfile
        a.work = tempfile.mkdtemp(prefix="cfnsplit-plugin-it-")
    os.makedirs(a.work, exist_ok=True)
    timings = {}
    try:
        for i, n in enumerate(int(x) for x in a.sizes.split(",")):
            run_size(n, a, i == 0, timings)
    finally:
        if own_work and not failures:
            shutil.rmtree(a.work, ignore_errors=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(timings, f, indent=1)
    print(f"{'FAILED: ' + str(len(failures)) + ' check(s)' if failures else 'all checks passed'}; timings {json.dumps(timings)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
