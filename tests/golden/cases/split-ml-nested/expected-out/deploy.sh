#!/bin/sh
# Deploy kit written by cfnsplit: deploys the 8 stack(s) of this directory (nested mode) with the aws CLI.
# Usage: ./deploy.sh --region REGION [--stack-name NAME] [--bucket BUCKET]
#                    [--artifacts DIR] [--parameter KEY=VALUE]... [--dry-run]
#   --stack-name  the root stack's name (default: ml-platform-prod)
#   --bucket      an existing S3 bucket for templates and code packages
#                 (default: the template's own ServerlessDeploymentBucket, created first
#                 in a stack of its own, as the Serverless Framework does)
#   --artifacts   the folder holding the original code packages (default: ../../../../samples/ml-service)
#   --parameter   a template parameter; NoEcho ones not given are asked for, never stored
#   --dry-run     print the commands instead of running them
# AWS credentials and endpoint come from the usual AWS_* environment.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
stack_name='ml-platform-prod'
region=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}
bucket=''
artifacts="$here"/'../../../../samples/ml-service'
dry_run=0
overrides=''

# Throttled calls ("Rate exceeded": many stacks, each waited on by polling) are retried with
# backoff unless the caller chose otherwise.
export AWS_RETRY_MODE="${AWS_RETRY_MODE:-standard}" AWS_MAX_ATTEMPTS="${AWS_MAX_ATTEMPTS:-10}"

die() { printf 'deploy.sh: %s\n' "$*" >&2; exit 1; }
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
# Prints a command, then runs it unless --dry-run.
run() {
  printf '+ %s\n' "$*" >&2
  if [ "$dry_run" = 0 ]; then "$@"; fi
}
given() { case "$overrides" in *"'$1="*) return 0 ;; esac; return 1; }
# A NoEcho parameter not given on the command line is read from the terminal, never stored.
ask_secret() {
  given "$1" && return 0
  [ "$dry_run" = 1 ] && return 0
  [ -t 0 ] || die "parameter $1 (NoEcho) is needed: pass --parameter $1=VALUE"
  printf '%s (NoEcho): ' "$1" >&2
  stty -echo; IFS= read -r secret_value; stty echo; printf '\n' >&2
  overrides="$overrides $(quote "$1=$secret_value")"
  secret_value=''
}
require() { given "$1" || [ "$dry_run" = 1 ] || die "parameter $1 has no default: pass --parameter $1=VALUE$2"; }
# Uploads a code package to the key its template names (kept when already there).
upload() {
  if [ -f "$3" ] || [ "$dry_run" = 1 ]; then
    run aws --region "$region" s3 cp "$3" "s3://$1/$2" --only-show-errors
  elif aws --region "$region" s3api head-object --bucket "$1" --key "$2" >/dev/null 2>&1; then
    :
  else
    die "code package $3 is missing (s3://$1/$2): build it first (cfnsplit package, or the framework's own packaging) or pass --artifacts"
  fi
}
# deploy_stack NAME TEMPLATE [KEY=VALUE...]: one stack, waiting until it is done. Parameter
# values are never printed.
deploy_stack() {
  name=$1; template=$2; shift 2
  eval "set -- \"\$@\" $overrides"
  printf '+ aws cloudformation deploy --stack-name %s --template-file %s%s ... (%s parameter value(s))\n' \
    "$name" "$template" "${bucket:+ --s3-bucket $bucket}" "$#" >&2
  [ "$dry_run" = 1 ] && return 0
  [ $# -gt 0 ] && set -- --parameter-overrides "$@"
  aws --region "$region" cloudformation deploy --stack-name "$name" --template-file "$template" \
    ${bucket:+--s3-bucket "$bucket"} --no-fail-on-empty-changeset \
    --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND \
    "$@" || explain_failure "$name"
}
# After a failed deploy, the FAILED events (newest first) of the stack and of every nested
# stack it made: the cause of "Embedded stack ... was not successfully created" is in a child.
explain_failure() {
  printf 'deploy.sh: stack %s failed; the FAILED events CloudFormation recorded:\n' "$1" >&2
  children=$(aws --region "$region" cloudformation describe-stack-events --stack-name "$1" \
    --query "StackEvents[?ResourceType=='AWS::CloudFormation::Stack' && PhysicalResourceId!=StackId].PhysicalResourceId" \
    --output text 2>/dev/null | tr '\t' '\n' | sort -u) || children=''
  for failed in "$1" $children; do
    aws --region "$region" cloudformation describe-stack-events --stack-name "$failed" \
      --query "StackEvents[?ends_with(ResourceStatus, 'FAILED')].[LogicalResourceId,ResourceStatus,ResourceStatusReason]" \
      --output text 2>/dev/null | head -n 20 | sed "s|^|  ${failed##*:stack/}: |" >&2 || true
  done
  exit 1
}
# package TEMPLATE OUT: uploads local artifacts (nested children, CodeUri …) and rewrites them.
package() {
  [ -n "$bucket" ] || die "$1 refers to local files: pass --bucket"
  run aws --region "$region" cloudformation package --template-file "$1" --s3-bucket "$bucket" \
    --output-template-file "$2"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --stack-name|--region|--bucket|--artifacts|--parameter)
      [ $# -ge 2 ] || die "$1 needs a value"
      case "$1" in
        --stack-name) stack_name=$2 ;;
        --region) region=$2 ;;
        --bucket) bucket=$2 ;;
        --artifacts) artifacts=$2 ;;
        --parameter)
          case "$2" in *=*) ;; *) die "--parameter takes KEY=VALUE, got $2" ;; esac
          overrides="$overrides $(quote "$2")" ;;
      esac
      shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
[ -n "$region" ] || die "no region: pass --region or set AWS_REGION"
case "$stack_name" in [A-Za-z]*) ;; *) die "--stack-name must start with a letter" ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
require RetrainDashdemandDashmodelLambdaFunctionImageUri ' (push the image built from its packages/*/Dockerfile; see README)'
if [ -z "$bucket" ]; then
  # The template creates its own deployment bucket: create the stack with that bucket first.
  if [ "$dry_run" = 1 ] || ! aws --region "$region" cloudformation describe-stacks --stack-name "$stack_name" >/dev/null 2>&1; then
    deploy_stack "$stack_name" "$here/bootstrap.json"
  fi
  if [ "$dry_run" = 1 ]; then
    bucket='<ServerlessDeploymentBucket of the stack>'
  else
    bucket=$(aws --region "$region" cloudformation describe-stack-resource --stack-name "$stack_name" --logical-resource-id ServerlessDeploymentBucket --query StackResourceDetail.PhysicalResourceId --output text)
  fi
fi
upload "$bucket" 'serverless/ml-platform/prod/1795616609632-2026-11-25T14:23:29.632Z/ml-platform-ForecastingPandas.zip' "$here/packages/ForecastingPandas.zip"
upload "$bucket" 'serverless/ml-platform/prod/1795616609632-2026-11-25T14:23:29.632Z/ml-platform-ForecastingPyarrow.zip' "$here/packages/ForecastingPyarrow.zip"
upload "$bucket" 'serverless/ml-platform/prod/1795616609632-2026-11-25T14:23:29.632Z/ml-platform-ForecastingScipy.zip' "$here/packages/ForecastingScipy.zip"
upload "$bucket" 'serverless/ml-platform/prod/1795616609632-2026-11-25T14:23:29.632Z/ml-platform-ForecastingScipy2.zip' "$here/packages/ForecastingScipy2.zip"
upload "$bucket" 'serverless/ml-platform/prod/1795616609632-2026-11-25T14:23:29.632Z/ml-platform-PlatformPyarrow.zip' "$here/packages/PlatformPyarrow.zip"
upload "$bucket" 'serverless/ml-platform/prod/1795616609632-2026-11-25T14:23:29.632Z/ml-platform-PlatformPydanticCore.zip' "$here/packages/PlatformPydanticCore.zip"
upload "$bucket" 'serverless/ml-platform/prod/1795616609632-2026-11-25T14:23:29.632Z/ml-platform-VisionOpencvPythonHeadless.zip' "$here/packages/VisionOpencvPythonHeadless.zip"
package "$here/template.json" "$work/template.json"
deploy_stack "$stack_name" "$work/template.json"
printf 'deploy.sh: done\n' >&2
