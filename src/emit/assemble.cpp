// Assembly: artifacts per stack, the templates' final layout, stack resources, cycle checks and
// deploy order.
#include <algorithm>

#include "cfnsplit/graph.hpp"
#include "emit/emitter.hpp"
#include "emit/value_util.hpp"

namespace cfnsplit::emit {
namespace {

std::string BaseName(const std::string& path) {
  std::string b =
      path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  return b;
}

}  // namespace

namespace {

std::string HexToBase64(const std::string& hex) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t n = static_cast<std::uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<std::uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<std::uint8_t>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

// The function a Lambda version publishes (FunctionName: !Ref F or !GetAtt F.Arn).
std::string VersionOf(const Value& version) {
  const Value* props = version.Find("Properties");
  const Value* fn = props && props->is_map() ? props->Find("FunctionName") : nullptr;
  if (!fn) return "";
  if (fn->IntrinsicName() == "Ref") return fn->IntrinsicArg().text();
  std::string res, attr;
  if (fn->IntrinsicName() == "Fn::GetAtt" && syntax::GetAttParts(fn->IntrinsicArg(), res, attr))
    return res;
  return "";
}

}  // namespace

// Functions listed as images in the plan become container-image functions: PackageType Image
// (which CloudFormation can only set on a new function, so on a deployed stack it replaces it),
// the code an ImageUri parameter, and Runtime, Handler and Layers dropped (an image has its own;
// the handler becomes the image command). packages/<Stack>-<Function>/Dockerfile builds it.
bool Emitter::ApplyImages() {
  bool ok = true;
  // With one shared artifact every function keeps its code as it is, zip included.
  if (options_.shared_artifact) return ok;
  for (std::size_t i = 0; i < stacks_.size(); ++i) {
    StackOut& s = stacks_[i];
    for (const std::string& id : s.plan->images) {
      Value* def = s.resources.Find(id);
      Value* props = def ? def->Find("Properties") : nullptr;
      const Resource* r = model_.FindResource(id);
      bool sam = r && r->type == "AWS::Serverless::Function";
      if (!props || !props->is_map() || !r || (!sam && r->type != "AWS::Lambda::Function")) {
        sink_.Error("E5005", r ? r->loc : SourceLoc{},
                    "the plan lists '" + id + "' as a container image, but it is not a function");
        ok = false;
        continue;
      }
      std::string param = UniqueName(util::Alnum(id + "ImageUri"));
      const Value* handler = props->Find("Handler");
      if (handler && handler->is_string() && !props->Find("ImageConfig")) {
        Value command = Value::List();
        command.Append(*handler);
        Value config = Value::Map();
        config.AppendEntry("Command", std::move(command));
        props->Set("ImageConfig", std::move(config));
      }
      for (const char* gone : {"Runtime", "Handler", "Layers", "Code", "CodeUri", "InlineCode"})
        props->Erase(gone);
      props->Set("PackageType", syntax::Str("Image"));
      if (sam) {
        props->Set("ImageUri", syntax::Ref(param));
      } else {
        Value code = Value::Map();
        code.AppendEntry("ImageUri", syntax::Ref(param));
        props->Set("Code", std::move(code));
      }
      Value decl = Value::Map();
      decl.AppendEntry("Type", syntax::Str("String"));
      decl.AppendEntry("Description",
                       syntax::Str("cfnsplit: container image of function " + id + " (built from "
                                   "packages/" + s.name + "-" + id + "/Dockerfile)"));
      if (mode() == WiringMode::kNested && i > 0) {
        Value plain = Value::Map();
        plain.AppendEntry("Type", syntax::Str("String"));
        s.params[param] = std::move(plain);
        s.passed[param] = syntax::Ref(param);
        stacks_[0].params[param] = std::move(decl);
      } else {
        s.params[param] = std::move(decl);
      }
      code_changed_[id] = "";
      s.images.push_back({id, param});
      const Value* name = props->Find("FunctionName");
      sink_.Warning("W5012", r->loc,
                    id + " becomes a container-image function: PackageType can only be set on a "
                         "new function, so CloudFormation replaces it" +
                        (name && name->is_string()
                             ? "; its fixed FunctionName '" + name->text() +
                                   "' clashes with the deployed function during the replacement "
                                   "(rename it, or delete the old function first)"
                             : ""));
    }
  }
  return ok;
}

// A Lambda version's CodeSha256 names the code it publishes: it follows the function's new
// package (its SHA-256 once built) or is dropped, or CloudFormation refuses to publish.
void Emitter::FixVersionHashes() {
  for (StackOut& s : stacks_) {
    std::size_t dropped = 0;
    for (std::size_t i = 0; i < s.resources.size(); ++i) {
      Value& def = s.resources.items()[i];
      const Value* type = def.Find("Type");
      Value* props = def.Find("Properties");
      if (!type || type->text() != "AWS::Lambda::Version" || !props || !props->Find("CodeSha256"))
        continue;
      auto changed = code_changed_.find(VersionOf(def));
      if (changed == code_changed_.end()) continue;
      if (changed->second.empty()) {
        props->Erase("CodeSha256");
        ++dropped;
      } else {
        props->Set("CodeSha256", syntax::Str(HexToBase64(changed->second)));
      }
    }
    if (dropped > 0)
      s.notes.insert(std::to_string(dropped) +
                     " Lambda version(s) drop their CodeSha256: their functions' code changes "
                     "(own package or image); `cfnsplit package` pins it again");
  }
}

// Functions of a stack that ships its own package read their code from that stack's artifact.
void Emitter::ApplyArtifacts() {
  if (options_.shared_artifact) return;
  // The root passes each child its artifact key so a pipeline can set it at deploy time; when
  // that would put the root over the parameters quota, each child keeps its key as a default.
  std::size_t with_artifacts = 0;
  for (std::size_t i = 1; i < stacks_.size(); ++i)
    with_artifacts +=
        stacks_[i].plan->ships_own_artifact();
  bool keys_in_root = model_.parameters.size() + stacks_[0].params.size() + with_artifacts <=
                      options_.max_root_parameters;
  for (std::size_t i = 0; i < stacks_.size(); ++i) {
    StackOut& s = stacks_[i];
    if (!s.plan->ships_own_artifact()) continue;
    std::string param, default_key;
    std::size_t count = 0;
    for (const std::string& id : s.resource_ids) {
      if (model_.FindResource(id)->type != "AWS::Lambda::Function") continue;
      Value* props = s.resources.Find(id)->Find("Properties");
      Value* code = props ? props->Find("Code") : nullptr;
      Value* key = code && code->is_map() ? code->Find("S3Key") : nullptr;
      if (!key) continue;
      if (!key->is_string()) {
        s.notes.insert(id + ": Code.S3Key is computed; it keeps its original artifact");
        continue;
      }
      if (param.empty()) {
        param = UniqueName(util::Alnum(s.name + "ArtifactKey"));
        auto sha = options_.artifact_sha256.find(s.name);
        default_key = util::ArtifactKeyFor(
            key->text(), s.name, sha == options_.artifact_sha256.end() ? "" : sha->second);
      }
      *key = syntax::Ref(param);
      code_changed_[id] = options_.artifact_sha256.count(s.name)
                              ? options_.artifact_sha256.at(s.name)
                              : std::string();
      ++count;
    }
    if (count == 0) continue;
    s.artifact = ArtifactRef{param, default_key, "packages/" + s.name + ".zip"};
    Value with_default = Value::Map();
    with_default.AppendEntry("Type", syntax::Str("String"));
    with_default.AppendEntry("Description",
                             syntax::Str("cfnsplit: S3 key of the code package of stack " + s.name));
    with_default.AppendEntry("Default", syntax::Str(default_key));
    if (mode() == WiringMode::kNested && i > 0 && keys_in_root) {
      Value plain = Value::Map();
      plain.AppendEntry("Type", syntax::Str("String"));
      s.params[param] = std::move(plain);
      s.passed[param] = syntax::Ref(param);
      stacks_[0].params[param] = std::move(with_default);
    } else {
      s.params[param] = std::move(with_default);
    }
    s.notes.insert(std::to_string(count) +
                   " function(s) read their code from this stack's own "
                   "package: parameter " +
                   param + " (default '" + default_key + "'), built into packages/" + s.name +
                   ".zip (deploy.sh uploads it there)");
  }
}

// A LayerVersion whose zip `cfnsplit package` built reads its Content.S3Key from a parameter of
// its own stack, whose default is the original key with "-<Stack><Layer>-<sha256>" inserted, so
// an unchanged layer keeps its key and its version.
void Emitter::ApplyLayerArtifacts() {
  for (StackOut& s : stacks_) {
    for (const std::string& id : s.resource_ids) {
      auto sha = options_.layer_sha256.find(id);
      if (sha == options_.layer_sha256.end()) continue;
      if (model_.FindResource(id)->type != "AWS::Lambda::LayerVersion") continue;
      Value* props = s.resources.Find(id)->Find("Properties");
      Value* content = props ? props->Find("Content") : nullptr;
      Value* key = content && content->is_map() ? content->Find("S3Key") : nullptr;
      if (!key || !key->is_string()) continue;
      const std::string tag = util::Alnum(s.name + id);
      const std::string param = UniqueName(tag + "ContentKey");
      const std::string default_key = util::ArtifactKeyFor(key->text(), tag, sha->second);
      *key = syntax::Ref(param);
      Value decl = Value::Map();
      decl.AppendEntry("Type", syntax::Str("String"));
      decl.AppendEntry("Description",
                       syntax::Str("cfnsplit: S3 key of layer " + id + ", built by cfnsplit package"));
      decl.AppendEntry("Default", syntax::Str(default_key));
      s.params[param] = std::move(decl);
      const std::string file = "packages/" + s.name + "-" + id + ".zip";
      s.layers.push_back({id, param, default_key, file});
      s.notes.insert("layer " + id + " reads its content from parameter " + param +
                     " (default '" + default_key + "'), built into " + file +
                     " (deploy.sh uploads it there)");
    }
  }
}

namespace {

// `Fn::Or` over conditions, nested in groups of at most ten (CloudFormation's limit per Or).
Value AnyOf(std::vector<Value> terms) {
  while (terms.size() > 1) {
    std::vector<Value> groups;
    for (std::size_t i = 0; i < terms.size(); i += 10) {
      std::size_t end = std::min(terms.size(), i + 10);
      if (end - i == 1) {
        groups.push_back(std::move(terms[i]));
        continue;
      }
      Value list = Value::List();
      for (std::size_t k = i; k < end; ++k) list.Append(std::move(terms[k]));
      groups.push_back(Value::Intrinsic("Fn::Or", std::move(list)));
    }
    terms = std::move(groups);
  }
  return std::move(terms.front());
}

}  // namespace

// A stack whose every resource has a Condition can end up with no resources, which CloudFormation
// rejects. A nested child takes a condition on its stack resource that holds exactly when one of
// its resources exists (their common condition, or an Or of them); a top-level stack gets a
// placeholder resource. Only where the original template always had a resource: otherwise the
// split changes nothing.
void Emitter::GuardConditionalStacks() {
  bool original_unconditional = std::any_of(model_.resources.begin(), model_.resources.end(),
                                            [](const Resource& r) { return r.condition.empty(); });
  if (!original_unconditional) return;
  // Children first: whether the nested parent can be empty depends on their guards.
  for (std::size_t k = 1; k <= stacks_.size(); ++k) {
    std::size_t c = k % stacks_.size();
    StackOut& s = stacks_[c];
    bool nested_parent = c == 0 && mode() == WiringMode::kNested;
    std::set<std::string> conditions;
    bool unconditional = nested_parent && std::any_of(stacks_.begin() + 1, stacks_.end(),
                                                      [](const StackOut& child) {
                                                        return child.stack_condition.empty();
                                                      });
    for (const std::string& id : s.resource_ids) {
      const std::string& cond = model_.FindResource(id)->condition;
      if (cond.empty()) unconditional = true;
      conditions.insert(cond);
    }
    if (unconditional || s.resource_ids.empty()) continue;
    if (c > 0 && mode() == WiringMode::kNested) {
      if (conditions.size() == 1) {
        s.stack_condition = *conditions.begin();
        continue;
      }
      std::vector<Value> terms;
      for (const auto& cond : conditions) terms.push_back(Value::Intrinsic("Condition", syntax::Str(cond)));
      s.stack_condition = UniqueName(util::Alnum(s.name + "HasResources"));
      stacks_[0].generated_conditions.emplace(s.stack_condition, AnyOf(std::move(terms)));
      continue;
    }
    Value placeholder = Value::Map();
    placeholder.AppendEntry("Type", syntax::Str("AWS::CloudFormation::WaitConditionHandle"));
    Value meta = Value::Map();
    meta.AppendEntry("cfnsplit", syntax::Str(std::string(kPlaceholderNote)));
    placeholder.AppendEntry("Metadata", std::move(meta));
    s.resources.AppendEntry(UniqueName("CfnsplitPlaceholder"), std::move(placeholder));
    s.notes.insert("every resource of this stack has a Condition: a placeholder resource keeps "
                   "it from being left empty, which CloudFormation rejects");
  }
}

Value Emitter::StackResource(int child) const {
  const StackOut& s = stacks_[static_cast<std::size_t>(child)];
  Value r = Value::Map();
  r.AppendEntry("Type", syntax::Str("AWS::CloudFormation::Stack"));
  if (!s.stack_condition.empty()) r.AppendEntry("Condition", syntax::Str(s.stack_condition));
  if (!s.stack_depends.empty()) {
    Value deps = Value::List();
    for (const auto& d : s.stack_depends) deps.Append(syntax::Str(d));
    r.AppendEntry("DependsOn", std::move(deps));
  }
  Value props = Value::Map();
  props.AppendEntry("TemplateURL", syntax::Str(options_.child_url_prefix + s.path));
  if (!s.passed.empty()) {
    Value params = Value::Map();
    for (const auto& [name, v] : s.passed) params.AppendEntry(name, v);
    props.AppendEntry("Parameters", std::move(params));
  }
  r.AppendEntry("Properties", std::move(props));
  return r;
}

Value Emitter::GeneratedConditions(Value conditions, const StackOut& s) const {
  for (const auto& [name, def] : s.generated_conditions) conditions.AppendEntry(name, def);
  return conditions;
}

// Called once per stack, as the last use of its rewritten resources and outputs: they move
// into the template instead of being copied (a 10,000-function split holds them only once).
Value Emitter::BuildTemplate(int index) {
  StackOut& s = stacks_[static_cast<std::size_t>(index)];
  const Value& orig = model_.root();
  Value params = Value::Map();
  if (index == 0) {
    if (const Value* p = orig.Find("Parameters"); p && p->is_map()) params = *p;
  } else {
    for (const Parameter& p : model_.parameters)
      if (auto it = s.params.find(p.name); it != s.params.end())
        params.AppendEntry(p.name, it->second);
  }
  for (const auto& [name, def] : s.params)
    if (!model_.FindParameter(name)) params.AppendEntry(name, def);
  Value resources = std::move(s.resources);
  if (index == 0 && mode() == WiringMode::kNested)
    for (std::size_t c = 1; c < stacks_.size(); ++c)
      resources.AppendEntry(stacks_[c].resource_id, StackResource(static_cast<int>(c)));

  Value root = Value::Map();
  if (index == 0) {
    for (std::size_t i = 0; i < orig.size(); ++i) {
      const std::string& key = orig.keys()[i].name;
      if (key == "Resources" && !orig.Find("Parameters") && params.size() > 0)
        root.AppendEntry("Parameters", params);
      if (key == "Resources" && !orig.Find("Conditions") && !s.generated_conditions.empty())
        root.AppendEntry("Conditions", GeneratedConditions(Value::Map(), s));
      if (key == "Parameters")
        root.AppendEntry(key, params);
      else if (key == "Resources")
        root.AppendEntry(key, std::move(resources));
      else if (key == "Conditions")
        root.AppendEntry(key, GeneratedConditions(orig.items()[i], s));
      else if (key == "Globals" && !options_.output_dir.empty()) {
        Value globals = orig.items()[i];
        RebaseGlobals(globals, StackDir(s));
        root.AppendEntry(key, std::move(globals));
      }
      else if (key != "Outputs")
        root.AppendEntry(key, orig.items()[i]);
    }
    if (s.outputs.size() > 0) root.AppendEntry("Outputs", std::move(s.outputs));
    return root;
  }
  if (const Value* v = orig.Find("AWSTemplateFormatVersion"))
    root.AppendEntry("AWSTemplateFormatVersion", *v);
  root.AppendEntry("Description", syntax::Str("cfnsplit: stack " + s.name + " split from " +
                                            BaseName(model_.path())));
  if (const Value* t = orig.Find("Transform")) root.AppendEntry("Transform", *t);
  if (s.globals) root.AppendEntry("Globals", *s.globals);
  if (params.size() > 0) root.AppendEntry("Parameters", params);
  Value mappings = Value::Map();
  for (const std::string& m : model_.mapping_names)
    if (s.mappings.count(m)) mappings.AppendEntry(m, *model_.FindMapping(m));
  if (mappings.size() > 0) root.AppendEntry("Mappings", std::move(mappings));
  Value conditions = Value::Map();
  for (const std::string& c : model_.condition_names)
    if (auto it = s.conditions.find(c); it != s.conditions.end())
      conditions.AppendEntry(c, it->second);
  if (conditions.size() > 0) root.AppendEntry("Conditions", std::move(conditions));
  root.AppendEntry("Resources", std::move(resources));
  if (s.outputs.size() > 0) root.AppendEntry("Outputs", std::move(s.outputs));
  return root;
}

bool Emitter::CheckCycles() {
  std::map<std::string, std::set<std::string>> graph;
  if (mode() == WiringMode::kNested) {
    std::set<std::string> nodes(stacks_[0].resource_ids.begin(), stacks_[0].resource_ids.end());
    for (std::size_t c = 1; c < stacks_.size(); ++c) nodes.insert(stacks_[c].resource_id);
    auto add_uses = [&](const std::string& from, const Value& v) {
      for (const std::string& target : util::ValuesRead(v))
        if (nodes.count(target) && target != from) graph[from].insert(target);
    };
    for (const std::string& id : stacks_[0].resource_ids) {
      const Value& def = *stacks_[0].resources.Find(id);
      graph[id];
      add_uses(id, def);
      for (const auto& d : syntax::DependsOnList(def))
        if (nodes.count(d)) graph[id].insert(d);
    }
    // Cycles the template already has among the parent's own resources are its own finding.
    auto cyclic = CyclicComponents(model_);
    for (auto& [from, targets] : graph) {
      auto f = cyclic.find(from);
      if (f == cyclic.end()) continue;
      for (auto it = targets.begin(); it != targets.end();) {
        auto t = cyclic.find(*it);
        it = t != cyclic.end() && t->second == f->second ? targets.erase(it) : std::next(it);
      }
    }
    for (std::size_t c = 1; c < stacks_.size(); ++c) {
      const std::string& id = stacks_[c].resource_id;
      graph[id].insert(stacks_[c].stack_depends.begin(), stacks_[c].stack_depends.end());
      for (const auto& [name, v] : stacks_[c].passed) add_uses(id, v);
    }
  } else {
    for (const StackOut& s : stacks_) {
      auto& edges = graph[s.name];
      for (int a : s.after) edges.insert(stacks_[static_cast<std::size_t>(a)].name);
    }
  }
  std::vector<std::string> cycle = FindCycle(graph);
  if (cycle.empty()) return true;
  std::string path;
  for (const auto& n : cycle) path += (path.empty() ? "" : " -> ") + n;
  sink_.Error("E5003", {}, "the plan needs a dependency cycle between stacks: " + path,
              {"a resource and what it reads must not sit on both sides of another stack; "
               "put them in the same stack or keep the shared resource in the base stack"});
  return false;
}

std::optional<EmitResult> Emitter::Run() {
  if (!AssignStacks()) return std::nullopt;
  RewriteResources();
  LiftDependsOn();
  RewriteOutputs();
  if (!ApplyImages()) return std::nullopt;
  ApplyArtifacts();
  ApplyLayerArtifacts();
  FixVersionHashes();
  GuardConditionalStacks();
  RebaseArtifactPaths();
  if (!CheckCycles()) return std::nullopt;
  EmitResult result;
  result.mode = mode();
  if (mode() == WiringMode::kNested)
    result.deploy_order = {stacks_[0].name};
  else
    for (int i : DeployOrderIndexes()) result.deploy_order.push_back(stacks_[static_cast<std::size_t>(i)].name);
  result.notes = notes_;
  bool exported = false;
  for (std::size_t i = 0; i < stacks_.size(); ++i) {
    const StackOut& s = stacks_[i];
    for (const Value& o : s.outputs.items())
      if (o.Find("Export") && o.Find("Description") &&
          o.Find("Description")->text().rfind("cfnsplit:", 0) == 0)
        exported = true;
    EmittedStack es;
    es.name = s.name;
    es.tmpl = BuildTemplate(static_cast<int>(i));
    es.path = s.path;
    es.stack_name = mode() == WiringMode::kNested && i > 0 ? "" : s.stack_name;
    es.resource_id = s.resource_id;
    es.requirements = s.plan->requirements;
    es.artifact = s.artifact;
    es.images = s.images;
    es.layers = s.layers;
    for (const auto& n : s.notes) result.notes.push_back(s.name + ": " + n);
    result.stacks.push_back(std::move(es));
  }
  if (exported)
    result.notes.push_back(
        "export lock: while a stack imports an export, the export's value cannot change and its "
        "producer cannot remove it; removing a cross-stack reference takes two deploys (first "
        "the consumer without the import, then the producer without the export)");
  result.moved_outputs = moved_outputs_;
  for (const auto& m : moved_outputs_)
    result.notes.push_back("output moved out of the parent (outputs quota): " + m);
  return result;
}

}  // namespace cfnsplit::emit
