// The deploy kit: OUTDIR/deploy.sh deploys the stacks exactly as the README says, with nothing
// but POSIX sh and the aws CLI. It bootstraps a deployment bucket the template creates itself
// (as the Serverless Framework does: the stack with only the bucket first), uploads every code
// package to the key its template names, packages nested children, and deploys the stacks in
// dependency order, each `aws cloudformation deploy` waiting for the previous one.
#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "cfnsplit/emit.hpp"
#include "cfnsplit/intrinsics.hpp"
#include "cfnsplit/writer.hpp"

namespace cfnsplit {
namespace fs = std::filesystem;
namespace {

const Value* Section(const Value& tmpl, const char* name) {
  const Value* s = tmpl.Find(name);
  return s && s->is_map() ? s : nullptr;
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string Sanitized(const std::string& raw) {
  std::string out;
  for (char c : raw) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0;
    if (ok)
      out += c;
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && !std::isalpha(static_cast<unsigned char>(out.front()))) out.erase(0, 1);
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.substr(0, 100);
}

// "serverless/<service>/<stage>/<timestamp>/<artifact>.zip": Serverless' artifact directory.
std::string ServerlessServiceStage(const TemplateModel& model) {
  for (const FunctionInfo& f : model.functions) {
    const std::string& loc = f.code_location;
    auto at = loc.find("serverless/");
    if (at == std::string::npos) continue;
    std::string rest = loc.substr(at + 11);
    auto a = rest.find('/');
    auto b = a == std::string::npos ? a : rest.find('/', a + 1);
    if (b != std::string::npos) return rest.substr(0, a) + "-" + rest.substr(a + 1, b - a - 1);
  }
  return "";
}

// Where a function's code package must be when its stack deploys.
struct Upload {
  std::string bucket;  ///< shell word: a quoted literal or "$bucket"
  std::string key;
  std::string file;  ///< shell word
  bool operator<(const Upload& o) const {
    return std::tie(bucket, key) < std::tie(o.bucket, o.key);
  }
};

class Kit {
 public:
  Kit(const TemplateModel& model, const EmitResult& result, const EmitOptions& options)
      : model_(model), result_(result), options_(options) {
    nested_ = result.mode == WiringMode::kNested;
    ext_ = options.format == TemplateFormat::kJson ? "json" : "yaml";
    root_ = result.stacks.front().stack_name;
    FindDeploymentBucket();
    CollectUploads();
    CollectParameters();
  }

  /// The commands deploy.sh runs, as the README shows them.
  std::string ReadmeSection() const {
    std::string s = "```sh\n./deploy.sh --region REGION";
    if (deployment_bucket_.empty() && NeedsBucket()) s += " --bucket BUCKET";
    for (const auto& [name, no_echo] : required_)
      if (!no_echo) s += " --parameter " + name + "=…";
    s += "\n```\n\nIt runs, in this order (`--dry-run` prints them):\n\n";
    int step = 1;
    auto line = [&](const std::string& text) { s += std::to_string(step++) + ". " + text + "\n"; };
    if (!deployment_bucket_.empty())
      line("without `--bucket`: when stack `" + root_ +
           "` does not exist yet, `aws cloudformation "
           "deploy --template-file bootstrap." +
           ext_ + " --stack-name " + root_ + "` creates it with only its deployment bucket `" +
           deployment_bucket_ +
           "` (as the Serverless Framework does), whose name is then read with `aws "
           "cloudformation describe-stack-resource`;");
    for (const auto& [name, no_echo] : required_)
      if (no_echo)
        line("asks for the NoEcho parameter `" + name + "` unless `--parameter " + name +
             "=…` is given (never written to a file);");
    if (!uploads_.empty())
      line("`aws s3 cp` of " + std::to_string(uploads_.size()) +
           " code package(s) to the keys the templates name (the original packages from "
           "`--artifacts`, default `" +
           ArtifactsDefault() +
           "`; each stack's own from "
           "`packages/`);");
    if (!manual_.empty())
      line("(" + std::to_string(manual_.size()) +
           " function(s) read their code from a bucket "
           "given by a parameter; upload those packages yourself, e.g. " +
           *manual_.begin() + ")");
    if (nested_) {
      const EmittedStack& parent = result_.stacks.front();
      line("`aws cloudformation package --template-file " + parent.path +
           " --s3-bucket BUCKET` uploads the " + std::to_string(result_.stacks.size() - 1) +
           " child templates, then `aws cloudformation deploy --stack-name " + root_ +
           " --s3-bucket BUCKET --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM "
           "CAPABILITY_AUTO_EXPAND` deploys the parent, which creates the children.");
    } else {
      for (const std::string& name : result_.deploy_order)
        for (const EmittedStack& st : result_.stacks)
          if (st.name == name)
            line(
                "`aws cloudformation package` (with a bucket) and `aws cloudformation deploy "
                "--stack-name " +
                (&st == &result_.stacks.front() ? root_ : root_ + "-" + st.name) +
                " --template-file " + st.path + "`" +
                (stack_name_params_.count(st.name) ? " with the root stack's name as a parameter "
                                                     "(the names it imports derive from it)"
                                                   : "") +
                ";");
      s += "\nEach stack is deployed after every stack it imports from, and CloudFormation "
           "itself refuses to create a stack before the exports it imports exist.\n";
    }
    return s;
  }

  /// A template holding only the deployment bucket (and its policy), for the first deploy.
  std::optional<EmittedFile> Bootstrap(
      const std::function<std::string(const Value&)>& render) const {
    if (deployment_bucket_.empty()) return std::nullopt;
    const Value& root = result_.stacks.front().tmpl;
    const Value* res = Section(root, "Resources");
    Value resources = Value::Map();
    for (std::size_t i = 0; i < res->size(); ++i) {
      const std::string& id = res->keys()[i].name;
      const Value& def = res->items()[i];
      const Value* props = def.Find("Properties");
      const Value* target = props && props->is_map() ? props->Find("Bucket") : nullptr;
      const Value* type = def.Find("Type");
      bool policy = type && type->text() == "AWS::S3::BucketPolicy" && target &&
                    target->IntrinsicName() == "Ref" &&
                    target->IntrinsicArg().text() == deployment_bucket_;
      if (id == deployment_bucket_ || policy) resources.AppendEntry(id, def);
    }
    Value tmpl = Value::Map();
    tmpl.AppendEntry("AWSTemplateFormatVersion", syntax::Str("2010-09-09"));
    tmpl.AppendEntry("Description",
                     syntax::Str("cfnsplit deploy kit: the first deploy creates the deployment "
                                 "bucket alone; deploy.sh then deploys the whole stack over it"));
    tmpl.AppendEntry("Resources", std::move(resources));
    return EmittedFile{"bootstrap." + ext_, render(tmpl)};
  }

  bool NeedsBucket() const { return nested_ || !uploads_.empty(); }

  std::string Script() const {
    std::string s = Header();
    s += Helpers();
    s += Arguments();
    s += Bootstrap();
    for (const Upload& u : uploads_)
      s += "upload " + u.bucket + " " + Quote(u.key) + " " + u.file + "\n";
    s += nested_ ? DeployNested() : DeployExports();
    s += "printf 'deploy.sh: done\\n' >&2\n";
    return s;
  }

 private:
  // The bucket the functions' code is read from, when the template creates it itself.
  void FindDeploymentBucket() {
    for (const Resource& r : model_.resources) {
      if (r.type != "AWS::Lambda::Function" || !r.properties) continue;
      const Value* code = r.properties->Find("Code");
      const Value* b = code && code->is_map() ? code->Find("S3Bucket") : nullptr;
      if (!b || b->IntrinsicName() != "Ref") continue;
      const Resource* bucket = model_.FindResource(b->IntrinsicArg().text());
      if (bucket && bucket->type == "AWS::S3::Bucket" && RootHolds(bucket->id)) {
        deployment_bucket_ = bucket->id;
        return;
      }
    }
  }

  bool RootHolds(const std::string& id) const {
    const Value* res = Section(result_.stacks.front().tmpl, "Resources");
    return res && res->Find(id);
  }

  std::string BucketWord(const Value* b) const {
    if (b && b->is_string()) return Quote(b->text());
    if (b && b->IntrinsicName() == "Ref" && b->IntrinsicArg().text() == deployment_bucket_)
      return "\"$bucket\"";
    return "";
  }

  void CollectUploads() {
    for (const EmittedStack& s : result_.stacks) {
      const Value* res = Section(s.tmpl, "Resources");
      for (std::size_t i = 0; res && i < res->size(); ++i) {
        const Resource* r = model_.FindResource(res->keys()[i].name);
        if (!r || !r->properties) continue;
        const char* property = r->type == "AWS::Lambda::Function"       ? "Code"
                               : r->type == "AWS::Lambda::LayerVersion" ? "Content"
                                                                        : nullptr;
        const Value* code = property ? r->properties->Find(property) : nullptr;
        const Value* key = code && code->is_map() ? code->Find("S3Key") : nullptr;
        if (!key || !key->is_string()) continue;
        std::string bucket = BucketWord(code->Find("S3Bucket"));
        if (bucket.empty()) {
          manual_.insert(r->id);
          continue;
        }
        const Value* emitted = res->items()[i].Find("Properties");
        const Value* ecode = emitted ? emitted->Find(property) : nullptr;
        const Value* ekey = ecode && ecode->is_map() ? ecode->Find("S3Key") : nullptr;
        if (!ekey) continue;  // now a container image
        const LayerArtifactRef* built_layer = nullptr;
        for (const LayerArtifactRef& l : s.layers)
          if (ekey->IntrinsicName() == "Ref" && ekey->IntrinsicArg().text() == l.parameter)
            built_layer = &l;
        if (s.artifact && ekey->IntrinsicName() == "Ref" &&
            ekey->IntrinsicArg().text() == s.artifact->parameter)
          uploads_.insert({bucket, s.artifact->key, "\"$here/" + s.artifact->file + "\""});
        else if (built_layer)
          uploads_.insert({bucket, built_layer->key, "\"$here/" + built_layer->file + "\""});
        else
          uploads_.insert({bucket, key->text(),
                           "\"$artifacts/" + fs::path(key->text()).filename().string() + "\""});
      }
    }
  }

  // Template parameters a user must give (no Default), which of them are NoEcho, and each
  // exports stack's parameters that carry another stack's name.
  void CollectParameters() {
    for (const EmittedStack& s : result_.stacks) {
      const Value* params = Section(s.tmpl, "Parameters");
      for (std::size_t i = 0; params && i < params->size(); ++i) {
        const std::string& name = params->keys()[i].name;
        const Value& decl = params->items()[i];
        const Value* def = decl.is_map() ? decl.Find("Default") : nullptr;
        if (def) {
          for (const EmittedStack& other : result_.stacks)
            if (!nested_ && !other.stack_name.empty() && def->text() == other.stack_name &&
                &other != &s)
              stack_name_params_[s.name].emplace_back(name, StackNameWord(other));
          continue;
        }
        bool passed_by_parent = nested_ && &s != &result_.stacks.front();
        if (passed_by_parent) continue;
        const Value* ne = decl.is_map() ? decl.Find("NoEcho") : nullptr;
        required_[name] = ne && (ne->text() == "true" || ne->text() == "True");
      }
    }
  }

  std::string StackNameWord(const EmittedStack& s) const {
    if (&s == &result_.stacks.front()) return "$stack_name";
    return "$stack_name-" + s.name;
  }

  std::string Header() const {
    std::string usage =
        "# Usage: ./deploy.sh --region REGION [--stack-name NAME] [--bucket BUCKET]\n"
        "#                    [--artifacts DIR] [--parameter KEY=VALUE]... [--dry-run]\n"
        "#   --stack-name  the root stack's name (default: " +
        root_ + ")" + (nested_ ? "" : "; the others are NAME-<Stack>") +
        "\n"
        "#   --bucket      an existing S3 bucket for templates and code packages" +
        (deployment_bucket_.empty()
             ? "\n"
             : "\n#                 (default: the template's own " + deployment_bucket_ +
                   ", created first\n#                 in a stack of its own, as the Serverless "
                   "Framework does)\n") +
        "#   --artifacts   the folder holding the original code packages (default: " +
        ArtifactsDefault() +
        ")\n"
        "#   --parameter   a template parameter; NoEcho ones not given are asked for, never "
        "stored\n"
        "#   --dry-run     print the commands instead of running them\n";
    return "#!/bin/sh\n# Deploy kit written by cfnsplit: deploys the " +
           std::to_string(result_.stacks.size()) + " stack(s) of this directory (" +
           (nested_ ? "nested" : "exports") + " mode) with the aws CLI.\n" + usage +
           "# AWS credentials and endpoint come from the usual AWS_* environment.\nset -eu\n";
  }

  std::string ArtifactsDefault() const {
    fs::path dir = fs::absolute(fs::path(model_.path())).parent_path();
    if (options_.output_dir.empty()) return dir.string();
    return dir.lexically_normal().lexically_relative(fs::path(options_.output_dir)).string();
  }

  std::string Helpers() const {
    std::string artifacts = ArtifactsDefault();
    if (artifacts.empty()) artifacts = ".";
    bool absolute = !artifacts.empty() && artifacts.front() == '/';
    return std::string(R"sh(here=$(cd "$(dirname "$0")" && pwd)
stack_name=)sh") +
           Quote(root_) + R"sh(
region=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}
bucket=''
artifacts=)sh" +
           (absolute ? Quote(artifacts) : "\"$here\"/" + Quote(artifacts)) + R"sh(
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

)sh";
  }

  std::string Arguments() const {
    std::string s = R"sh(while [ $# -gt 0 ]; do
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
)sh";
    for (const auto& [name, no_echo] : required_) {
      bool image = name.size() > 8 && name.compare(name.size() - 8, 8, "ImageUri") == 0;
      if (no_echo)
        s += "ask_secret " + name + "\n";
      else
        s += "require " + name + " " +
             Quote(image ? " (push the image built from its packages/*/Dockerfile; see README)"
                         : "") +
             "\n";
    }
    return s;
  }

  std::string Bootstrap() const {
    if (deployment_bucket_.empty()) return "";
    return "if [ -z \"$bucket\" ]; then\n"
           "  # The template creates its own deployment bucket: create the stack with that bucket "
           "first.\n"
           "  if [ \"$dry_run\" = 1 ] || ! aws --region \"$region\" cloudformation describe-stacks "
           "--stack-name \"$stack_name\" >/dev/null 2>&1; then\n"
           "    deploy_stack \"$stack_name\" \"$here/bootstrap." +
           ext_ +
           "\"\n"
           "  fi\n"
           "  if [ \"$dry_run\" = 1 ]; then\n"
           "    bucket='<" +
           deployment_bucket_ +
           " of the stack>'\n"
           "  else\n"
           "    bucket=$(aws --region \"$region\" cloudformation describe-stack-resource "
           "--stack-name \"$stack_name\" --logical-resource-id " +
           deployment_bucket_ +
           " --query StackResourceDetail.PhysicalResourceId --output text)\n"
           "  fi\n"
           "fi\n";
  }

  std::string DeployNested() const {
    const EmittedStack& parent = result_.stacks.front();
    return "package \"$here/" + parent.path + "\" \"$work/" + parent.path + "\"\n" +
           "deploy_stack \"$stack_name\" \"$work/" + parent.path + "\"\n";
  }

  std::string DeployExports() const {
    std::string s;
    for (const std::string& name : result_.deploy_order)
      for (const EmittedStack& st : result_.stacks) {
        if (st.name != name) continue;
        std::string stack_word = StackNameWord(st);
        std::string extra;
        auto it = stack_name_params_.find(st.name);
        if (it != stack_name_params_.end())
          for (const auto& [param, word] : it->second) extra += " \"" + param + "=" + word + "\"";
        std::string out = "\"$work/" + fs::path(st.path).filename().string() + "\"";
        s += "# " + st.name + "\n";
        s += "if [ -n \"$bucket\" ]; then package \"$here/" + st.path + "\" " + out +
             "; else cp \"$here/" + st.path + "\" " + out + "; fi\n";
        s += "deploy_stack \"" + stack_word + "\" " + out + extra + "\n";
      }
    return s;
  }

  const TemplateModel& model_;
  const EmitResult& result_;
  const EmitOptions& options_;
  bool nested_ = true;
  std::string ext_;
  std::string root_;
  std::string deployment_bucket_;
  std::set<Upload> uploads_;
  std::set<std::string> manual_;  ///< functions whose bucket the kit cannot name
  std::map<std::string, bool> required_;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> stack_name_params_;
};

}  // namespace

std::string DefaultStackName(const TemplateModel& model) {
  std::string serverless = Sanitized(ServerlessServiceStage(model));
  if (!serverless.empty()) return serverless;
  fs::path path = fs::absolute(fs::path(model.path())).lexically_normal();
  std::string stem = path.stem().string();
  static const char* kGeneric[] = {"template", "packaged", "cfn", "stack", "main", "root"};
  bool generic = stem.rfind("cloudformation-template", 0) == 0 ||
                 std::any_of(std::begin(kGeneric), std::end(kGeneric),
                             [&](const char* g) { return stem == g; });
  std::string name = Sanitized(generic ? path.parent_path().filename().string() : stem);
  if (!name.empty() && name.front() == 's' && name == "serverless")  // .serverless/
    name = Sanitized(path.parent_path().parent_path().filename().string());
  return name.empty() ? "app" : name;
}

bool ValidStackName(const std::string& name) {
  if (name.empty() || name.size() > 100 || !std::isalpha(static_cast<unsigned char>(name[0])))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
  });
}

DeployKit BuildDeployKit(const TemplateModel& model, const EmitResult& result,
                         const EmitOptions& options) {
  Kit kit(model, result, options);
  DeployKit out;
  EmittedFile script{"deploy.sh", kit.Script()};
  script.executable = true;
  out.files.push_back(std::move(script));
  auto render = [&](const Value& v) {
    return options.format == TemplateFormat::kJson ? WriteJson(v) : WriteYaml(v);
  };
  if (auto bootstrap = kit.Bootstrap(render)) out.files.push_back(std::move(*bootstrap));
  out.readme = kit.ReadmeSection();
  return out;
}

std::string DeployKitReadme(const TemplateModel& model, const EmitResult& result,
                            const EmitOptions& options) {
  return Kit(model, result, options).ReadmeSection();
}

}  // namespace cfnsplit
