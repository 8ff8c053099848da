#!/usr/bin/env bash
# Compile samples/ml-service with the real Serverless Framework 3.39.0, offline
# (`sls package`: no AWS calls), and write template.json (the compiled
# .serverless/cloudformation-template-update-stack.json).
#
# Needs: node >= 18 + npm (tools are installed once into $CFNSPLIT_NPM_DIR, outside the repo),
# python3 for the first step.
#
# serverless-python-requirements 6.1.2 installs from npm and loads, but its pip step
# needs PyPI, which this machine cannot reach ("No matching distribution found for
# boto3==1.35.54"). With `layer: false` the plugin only changes the zip, never the
# template, so the service is compiled from a temporary copy whose `plugins:` list
# omits it. Set WITH_PYTHON_REQUIREMENTS=1 to try with the plugin anyway.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
command -v python3 >/dev/null || { echo "error: python3 is required" >&2; exit 1; }
# shellcheck source=../../bench/compare/npm_env.sh
source "$repo/bench/compare/npm_env.sh"

python3 "$here/tools/gen_ml_service.py" "$here" >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$here/serverless.yml" "$here/requirements.txt" "$here/functions" "$work/"
if [ "${WITH_PYTHON_REQUIREMENTS:-0}" != 1 ]; then
  sed -i '/^  - serverless-python-requirements$/d' "$work/serverless.yml"
fi
ln -s "$CFNSPLIT_NPM_DIR/node_modules" "$work/node_modules"
(cd "$work" && "$SLS" package --stage prod >"$work/sls.log" 2>&1) || { cat "$work/sls.log" >&2; exit 1; }
if grep -q 'Warning' "$work/sls.log"; then echo "serverless warnings:" >&2; grep -A3 'Warning' "$work/sls.log" >&2; fi
cp "$work/.serverless/cloudformation-template-update-stack.json" "$here/template.json"
python3 - "$here/template.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
print(f"template.json: {len(t['Resources'])} resources, {len(t.get('Outputs', {}))} outputs, "
      f"{len(t.get('Parameters', {}))} parameters")
PY
