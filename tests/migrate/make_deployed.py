#!/usr/bin/env python3
"""Makes a 'deployed earlier' version of a template: the last functions removed, with every
resource that exists only for them, until the template holds at most --max-resources resources.

Usage: make_deployed.py TEMPLATE.json --max-resources N [--get-template] [--drop-prefix P] -o OUT.json
Independent of cfnsplit's code; used by the migrate replay test (tests/migrate/run.sh)."""
import argparse
import json
import sys


def refs_in(value):
    """Logical IDs a value reads through Ref, GetAtt or Sub (and DependsOn, which is a list or
    string of IDs: harmless to over-count here)."""
    out = set()
    if isinstance(value, dict):
        if len(value) == 1:
            (k, v), = value.items()
            if k == "Ref" and isinstance(v, str):
                out.add(v)
            elif k == "Fn::GetAtt":
                out.add(v[0] if isinstance(v, list) else str(v).split(".")[0])
            elif k == "Fn::Sub":
                text = v if isinstance(v, str) else v[0]
                i = 0
                while True:
                    i = text.find("${", i)
                    if i < 0:
                        break
                    j = text.find("}", i)
                    name = text[i + 2:j]
                    if not name.startswith("!"):
                        out.add(name.split(".")[0])
                    i = j
        for v in value.values():
            out |= refs_in(v)
    elif isinstance(value, list):
        for v in value:
            out |= refs_in(v)
    return out


def scrub(value, gone):
    """Drops list items that read a gone resource; returns None when the value itself does."""
    if isinstance(value, list):
        kept = [scrub(v, gone) for v in value]
        return [v for v in kept if v is not None]
    if refs_in(value) & gone and not isinstance(value, list):
        if isinstance(value, dict) and len(value) == 1 and next(iter(value)).startswith(("Ref", "Fn::")):
            return None
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                s = scrub(v, gone)
                if s is None:
                    return None
                out[k] = s
            return out
    return value


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("template")
    ap.add_argument("--max-resources", type=int, required=True)
    ap.add_argument("--get-template", action="store_true", help="wrap as get-template output")
    ap.add_argument("--drop-prefix", default="",
                    help="also drop resources whose logical ID starts with this (bench padding)")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    t = json.load(open(a.template))
    res = t["Resources"]
    reads = {k: refs_in(v) for k, v in res.items()}      # what each resource reads
    readers = {k: set() for k in res}                     # who reads each resource
    for k, rs in reads.items():
        for r in rs & res.keys():
            readers[r].add(k)
    by_outputs = refs_in(t.get("Outputs", {}))
    functions = [k for k, v in res.items() if v["Type"] == "AWS::Lambda::Function"]
    gone = {k for k in res if a.drop_prefix and k.startswith(a.drop_prefix)}

    def drop(k, queue):
        if k not in gone:
            gone.add(k)
            queue.append(k)

    while len(res) - len(gone) > a.max_resources and functions:
        f = functions.pop()
        prefix = f[: -len("LambdaFunction")] if f.endswith("LambdaFunction") else f
        queue = []
        for k in [k for k in res if k.startswith(prefix)] + [f]:
            drop(k, queue)
        while queue:
            g = queue.pop()
            # Whoever cannot live without it goes too (a reader not inside a list) ...
            for k in readers[g] - gone:
                if scrub(res[k].get("Properties", {}), gone) is None:
                    drop(k, queue)
            # ... and what only gone resources used (a function's API path, its topic).
            for k in reads[g] & res.keys():
                if k not in gone and k not in by_outputs and not (readers[k] - gone):
                    drop(k, queue)
    out = dict(t)
    out["Resources"] = {}
    for k, v in res.items():
        if k in gone:
            continue
        v = dict(v)
        if "Properties" in v:
            v["Properties"] = scrub(v["Properties"], gone)
        dep = v.get("DependsOn")
        if isinstance(dep, list):
            v["DependsOn"] = [d for d in dep if d not in gone]
            if not v["DependsOn"]:
                del v["DependsOn"]
        elif isinstance(dep, str) and dep in gone:
            del v["DependsOn"]
        out["Resources"][k] = v
    if "Outputs" in t:
        out["Outputs"] = {k: v for k, v in t["Outputs"].items() if not (refs_in(v) & gone)}
    doc = {"TemplateBody": out} if a.get_template else out
    json.dump(doc, open(a.output, "w"), indent=1, sort_keys=False)
    print(f"{a.output}: {len(out['Resources'])} resources ({len(gone)} removed)", file=sys.stderr)


if __name__ == "__main__":
    main()
