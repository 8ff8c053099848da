#!/usr/bin/env python3
"""Generate a large, Serverless-Framework-like CloudFormation template (deterministic).

Needs: python3 (3.8+), no third-party modules.
Usage: bench/gen_template.py N OUT.json [--seed S] [--format json|yaml]

Writes a template with about N resources (never fewer, at most ~10 more): teams
of Lambda functions, each function with its log group, version, and events
(API Gateway method + permission, SQS event source mapping, or EventBridge rule
+ permission), plus per-team IAM roles, SQS queues and DynamoDB tables, a REST
API, a deployment bucket, `owner` tags and Metadata, and one QualifiedArn
Output per function, as `sls package` emits. The same N, seed and format give
byte-identical output. YAML output uses long-form intrinsics (`Ref:`,
`Fn::GetAtt:`) in block style with JSON-quoted scalars.
"""
import argparse
import json
import random
import sys

TEAMS = ["vision", "forecasting", "platform", "billing", "search", "growth", "ops", "data"]
VERBS = ["get", "put", "list", "score", "sync", "ingest", "render", "index", "export", "notify"]
NOUNS = ["orders", "users", "images", "models", "events", "invoices", "reports", "sessions", "items"]


def fn_name(i, rnd):
    return f"{rnd.choice(VERBS)}-{rnd.choice(NOUNS)}-{i}"


def norm(name):
    """Serverless' logical-id stem: upper first letter, '-' -> 'Dash'."""
    return name[0].upper() + name[1:].replace("-", "Dash").replace("_", "Underscore")


def build(n, seed):
    rnd = random.Random(seed)
    res, outs = {}, {}
    res["ServerlessDeploymentBucket"] = {
        "Type": "AWS::S3::Bucket",
        "Properties": {"BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}}}
    res["ApiGatewayRestApi"] = {
        "Type": "AWS::ApiGateway::RestApi",
        "Properties": {"Name": "bench-svc", "EndpointConfiguration": {"Types": ["EDGE"]}}}
    outs["ServerlessDeploymentBucketName"] = {"Value": {"Ref": "ServerlessDeploymentBucket"}}
    methods = []
    team_state = {}

    def team_resources(team):
        """Role, queue and table of a team, created on first use."""
        if team in team_state:
            return team_state[team]
        t = team.capitalize()
        role, queue, table = f"{t}LambdaRole", f"{t}Queue", f"{t}Table"
        res[queue] = {"Type": "AWS::SQS::Queue", "Metadata": {"owner": team},
                      "Properties": {"VisibilityTimeout": 180,
                                     "Tags": [{"Key": "owner", "Value": team}]}}
        res[table] = {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain",
                      "UpdateReplacePolicy": "Retain", "Metadata": {"owner": team},
                      "Properties": {"BillingMode": "PAY_PER_REQUEST",
                                     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                                     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                                     "Tags": [{"Key": "owner", "Value": team}]}}
        res[role] = {"Type": "AWS::IAM::Role", "Metadata": {"owner": team}, "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]},
                "Action": ["sts:AssumeRole"]}]},
            "Policies": [{"PolicyName": f"{team}-access", "PolicyDocument": {
                "Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
                     "Resource": [{"Fn::GetAtt": [table, "Arn"]}]},
                    {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage",
                                                   "sqs:GetQueueAttributes"],
                     "Resource": [{"Fn::GetAtt": [queue, "Arn"]}]},
                    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                     "Resource": [{"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:"
                                              "${AWS::AccountId}:log-group:/aws/lambda/*"}]}]}}]}}
        team_state[team] = (role, queue, table)
        return team_state[team]

    i = 0
    while len(res) + len(methods) < n - 2:  # the Deployment and 2 closing resources come last
        team = TEAMS[(i // 25) % len(TEAMS)]
        role, queue, table = team_resources(team)
        name = fn_name(i, rnd)
        stem = norm(name)
        fn, lg = f"{stem}LambdaFunction", f"{stem}LogGroup"
        res[lg] = {"Type": "AWS::Logs::LogGroup",
                   "Properties": {"LogGroupName": f"/aws/lambda/bench-svc-prod-{name}"}}
        res[fn] = {"Type": "AWS::Lambda::Function", "Metadata": {"owner": team}, "Properties": {
            "Code": {"S3Bucket": {"Ref": "ServerlessDeploymentBucket"},
                     "S3Key": "serverless/bench-svc/prod/1700000000000/bench-svc.zip"},
            "Handler": f"functions/{name}/handler.main", "Runtime": "python3.11",
            "FunctionName": f"bench-svc-prod-{name}",
            "MemorySize": rnd.choice([256, 512, 1024, 3008]), "Timeout": rnd.choice([6, 29, 300]),
            "Tags": [{"Key": "owner", "Value": team}],
            "Environment": {"Variables": {"TABLE": {"Ref": table}, "QUEUE_URL": {"Ref": queue}}},
            "Role": {"Fn::GetAtt": [role, "Arn"]}},
            "DependsOn": [lg, role]}
        ver = f"{stem}LambdaVersion{rnd.getrandbits(64):016x}"
        res[ver] = {"Type": "AWS::Lambda::Version", "DeletionPolicy": "Retain",
                    "Properties": {"FunctionName": {"Ref": fn}, "CodeSha256": f"{rnd.getrandbits(128):032x}"}}
        outs[f"{stem}LambdaFunctionQualifiedArn"] = {
            "Description": "Current Lambda function version", "Value": {"Ref": ver},
            "Export": {"Name": f"sls-bench-svc-prod-{stem}LambdaFunctionQualifiedArn"}}
        kind = rnd.random()
        if kind < 0.55:  # http
            r = f"ApiGatewayResource{stem}"
            m = f"ApiGatewayMethod{stem}Get"
            res[r] = {"Type": "AWS::ApiGateway::Resource", "Properties": {
                "ParentId": {"Fn::GetAtt": ["ApiGatewayRestApi", "RootResourceId"]},
                "PathPart": name, "RestApiId": {"Ref": "ApiGatewayRestApi"}}}
            res[m] = {"Type": "AWS::ApiGateway::Method", "Properties": {
                "HttpMethod": "GET", "ResourceId": {"Ref": r}, "RestApiId": {"Ref": "ApiGatewayRestApi"},
                "AuthorizationType": "NONE",
                "Integration": {"IntegrationHttpMethod": "POST", "Type": "AWS_PROXY", "Uri": {"Fn::Join": ["", [
                    "arn:", {"Ref": "AWS::Partition"}, ":apigateway:", {"Ref": "AWS::Region"},
                    ":lambda:path/2015-03-31/functions/", {"Fn::GetAtt": [fn, "Arn"]}, "/invocations"]]}}},
                "DependsOn": [f"{stem}LambdaPermissionApiGateway"]}
            res[f"{stem}LambdaPermissionApiGateway"] = {"Type": "AWS::Lambda::Permission", "Properties": {
                "FunctionName": {"Fn::GetAtt": [fn, "Arn"]}, "Action": "lambda:InvokeFunction",
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":execute-api:",
                                                {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}, ":",
                                                {"Ref": "ApiGatewayRestApi"}, "/*/*"]]}}}
            methods.append(m)
        elif kind < 0.85:  # sqs
            res[f"{stem}EventSourceMappingSQS{team.capitalize()}Queue"] = {
                "Type": "AWS::Lambda::EventSourceMapping", "DependsOn": [role], "Properties": {
                    "BatchSize": 10, "EventSourceArn": {"Fn::GetAtt": [queue, "Arn"]},
                    "FunctionName": {"Fn::GetAtt": [fn, "Arn"]}, "Enabled": True}}
        else:  # schedule
            rule = f"{stem}EventsRuleSchedule1"
            res[rule] = {"Type": "AWS::Events::Rule", "Properties": {
                "ScheduleExpression": f"rate({rnd.randint(1, 59)} minutes)", "State": "ENABLED",
                "Targets": [{"Arn": {"Fn::GetAtt": [fn, "Arn"]}, "Id": f"{name}Schedule"}]}}
            res[f"{stem}LambdaPermissionEventsRuleSchedule1"] = {
                "Type": "AWS::Lambda::Permission", "Properties": {
                    "FunctionName": {"Fn::GetAtt": [fn, "Arn"]}, "Action": "lambda:InvokeFunction",
                    "Principal": "events.amazonaws.com", "SourceArn": {"Fn::GetAtt": [rule, "Arn"]}}}
        i += 1
    res["ApiGatewayDeployment1700000000000"] = {
        "Type": "AWS::ApiGateway::Deployment",
        "Properties": {"RestApiId": {"Ref": "ApiGatewayRestApi"}, "StageName": "prod"},
        "DependsOn": methods}
    outs["ServiceEndpoint"] = {"Description": "URL of the service endpoint", "Value": {"Fn::Join": ["", [
        "https://", {"Ref": "ApiGatewayRestApi"}, ".execute-api.", {"Ref": "AWS::Region"}, ".",
        {"Ref": "AWS::URLSuffix"}, "/prod"]]}}
    while len(res) < n:  # pad to exactly N with SNS topics
        k = len(res)
        res[f"PadAlarm{k}"] = {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": f"bench-pad-{k}"}}
    return {"AWSTemplateFormatVersion": "2010-09-09",
            "Description": f"Synthetic Serverless-like template, {n} resources (bench/gen_template.py, seed {seed})",
            "Resources": res, "Outputs": outs}


def to_yaml(v, indent=0):
    """Block YAML with JSON-quoted scalars (valid YAML 1.1/1.2, no dependency)."""
    pad = "  " * indent
    lines = []
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, (dict, list)) and x:
                lines.append(f"{pad}{json.dumps(k)}:")
                lines.append(to_yaml(x, indent + 1))
            else:
                lines.append(f"{pad}{json.dumps(k)}: {json.dumps(x)}")
    else:
        for x in v:
            if isinstance(x, (dict, list)) and x:
                sub = to_yaml(x, indent + 1)
                lines.append(f"{pad}- " + sub.lstrip())
            else:
                lines.append(f"{pad}- {json.dumps(x)}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("n", type=int, help="number of resources")
    ap.add_argument("out", help="output file")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", choices=["json", "yaml"], default="json")
    a = ap.parse_args()
    if a.n < 10:
        sys.exit("error: N must be at least 10")
    t = build(a.n, a.seed)
    with open(a.out, "w") as f:
        if a.format == "json":
            json.dump(t, f, indent=2)
        else:
            f.write(to_yaml(t))
        f.write("\n")
    print(f"{a.out}: {len(t['Resources'])} resources, {len(t['Outputs'])} outputs")


if __name__ == "__main__":
    main()
