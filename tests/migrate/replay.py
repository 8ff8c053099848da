#!/usr/bin/env python3
"""Replays a MIGRATION/ directory written by `cfnsplit migrate` in the model of cfn_model.py.

Usage: replay.py MIGRATION_DIR --deployed DEPLOYED.json [--expect-recreated N]

Deploys the deployed template as one stack (or, for a previous cfnsplit output directory, its
stacks as BASE and BASE-<Name>), runs every operation of steps.json in order (each
must be legal and within every quota), then checks: the stacks are exactly split/ (templates
equal, no other stack), no resource is left outside every stack, and every deployed resource that
was not re-created or deleted kept its physical ID. Exit 0 when all hold; 1 with the reason."""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cfn_model import Cloud, Fail  # noqa: E402


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def deployed_template(path):
    doc = load(path)
    body = doc.get("TemplateBody", doc)
    return json.loads(body) if isinstance(body, str) else body


def initial_parameters(t):
    return {p: d.get("Default", f"value-of-{p}") for p, d in t.get("Parameters", {}).items()}


def split_stack_names(outdir, base):
    """A deployed cfnsplit output directory (exports mode): {CloudFormation name: template file},
    in deploy order. The base keeps the deployed stack's name, the others are BASE-<Name>."""
    index = load(os.path.join(outdir, "stacks.json"))
    if index.get("mode") != "exports":
        raise Fail(f"{outdir}: not an exports-mode split")
    first = index["stacks"][0]["name"]
    by_name = {s["name"]: s["template"] for s in index["stacks"]}
    order = index.get("deploy_order") or list(by_name)
    return {(base if n == first else f"{base}-{n}"): os.path.join(outdir, by_name[n]) for n in order}


def upload_dir(cloud, outdir):
    """Every template of a nested deployment's directory, under its path (the TemplateURLs emit
    writes) and its file name (a Serverless deployment bucket's)."""
    for folder, _, files in os.walk(outdir):
        for f in files:
            if f.endswith(".json") and f not in ("stacks.json", "bootstrap.json"):
                path = os.path.join(folder, f)
                cloud.objects[os.path.relpath(path, outdir)] = cloud.objects[f] = load(path)


def nested_parent(outdir):
    """The parent template of a deployed nested split (cfnsplit's nested OUTDIR, or a directory
    of the deployed templates: the one at the top holding stack resources), else None."""
    if not os.path.isdir(outdir):
        return None
    index = os.path.join(outdir, "stacks.json")
    if os.path.exists(index):
        return os.path.join(outdir, "template.json") if load(index).get("mode") == "nested" else None
    for f in sorted(os.listdir(outdir)):
        if f.endswith(".json") and any(r.get("Type") == "AWS::CloudFormation::Stack"
                                       for r in load(os.path.join(outdir, f)).get("Resources", {}).values()):
            return os.path.join(outdir, f)
    return None


def is_nested(outdir):
    return nested_parent(outdir) is not None


def deploy_nested(cloud, outdir, base):
    """A nested split deployed as emit's deploy.sh (or `sls deploy`) does: the parent, which
    creates its children (named parent-Child-RANDOM, as CloudFormation names them)."""
    upload_dir(cloud, outdir)
    t = load(nested_parent(outdir))
    cloud.deploy(base, t, initial_parameters(t))


def child_stack_names(outdir, base):
    """{stack resource: child stack name} of the nested split deployed in a fresh model (the
    model names children deterministically, so a replay deploying it again gets the same)."""
    cloud = Cloud()
    deploy_nested(cloud, outdir, base)
    return {lid: child for (parent, lid), child in cloud.child_of.items() if parent == base}


def deploy_split(cloud, outdir, base):
    """Deploys a previous split as emit's deploy.sh does: the base with the user's parameter
    values, then the others, producers first, taking those values from the base."""
    if is_nested(outdir):
        deploy_nested(cloud, outdir, base)
        return
    for stack, path in split_stack_names(outdir, base).items():
        t = load(path)
        params = initial_parameters(t) if stack == base else values_from(cloud, base, t)
        cloud.deploy(stack, t, params)


def values_from(cloud, source, t):
    """Parameter values a new stack takes from the deployed stack (migrate.sh does the same)."""
    have = cloud.stacks[source].params
    return {p: have[p] for p, d in t.get("Parameters", {}).items() if "Default" not in d and p in have}


def user_values(op, stats):
    """What the user gives in PARAMETER_OVERRIDES: only for the parameters the step names."""
    names = op.get("user_parameters", [])
    stats["user_parameters"] = sorted(set(stats.get("user_parameters", [])) | set(names))
    return {n: f"user-value-of-{n}" for n in names}


def package(cloud, folder, t):
    """Uploads the child templates a nested parent names by local paths, and points its
    TemplateURLs at them."""
    t = json.loads(json.dumps(t))
    for d in t["Resources"].values():
        url = d.get("Properties", {}).get("TemplateURL")
        if d["Type"] == "AWS::CloudFormation::Stack" and isinstance(url, str) and "://" not in url:
            key = "s3://migration/" + url
            cloud.objects[key] = load(os.path.join(folder, url))
            d["Properties"]["TemplateURL"] = key
    return t


class Stack0:
    resources = {}


def run_op(cloud, root, op, stats):
    kind = op["op"]
    if kind == "delete":
        (stack, _), = op["stacks"].items()
        kept = [lid for lid in cloud.stacks.get(stack, Stack0).resources
                if lid != "CfnsplitMigrationPlaceholder"]
        if kept:
            raise Fail(f"delete: {stack} still holds {kept[:5]}")
        cloud.delete(stack)
        stats["ops"] += 1
        stats["deleted_stacks"] = stats.get("deleted_stacks", 0) + 1
        return
    files = {s: os.path.join(root, f) for s, f in op["stacks"].items()}
    templates = {s: load(f) for s, f in files.items()}
    sizes = {s: os.path.getsize(f) for s, f in files.items()}
    for s, t in templates.items():
        stats["max_resources"] = max(stats["max_resources"], len(t["Resources"]))
    if kind in ("create", "update"):
        (stack, t), = templates.items()
        if op.get("resolve_outputs"):  # migrate.sh: describe-stacks for @OUTPUT:<stack>:<key>@
            text = json.dumps(t)
            for ref in sorted(set(re.findall(r"@OUTPUT:[^@\"]*@", text))):
                s, k = ref[len("@OUTPUT:"):-1].split(":", 1)
                if s not in cloud.stacks or k not in cloud.stacks[s].outputs:
                    raise Fail(f"{ref}: stack {s} has no output {k}")
                text = text.replace(ref, str(cloud.stacks[s].outputs[k]))
            t = json.loads(text)
        if op.get("package_children"):  # migrate.sh: aws cloudformation package
            t = package(cloud, os.path.dirname(files[stack]), t)
        if kind == "create" and stack in cloud.stacks:
            raise Fail(f"create: {stack} exists already")
        if kind == "update" and stack not in cloud.stacks:
            raise Fail(f"update: {stack} does not exist")
        # migrate.sh passes the deployed stack's values to every create and update.
        params = values_from(cloud, op["parameters_from"], t) if op.get("parameters_from") else {}
        params.update(user_values(op, stats))
        cloud.deploy(stack, t, params, body_bytes=sizes[stack])
    elif kind == "refactor":
        definitions = load(os.path.join(root, op["stack_definitions"]))
        body_sizes = {}
        for d in definitions:
            s = d["StackName"]
            if "TemplateBody" in d:
                if len(d["TemplateBody"].encode()) > 51200:
                    raise Fail(f"refactor: TemplateBody of {s} over 51,200 bytes")
                if json.loads(d["TemplateBody"]) != templates[s]:
                    raise Fail(f"refactor: the definition of {s} is not its template file")
                body_sizes[s] = len(d["TemplateBody"].encode())
            elif not d["TemplateURL"].endswith("/" + op["stacks"][s]):
                raise Fail(f"refactor: the URL of {s} is not its template file")
        if sorted(d["StackName"] for d in definitions) != sorted(templates):
            raise Fail("refactor: stack definitions and templates differ")
        mappings = load(os.path.join(root, op["resource_mappings"]))
        cloud.refactor(templates, mappings, body_sizes)
        stats["refactors"] += 1
        stats["moved"] += len(mappings)
    elif kind == "import":
        (stack, t), = templates.items()
        if op.get("package_children"):  # migrate.sh: aws cloudformation package
            t = package(cloud, os.path.dirname(files[stack]), t)
        text = open(os.path.join(root, op["resources_to_import"]), encoding="utf-8").read()
        for (s, lid), phys in cloud.last_seen.items():
            text = text.replace(f"@PHYSICAL:{s}:{lid}@", phys)
        for name in sorted(set(re.findall(r"@STACKID:([^@\"]*)@", text))):  # describe-stacks
            if name not in cloud.stacks:
                raise Fail(f"import: no stack {name} to nest")
            text = text.replace(f"@STACKID:{name}@", cloud.stack_id(name))
        if "@PHYSICAL:" in text:
            raise Fail(f"import: a physical ID was never seen: {text[:200]}")
        params = {} if stack in cloud.stacks else values_from(cloud, op["parameters_from"], t)
        params.update(user_values(op, stats))
        cloud.import_resources(stack, t, json.loads(text), params, body_bytes=sizes[stack])
        stats["imported"] += len(json.loads(text))
    else:
        raise Fail(f"unknown operation {kind}")
    stats["ops"] += 1


def without_urls(t):
    t = json.loads(json.dumps(t))
    for d in t["Resources"].values():
        if d.get("Type") == "AWS::CloudFormation::Stack":
            d.get("Properties", {}).pop("TemplateURL", None)
    return t


def check_end_state(cloud, root):
    """The stacks are split/ exactly: an exports split's stacks by name; a nested split's parent
    (its TemplateURLs aside: package rewrote them) and, nested in it, each child."""
    index = load(os.path.join(root, "split", "stacks.json"))
    if index.get("mode") == "nested":
        parent = index["stacks"][0]["stack_name"]
        want = {parent: load(os.path.join(root, "split", index["stacks"][0]["template"]))}
        for s in index["stacks"][1:]:
            child = cloud.child_of.get((parent, s["resource_id"]))
            if child is None or cloud.stacks.get(child) is None or cloud.stacks[child].nested_in != parent:
                raise Fail(f"{s['resource_id']} is not a nested child of {parent} at the end")
            want[child] = load(os.path.join(root, "split", s["template"]))
        if without_urls(cloud.stacks[parent].template) != without_urls(want[parent]):
            raise Fail(f"stack {parent} does not end as split/ says")
        del want[parent]
        if set(want) | {parent} != set(cloud.stacks):
            raise Fail(f"stacks at the end {sorted(cloud.stacks)} are not the split's {sorted(want)} and {parent}")
    else:
        want = {s["stack_name"]: load(os.path.join(root, "split", s["template"])) for s in index["stacks"]}
        if set(want) != set(cloud.stacks):
            raise Fail(f"stacks at the end {sorted(cloud.stacks)} are not the split's {sorted(want)}")
    for s, t in want.items():
        if cloud.stacks[s].template != t:
            raise Fail(f"stack {s} does not end as split/ says")


def replay(root, deployed_path):
    steps = load(os.path.join(root, "steps.json"))
    base = steps["deployed_stack"]
    cloud = Cloud()
    if os.path.isdir(deployed_path):
        deploy_split(cloud, deployed_path, base)
    else:
        d0 = deployed_template(deployed_path)
        cloud.deploy(base, d0, initial_parameters(d0))
    # A nested parent's stack resources are its children, not resources that move.
    original = {lid: (r.phys, r.uid) for s in cloud.stacks.values() for lid, r in s.resources.items()
                if r.type != "AWS::CloudFormation::Stack"}
    stats = {"ops": 0, "refactors": 0, "moved": 0, "imported": 0,
             "max_resources": max(len(s.template["Resources"]) for s in cloud.stacks.values()),
             "deployed_stacks": len(cloud.stacks)}
    for step in steps["steps"]:
        for op in step["ops"]:
            try:
                run_op(cloud, root, op, stats)
            except Fail as e:
                raise Fail(f"step {step['folder']}, {op['op']} {list(op['stacks'])}: {e}") from None
    # The end state is the split, exactly.
    check_end_state(cloud, root)
    if cloud.retained:
        raise Fail(f"resources left outside every stack: {sorted(r.phys for r in cloud.retained.values())[:5]}")
    routes = {m["id"]: m["route"] for m in steps["moves"]}
    where = {lid: (r.phys, r.uid) for s in cloud.stacks.values() for lid, r in s.resources.items()}
    changed = [lid for lid, was in original.items()
               if routes.get(lid) not in ("recreate", "delete") and where.get(lid) != was]
    if changed:
        raise Fail(f"resources replaced (physical ID or the resource itself): {changed[:5]}")
    stats["recreated"] = sum(1 for lid in original if routes.get(lid) == "recreate")
    stats["stacks"] = len(cloud.stacks)
    stats["kept"] = len(original) - stats["recreated"] - sum(
        1 for lid in original if routes.get(lid) == "delete")
    return stats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("migration")
    ap.add_argument("--deployed", required=True)
    ap.add_argument("--expect-recreated", type=int)
    a = ap.parse_args()
    try:
        stats = replay(a.migration, a.deployed)
    except Fail as e:
        print(f"replay FAILED: {e}", file=sys.stderr)
        return 1
    if a.expect_recreated is not None and stats["recreated"] != a.expect_recreated:
        print(f"replay FAILED: {stats['recreated']} re-created, expected {a.expect_recreated}", file=sys.stderr)
        return 1
    print("replay ok: " + ", ".join(f"{k} {v}" for k, v in stats.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
