#!/usr/bin/env python3
"""Runs the ordinary updates of a MIGRATION/ directory in a patched moto_server (the deploy
test's, tests/deploy/servers.py): moto is a second opinion on what the model (cfn_model.py)
proves, for the operations moto supports.

Usage: moto_replay.py MIGRATION_DIR --deployed DEPLOYED [--work DIR]

Deploys the deployed state (one template, or a previous cfnsplit output directory as BASE and
BASE-<Name>), records every physical ID, then runs the operations of steps.json in order: each
`create`/`update` through CreateStack/UpdateStack, after which every stack must be *_COMPLETE and
every physical ID recorded before must be the same (nothing replaced; a resource the step removes
on purpose, re-created or imported later, is allowed to go; moto gives API Gateway methods and
deployments no physical ID, so those are not compared). moto 5.2.1 has no stack refactoring API
and no IMPORT change sets (deploying.md §2): a migration with either runs its prepare step only,
and says so. A migration without either runs to its end, and the stacks must then hold the
resources split/ gives them. Exit 0 when all holds, 1 with the reason, 77 when moto is missing."""
import argparse
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "deploy"))
sys.path.insert(0, HERE)
import replay  # noqa: E402

DEPLOY_BUCKET = "cfnsplit-migrate-templates"


class MotoFail(Exception):
    pass


def code_locations(t):
    """(bucket spec, key) of every Lambda code object a template names."""
    out = []
    for r in t.get("Resources", {}).values():
        code = r.get("Properties", {}).get("Code", {}) if isinstance(r, dict) else {}
        if isinstance(code, dict) and isinstance(code.get("S3Key"), str):
            out.append((code.get("S3Bucket"), code["S3Key"]))
    return out


class MotoCloud:
    def __init__(self, aws):
        self.cf = aws.client("cloudformation")
        self.s3 = aws.client("s3")
        self.s3.create_bucket(Bucket=DEPLOY_BUCKET)
        self.keys = set()

    def seed_code(self, t, params):
        """Buckets named by parameters or literally must exist with the code objects; keys in a
        bucket the stacks create go into every bucket there is (moto checks the object)."""
        for bucket, key in code_locations(t):
            name = bucket if isinstance(bucket, str) else None
            if isinstance(bucket, dict) and "Ref" in bucket and bucket["Ref"] in params:
                name = params[bucket["Ref"]]
            if name:
                try:
                    self.s3.create_bucket(Bucket=name)
                except Exception:  # noqa: BLE001 - already there
                    pass
                self.s3.put_object(Bucket=name, Key=key, Body=b"PK\x05\x06" + b"\0" * 18)
            self.keys.add(key)
        for b in self.s3.list_buckets()["Buckets"]:
            for key in self.keys:
                self.s3.put_object(Bucket=b["Name"], Key=key, Body=b"PK\x05\x06" + b"\0" * 18)

    def body(self, stack, t):
        text = json.dumps(t)
        if len(text.encode()) <= 51200:
            return {"TemplateBody": text}
        key = f"{stack}-{len(self.keys)}-{abs(hash(text))}.json"
        self.s3.put_object(Bucket=DEPLOY_BUCKET, Key=key, Body=text.encode())
        return {"TemplateURL": f"{os.environ['AWS_ENDPOINT_URL']}/{DEPLOY_BUCKET}/{key}"}

    def wait(self, stack):
        for _ in range(300):
            status = self.cf.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
            if not status.endswith("_IN_PROGRESS"):
                if not status.endswith("_COMPLETE") or "ROLLBACK" in status:
                    events = self.cf.describe_stack_events(StackName=stack)["StackEvents"]
                    why = [e.get("ResourceStatusReason", "") for e in events if "FAILED" in e["ResourceStatus"]]
                    raise MotoFail(f"{stack}: {status} {why[:2]}")
                return
            time.sleep(0.2)
        pending = [r["LogicalResourceId"] for r in self.cf.describe_stack_resources(StackName=stack)["StackResources"]
                   if r["ResourceStatus"].endswith("_IN_PROGRESS")]
        raise MotoFail(f"{stack} did not settle in 60 s (in progress: {pending[:5]})")

    def stacks(self):
        return [s["StackName"] for s in self.cf.list_stacks()["StackSummaries"]
                if s["StackStatus"] != "DELETE_COMPLETE"]

    def parameters(self, stack):
        d = self.cf.describe_stacks(StackName=stack)["Stacks"][0]
        return {p["ParameterKey"]: p["ParameterValue"] for p in d.get("Parameters", [])}

    def deploy(self, stack, t, params, exists):
        # As the Serverless Framework deploys: a stack whose functions' code lives in a bucket
        # it creates itself is first created with that bucket only, then the code is uploaded.
        own = sorted({b["Ref"] for b, _ in code_locations(t)
                      if isinstance(b, dict) and b.get("Ref") in t.get("Resources", {})})
        if own and not exists:
            first = {"Resources": {b: {k: v for k, v in t["Resources"][b].items() if k != "DependsOn"}
                                   for b in own}}
            self.deploy(stack, first, {}, exists=False)
            exists = True
        self.seed_code(t, params)
        declared = t.get("Parameters", {})
        if exists:
            before = self.parameters(stack)
            # A parameter with a default that was never passed keeps its default (moto 5.2.1
            # also fails on UsePreviousValue for one).
            plist = [{"ParameterKey": k, "ParameterValue": str(params[k])} if k in params
                     else {"ParameterKey": k, "UsePreviousValue": True}
                     for k, d in declared.items()
                     if k in params or (k in before and "Default" not in d)]
            call = self.cf.update_stack
        else:
            plist = [{"ParameterKey": k, "ParameterValue": str(v)} for k, v in params.items() if k in declared]
            call = self.cf.create_stack
        try:
            call(StackName=stack, Parameters=plist,
                 Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
                 **self.body(stack, t))
        except Exception as e:  # noqa: BLE001 - botocore ClientError or moto's HTTP 500
            if "No updates are to be performed" in str(e):
                return
            raise MotoFail(f"{'update' if exists else 'create'} {stack}: {e}") from None
        self.wait(stack)

    def physical_ids(self):
        out = {}
        for s in self.stacks():
            for r in self.cf.describe_stack_resources(StackName=s)["StackResources"]:
                if "LogicalResourceId" not in r:
                    continue  # moto lists the placeholder (a WaitConditionHandle) without its ID
                out[r["LogicalResourceId"]] = (s, r.get("PhysicalResourceId", ""))
        return out


def deploy_deployed(cloud, deployed, base):
    if os.path.isdir(deployed):
        for stack, path in replay.split_stack_names(deployed, base).items():
            t = replay.load(path)
            params = (replay.initial_parameters(t) if stack == base
                      else {k: v for k, v in cloud.parameters(base).items() if k in t.get("Parameters", {})})
            cloud.deploy(stack, t, params, exists=False)
    else:
        t = replay.deployed_template(deployed)
        cloud.deploy(base, t, replay.initial_parameters(t), exists=False)


def run(root, deployed, aws):
    steps = replay.load(os.path.join(root, "steps.json"))
    base = steps["deployed_stack"]
    routes = {m["id"]: m["route"] for m in steps["moves"]}
    cloud = MotoCloud(aws)
    deploy_deployed(cloud, deployed, base)
    original = cloud.physical_ids()
    done, stopped = 0, ""
    kinds = {op["op"] for step in steps["steps"] for op in step["ops"]}
    for step in steps["steps"]:
        if step["folder"].endswith("-prepare") or not kinds & {"refactor", "import"}:
            pass
        else:
            missing = [k for k in ("refactor", "import") if k in kinds]
            stopped = (f"ran the prepare step only; step {step['folder']} and the later ones "
                       f"are not run in moto: the migration needs {' and '.join(missing)}, which "
                       "moto 5.2.1 lacks (no stack refactoring API, no IMPORT change sets, so "
                       "no nesting of an existing stack either); they "
                       "are proved in the model only (replay.py)")
            break
        for op in step["ops"]:
            (stack, rel), = op["stacks"].items()
            t = replay.load(os.path.join(root, rel))
            exists = stack in cloud.stacks()
            params = {}
            if not exists:
                have = cloud.parameters(op.get("parameters_from", base))
                params = {k: v for k, v in have.items() if k in t.get("Parameters", {})}
            params.update({n: f"user-value-of-{n}" for n in op.get("user_parameters", [])})
            try:
                cloud.deploy(stack, t, params, exists)
            except MotoFail as e:
                raise MotoFail(f"step {step['folder']}, {op['op']} {stack}: {e}") from None
            now = cloud.physical_ids()
            # Removed on purpose (detach: re-created or imported later; deleted) may be missing.
            # moto gives API Gateway deployments and methods no physical ID, and after an update
            # lists such a deployment without its logical ID: not comparable.
            replaced = [lid for lid, was in original.items()
                        if lid in now and was[1] and now[lid][1] != was[1]]
            lost = [lid for lid, was in original.items() if lid not in now and was[1] and
                    routes.get(lid) in ("stay", "refactor")]
            if replaced or lost:
                raise MotoFail(f"step {step['folder']}, {op['op']} {stack}: replaced {replaced[:5]}, "
                               f"lost {lost[:5]}")
            done += 1
        if stopped:
            break
    if not stopped:
        index = replay.load(os.path.join(root, "split", "stacks.json"))
        now = cloud.physical_ids()
        for s in index["stacks"]:
            t = replay.load(os.path.join(root, "split", s["template"]))
            have = {lid for lid, (st, _) in now.items() if st == s["stack_name"]}
            # moto lists an updated API Gateway deployment without its logical ID (seen with
            # moto 5.2.1): such a deployment is not looked for.
            want = {lid for lid, r in t["Resources"].items()
                    if r["Type"] != "AWS::ApiGateway::Deployment" or lid in have}
            if want != have:
                raise MotoFail(f"end: {s['stack_name']} holds {sorted(have ^ want)[:5]} unlike split/")
    return {"operations": done, "stacks": len(cloud.stacks()), "resources": len(original),
            "physical_ids_compared": sum(1 for v in original.values() if v[1]),
            "stopped": stopped or "ran to the end: the stacks are split/"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("migration")
    ap.add_argument("--deployed", required=True)
    ap.add_argument("--work")
    a = ap.parse_args()
    try:
        from servers import LocalAws
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError as e:
        print(f"SKIPPED: {e}", file=sys.stderr)
        return 77
    work = a.work or tempfile.mkdtemp(prefix="cfnsplit-moto-")
    with LocalAws(work) as aws:
        try:
            stats = run(a.migration, a.deployed, aws)
        except MotoFail as e:
            print(f"moto replay FAILED: {e}", file=sys.stderr)
            return 1
    print("moto replay ok: " + ", ".join(f"{k} {v}" for k, v in stats.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
