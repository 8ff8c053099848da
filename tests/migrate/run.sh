#!/bin/sh
# CTest entry `migrate`: generated migrations replayed in an independent CloudFormation model.
# Needs python3; without it the test skips loudly (exit 77), except under CI=true, where it fails.
BINARY=$1
SOURCE=$2
if ! command -v python3 > /dev/null 2>&1; then
  echo "SKIPPED: python3 is not installed; the migrate replay test did not run" >&2
  [ "${CI:-}" = true ] && exit 1
  exit 77
fi
exec python3 "$SOURCE/tests/migrate/run_cases.py" "$BINARY" "$SOURCE"
