#!/usr/bin/env python3
"""Write the samples/ml-service Serverless Framework service (deterministic).

Needs: python3 (3.8+), no third-party modules.
Usage: python3 samples/ml-service/tools/gen_ml_service.py [SERVICE_DIR]

Writes SERVICE_DIR/serverless.yml, requirements.txt (service-wide, pinned),
functions/<name>/{handler.py,requirements.txt} and deps.json (the dependency
manifest, same schema as bench/compare/gen_service.py writes: packages with
versions, sizes and requirements; functions with logical id, owner, own
requirements, closure and installed bytes). The function list below is the
source of truth; re-running the script reproduces the committed files byte for
byte. Compile the result with samples/ml-service/compile.sh.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import catalog  # noqa: E402

# Dependency profiles: the requirement names a function's own requirements.txt lists.
PROFILES = {
    "cv": ["boto3", "numpy", "opencv-python-headless", "pillow"],
    "img": ["boto3", "pillow"],
    "frame": ["boto3", "pandas"],
    "sk": ["scikit-learn"],  # boto3 comes from the Lambda runtime here
    "stats": ["boto3", "scipy"],
    "arrow": ["boto3", "pyarrow"],
    "api": ["boto3", "pydantic", "orjson"],
    "web": ["boto3", "requests", "pydantic"],
    "xml": ["boto3", "lxml", "requests"],
    "train": ["boto3", "pandas", "scikit-learn"],  # does not fit 250 MB on its own
}

# (name, team, profile, events). Events: ("http", METHOD, PATH) | ("sqs", QUEUE, BATCH) |
# ("schedule", EXPR).
VISION = [
    ("detect-faces", "cv", [("http", "post", "vision/faces")]),
    ("detect-objects", "cv", [("http", "post", "vision/objects")]),
    ("detect-text", "cv", [("http", "post", "vision/text")]),
    ("classify-scene", "cv", [("http", "post", "vision/scene")]),
    ("blur-plates", "cv", [("sqs", "ImageJobsQueue", 5)]),
    ("blur-faces", "cv", [("sqs", "ImageJobsQueue", 5)]),
    ("dedupe-images", "cv", [("sqs", "ImageJobsQueue", 10), ("schedule", "rate(6 hours)")]),
    ("estimate-pose", "cv", [("http", "post", "vision/pose")]),
    ("segment-background", "cv", [("http", "post", "vision/segment")]),
    ("score-quality", "cv", [("sqs", "ImageJobsQueue", 10)]),
    ("align-documents", "cv", [("http", "post", "vision/documents/align")]),
    ("read-barcodes", "cv", [("http", "post", "vision/barcodes")]),
    ("track-motion", "cv", [("sqs", "VideoJobsQueue", 1)]),
    ("extract-keyframes", "cv", [("sqs", "VideoJobsQueue", 1)]),
    ("compare-frames", "cv", [("http", "post", "vision/frames/compare")]),
    ("make-thumbnails", "img", [("sqs", "ImageJobsQueue", 10)]),
    ("resize-images", "img", [("http", "post", "images/resize")]),
    ("convert-formats", "img", [("http", "post", "images/convert")]),
    ("strip-exif", "img", [("sqs", "ImageJobsQueue", 10)]),
    ("watermark-images", "img", [("http", "post", "images/watermark")]),
    ("crop-avatars", "img", [("http", "post", "images/avatars")]),
    ("purge-image-cache", "img", [("schedule", "rate(1 day)")]),
    ("render-contact-sheet", "img", [("http", "get", "images/contact-sheet/{batchId}")]),
    ("vision-health", "api", [("http", "get", "vision/health")]),
    ("vision-jobs-status", "api", [("http", "get", "vision/jobs/{jobId}")]),
]
FORECAST = [
    ("load-sales", "frame", [("sqs", "ForecastJobsQueue", 5)]),
    ("clean-sales", "frame", [("sqs", "ForecastJobsQueue", 5)]),
    ("aggregate-daily", "frame", [("schedule", "cron(15 1 * * ? *)")]),
    ("aggregate-weekly", "frame", [("schedule", "cron(30 2 ? * MON *)")]),
    ("pivot-regions", "frame", [("http", "get", "forecast/regions")]),
    ("compute-features", "frame", [("sqs", "ForecastJobsQueue", 5)]),
    ("join-weather", "frame", [("sqs", "ForecastJobsQueue", 5)]),
    ("report-kpis", "frame", [("http", "get", "forecast/kpis"), ("schedule", "rate(1 hour)")]),
    ("export-csv", "frame", [("http", "post", "forecast/exports/csv")]),
    ("backfill-history", "frame", [("sqs", "BackfillQueue", 1)]),
    ("predict-demand", "sk", [("http", "post", "forecast/predict")]),
    ("predict-churn", "sk", [("http", "post", "forecast/churn")]),
    ("score-leads", "sk", [("http", "post", "forecast/leads")]),
    ("cluster-stores", "sk", [("schedule", "cron(0 3 * * ? *)")]),
    ("detect-anomalies", "sk", [("sqs", "ForecastJobsQueue", 10)]),
    ("explain-prediction", "sk", [("http", "get", "forecast/predict/{predictionId}/explain")]),
    ("evaluate-model", "sk", [("schedule", "rate(12 hours)")]),
    ("fit-seasonality", "stats", [("sqs", "ForecastJobsQueue", 5)]),
    ("smooth-series", "stats", [("http", "post", "forecast/smooth")]),
    ("test-significance", "stats", [("http", "post", "forecast/ab-tests")]),
    ("optimize-prices", "stats", [("http", "post", "forecast/prices/optimize")]),
    ("interpolate-gaps", "stats", [("sqs", "ForecastJobsQueue", 5)]),
    ("write-parquet", "arrow", [("sqs", "ExportQueue", 10)]),
    ("compact-parquet", "arrow", [("schedule", "cron(0 4 * * ? *)")]),
    ("read-parquet", "arrow", [("http", "get", "forecast/datasets/{datasetId}")]),
    ("convert-arrow", "arrow", [("sqs", "ExportQueue", 10)]),
    ("partition-dataset", "arrow", [("sqs", "ExportQueue", 5)]),
    ("validate-schema", "arrow", [("http", "post", "forecast/datasets/validate")]),
    ("retrain-demand-model", "train", [("schedule", "cron(0 5 ? * SUN *)")]),
    ("forecast-health", "api", [("http", "get", "forecast/health")]),
]
PLATFORM = [
    ("create-tenant", "api", [("http", "post", "tenants")]),
    ("get-tenant", "api", [("http", "get", "tenants/{tenantId}")]),
    ("update-tenant", "api", [("http", "put", "tenants/{tenantId}")]),
    ("delete-tenant", "api", [("http", "delete", "tenants/{tenantId}")]),
    ("list-tenants", "api", [("http", "get", "tenants")]),
    ("create-api-key", "api", [("http", "post", "tenants/{tenantId}/keys")]),
    ("revoke-api-key", "api", [("http", "delete", "tenants/{tenantId}/keys/{keyId}")]),
    ("list-models", "api", [("http", "get", "models")]),
    ("get-model", "api", [("http", "get", "models/{modelId}")]),
    ("promote-model", "api", [("http", "post", "models/{modelId}/promote")]),
    ("record-usage", "api", [("sqs", "UsageQueue", 10)]),
    ("bill-usage", "api", [("schedule", "cron(0 0 1 * ? *)")]),
    ("rotate-secrets", "api", [("schedule", "rate(7 days)")]),
    ("send-webhooks", "web", [("sqs", "WebhookQueue", 10)]),
    ("retry-webhooks", "web", [("sqs", "WebhookDeadLetterQueue", 1)]),
    ("verify-webhook", "web", [("http", "post", "webhooks/verify")]),
    ("sync-crm", "web", [("schedule", "rate(30 minutes)")]),
    ("notify-slack", "web", [("sqs", "NotificationQueue", 10)]),
    ("fetch-exchange-rates", "web", [("schedule", "rate(1 hour)")]),
    ("ingest-feeds", "xml", [("schedule", "rate(15 minutes)")]),
    ("parse-invoices", "xml", [("sqs", "IngestQueue", 5)]),
    ("parse-sitemaps", "xml", [("sqs", "IngestQueue", 5)]),
    ("render-reports", "xml", [("http", "post", "reports/render")]),
    ("import-catalog", "xml", [("http", "post", "catalog/import")]),
    ("audit-log", "api", [("sqs", "AuditQueue", 10)]),
    ("platform-health", "api", [("http", "get", "health")]),
    ("warm-caches", "api", [("schedule", "rate(5 minutes)")]),
    ("export-audit", "arrow", [("schedule", "cron(0 6 * * ? *)")]),
    ("compute-quotas", "frame", [("schedule", "rate(1 hour)")]),
]
TEAMS = [("vision", VISION), ("forecasting", FORECAST), ("platform", PLATFORM)]

QUEUES = ["ImageJobsQueue", "VideoJobsQueue", "ForecastJobsQueue", "BackfillQueue", "ExportQueue",
          "UsageQueue", "WebhookQueue", "NotificationQueue", "IngestQueue", "AuditQueue"]


def normalized(name):
    """Serverless' function logical-id stem: camel-case on '-' is NOT done; '-' -> 'Dash'."""
    return name[0].upper() + name[1:].replace("-", "Dash").replace("_", "Underscore")


def handler_source(name, reqs):
    mods = sorted({m for r in catalog.closure(reqs) if r in reqs for m in catalog.DISTS[r][4]})
    lines = [f'"""{name}: tiny handler; imports what its requirements.txt promises."""']
    lines += [f"import {m}  # noqa: F401" for m in mods]
    lines += ["", "", "def main(event, context):",
              f'    return {{"function": "{name}", "records": len(event.get("Records", []))}}', ""]
    return "\n".join(lines)


def requirements_lines(names):
    return [f"{n}=={catalog.DISTS[n][0]}" for n in sorted(names)]


def serverless_yml():
    L = [
        "# ML-style Serverless Framework v3 service used as a cfnsplit sample.",
        "# Generated by tools/gen_ml_service.py (edit that, not this file).",
        "# Three teams own ~84 Python functions; every function ships the service-wide",
        "# requirements.txt (one service artifact), which unzips to ~659 MB: far over",
        "# Lambda's 262,144,000-byte limit. functions/<name>/requirements.txt say what",
        "# each function really imports.",
        "service: ml-platform",
        "frameworkVersion: '3'",
        "",
        "provider:",
        "  name: aws",
        "  runtime: python3.11",
        "  region: eu-west-1",
        "  stage: ${opt:stage, 'prod'}",
        "  architecture: x86_64",
        "  memorySize: 1024",
        "  timeout: 30",
        "  logRetentionInDays: 30",
        "  tags:",
        "    product: ml-platform",
        "  environment:",
        "    MODEL_TABLE: !Ref ModelTable",
        "    ARTIFACT_BUCKET: !Ref ArtifactBucket",
        "    STAGE: ${self:provider.stage}",
        "  iam:",
        "    role:",
        "      statements:",
        "        - Effect: Allow",
        "          Action: [dynamodb:GetItem, dynamodb:PutItem, dynamodb:Query, dynamodb:UpdateItem]",
        "          Resource:",
        "            - !GetAtt ModelTable.Arn",
        "            - !Join ['/', [!GetAtt ModelTable.Arn, 'index', '*']]",
        "        - Effect: Allow",
        "          Action: [s3:GetObject, s3:PutObject]",
        "          Resource: !Join ['', [!GetAtt ArtifactBucket.Arn, '/*']]",
        "        - Effect: Allow",
        "          Action: [sqs:SendMessage]",
        "          Resource:",
    ]
    L += [f"            - !GetAtt {q}.Arn" for q in QUEUES]
    L += [
        "",
        "package:",
        "  patterns:",
        "    - '!**'",
        "    - 'functions/**/*.py'",
        "",
        "plugins:",
        "  - serverless-python-requirements",
        "",
        "custom:",
        "  pythonRequirements:",
        "    fileName: requirements.txt",
        "    slim: false",
        "    zip: false",
        "    layer: false",
        "    noDeploy: []",
        "    dockerizePip: non-linux",
        "",
        "functions:",
    ]
    for team, fns in TEAMS:
        L.append(f"  # --- team {team} ---")
        for name, prof, events in fns:
            L += [f"  {name}:",
                  f"    handler: functions/{name}/handler.main",
                  f"    description: {team} / {name}"]
            if prof in ("sk", "train", "arrow", "cv"):
                L.append("    memorySize: 3008")
                L.append("    timeout: 300" if not any(e[0] == "http" for e in events) else "    timeout: 29")
            L += ["    tags:", f"      owner: {team}", f"      profile: {prof}", "    events:"]
            for e in events:
                if e[0] == "http":
                    L += ["      - http:", f"          path: {e[2]}", f"          method: {e[1]}",
                          "          cors: true"]
                elif e[0] == "sqs":
                    L += ["      - sqs:", f"          arn: !GetAtt {e[1]}.Arn", f"          batchSize: {e[2]}"]
                else:
                    L.append(f"      - schedule: {e[1]}")
    L += ["", "resources:", "  Resources:",
          "    ModelTable:",
          "      Type: AWS::DynamoDB::Table",
          "      DeletionPolicy: Retain",
          "      UpdateReplacePolicy: Retain",
          "      Properties:",
          "        TableName: ml-platform-${self:provider.stage}-models",
          "        BillingMode: PAY_PER_REQUEST",
          "        AttributeDefinitions:",
          "          - {AttributeName: pk, AttributeType: S}",
          "          - {AttributeName: sk, AttributeType: S}",
          "          - {AttributeName: tenant, AttributeType: S}",
          "        KeySchema:",
          "          - {AttributeName: pk, KeyType: HASH}",
          "          - {AttributeName: sk, KeyType: RANGE}",
          "        GlobalSecondaryIndexes:",
          "          - IndexName: by-tenant",
          "            KeySchema: [{AttributeName: tenant, KeyType: HASH}]",
          "            Projection: {ProjectionType: ALL}",
          "        PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}",
          "        Tags: [{Key: owner, Value: platform}]",
          "    ArtifactBucket:",
          "      Type: AWS::S3::Bucket",
          "      DeletionPolicy: Retain",
          "      Properties:",
          "        BucketEncryption:",
          "          ServerSideEncryptionConfiguration:",
          "            - ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}",
          "        VersioningConfiguration: {Status: Enabled}",
          "        Tags: [{Key: owner, Value: platform}]"]
    owners = {"ImageJobsQueue": "vision", "VideoJobsQueue": "vision", "ForecastJobsQueue": "forecasting",
              "BackfillQueue": "forecasting", "ExportQueue": "forecasting"}
    for q in QUEUES + ["WebhookDeadLetterQueue"]:
        L += [f"    {q}:", "      Type: AWS::SQS::Queue", "      Properties:",
              "        VisibilityTimeout: 900" if q != "WebhookDeadLetterQueue" else
              "        MessageRetentionPeriod: 1209600"]
        if q == "WebhookQueue":
            L += ["        RedrivePolicy:",
                  "          deadLetterTargetArn: !GetAtt WebhookDeadLetterQueue.Arn",
                  "          maxReceiveCount: 5"]
        L.append(f"        Tags: [{{Key: owner, Value: {owners.get(q, 'platform')}}}]")
    L += ["    AlarmTopic:", "      Type: AWS::SNS::Topic",
          "      Properties: {Tags: [{Key: owner, Value: platform}]}"]
    for q in QUEUES:
        L += [f"    {q}AgeAlarm:", "      Type: AWS::CloudWatch::Alarm", "      Properties:",
              f"        AlarmDescription: oldest message in {q} is older than 15 minutes",
              "        Namespace: AWS/SQS", "        MetricName: ApproximateAgeOfOldestMessage",
              f"        Dimensions: [{{Name: QueueName, Value: !GetAtt {q}.QueueName}}]",
              "        Statistic: Maximum", "        Period: 300", "        EvaluationPeriods: 3",
              "        Threshold: 900", "        ComparisonOperator: GreaterThanThreshold",
              "        AlarmActions: [!Ref AlarmTopic]"]
    L += ["  Outputs:",
          "    ModelTableName:",
          "      Value: !Ref ModelTable",
          "    ArtifactBucketName:",
          "      Value: !Ref ArtifactBucket"]
    return "\n".join(L) + "\n"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(here)
    deps = {}
    for team, fns in TEAMS:
        for name, prof, _ in fns:
            reqs = PROFILES[prof]
            d = os.path.join(out, "functions", name)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "requirements.txt"), "w") as f:
                f.write("\n".join(requirements_lines(reqs)) + "\n")
            with open(os.path.join(d, "handler.py"), "w") as f:
                f.write(handler_source(name, reqs))
            deps[name] = {"logical_id": normalized(name) + "LambdaFunction", "owner": team,
                          "requirements": sorted(reqs),
                          "closure": catalog.closure(reqs),
                          "installed_bytes": catalog.installed_bytes(reqs)}
    with open(os.path.join(out, "serverless.yml"), "w") as f:
        f.write(serverless_yml())
    with open(os.path.join(out, "requirements.txt"), "w") as f:
        f.write("# Service-wide requirements: the union of functions/*/requirements.txt.\n")
        f.write("\n".join(requirements_lines(catalog.TOP_LEVEL_REQUIREMENTS)) + "\n")
    with open(os.path.join(out, "deps.json"), "w") as f:
        json.dump({"schema": 1, "runtime": "python3.11", "limit_unzipped_bytes": 262144000,
                   "service_requirements": sorted(catalog.TOP_LEVEL_REQUIREMENTS),
                   "service_installed_bytes": catalog.installed_bytes(catalog.TOP_LEVEL_REQUIREMENTS),
                   "packages": {n: {"version": v[0], "installed_bytes": v[1],
                                    "requires": sorted(re.split(r"[<>=!;\[ ]", r, 1)[0].strip() for r in v[5])}
                                for n, v in sorted(catalog.DISTS.items())},
                   "functions": deps}, f, indent=1, sort_keys=True)
        f.write("\n")
    n = sum(len(f) for _, f in TEAMS)
    print(f"wrote {n} functions to {out}")


if __name__ == "__main__":
    main()
