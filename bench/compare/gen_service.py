#!/usr/bin/env python3
"""Generate a Serverless Framework v3 Python service of N functions for the side-by-side
benchmark (deterministic for a seed).

Needs: python3 (3.8+), no third-party modules.
Usage: gen_service.py DIR N [--seed S] [--split MODE] [--stacks K]
  MODE: none (default) | perGroupFunction | perFunction  (serverless-plugin-split-stacks)

Writes:
  DIR/serverless.yml                       functions with http/sqs/schedule events and owner tags,
                                           12 queues, a table and a bucket; with --split, the
                                           split-stacks plugin + the offline shim (offline_shim.js)
  DIR/functions/<name>/handler.py          tiny handler
  DIR/functions/<name>/requirements.txt    the function's own pinned requirements
  DIR/requirements.txt                     service-wide: the union (what one artifact ships)
  DIR/deps.json                            the harness's own record of each function's closure
                                           and sizes (read by stackcheck.py)
  DIR/cfnsplit.yaml                        the dependency manifest given to `cfnsplit --manifest`
                                           (format: docs/sizing.md)
  DIR/site-packages/                       a metadata snapshot (.dist-info with METADATA and a
                                           RECORD whose sizes add up to the catalog's bytes)

deps.json (schema 1): {"runtime", "limit_unzipped_bytes",
  "packages": {name: {"version", "installed_bytes", "requires": [names]}},
  "functions": {name: {"logical_id", "owner", "requirements": [names], "closure": [names],
                       "installed_bytes"}},
  "service_requirements": [names], "service_installed_bytes"}
Sizes of heavy packages are the ones documented in samples/ml-service/README.md
(cited figures where they exist); light packages carry estimates. The draw of
dependencies per function is skewed like real services: most functions are light,
about a third use one heavy data/imaging stack, a few use two.
"""
import argparse
import json
import os
import random
import re

MB, KB = 1024 * 1024, 1024
# name: (version, installed bytes, requires). Heavy sizes as in samples/ml-service.
CATALOG = {
    "numpy": ("1.26.4", 57 * MB, []),
    "pandas": ("2.2.3", 70 * MB, ["numpy", "python-dateutil", "pytz", "tzdata"]),
    "scipy": ("1.14.1", 126 * MB, ["numpy"]),
    "scikit-learn": ("1.5.2", 42 * MB, ["numpy", "scipy", "joblib", "threadpoolctl"]),
    "pyarrow": ("17.0.0", 160 * MB, ["numpy"]),
    "opencv-python-headless": ("4.10.0.84", 100 * MB, ["numpy"]),
    "pillow": ("11.0.0", 14 * MB, []),
    "lxml": ("5.3.0", 12 * MB, []),
    "shapely": ("2.0.6", 9 * MB, ["numpy"]),
    "boto3": ("1.35.54", 1400 * KB, ["botocore", "jmespath", "s3transfer"]),
    "botocore": ("1.35.54", 24 * MB, ["jmespath", "python-dateutil", "urllib3"]),
    "s3transfer": ("0.10.3", 560 * KB, ["botocore"]),
    "jmespath": ("1.0.1", 150 * KB, []),
    "python-dateutil": ("2.9.0.post0", 820 * KB, ["six"]),
    "six": ("1.16.0", 72 * KB, []),
    "pytz": ("2024.2", 2900 * KB, []),
    "tzdata": ("2024.2", 1950 * KB, []),
    "urllib3": ("2.2.3", 880 * KB, []),
    "joblib": ("1.4.2", 2360 * KB, []),
    "threadpoolctl": ("3.5.0", 96 * KB, []),
    "requests": ("2.32.3", 460 * KB, ["certifi", "charset-normalizer", "idna", "urllib3"]),
    "certifi": ("2024.8.30", 310 * KB, []),
    "charset-normalizer": ("3.4.0", 1100 * KB, []),
    "idna": ("3.10", 700 * KB, []),
    "pydantic": ("2.9.2", 4200 * KB, ["annotated-types", "pydantic-core", "typing-extensions"]),
    "pydantic-core": ("2.23.4", 5300 * KB, ["typing-extensions"]),
    "annotated-types": ("0.7.0", 60 * KB, []),
    "typing-extensions": ("4.12.2", 170 * KB, []),
    "orjson": ("3.10.10", 420 * KB, []),
    "aws-lambda-powertools": ("3.2.0", 3100 * KB, ["jmespath", "typing-extensions"]),
    "pyjwt": ("2.9.0", 110 * KB, []),
    "cryptography": ("43.0.3", 9 * MB, ["cffi"]),
    "cffi": ("1.17.1", 1500 * KB, ["pycparser"]),
    "pycparser": ("2.22", 900 * KB, []),
    "jinja2": ("3.1.4", 1100 * KB, ["markupsafe"]),
    "markupsafe": ("3.0.2", 90 * KB, []),
    "sqlalchemy": ("2.0.36", 12 * MB, ["typing-extensions", "greenlet"]),
    "greenlet": ("3.1.1", 1600 * KB, []),
    "psycopg2-binary": ("2.9.10", 8 * MB, []),
    "redis": ("5.2.0", 2700 * KB, []),
    "httpx": ("0.27.2", 600 * KB, ["anyio", "certifi", "httpcore", "idna", "sniffio"]),
    "httpcore": ("1.0.6", 400 * KB, ["certifi", "h11"]),
    "h11": ("0.14.0", 250 * KB, []),
    "anyio": ("4.6.2", 900 * KB, ["idna", "sniffio"]),
    "sniffio": ("1.3.1", 40 * KB, []),
    "pyyaml": ("6.0.2", 2300 * KB, []),
    "stripe": ("11.2.0", 8 * MB, ["requests", "typing-extensions"]),
    "twilio": ("9.3.6", 11 * MB, ["requests", "pyjwt", "aiohttp"]),
    "aiohttp": ("3.10.10", 6 * MB, ["multidict", "yarl", "frozenlist", "aiosignal", "attrs"]),
    "multidict": ("6.1.0", 600 * KB, []),
    "yarl": ("1.17.1", 1200 * KB, ["idna", "multidict"]),
    "frozenlist": ("1.5.0", 900 * KB, []),
    "aiosignal": ("1.3.1", 30 * KB, ["frozenlist"]),
    "attrs": ("24.2.0", 400 * KB, []),
    "openpyxl": ("3.1.5", 8 * MB, ["et-xmlfile"]),
    "et-xmlfile": ("2.0.0", 60 * KB, []),
    "reportlab": ("4.2.5", 9 * MB, ["pillow"]),
    "pypdf": ("5.1.0", 1800 * KB, []),
    "xmltodict": ("0.14.2", 40 * KB, []),
    "python-json-logger": ("2.0.7", 40 * KB, []),
}
LIGHT_BASE = ["boto3", "requests", "pydantic", "orjson", "aws-lambda-powertools", "pyjwt",
              "cryptography", "jinja2", "sqlalchemy", "psycopg2-binary", "redis", "httpx", "pyyaml",
              "stripe", "twilio", "openpyxl", "pypdf", "xmltodict", "python-json-logger", "lxml"]
HEAVY_STACKS = [["pandas"], ["scipy"], ["scikit-learn"], ["pyarrow"], ["opencv-python-headless", "pillow"],
                ["numpy"], ["shapely"], ["reportlab", "pillow"], ["pandas", "openpyxl"]]
TEAMS = ["vision", "forecasting", "platform", "billing", "search", "growth"]
QUEUES = [f"Queue{q}" for q in range(12)]


def closure(names):
    seen, todo = set(), list(names)
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(CATALOG[n][2])
    return sorted(seen)


def installed(names):
    return sum(CATALOG[n][1] for n in closure(names))


def logical_id(name):
    return name[0].upper() + name[1:].replace("-", "Dash").replace("_", "Underscore") + "LambdaFunction"


def draw_requirements(rnd):
    reqs = set(rnd.sample(LIGHT_BASE, rnd.randint(1, 4)))
    r = rnd.random()
    if r < 0.30:
        reqs |= set(rnd.choice(HEAVY_STACKS))
    elif r < 0.33:
        a, b = rnd.sample(HEAVY_STACKS, 2)
        reqs |= set(a) | set(b)
    return sorted(reqs)


def main():
    ap = argparse.ArgumentParser(description="Generate a Serverless Python service for the benchmark.")
    ap.add_argument("dir")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--split", choices=["none", "perGroupFunction", "perFunction"], default="none")
    ap.add_argument("--stacks", type=int, default=20, help="nestedStackCount for perGroupFunction")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    os.makedirs(a.dir, exist_ok=True)
    functions, union = {}, set()
    L = ["# Generated by bench/compare/gen_service.py "
         f"(N={a.n}, seed={a.seed}, split={a.split}); do not edit.",
         "service: bench-svc", "frameworkVersion: '3'", "provider:", "  name: aws",
         "  runtime: python3.11", "  region: us-east-1", "  stage: prod",
         "  environment:", "    TABLE: !Ref DataTable", "    BUCKET: !Ref DataBucket",
         "package:", "  patterns:", "    - '!**'", "    - 'functions/**/*.py'", "plugins:"]
    if a.split != "none":
        L.append("  - serverless-plugin-split-stacks")
    L.append("  - ./offline_shim")
    if a.split != "none":
        L += ["custom:", "  splitStacks:", "    perType: false",
              f"    perFunction: {'true' if a.split == 'perFunction' else 'false'}",
              f"    perGroupFunction: {'true' if a.split == 'perGroupFunction' else 'false'}"]
        if a.split == "perGroupFunction":
            L.append(f"    nestedStackCount: {a.stacks}")
    L.append("functions:")
    for i in range(a.n):
        name = f"fn{i:04d}"
        team = TEAMS[(i * 7 // max(a.n, 1)) % len(TEAMS)] if a.n >= 7 else TEAMS[i % len(TEAMS)]
        reqs = draw_requirements(rnd)
        union |= set(reqs)
        functions[name] = {"logical_id": logical_id(name), "owner": team, "requirements": reqs,
                           "closure": closure(reqs), "installed_bytes": installed(reqs)}
        if installed(reqs) > 262144000:
            functions[name]["image"] = True  # fits no zip: planned as a container image
        L += [f"  {name}:", f"    handler: functions/{name}/handler.main", "    tags:",
              f"      owner: {team}", "    events:"]
        kind = rnd.random()
        if kind < 0.6:
            L += ["      - http:", f"          path: {team}/{name}", "          method: get"]
        if 0.4 <= kind < 0.8:
            L += ["      - sqs:", f"          arn: !GetAtt {QUEUES[i % len(QUEUES)]}.Arn", "          batchSize: 10"]
        if kind >= 0.8 or i % 10 == 0:
            L.append(f"      - schedule: rate({rnd.randint(2, 59)} minutes)")
        d = os.path.join(a.dir, "functions", name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "requirements.txt"), "w") as f:
            f.write("".join(f"{r}=={CATALOG[r][0]}\n" for r in reqs))
        with open(os.path.join(d, "handler.py"), "w") as f:
            f.write(f'def main(event, context):\n    return "{name}"\n')
    L += ["resources:", "  Resources:"]
    for q in QUEUES:
        L += [f"    {q}:", "      Type: AWS::SQS::Queue", "      Properties:", "        VisibilityTimeout: 180"]
    L += ["    DataTable:", "      Type: AWS::DynamoDB::Table", "      DeletionPolicy: Retain",
          "      Properties:", "        BillingMode: PAY_PER_REQUEST",
          "        AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]",
          "        KeySchema: [{AttributeName: pk, KeyType: HASH}]",
          "    DataBucket:", "      Type: AWS::S3::Bucket", "      DeletionPolicy: Retain"]
    with open(os.path.join(a.dir, "serverless.yml"), "w") as f:
        f.write("\n".join(L) + "\n")
    with open(os.path.join(a.dir, "requirements.txt"), "w") as f:
        f.write("".join(f"{r}=={CATALOG[r][0]}\n" for r in sorted(union)))
    manifest = {
        "schema": 1, "runtime": "python3.11", "limit_unzipped_bytes": 262144000,
        "packages": {n: {"version": v, "installed_bytes": b,
                         "requires": sorted(set(re.split(r"[<>=!; ]", r, 1)[0] for r in req))}
                     for n, (v, b, req) in sorted(CATALOG.items())},
        "functions": functions,
        "service_requirements": sorted(union), "service_installed_bytes": installed(sorted(union)),
    }
    with open(os.path.join(a.dir, "deps.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    write_site_packages(os.path.join(a.dir, "site-packages"))
    with open(os.path.join(a.dir, "cfnsplit.yaml"), "w") as f:
        f.write("# Generated by bench/compare/gen_service.py; format: docs/sizing.md\n"
                "version: 1\nservice:\n  packaging: shared\n  site_packages: site-packages\n"
                "functions:\n")
        for name in sorted(functions):
            f.write(f"  {name}:\n    requirements: [functions/{name}/requirements.txt]\n")
            # A function that fits no zip on its own goes to a container image (the playbook's
            # last step); without this cfnsplit refuses the plan with E4008 for it.
            if functions[name].get("image"):
                f.write("    image: true\n")


def write_site_packages(root):
    """One .dist-info per catalog entry: METADATA with Requires-Dist, RECORD with one payload row
    of the catalog's installed bytes (the payload itself is not written)."""
    for n, (version, size, requires) in sorted(CATALOG.items()):
        d = os.path.join(root, f"{n.replace('-', '_')}-{version}.dist-info")
        os.makedirs(d, exist_ok=True)
        meta = f"Metadata-Version: 2.1\nName: {n}\nVersion: {version}\n" + "".join(
            f"Requires-Dist: {r}\n" for r in requires)
        with open(os.path.join(d, "METADATA"), "w") as f:
            f.write(meta)
        top = n.replace("-", "_")
        with open(os.path.join(d, "top_level.txt"), "w") as f:
            f.write(top + "\n")
        with open(os.path.join(d, "RECORD"), "w") as f:
            f.write(f"{top}/__init__.py,sha256=placeholder,{size}\n")
            f.write(f"{os.path.basename(d)}/METADATA,,{len(meta)}\n")
            f.write(f"{os.path.basename(d)}/RECORD,,\n")


if __name__ == "__main__":
    main()
