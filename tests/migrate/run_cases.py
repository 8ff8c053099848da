#!/usr/bin/env python3
"""CTest entry `migrate`: generates migrations with the real cfnsplit binary and replays each in
the independent CloudFormation model (cfn_model.py, replay.py).

Usage: run_cases.py CFNSPLIT_BINARY SOURCE_DIR [WORK_DIR]
Cases (issue 18): the ML sample as deployed before its last functions took it over 500
resources -> the full sample's plan; a 300-function generated Serverless-like service grown from
the part of it that fit one stack; a template with explicit names, a Retain table, an API Gateway
(deny-listed methods) and a custom resource, refused (E8002), then pinned by `plan --deployed`,
then forced by --allow-recreate; bad inputs. Exit 0 when every case holds."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cfn_model import Cloud, Fail  # noqa: E402
import replay  # noqa: E402

FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILURES.append(what)


def run(*args, expect=0):
    p = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    if p.returncode != expect:
        print(f"command {' '.join(map(str, args))} exited {p.returncode}, expected {expect}\n"
              f"stdout: {p.stdout[-2000:]}\nstderr: {p.stderr[-3000:]}", flush=True)
    return p


def migrate_and_replay(binary, work, name, deployed, plan, stack, extra=(), expect_routes=None,
                       dry_refactor=True):
    slug = "".join(c if c.isalnum() else "-" for c in name.split(" (")[0])
    out = os.path.join(work, slug + "-MIGRATION")
    named = ("--deployed-stack", stack) if stack else ()  # an OUTDIR knows its stacks' names
    p = run(binary, "migrate", "--deployed", deployed, *named, plan, "-o", out, "--force", *extra)
    check(p.returncode == 0, f"{name}: cfnsplit migrate succeeds")
    if p.returncode != 0:
        return None
    print("     " + p.stdout.splitlines()[0], flush=True)
    try:
        stats = replay.replay(out, deployed)
        print(f"     replay: {stats}", flush=True)
        check(True, f"{name}: every step legal in the model, physical IDs kept, end state = split/")
    except Fail as e:
        check(False, f"{name}: replay: {e}")
        return None
    steps = json.load(open(os.path.join(out, "steps.json")))
    routes = {m["id"]: m["route"] for m in steps["moves"]}
    for rid, route in (expect_routes or {}).items():
        check(routes.get(rid) == route, f"{name}: {rid} goes by {route} (got {routes.get(rid)})")
    syntax = run("sh", "-n", os.path.join(out, "migrate.sh"))
    check(syntax.returncode == 0, f"{name}: migrate.sh is valid sh")
    dry = run("sh", os.path.join(out, "migrate.sh"), "--dry-run")
    check(dry.returncode == 0 and ("create-stack-refactor" in dry.stderr) == dry_refactor,
          f"{name}: migrate.sh --dry-run runs" + (" and prints the refactor" if dry_refactor else ""))
    return steps, stats, out


def check_nested_target(name, deployed, steps, stats, out):
    """A migration to a nested plan: the children are nested by an IMPORT change set of stack
    resources after the exports-mode finish step, before the rewire and the nested finish; the
    model refuses the migration without that step (the parent would create new children)."""
    folders = [s["folder"] for s in steps["steps"]]
    nest = [i for i, f in enumerate(folders) if f.endswith("-nest")]
    finish = [i for i, f in enumerate(folders) if f.endswith("-finish")]
    ok = (len(nest) == 1 and finish and finish[-1] < nest[0]
          and folders[-1].endswith("-finish-nested") and nest[0] < len(folders) - 1
          and all(o["op"] == "import" for o in steps["steps"][nest[0]]["ops"]))
    children = stats["imported"] - sum(1 for m in steps["moves"] if m["route"] == "import")
    check(ok and children > 0,
          f"{name}: {children} children nested by import after the exports-mode finish "
          f"({', '.join(folders)}); {stats['moved']} refactored, {stats['recreated']} re-created, "
          f"{stats['kept']} deployed resources kept, {stats['ops']} operations, at most "
          f"{stats['max_resources']} resources in a template")
    # The model holds the import to the documented checks: a stack resource whose template is
    # not the stack's is refused.
    tampered = out + "-tampered"
    shutil.rmtree(tampered, ignore_errors=True)
    shutil.copytree(out, tampered)
    folder = os.path.join(tampered, steps["steps"][nest[0]]["folder"])
    child = sorted(f for f in os.listdir(folder) if f.endswith(".json") and "resources-to-import"
                   not in f and f != steps["deployed_stack"] + ".json")[0]
    t = json.load(open(os.path.join(folder, child)))
    t["Description"] = "changed"
    json.dump(t, open(os.path.join(folder, child), "w"))
    try:
        replay.replay(tampered, deployed)
        check(False, f"{name}: nesting a stack under another template must fail in the model")
    except Fail as e:
        check("template" in str(e), f"{name}: a nest template unlike the stack's fails in the model ({str(e)[:90]})")
    broken = out + "-no-nest"
    shutil.rmtree(broken, ignore_errors=True)
    shutil.copytree(out, broken)
    data = json.load(open(os.path.join(broken, "steps.json")))
    data["steps"] = [s for s in data["steps"] if not s["folder"].endswith("-nest")]
    json.dump(data, open(os.path.join(broken, "steps.json"), "w"))
    try:
        replay.replay(broken, deployed)
        check(False, f"{name}: skipping the nest step must fail in the model")
    except Fail as e:
        check(True, f"{name}: skipping the nest step fails in the model ({str(e)[:90]})")


def naive_deploy_fails(deployed, out, stack):
    """Deploying the split over the deployed stack, as emit's README says, must fail: the model
    is not vacuous."""
    cloud = Cloud()
    d0 = replay.deployed_template(deployed)
    cloud.deploy(stack, d0, replay.initial_parameters(d0))
    before = {lid: r.uid for lid, r in cloud.stacks[stack].resources.items()}
    index = json.load(open(os.path.join(out, "split", "stacks.json")))
    try:
        for s in index["stacks"]:
            t = json.load(open(os.path.join(out, "split", s["template"])))
            params = replay.values_from(cloud, stack, t) if s["stack_name"] != stack else None
            cloud.deploy(s["stack_name"], t, params)
    except Fail as e:
        return str(e)
    after = {lid: r.uid for st in cloud.stacks.values() for lid, r in st.resources.items()}
    replaced = [lid for lid, uid in before.items() if after.get(lid) not in (None, uid)]
    return f"{len(replaced)} resources replaced" if replaced else ""


def case_ml(binary, src, work):
    tmpl = os.path.join(work, "ml-platform.json")
    shutil.copy(os.path.join(src, "samples/ml-service/template.json"), tmpl)
    deployed = os.path.join(work, "ml-deployed.json")
    run(sys.executable, os.path.join(HERE, "make_deployed.py"), tmpl, "--max-resources", "490",
        "--get-template", "-o", deployed)
    plan = os.path.join(work, "ml-plan.yaml")
    run(binary, "plan", tmpl, "--mode", "exports", "-o", plan)
    got = migrate_and_replay(binary, work, "ml", deployed, plan, "ml-platform-prod")
    if got:
        steps, stats, out = got
        recreated = [m for m in steps["moves"] if m["route"] == "recreate"]
        check(all(m["type"] == "AWS::ApiGateway::Method" for m in recreated) and recreated,
              f"ml: only API methods are re-created ({len(recreated)})")
        check(any(m["route"] == "create" for m in steps["moves"]),
              "ml: the functions added since the deployment are created by the finish step")
        why = naive_deploy_fails(deployed, out, "ml-platform-prod")
        check(why != "", f"ml: deploying the split directly replaces resources in the model ({why[:90]})")
    # The same deployment -> the sample's nested plan.
    nested_plan = os.path.join(work, "ml-nested-plan.yaml")
    run(binary, "plan", tmpl, "--mode", "nested", "-o", nested_plan)
    got = migrate_and_replay(binary, work, "ml to nested", deployed, nested_plan, "ml-platform-prod")
    if got:
        check_nested_target("ml to nested", deployed, *got)


def case_generated(binary, src, work):
    tmpl = os.path.join(work, "service300.json")
    run(sys.executable, os.path.join(src, "bench/gen_template.py"), "1800", tmpl)
    n = sum(1 for r in json.load(open(tmpl))["Resources"].values() if r["Type"] == "AWS::Lambda::Function")
    deployed = os.path.join(work, "service300-deployed.json")
    run(sys.executable, os.path.join(HERE, "make_deployed.py"), tmpl, "--max-resources", "480",
        "--drop-prefix", "PadAlarm", "-o", deployed)
    plan = os.path.join(work, "service300-plan.yaml")
    run(binary, "plan", tmpl, "--mode", "exports", "-o", plan)
    got = migrate_and_replay(binary, work, f"generated {n} functions", deployed, plan, "service")
    if got:
        check(got[1]["stacks"] > 5, f"generated: {got[1]['stacks']} stacks reached")


def case_resplit(binary, src, work):
    """An existing cfnsplit split (exports mode, several stacks, deployed from its OUTDIR) ->
    a new plan after functions were added: with --previous (minimal moves), a plan that moves
    resources between the deployed stacks, and one that merges stacks (emptied ones deleted)."""
    tmpl = os.path.join(work, "grown.json")
    run(sys.executable, os.path.join(src, "bench/gen_template.py"), "1800", tmpl)
    svc = os.path.join(work, "service.json")
    run(sys.executable, os.path.join(HERE, "make_deployed.py"), tmpl, "--max-resources", "1200",
        "--drop-prefix", "PadAlarm", "-o", svc)
    old, old_plan = os.path.join(work, "old"), os.path.join(work, "old-plan.yaml")
    run(binary, "plan", svc, "--mode", "exports", "-o", old_plan)
    p = run(binary, "emit", old_plan, "-o", old, "--force")
    old_stacks = len(json.load(open(os.path.join(old, "stacks.json")))["stacks"])
    check(p.returncode == 0 and old_stacks > 1, f"resplit: the earlier split has {old_stacks} stacks")
    nested_old = os.path.join(work, "old-nested")
    old_nested_plan = os.path.join(work, "old-nested-plan.yaml")
    run(binary, "plan", svc, "--mode", "nested", "-o", old_nested_plan)
    run(binary, "emit", old_nested_plan, "-o", nested_old, "--force")
    shutil.copy(tmpl, svc)  # the service grew: the same file now holds every function
    plan = os.path.join(work, "resplit-plan.yaml")
    p = run(binary, "plan", svc, "--mode", "exports", "--previous", old_plan, "--deployed", old,
            "-o", plan)
    check(p.returncode == 0, "resplit: plan --previous old/plan.yaml --deployed old/ succeeds")
    got = migrate_and_replay(binary, work, "resplit --previous", old, plan, None, dry_refactor=False)
    if got:
        steps, stats, _ = got
        moved = [m for m in steps["moves"] if m["route"] not in ("stay", "create")]
        created = [m for m in steps["moves"] if m["route"] == "create"]
        check(not moved and created and stats["refactors"] == 0,
              f"resplit --previous: no deployed resource moves, {len(created)} new ones created, "
              f"{stats['stacks']} stacks ({stats['kept']} deployed resources kept)")
    smaller = os.path.join(work, "smaller-plan.yaml")
    run(binary, "plan", svc, "--mode", "exports", "--headroom", "0.5", "-o", smaller)
    got = migrate_and_replay(binary, work, "resplit to smaller stacks", old, smaller, None)
    if got:
        steps, stats, out = got
        base = steps["deployed_stack"]
        between = [m for m in steps["moves"] if m["route"] == "refactor" and m["from"] != base]
        check(bool(between), f"resplit smaller: {len(between)} resources refactored out of deployed "
                             f"non-base stacks, {stats['refactors']} refactor(s), {stats['stacks']} stacks")
        # ... and back: that split deployed, merged into fewer stacks; the emptied ones deleted.
        merged = migrate_and_replay(binary, work, "resplit merge", os.path.join(out, "split"),
                                    os.path.join(work, "resplit-plan.yaml"), None)
        if merged:
            check(merged[1].get("deleted_stacks", 0) > 0 and merged[1]["refactors"] > 0,
                  f"resplit merge: {merged[1]['moved']} resources refactored, "
                  f"{merged[1].get('deleted_stacks', 0)} emptied stacks deleted")
    case_nested(binary, work, nested_old, smaller)
    # A nested re-split that moves nothing needs no migration (E8006 says so).
    nested_plan = os.path.join(work, "nested-plan.yaml")
    run(binary, "plan", svc, "--mode", "nested", "--previous", old_nested_plan, "-o", nested_plan)
    p = run(binary, "migrate", "--deployed", nested_old, nested_plan, "-o",
            os.path.join(work, "nested-x"), expect=1)
    check(p.returncode == 1 and "E8006" in p.stderr and "ordinary update" in p.stderr,
          "nested: a nested re-split that moves nothing is an ordinary update, said (E8006)")
    check(not os.path.exists(os.path.join(work, "nested-x")), "nested: nothing written when refused")
    # Nested targets: the exports split deployed -> a nested plan; the nested split deployed ->
    # a new nested plan that moves resources (smaller stacks).
    got = migrate_and_replay(binary, work, "exports split to nested", old, nested_plan, None,
                             dry_refactor=False)
    if got:
        check_nested_target("exports split to nested", old, *got)
    smaller_nested = os.path.join(work, "smaller-nested-plan.yaml")
    run(binary, "plan", svc, "--mode", "nested", "--headroom", "0.5", "-o", smaller_nested)
    base = json.load(open(os.path.join(nested_old, "stacks.json")))["stacks"][0]["stack_name"]
    names = replay.child_stack_names(nested_old, base)
    named = [a for lid, child in names.items() for a in ("--deployed-stack", f"{lid}={child}")]
    got = migrate_and_replay(binary, work, "nested split to a new nested plan", nested_old,
                             smaller_nested, None, named)
    if got:
        check_nested_target("nested split to a new nested plan", nested_old, *got)


def case_nested(binary, work, nested_old, plan):
    """A deployed nested split (cfnsplit's nested OUTDIR, the parent creating its children as
    parent-Child-RANDOM) -> an exports plan: un-nested (children retained, then removed from the
    parent), their resources refactored out, the emptied children deleted."""
    base = json.load(open(os.path.join(nested_old, "stacks.json")))["stacks"][0]["stack_name"]
    names = replay.child_stack_names(nested_old, base)
    p = run(binary, "migrate", "--deployed", nested_old, plan, "-o", os.path.join(work, "nested-x"),
            expect=2)
    check(p.returncode == 2 and "E8001" in p.stderr and "--deployed-stack" in p.stderr
          and all(lid in p.stderr for lid in names),
          "nested: without the children's names, E8001 names the missing ones and how to list them")
    named = [a for lid, child in names.items() for a in ("--deployed-stack", f"{lid}={child}")]
    got = migrate_and_replay(binary, work, "nested to exports", nested_old, plan, None, named)
    if not got:
        return
    steps, stats, out = got
    folders = [s["folder"] for s in steps["steps"]]
    check(folders[:2] == ["01-unnest-retain", "02-unnest"],
          f"nested: the first steps un-nest the {len(names)} children ({', '.join(folders)})")
    deleted = [o["stacks"] for s in steps["steps"] for o in s["ops"] if o["op"] == "delete"]
    check(sorted(k for d in deleted for k in d) == sorted(names.values()),
          f"nested: every emptied child is deleted at the end ({len(deleted)}); "
          f"{stats['moved']} resources refactored, {stats['kept']} deployed resources kept, "
          f"{stats['ops']} operations")
    # The model is not vacuous: without the Retain step, removing the stack resources deletes
    # the children with everything in them.
    broken = os.path.join(work, "nested-no-retain")
    shutil.rmtree(broken, ignore_errors=True)
    shutil.copytree(out, broken)
    data = json.load(open(os.path.join(broken, "steps.json")))
    data["steps"] = data["steps"][1:]
    json.dump(data, open(os.path.join(broken, "steps.json"), "w"))
    try:
        replay.replay(broken, nested_old)
        check(False, "nested: skipping the Retain step must fail in the model")
    except Fail as e:
        check(True, f"nested: skipping the Retain step fails in the model ({str(e)[:80]})")


def case_peer(binary, work):
    """A Serverless service deployed split by serverless-plugin-split-stacks (a parent and its
    children, cases/peer-nested) -> an exports plan of the same service."""
    case = os.path.join(HERE, "cases/peer-nested")
    deployed, stack = os.path.join(case, "deployed"), "gen-svc-dev"
    plan = os.path.join(work, "peer-plan.yaml")
    run(binary, "plan", os.path.join(case, "template.json"), "--mode", "exports", "--strategy",
        "ownership", "-o", plan)
    names = replay.child_stack_names(deployed, stack)
    named = [a for lid, child in names.items() for a in ("--deployed-stack", f"{lid}={child}")]
    got = migrate_and_replay(binary, work, "peer nested to exports", deployed, plan, stack, named)
    if got:
        steps, stats, _ = got
        deleted = sorted(k for s in steps["steps"] for o in s["ops"] if o["op"] == "delete"
                         for k in o["stacks"])
        check(deleted == sorted(names.values()) and stats["refactors"] > 0,
              f"peer: {len(names)} children un-nested, {stats['moved']} resources refactored in "
              f"{stats['refactors']} refactors, {stats['kept']} deployed resources kept, the "
              f"emptied children deleted ({stats['ops']} operations)")
    nested_plan = os.path.join(work, "peer-nested-plan.yaml")
    run(binary, "plan", os.path.join(case, "template.json"), "--mode", "nested", "--strategy",
        "ownership", "-o", nested_plan)
    got = migrate_and_replay(binary, work, "peer nested to nested", deployed, nested_plan, stack, named)
    if got:
        check_nested_target("peer nested to nested", deployed, *got)


def case_named(binary, src, work):
    tmpl = os.path.join(work, "orders.json")
    shutil.copy(os.path.join(HERE, "cases/named/template.json"), tmpl)
    plan = os.path.join(work, "orders-plan.yaml")
    run(binary, "plan", tmpl, "--mode", "exports", "--strategy", "ownership", "-o", plan)
    refused = run(binary, "migrate", "--deployed", tmpl, "--deployed-stack", "orders-prod", plan,
                  "-o", os.path.join(work, "orders-refused"), expect=1)
    check(refused.returncode == 1 and "E8002" in refused.stderr and "SeedData" in refused.stderr,
          "named: a custom resource that would move is refused (E8002) with the way out")
    check(not os.path.exists(os.path.join(work, "orders-refused")), "named: nothing written when refused")
    forced = migrate_and_replay(binary, work, "named --allow-recreate", tmpl, plan, "orders-prod",
                                ("--allow-recreate", "SeedData"), {"SeedData": "recreate"})
    if forced:
        m = next(x for x in forced[0]["moves"] if x["id"] == "SeedData")
        check(m["forced"], "named: the forced re-creation is marked as such")
    pinned_plan = os.path.join(work, "orders-plan-deployed.yaml")
    p = run(binary, "plan", tmpl, "--mode", "exports", "--strategy", "ownership", "--deployed", tmpl,
            "-o", pinned_plan, "--explain")
    check("SeedData -> Base: pinned to Base: deployed" in p.stdout,
          "named: plan --deployed pins the custom resource, with the reason in --explain")
    review = run(binary, "review", plan, "--against", pinned_plan)
    moves = [ln for ln in review.stdout.splitlines() if "deployed:" in ln]
    check(bool(moves) and "deployed: impossible" in moves[0] and "SeedData" in moves[0],
          "review --against: moves carry their migrate route, the impossible one first")
    wrapped = os.path.join(work, "orders-get-template.json")
    json.dump({"TemplateBody": open(tmpl).read()}, open(wrapped, "w"))
    migrate_and_replay(binary, work, "named pinned (get-template output, body as a string)", wrapped,
                       pinned_plan, "orders-prod", (),
                       {"ReportsFunction": "import", "ApiOrdersGet": "recreate",
                        "OrdersFunction": "refactor", "OrdersTable": "stay", "SeedData": "stay"})


def case_named_nested(binary, work):
    """The named template (a parameter without default, a Retain table, an imported function, a
    custom resource reading a child) -> a nested plan: the custom resource reads a child that
    reads the parent, so it is refused (E8006) unless --allow-recreate accepts re-creating it."""
    tmpl = os.path.join(work, "orders.json")
    plan = os.path.join(work, "orders-nested-plan.yaml")
    run(binary, "plan", tmpl, "--mode", "nested", "--strategy", "ownership", "--deployed", tmpl,
        "-o", plan)
    p = run(binary, "migrate", "--deployed", tmpl, "--deployed-stack", "orders-prod", plan, "-o",
            os.path.join(work, "orders-nested-refused"), expect=1)
    check(p.returncode == 1 and "E8006" in p.stderr and "--allow-recreate SeedData" in p.stderr
          and "--pin SeedData=OrdersFunctions" in p.stderr,
          "named to nested: a custom resource reading a child that reads the parent is E8006, with the fixes")
    got = migrate_and_replay(binary, work, "named to nested --allow-recreate", tmpl, plan,
                             "orders-prod", ("--allow-recreate", "SeedData"),
                             {"SeedData": "recreate", "ReportsFunction": "import"})
    if got:
        check_nested_target("named to nested", tmpl, *got)


def case_bad_inputs(binary, work):
    tmpl = os.path.join(work, "orders.json")
    plan = os.path.join(work, "orders-plan-deployed.yaml")
    empty = os.path.join(work, "empty-dir")
    os.makedirs(empty, exist_ok=True)
    p = run(binary, "migrate", "--deployed", empty, plan, "-o", os.path.join(work, "x"), expect=2)
    check(p.returncode == 2 and "E5110" in p.stderr,
          "bad input: a directory that is no cfnsplit output as --deployed is E5110, exit 2")
    p = run(binary, "migrate", "--deployed", tmpl, "--deployed-stack", "9bad_name", plan, "-o",
            os.path.join(work, "x"), expect=2)
    check(p.returncode == 2 and "E8001" in p.stderr, "bad input: an invalid stack name is E8001, exit 2")
    p = run(binary, "migrate", plan, "--deployed", tmpl, "--allow-recreate", "Nope", "-o",
            os.path.join(work, "x"), expect=2)
    check(p.returncode == 2 and "Nope" in p.stderr, "bad input: --allow-recreate of nothing, exit 2")
    junk = os.path.join(work, "junk.json")
    open(junk, "w").write('{"Stacks": []}')
    p = run(binary, "migrate", "--deployed", junk, plan, "-o", os.path.join(work, "x"), expect=2)
    check(p.returncode == 2 and "E1001" in p.stderr, "bad input: not a template is E1001, exit 2")


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    binary, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    work = sys.argv[3] if len(sys.argv) > 3 else tempfile.mkdtemp(prefix="cfnsplit-migrate-")
    os.makedirs(work, exist_ok=True)
    cwd = os.getcwd()
    os.chdir(work)
    try:
        case_ml(binary, src, work)
        case_generated(binary, src, work)
        case_resplit(binary, src, work)
        case_peer(binary, work)
        case_named(binary, src, work)
        case_named_nested(binary, work)
        case_bad_inputs(binary, work)
    finally:
        os.chdir(cwd)
        if len(sys.argv) <= 3 and not FAILURES:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{len(FAILURES)} failure(s)" + (f"; work dir kept: {work}" if FAILURES else ""))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
