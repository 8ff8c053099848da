"""Deploying a case: the original template as its user would, and a cfnsplit OUTDIR through its
own deploy.sh, each into a freshly reset moto; then what was deployed, as a snapshot."""
import io
import json
import subprocess
import zipfile
from pathlib import Path

DEPLOY_BUCKET = "cfnsplit-deploy-test"
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]


class DeployError(Exception):
    pass


def tiny_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buf.getvalue()


def run(aws, args, cwd=None, timeout=900):
    p = subprocess.run(args, cwd=cwd, env=aws.env, capture_output=True, text=True,
                       timeout=timeout)
    if p.returncode != 0:
        raise DeployError(f"{' '.join(map(str, args[:4]))}…: " +
                          (p.stderr.strip() or p.stdout.strip())[-1500:])
    return p.stdout


def seed(aws, case):
    """What exists before the stack: the buckets and code objects the template names, SSM
    parameters its parameters read, and a bucket for templates and packages."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=DEPLOY_BUCKET)
    made = set()
    for bucket, key in case.s3_objects:
        if bucket not in made:
            try:
                s3.create_bucket(Bucket=bucket)
            except s3.exceptions.BucketAlreadyOwnedByYou:
                pass
            made.add(bucket)
        s3.put_object(Bucket=bucket, Key=key, Body=tiny_zip())
    ssm = aws.client("ssm")
    for name, value in case.ssm_parameters.items():
        ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)


def wait_stack(cf, name):
    waiter_for = {"CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "REVIEW_IN_PROGRESS"}
    for _ in range(600):
        stack = cf.describe_stacks(StackName=name)["Stacks"][0]
        if stack["StackStatus"] not in waiter_for:
            if not stack["StackStatus"].endswith("_COMPLETE") or "ROLLBACK" in stack["StackStatus"]:
                raise DeployError(f"stack {name}: {stack['StackStatus']}")
            return
    raise DeployError(f"stack {name} did not settle")


def boto_call(fn, **kwargs):
    try:
        return fn(**kwargs)
    except Exception as e:  # botocore ClientError or moto's HTTP 500
        raise DeployError(f"{fn.__name__}: {e}") from None


def deploy_serverless(aws, case, template):
    """As the Serverless Framework deploys: a stack with only the deployment bucket, then the
    artifacts uploaded into it, then the whole template as an update."""
    cf = aws.client("cloudformation")
    resources = template["Resources"]
    keep = {k: v for k, v in resources.items()
            if k in ("ServerlessDeploymentBucket", "ServerlessDeploymentBucketPolicy")}
    bootstrap = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": keep,
                 "Outputs": {"ServerlessDeploymentBucketName":
                             {"Value": {"Ref": "ServerlessDeploymentBucket"}}}}
    boto_call(cf.create_stack, StackName=case.stack_name, TemplateBody=json.dumps(bootstrap),
              Capabilities=CAPABILITIES)
    wait_stack(cf, case.stack_name)
    bucket = cf.describe_stack_resource(StackName=case.stack_name,
                                        LogicalResourceId="ServerlessDeploymentBucket")
    name = bucket["StackResourceDetail"]["PhysicalResourceId"]
    s3 = aws.client("s3")
    for key in case.deployment_bucket_keys:
        s3.put_object(Bucket=name, Key=key, Body=tiny_zip())
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in case.parameters.items()
              if k in template.get("Parameters", {})]
    boto_call(cf.update_stack, StackName=case.stack_name, TemplateBody=json.dumps(template),
              Parameters=params, Capabilities=CAPABILITIES)
    wait_stack(cf, case.stack_name)


def needs_package(template):
    """A template with local paths (SAM CodeUri folders, a nested TemplateURL file …) goes
    through `aws cloudformation package`, as its user would; others are created directly."""
    from cases import CODE_PROPERTIES
    for res in (template.get("Resources") or {}).values():
        if not isinstance(res, dict):
            continue
        props = res.get("Properties") or {}
        if res.get("Type") in CODE_PROPERTIES:
            value = props.get(CODE_PROPERTIES[res["Type"]][0])
            if isinstance(value, str) and not value.startswith("s3://"):
                return True
        if res.get("Type") == "AWS::CloudFormation::Stack" and \
                not str(props.get("TemplateURL", "")).startswith("http"):
            return True
    return False


def create_directly(aws, case, template):
    """CreateStack, as `aws cloudformation deploy` would do it but without the CLI's start-up
    time: the original is deployed twice per case, the split through deploy.sh."""
    cf = aws.client("cloudformation")
    body = json.dumps(template, default=str)
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in case.parameters.items()]
    where = {"TemplateBody": body}
    if len(body) > 51200:
        aws.client("s3").put_object(Bucket=DEPLOY_BUCKET, Key="original.json", Body=body)
        where = {"TemplateURL": f"{aws.endpoint}/{DEPLOY_BUCKET}/original.json"}
    boto_call(cf.create_stack, StackName=case.stack_name, Parameters=params,
              Capabilities=CAPABILITIES, **where)
    wait_stack(cf, case.stack_name)


def deploy_plain(aws, case, folder):
    packaged = folder / "packaged.yaml"
    run(aws, ["aws", "cloudformation", "package", "--template-file", str(case.template),
              "--s3-bucket", DEPLOY_BUCKET, "--output-template-file", str(packaged)])
    args = ["aws", "cloudformation", "deploy", "--stack-name", case.stack_name,
            "--template-file", str(packaged), "--s3-bucket", DEPLOY_BUCKET,
            "--capabilities"] + CAPABILITIES
    if case.parameters:
        args += ["--parameter-overrides"] + [f"{k}={v}" for k, v in case.parameters.items()]
    run(aws, args)


def deploy_original(aws, case, template, folder):
    folder.mkdir(parents=True, exist_ok=True)
    aws.reset()
    seed(aws, case)
    if case.serverless:
        deploy_serverless(aws, case, template)
    elif needs_package(template):
        deploy_plain(aws, case, folder)
    else:
        create_directly(aws, case, template)
    return snapshot(aws)


def deploy_outdir(aws, case, outdir):
    """OUTDIR's own deploy.sh with the arguments its README documents."""
    aws.reset()
    seed(aws, case)
    args = ["sh", str(Path(outdir) / "deploy.sh"), "--region", "us-east-1", "--stack-name",
            case.stack_name]
    if not case.serverless:
        args += ["--bucket", DEPLOY_BUCKET]
    if case.artifacts:
        args += ["--artifacts", str(case.artifacts)]
    for k, v in dict(case.parameters, **image_uris(outdir)).items():
        args += ["--parameter", f"{k}={v}"]
    run(aws, args, cwd=outdir)
    return snapshot(aws)


def image_uris(outdir):
    """The README asks for an image URI per container-image function (the user pushes the image
    built from packages/*/Dockerfile); the test gives a made-up one."""
    from cases import load_template
    out = {}
    for path in Path(outdir).rglob("*"):
        if path.suffix not in (".json", ".yaml") or path.name in ("stacks.json", "plan.yaml"):
            continue
        params = (load_template(path) or {}).get("Parameters") or {}
        for name, decl in params.items():
            if name.endswith("ImageUri") and isinstance(decl, dict) and "Default" not in decl:
                out[name] = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{name.lower()}:test"
    return out


def snapshot(aws):
    """Every stack's resources and outputs, and the exports, as moto holds them."""
    cf = aws.client("cloudformation")
    stacks = {}
    for page in cf.get_paginator("describe_stacks").paginate():
        for s in page["Stacks"]:
            if s["StackStatus"].startswith("DELETE"):
                continue
            resources = {}
            for rpage in cf.get_paginator("list_stack_resources").paginate(
                    StackName=s["StackName"]):
                for r in rpage["StackResourceSummaries"]:
                    resources[r["LogicalResourceId"]] = (r["ResourceType"],
                                                         r.get("PhysicalResourceId", ""))
            outputs = {o["OutputKey"]: (o.get("OutputValue"), o.get("ExportName"))
                       for o in s.get("Outputs", [])}
            stacks[s["StackName"]] = {"resources": resources, "outputs": outputs,
                                      "root": not s.get("ParentId"),
                                      "status": s["StackStatus"]}
    exports = {}
    for page in cf.get_paginator("list_exports").paginate():
        for e in page["Exports"]:
            exports[e["Name"]] = e["Value"]
    return {"stacks": stacks, "exports": exports}
