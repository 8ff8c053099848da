#!/usr/bin/env bash
# Check the hand-written and SAM samples with the npm cfn-lint 1.9.7 (an old, independent
# validator). Each YAML template is first converted to long-form JSON the way the AWS CLI reads
# it (tools/cfn_yaml_to_json.py), because that linter's YAML reader lacks !Cidr and !Condition.
# Known false positives of that old linter are listed in docs/samples.md; anything else is a
# real problem to fix.
# Needs: node >= 18 + npm, python3 with PyYAML.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../bench/compare/npm_env.sh" || exit 1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 "$here/tools/cfn_yaml_to_json.py" "$here/handwritten/template.yaml" "$tmp/handwritten.json" || exit 1
python3 "$here/tools/cfn_yaml_to_json.py" "$here/sam-app/template.yaml" "$tmp/sam-app.json" || exit 1
for t in handwritten sam-app; do
  echo "== $t"
  case $t in
    handwritten) params=(--parameters 'DbPassword=example-password,ReportingSubnetIds=subnet-0a1b2c3d') ;;
    sam-app) params=(--parameters 'OcrApiToken=example-token') ;;
  esac
  NO_COLOR=1 FORCE_COLOR=0 "$CFN_LINT" validate "$tmp/$t.json" "${params[@]}" 2>&1 | sed 's/\x1b\[[0-9;]*m//g'
done
