#!/usr/bin/env python3
"""Check a directory of emitted CloudFormation templates (any tool's split output).

Needs: python3 (3.8+); PyYAML only if the directory holds YAML templates.
Usage as a script:
  stackcheck.py OUTDIR [--original TEMPLATE] [--manifest DEPS] [--artifact per-stack|single] [--json]
Usage as a module: `from stackcheck import analyze_dir; report = analyze_dir(...)`.

What it computes, for every *.json / *.yaml / *.yml / *.template file in OUTDIR (recursively):
  - per stack: resources, outputs, parameters, mappings, template bytes (the file as written);
    over-quota flags against 500 resources / 200 outputs / 200 parameters / 200 mappings /
    1,000,000 template bytes;
  - the stack tree: a child is a file whose name is the last path segment of some
    AWS::CloudFormation::Stack TemplateURL (string parts of Fn::Join/Fn::Sub included);
    templates that nobody points at are roots (one root = nested mode; several = sibling stacks
    linked by Export / Fn::ImportValue);
  - parameters + outputs created: their total over all stacks minus the original template's;
  - cycles: strongly connected components (size > 1, or a self-loop) of
      (a) the resource-level dependency graph inside each template (Ref, Fn::GetAtt, Fn::Sub
          references and DependsOn): this catches sibling nested stacks whose Parameters read
          each other's Outputs, and any root <-> child loop, which CloudFormation rejects;
      (b) the stack-level graph of Export -> Fn::ImportValue between templates;
  - dangling references: Ref / GetAtt / Sub targets that a template does not declare (not a
    parameter, resource or pseudo parameter) and Fn::FindInMap to a missing mapping;
  - packages (with --manifest, a deps.json as written by gen_service.py): for each stack holding
    AWS::Lambda::Function resources, the unzipped bytes its artifact ships:
      per-stack: the union of the dependency closures of the functions in that stack
                 (one artifact per stack, what cfnsplit plans);
      single:    the union of ALL functions' closures (one artifact for the whole service,
                 what serverless-plugin-split-stacks leaves: every child points at it);
    stacks whose artifact exceeds 262,144,000 bytes are flagged, and functions whose own closure
    is over the limit are counted apart (no stack can hold them).
"""
import argparse
import json
import os
import re
import sys

QUOTAS = {"resources": 500, "outputs": 200, "parameters": 200, "mappings": 200, "bytes": 1_000_000}
LAMBDA_UNZIPPED_LIMIT = 262_144_000
PSEUDO = {"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
          "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"}
SUB_VAR = re.compile(r"\$\{([^}]*)\}")


# ----------------------------------------------------------------------------- loading
def _yaml_load(path):
    try:
        import yaml
    except ImportError:
        raise SystemExit(f"error: {path} is YAML; install PyYAML (Debian: apt-get install python3-yaml)")

    class Loader(yaml.SafeLoader):
        pass

    def intrinsic(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            v = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            v = loader.construct_sequence(node, deep=True)
        else:
            v = loader.construct_mapping(node, deep=True)
        if suffix == "GetAtt" and isinstance(v, str):
            v = v.split(".", 1)
        return {suffix if suffix in ("Ref", "Condition") else "Fn::" + suffix: v}

    Loader.add_multi_constructor("!", intrinsic)
    with open(path) as f:
        return yaml.load(f, Loader=Loader)


def load_template(path):
    if path.endswith(".json"):
        with open(path) as f:
            return json.load(f)
    with open(path) as f:
        head = f.read(1).lstrip()
    if head == "{":
        with open(path) as f:
            return json.load(f)
    return _yaml_load(path)


def find_templates(outdir):
    found = []
    for base, _dirs, files in os.walk(outdir):
        for fn in sorted(files):
            if fn.endswith((".json", ".yaml", ".yml", ".template")):
                p = os.path.join(base, fn)
                try:
                    t = load_template(p)
                except (ValueError, OSError):
                    continue
                if isinstance(t, dict) and isinstance(t.get("Resources"), dict):
                    found.append((p, t))
    return sorted(found)


# ----------------------------------------------------------------------------- references
def _sub_targets(text, local_vars):
    for m in SUB_VAR.finditer(text):
        var = m.group(1)
        if var.startswith("!"):
            continue
        name = var.split(".", 1)[0]
        if var in local_vars or name in local_vars:
            continue
        yield name


def references(node):
    """Yield (kind, target) for every Ref / GetAtt / Sub target and FindInMap map in a value."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "Ref" and isinstance(v, str):
                yield "ref", v
            elif k == "Fn::GetAtt":
                if isinstance(v, list) and v and isinstance(v[0], str):
                    yield "ref", v[0]
                elif isinstance(v, str):
                    yield "ref", v.split(".", 1)[0]
                yield from references(v[1:] if isinstance(v, list) else [])
            elif k == "Fn::Sub":
                if isinstance(v, str):
                    for t in _sub_targets(v, {}):
                        yield "ref", t
                elif isinstance(v, list) and v and isinstance(v[0], str):
                    local = v[1] if len(v) > 1 and isinstance(v[1], dict) else {}
                    for t in _sub_targets(v[0], local):
                        yield "ref", t
                    yield from references(local)
            elif k == "Fn::FindInMap" and isinstance(v, list) and v:
                if isinstance(v[0], str):
                    yield "map", v[0]
                yield from references(v)
            elif k == "Fn::ImportValue":
                yield from references(v)
            else:
                yield from references(v)
    elif isinstance(node, list):
        for x in node:
            yield from references(x)


def resource_deps(res):
    deps = set()
    for kind, t in references(res.get("Properties", {})):
        if kind == "ref":
            deps.add(t)
    d = res.get("DependsOn", [])
    deps.update([d] if isinstance(d, str) else d)
    return deps


def evaluate(expr, stack_name, params):
    """Best-effort string value of an export name / import value (for matching them)."""
    if isinstance(expr, str):
        return expr
    if isinstance(expr, dict) and len(expr) == 1:
        (k, v), = expr.items()
        if k == "Ref":
            if v == "AWS::StackName":
                return stack_name
            p = params.get(v, {})
            return str(p["Default"]) if "Default" in p else "${" + v + "}"
        if k == "Fn::Sub":
            text, local = (v, {}) if isinstance(v, str) else (v[0], v[1] if len(v) > 1 else {})

            def repl(m):
                var = m.group(1)
                if var.startswith("!"):
                    return "${" + var[1:] + "}"
                if var in local:
                    return evaluate(local[var], stack_name, params)
                if var == "AWS::StackName":
                    return stack_name
                p = params.get(var, {})
                return str(p["Default"]) if "Default" in p else "${" + var + "}"
            return SUB_VAR.sub(repl, text)
        if k == "Fn::Join" and isinstance(v, list) and len(v) == 2 and isinstance(v[1], list):
            return v[0].join(evaluate(x, stack_name, params) for x in v[1])
    return json.dumps(expr, sort_keys=True)


def strongly_connected(graph):
    """Tarjan's SCCs (iterative). graph: node -> set(nodes). Returns list of lists."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in graph:
                    continue
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    advanced = True
                    break
                if nxt in on:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    x = stack.pop()
                    on.discard(x)
                    comp.append(x)
                    if x == node:
                        break
                if len(comp) > 1 or node in graph.get(node, ()):
                    out.append(sorted(comp))
    return out


# ----------------------------------------------------------------------------- analysis
def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


def load_manifest(path):
    with open(path) as f:
        m = json.load(f)
    by_lid = {fn["logical_id"]: fn for fn in m["functions"].values() if "logical_id" in fn}
    sizes = {n: p["installed_bytes"] for n, p in m["packages"].items()}
    return m, by_lid, sizes


def analyze_dir(outdir, original=None, manifest=None, artifact="per-stack"):
    """Return a dict report for the templates under outdir (see module docstring)."""
    templates = find_templates(outdir)
    stacks = []
    basenames = {os.path.basename(p): p for p, _ in templates}
    children = {}
    for p, t in templates:
        for lid, r in t["Resources"].items():
            if r.get("Type") == "AWS::CloudFormation::Stack":
                url = (r.get("Properties") or {}).get("TemplateURL")
                for s in _strings(url):
                    seg = s.rstrip("/").split("/")[-1]
                    if seg in basenames:
                        children[basenames[seg]] = (p, lid)
    mf = by_lid = sizes = None
    if manifest:
        mf, by_lid, sizes = load_manifest(manifest)
        all_closure = set()
        for fn in mf["functions"].values():
            all_closure |= set(fn["closure"])
    exports, imports = {}, []
    cycles = []
    dangling = []
    for p, t in templates:
        name = os.path.relpath(p, outdir)
        res = t["Resources"]
        params = t.get("Parameters") or {}
        outs = t.get("Outputs") or {}
        maps = t.get("Mappings") or {}
        st = {"file": name, "resources": len(res), "outputs": len(outs), "parameters": len(params),
              "mappings": len(maps), "bytes": os.path.getsize(p),
              "parent": os.path.relpath(children[p][0], outdir) if p in children else None}
        st["over_quota"] = [k for k, lim in QUOTAS.items() if st[k] > lim]
        # resource-level cycles inside this template
        graph = {lid: {d for d in resource_deps(r) if d in res} for lid, r in res.items()}
        for comp in strongly_connected(graph):
            cycles.append({"kind": "resource", "file": name, "members": comp})
        # dangling references
        declared = set(res) | set(params) | PSEUDO
        for section in (res, outs, t.get("Conditions") or {}):
            for kind, target in references(section):
                if kind == "ref" and target not in declared:
                    dangling.append({"file": name, "target": target})
                elif kind == "map" and target not in maps:
                    dangling.append({"file": name, "target": "Mappings." + target})
        stack_name = os.path.splitext(os.path.basename(name))[0]
        for oid, o in outs.items():
            if isinstance(o, dict) and "Export" in o:
                exports[evaluate(o["Export"].get("Name"), stack_name, params)] = name
        for node in _walk_imports(res) + _walk_imports(outs):
            imports.append((name, evaluate(node, stack_name, params)))
        if mf is not None:
            fns = [lid for lid, r in res.items() if r.get("Type") == "AWS::Lambda::Function"]
            st["functions"] = len(fns)
            if fns:
                if artifact == "single":
                    pk = all_closure
                else:
                    pk = set()
                    for lid in fns:
                        # Functions declared as container images ship no zip artifact.
                        if lid in by_lid and not by_lid[lid].get("image"):
                            pk |= set(by_lid[lid]["closure"])
                st["package_bytes"] = sum(sizes[n] for n in pk)
                st["over_package_limit"] = st["package_bytes"] > LAMBDA_UNZIPPED_LIMIT
        stacks.append(st)
    # stack-level Export -> ImportValue graph
    sgraph = {s["file"]: set() for s in stacks}
    unresolved_imports = 0
    for importer, key in imports:
        if key in exports:
            sgraph[exports[key]].add(importer)
        else:
            unresolved_imports += 1
    for comp in strongly_connected(sgraph):
        cycles.append({"kind": "export-import", "members": comp})
    orig_po = 0
    if original:
        ot = load_template(original)
        orig_po = len(ot.get("Parameters") or {}) + len(ot.get("Outputs") or {})
    total_po = sum(s["parameters"] + s["outputs"] for s in stacks)
    report = {
        "outdir": outdir,
        "stacks": len(stacks),
        "roots": sum(1 for s in stacks if s["parent"] is None),
        "largest_stack_resources": max((s["resources"] for s in stacks), default=0),
        "total_resources": sum(s["resources"] for s in stacks),
        "params_outputs_created": total_po - orig_po,
        "stacks_over_quota": sum(1 for s in stacks if s["over_quota"]),
        "quota_breaches": sorted({q for s in stacks for q in s["over_quota"]}),
        "cycles": cycles,
        "dangling_refs": len(dangling),
        "dangling_examples": dangling[:5],
        "unresolved_imports": unresolved_imports,
        "per_stack": stacks,
    }
    if mf is not None:
        report["artifact_model"] = artifact
        report["stacks_over_package_limit"] = sum(1 for s in stacks if s.get("over_package_limit"))
        report["functions_over_limit_alone"] = sum(
            1 for fn in mf["functions"].values() if fn["installed_bytes"] > LAMBDA_UNZIPPED_LIMIT)
        report["largest_package_bytes"] = max((s.get("package_bytes", 0) for s in stacks), default=0)
    return report


def _walk_imports(node, acc=None):
    acc = [] if acc is None else acc
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "Fn::ImportValue":
                acc.append(v)
            else:
                _walk_imports(v, acc)
    elif isinstance(node, list):
        for x in node:
            _walk_imports(x, acc)
    return acc


def summary_line(r):
    s = (f"{r['stacks']} stacks ({r['roots']} root), largest {r['largest_stack_resources']} resources, "
         f"+{r['params_outputs_created']} params/outputs, {r['stacks_over_quota']} over quota "
         f"{r['quota_breaches'] or ''}, {len(r['cycles'])} cycles, {r['dangling_refs']} dangling refs")
    if "stacks_over_package_limit" in r:
        s += (f", {r['stacks_over_package_limit']} over 262,144,000 B "
              f"(largest {r['largest_package_bytes'] / 1e6:.0f} MB, {r['artifact_model']})")
    return s


def main():
    ap = argparse.ArgumentParser(description="Quota, cycle and package checks over emitted templates.")
    ap.add_argument("outdir")
    ap.add_argument("--original", help="the unsplit template (to count created params/outputs)")
    ap.add_argument("--manifest", help="deps.json (function closures and package sizes)")
    ap.add_argument("--artifact", choices=["per-stack", "single"], default="per-stack")
    ap.add_argument("--json", action="store_true", help="print the full report as JSON")
    a = ap.parse_args()
    r = analyze_dir(a.outdir, a.original, a.manifest, a.artifact)
    if a.json:
        json.dump(r, sys.stdout, indent=1)
        print()
    else:
        print(summary_line(r))
        for s in r["per_stack"]:
            extra = f" pkg {s['package_bytes'] / 1e6:.0f} MB" if "package_bytes" in s else ""
            print(f"  {s['file']}: {s['resources']} res, {s['outputs']} out, {s['parameters']} par, "
                  f"{s['bytes']} B{extra}{' OVER ' + ','.join(s['over_quota']) if s['over_quota'] else ''}")
        for c in r["cycles"][:10]:
            print(f"  cycle ({c['kind']}): {' -> '.join(c['members'][:6])}")


if __name__ == "__main__":
    main()
