#!/usr/bin/env bash
# README command 1: install dependencies, build, and run cfnsplit on the bundled ML sample:
# analyze it (it is over a CloudFormation quota and Lambda's package limit), plan a split by
# package size and owner, and write the verified nested stacks to out/ml-service.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target cfnsplit
sample=samples/ml-service
echo "== cfnsplit analyze $sample/template.json"
# Exit code 1 is expected here: the sample breaks a quota on purpose.
build/cfnsplit analyze "$sample/template.json" || test $? -eq 1
echo
echo "== cfnsplit plan $sample/template.json --manifest $sample/cfnsplit.yaml -o out/ml-service-plan.yaml"
mkdir -p out
build/cfnsplit plan "$sample/template.json" --manifest "$sample/cfnsplit.yaml" -o out/ml-service-plan.yaml 2>/dev/null
echo
echo "== cfnsplit emit out/ml-service-plan.yaml -o out/ml-service --force"
build/cfnsplit emit out/ml-service-plan.yaml -o out/ml-service --force 2>/dev/null
