// MIGRATION/migrate.sh: the steps as POSIX sh + aws CLI, with waits and checks between them.
#include <sstream>

#include "migrate/internal.hpp"

namespace cfnsplit::migrate {
namespace {

// The part of the script that does not depend on the migration.
const char* kPrelude = R"SH(set -eu

usage() {
  cat <<'EOF'
usage: sh migrate.sh [--dry-run] [--from-step N]
  --dry-run      print every aws command instead of running it
  --from-step N  start at step N (the steps before it are done)
environment:
  MIGRATION_BUCKET  S3 bucket for templates over 51,200 bytes (required when one is)
  AWS_REGION, AWS_PROFILE, ... as for the aws CLI
  PARAMETER_OVERRIDES  "Key=Value ..." for parameters the deployed stack cannot give: NoEcho
                       ones of stacks created here (their values cannot be read back) and new
                       ones without a default (a container image's ImageUri)
EOF
}

DRY_RUN=0
FROM_STEP=1
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --from-step) [ $# -ge 2 ] || { usage >&2; exit 2; }; FROM_STEP=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "migrate.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
case "$FROM_STEP" in ''|*[!0-9]*) echo "migrate.sh: --from-step needs a number" >&2; exit 2 ;; esac

HERE=$(cd "$(dirname "$0")" && pwd)
case "$HERE" in *' '*) echo "migrate.sh: run it from a path without spaces" >&2; exit 2 ;; esac
STATE="$HERE/.state"
mkdir -p "$STATE"
CAPS="CAPABILITY_IAM CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND"
S3_PREFIX="cfnsplit-migration/$BASE_STACK"
MIGRATION_BUCKET=${MIGRATION_BUCKET:-}
PARAMETER_OVERRIDES=${PARAMETER_OVERRIDES:-}

say() { printf '%s\n' "$*" >&2; }
die() { say "migrate.sh: $*"; exit 1; }
run() {
  say "+ $*"
  if [ "$DRY_RUN" = 1 ]; then return 0; fi
  "$@"
}
need_bucket() {
  [ "$DRY_RUN" = 1 ] || [ -n "$MIGRATION_BUCKET" ] || die "$1 is over 51,200 bytes: set MIGRATION_BUCKET"
}
bytes() { wc -c < "$HERE/$1" | tr -d ' '; }

# Parameter values of the deployed stack (Key=Value), for stacks created by this migration.
deployed_overrides() {
  [ "$DRY_RUN" = 1 ] && return 0
  aws cloudformation describe-stacks --stack-name "$BASE_STACK" \
    --query 'Stacks[0].Parameters[?ParameterValue!=`****`].[ParameterKey,ParameterValue]' \
    --output text | awk -F '\t' 'NF == 2 { printf "%s=%s ", $1, $2 }'
}

# Ordinary create or update (aws cloudformation deploy waits, uploads big templates, keeps
# previous parameter values of an existing stack, and accepts "no changes").
deploy() { # STACK FILE
  extra=""
  if [ "$(bytes "$2")" -gt 51200 ]; then
    need_bucket "$2"
    extra="--s3-bucket $MIGRATION_BUCKET --s3-prefix $S3_PREFIX"
  fi
  overrides=$(printf '%s %s' "$(deployed_overrides)" "$PARAMETER_OVERRIDES" | sed 's/^ *//; s/ *$//')
  # shellcheck disable=SC2086
  run aws cloudformation deploy --stack-name "$1" --template-file "$HERE/$2" $extra \
    --capabilities $CAPS --no-fail-on-empty-changeset \
    ${overrides:+--parameter-overrides $overrides}
  settled "$1"
}

# A nested parent as deployed: its children's templates beside it, uploaded by package.
deploy_packaged() { # STACK FILE
  [ "$DRY_RUN" = 1 ] || [ -n "$MIGRATION_BUCKET" ] || die "$2 names its children's templates: set MIGRATION_BUCKET"
  run aws cloudformation package --template-file "$HERE/$2" --s3-bucket "${MIGRATION_BUCKET:-BUCKET}" \
    --s3-prefix "$S3_PREFIX" --use-json --output-template-file "$STATE/packaged.json"
  [ "$DRY_RUN" != 1 ] || cp "$HERE/$2" "$STATE/packaged.json"
  deploy "$1" .state/packaged.json
}

# A template holding @OUTPUT:<stack>:<key>@: each filled in with that stack's output (the value
# the parent read through GetAtt Child.Outputs.<key>, so nothing changes).
deploy_resolved() { # STACK FILE
  cp "$HERE/$2" "$STATE/resolved.json"
  if [ "$DRY_RUN" != 1 ]; then
    for ref in $(grep -o '@OUTPUT:[^@"]*@' "$HERE/$2" | sort -u); do
      s=${ref#@OUTPUT:}; k=${s#*:}; k=${k%@}; s=${s%%:*}
      v=$(aws cloudformation describe-stacks --stack-name "$s" \
        --query "Stacks[0].Outputs[?OutputKey=='$k'].OutputValue | [0]" --output text)
      [ -n "$v" ] && [ "$v" != None ] || die "stack $s has no output $k"
      v=$(printf '%s' "$v" | sed 's/[#&\\]/\\&/g')
      sed "s#$ref#$v#g" "$STATE/resolved.json" > "$STATE/resolved.tmp"
      mv "$STATE/resolved.tmp" "$STATE/resolved.json"
    done
  fi
  deploy "$1" .state/resolved.json
}

# A stack is settled when its status is *_COMPLETE and not a rollback.
settled() { # STACK
  [ "$DRY_RUN" = 1 ] && return 0
  i=0
  while :; do
    status=$(aws cloudformation describe-stacks --stack-name "$1" --query 'Stacks[0].StackStatus' --output text)
    case "$status" in
      *ROLLBACK*|*FAILED*) die "stack $1 is $status" ;;
      *_IN_PROGRESS) i=$((i + 1)); [ $i -lt 360 ] || die "stack $1 still $status"; sleep 10 ;;
      *) return 0 ;;
    esac
  done
}

upload() { # FILE → prints its URL
  need_bucket "$1"
  run aws s3 cp "$HERE/$1" "s3://$MIGRATION_BUCKET/$S3_PREFIX/$1" >&2
  printf 'https://%s.s3.amazonaws.com/%s/%s' "$MIGRATION_BUCKET" "$S3_PREFIX" "$1"
}

# Stack refactoring only moves FULLY_MUTABLE types: ask the registry before trying.
preflight_types() { # TYPE...
  [ "$DRY_RUN" = 1 ] && { say "+ (preflight) describe-type for: $*"; return 0; }
  for t in "$@"; do
    p=$(aws cloudformation describe-type --type RESOURCE --type-name "$t" --query ProvisioningType --output text)
    [ "$p" = FULLY_MUTABLE ] || die "$t is $p: stack refactoring cannot move it (rerun cfnsplit migrate with --allow-recreate, or pin it)"
  done
}

refactor() { # FOLDER DEFINITIONS MAPPINGS STACK...
  folder=$1; defs="$HERE/$2"; maps="$HERE/$3"; shift 3
  if grep -q '@TEMPLATE_URL_PREFIX@' "$defs"; then
    for f in "$HERE/$folder"/*.json; do
      case "$f" in */stack-definitions.json|*/resource-mappings.json) continue ;; esac
      upload "$folder/$(basename "$f")" > /dev/null
    done
    sed "s#@TEMPLATE_URL_PREFIX@#https://$MIGRATION_BUCKET.s3.amazonaws.com/$S3_PREFIX#g" "$defs" > "$STATE/definitions.json"
    defs="$STATE/definitions.json"
  fi
  if [ "$DRY_RUN" = 1 ]; then
    say "+ aws cloudformation create-stack-refactor --stack-definitions file://$defs --resource-mappings file://$maps"
    say "+ (wait for CREATE_COMPLETE, check every action is a MOVE, execute, wait for EXECUTE_COMPLETE)"
    return 0
  fi
  id=$(aws cloudformation create-stack-refactor --description "cfnsplit $folder" \
    --stack-definitions "file://$defs" --resource-mappings "file://$maps" \
    --query StackRefactorId --output text)
  say "stack refactor $id"
  i=0
  while :; do
    status=$(aws cloudformation describe-stack-refactor --stack-refactor-id "$id" --query Status --output text)
    case "$status" in
      CREATE_COMPLETE) break ;;
      *FAILED*) aws cloudformation describe-stack-refactor --stack-refactor-id "$id" >&2; die "refactor $id: $status" ;;
      *) i=$((i + 1)); [ $i -lt 180 ] || die "refactor $id still $status"; sleep 5 ;;
    esac
  done
  aws cloudformation list-stack-refactor-actions --stack-refactor-id "$id" --output table >&2
  creates=$(aws cloudformation list-stack-refactor-actions --stack-refactor-id "$id" \
    --query 'length(StackRefactorActions[?Entity==`RESOURCE` && Action!=`MOVE`])' --output text)
  [ "$creates" = 0 ] || die "refactor $id would do $creates action(s) other than moving a resource; not executed"
  aws cloudformation execute-stack-refactor --stack-refactor-id "$id"
  i=0
  while :; do
    status=$(aws cloudformation describe-stack-refactor --stack-refactor-id "$id" --query ExecutionStatus --output text)
    case "$status" in
      EXECUTE_COMPLETE) break ;;
      *FAILED*|*ROLLBACK*|OBSOLETE|UNAVAILABLE) die "refactor $id: $status" ;;
      *) i=$((i + 1)); [ $i -lt 360 ] || die "refactor $id still $status"; sleep 10 ;;
    esac
  done
  # Completion can be reported before the stacks settle (aws/aws-cdk-cli#1804).
  for s in "$@"; do settled "$s"; done
}

# A stack of the deployed split that the new split lacks: by now it holds only the placeholder.
delete_stack() { # STACK
  run aws cloudformation delete-stack --stack-name "$1"
  run aws cloudformation wait stack-delete-complete --stack-name "$1"
}

record_physical_ids() { # STACK
  [ "$DRY_RUN" = 1 ] && { say "+ (record) describe-stack-resources --stack-name $1"; return 0; }
  aws cloudformation describe-stack-resources --stack-name "$1" \
    --query 'StackResources[].[LogicalResourceId,PhysicalResourceId]' --output text |
    awk -v s="$1" -F '\t' '{ print s "\t" $1 "\t" $2 }' >> "$STATE/physical-ids.tsv"
}

import_stack() { # STACK FILE RESOURCES EXISTS PARAM...
  stack=$1; file=$2; rti=$3; exists=$4; shift 4
  cp "$HERE/$rti" "$STATE/import.json"
  if [ "$DRY_RUN" != 1 ]; then
    while IFS="$(printf '\t')" read -r s l p; do
      sed "s#@PHYSICAL:$s:$l@#$p#g" "$STATE/import.json" > "$STATE/import.tmp" && mv "$STATE/import.tmp" "$STATE/import.json"
    done < "$STATE/physical-ids.tsv"
    ! grep -q '@PHYSICAL:' "$STATE/import.json" || die "a physical ID for $rti was not recorded"
  fi
  params=""
  if [ "$exists" = yes ]; then
    for k in "$@"; do params="$params ParameterKey=$k,UsePreviousValue=true"; done
  else
    for kv in $(deployed_overrides) $PARAMETER_OVERRIDES; do
      for k in "$@"; do
        case "$kv" in "$k="*) params="$params ParameterKey=$k,ParameterValue=${kv#*=}" ;; esac
      done
    done
  fi
  if [ "$(bytes "$file")" -gt 51200 ]; then body="--template-url $(upload "$file")"; else body="--template-body file://$HERE/$file"; fi
  # shellcheck disable=SC2086
  run aws cloudformation create-change-set --stack-name "$stack" --change-set-name cfnsplit-import \
    --change-set-type IMPORT --resources-to-import "file://$STATE/import.json" $body \
    --capabilities $CAPS ${params:+--parameters $params}
  run aws cloudformation wait change-set-create-complete --stack-name "$stack" --change-set-name cfnsplit-import
  run aws cloudformation execute-change-set --stack-name "$stack" --change-set-name cfnsplit-import
  run aws cloudformation wait stack-import-complete --stack-name "$stack"
}

# Nesting existing stacks into the parent (resource import): the children's templates beside
# the parent's are uploaded by package, each @STACKID:<stack>@ becomes that stack's StackId.
nest_stacks() { # STACK FILE RESOURCES PARAM...
  stack=$1; file=$2; rti=$3; shift 3
  [ "$DRY_RUN" = 1 ] || [ -n "$MIGRATION_BUCKET" ] || die "$file names the children's templates: set MIGRATION_BUCKET"
  run aws cloudformation package --template-file "$HERE/$file" --s3-bucket "${MIGRATION_BUCKET:-BUCKET}" \
    --s3-prefix "$S3_PREFIX" --use-json --output-template-file "$STATE/nest-packaged.json"
  [ "$DRY_RUN" != 1 ] || cp "$HERE/$file" "$STATE/nest-packaged.json"
  cp "$HERE/$rti" "$STATE/nest-import.json"
  if [ "$DRY_RUN" != 1 ]; then
    for ref in $(grep -o '@STACKID:[^@"]*@' "$HERE/$rti" | sort -u); do
      s=${ref#@STACKID:}; s=${s%@}
      id=$(aws cloudformation describe-stacks --stack-name "$s" --query 'Stacks[0].StackId' --output text)
      sed "s#$ref#$id#g" "$STATE/nest-import.json" > "$STATE/nest-import.tmp" && mv "$STATE/nest-import.tmp" "$STATE/nest-import.json"
    done
  fi
  touch "$STATE/physical-ids.tsv"
  import_stack "$stack" .state/nest-packaged.json .state/nest-import.json yes "$@"
}

# Parameters no stack can give must be in PARAMETER_OVERRIDES before the step runs.
require_parameters() { # NAME...
  [ "$DRY_RUN" = 1 ] && { say "+ (needs PARAMETER_OVERRIDES for: $*)"; return 0; }
  for k in "$@"; do
    case " $PARAMETER_OVERRIDES" in *" $k="*) ;; *) die "set PARAMETER_OVERRIDES=\"$k=... \" (a parameter without a default that the deployed stack does not have)" ;; esac
  done
}

step() { # NUMBER TITLE: true when the step is to run now
  if [ "$1" -lt "$FROM_STEP" ] || [ -f "$STATE/done-$1" ]; then say "== step $1 ($2): done before, skipped"; return 1; fi
  say "== step $1: $2"
  return 0
}
done_step() { [ "$DRY_RUN" = 1 ] || : > "$STATE/done-$1"; }
)SH";

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string MigrateScript(const Migration& m, const std::string& deployed_stack) {
  std::ostringstream out;
  out << "#!/bin/sh\n# Generated by cfnsplit migrate: the steps of README.md, in order.\n"
      << "BASE_STACK=" << Quote(deployed_stack) << "\n"
      << kPrelude << "\n";
  std::size_t number = 0;
  for (const MigrationStep& s : m.steps) {
    ++number;
    out << "if step " << number << " " << Quote(s.folder + ": " + s.title) << "; then\n";
    for (const MigrationOp& op : s.ops) {
      const auto& [stack, file] = op.stacks.front();
      if (!op.user_parameters.empty()) {
        out << "  require_parameters";
        for (const std::string& p : op.user_parameters) out << " " << Quote(p);
        out << "\n";
      }
      switch (op.kind) {
        case MigrationOp::Kind::kCreate:
        case MigrationOp::Kind::kUpdate:
          if (s.folder.find("detach") != std::string::npos || op.resolve_outputs)
            out << "  record_physical_ids " << Quote(stack) << "\n";
          out << "  "
              << (op.package_children  ? "deploy_packaged"
                  : op.resolve_outputs ? "deploy_resolved"
                                       : "deploy")
              << " " << Quote(stack) << " " << Quote(file) << "\n";
          break;
        case MigrationOp::Kind::kRefactor: {
          out << "  preflight_types";
          for (const std::string& t : op.moved_types) out << " " << Quote(t);
          out << "\n  refactor " << Quote(s.folder) << " " << Quote(op.stack_definitions) << " "
              << Quote(op.resource_mappings);
          for (const auto& st : op.stacks) out << " " << Quote(st.first);
          out << "\n";
          break;
        }
        case MigrationOp::Kind::kDelete:
          out << "  delete_stack " << Quote(stack) << "\n";
          break;
        case MigrationOp::Kind::kImport:
          if (op.package_children)
            out << "  nest_stacks " << Quote(stack) << " " << Quote(file) << " "
                << Quote(op.resources_to_import);
          else
            out << "  import_stack " << Quote(stack) << " " << Quote(file) << " "
                << Quote(op.resources_to_import) << " " << (op.stack_exists ? "yes" : "no");
          for (const std::string& p : op.parameters) out << " " << Quote(p);
          out << "\n";
          break;
      }
    }
    out << "  done_step " << number << "\nfi\n";
  }
  out << "say \"migration of $BASE_STACK finished: the stacks are the split in split/\"\n";
  return out.str();
}

}  // namespace cfnsplit::migrate
