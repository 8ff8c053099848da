"""Comparing what the original deployed with what the split deployed (both as snapshots).

A physical ID, an output value or an export value is compared where it is *fixed*: the same in
two deploys of the original (moto draws generated names at random, so a value that differs
between them is one CloudFormation generates, and the split may differ there too)."""
import re

PLUMBING_TYPES = {"AWS::CloudFormation::Stack"}
# SAM names these after a hash of their content (a deployment: its API definition, which names
# the functions' ARNs; in a split those arrive as parameters or imports, so the hash differs).
# A new hash is a new deployment or version of the same thing, as any change to the API gives.
SAM_HASHED = {"AWS::ApiGateway::Deployment", "AWS::Lambda::Version", "AWS::Lambda::LayerVersion"}


def logical(lid, rtype):
    if rtype in SAM_HASHED:
        m = re.fullmatch(r"(.+?)[0-9a-f]{10}", lid)
        if m:
            return m.group(1) + "<hash>"
    return lid


def resources(snap):
    """logical ID → (type, physical ID, stack), and the IDs found in more than one stack."""
    out, doubles = {}, []
    for stack_name, stack in sorted(snap["stacks"].items()):
        for lid, (rtype, phys) in stack["resources"].items():
            if rtype in PLUMBING_TYPES or lid.startswith("Cfnsplit"):
                continue
            lid = logical(lid, rtype)
            if lid in out:
                doubles.append(f"{lid} is deployed in two stacks ({out[lid][2]}, {stack_name})")
            out[lid] = (rtype, phys, stack_name)
    return out, doubles


def outputs(snap, roots_only):
    out = {}
    for name, stack in snap["stacks"].items():
        if roots_only and not stack["root"]:
            continue
        for key, value in stack["outputs"].items():
            out.setdefault(key, []).append((name, value))
    return out


def differences(first, second, split):
    diffs = []
    a, _ = resources(first)
    b, _ = resources(second)
    s, doubles = resources(split)
    diffs += doubles
    for lid in sorted(set(a) - set(s)):
        diffs.append(f"resource {lid} ({a[lid][0]}) is not deployed by the split")
    for lid in sorted(set(s) - set(a)):
        diffs.append(f"resource {lid} ({s[lid][0]}) is deployed by the split only")
    for lid in sorted(set(a) & set(s)):
        if a[lid][0] != s[lid][0]:
            diffs.append(f"resource {lid}: type {a[lid][0]} became {s[lid][0]}")
        elif lid in b and a[lid][1] == b[lid][1] and a[lid][1] != s[lid][1]:
            diffs.append(f"resource {lid}: physical ID {a[lid][1]!r} became {s[lid][1]!r} "
                         f"(in stack {s[lid][2]})")
    roots_a, roots_b = outputs(first, True), outputs(second, True)
    every_split = outputs(split, False)
    for key, [(stack, (value, _))] in sorted(
            (k, v[:1]) for k, v in roots_a.items()):
        found = every_split.get(key, [])
        if not found:
            diffs.append(f"root output {key} is missing from the split")
            continue
        fixed = roots_b.get(key, [(None, (None, None))])[0][1][0] == value
        # Export names are compared from ListExports below: moto's DescribeStacks finds an
        # output's ExportName by its value, so two outputs of one value show the same name.
        if not any(not fixed or v == value for _, (v, _) in found):
            got = ", ".join(f"{n}: {v!r}" for n, (v, _) in found)
            diffs.append(f"root output {key}: {value!r} became {got}")
    for name, value in sorted(first["exports"].items()):
        if name not in split["exports"]:
            diffs.append(f"export {name} is missing from the split")
        elif second["exports"].get(name) == value and split["exports"][name] != value:
            diffs.append(f"export {name}: {value!r} became {split['exports'][name]!r}")
    return diffs


def reason_class(detail):
    """A short class of why moto could not deploy an original, for the summary."""
    text = detail
    for pattern, name in [
        (r"Unrecognized resource types: \[AWS::Serverless",
         "SAM types without the SAM transform (CloudFormation refuses it too)"),
        (r"Fn::Select|KeyError|list index", "an intrinsic moto cannot evaluate"),
        (r"NoSuchBucket|NoSuchKey|S3 Error", "code in a bucket moto does not have"),
        (r"Template format error|Unresolved|unsupported|not supported", "a template moto rejects"),
        (r"Transform", "a transform other than SAM (or SAM's own error)"),
        (r"Invalid|ValidationError|InvalidParameterValue", "a value moto's model refuses"),
        (r"500|Internal Server Error|invalid XML", "moto crashed (HTTP 500)"),
    ]:
        if re.search(pattern, text):
            return name
    return "other: " + text[:80]
