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

std::string Emitter::SuggestedPrefix() const {
  std::string base = BaseName(model_.path());
  base = base.substr(0, base.find('.'));
  std::string out;
  for (char c : base) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (ok)
      out += c;
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && !std::isalpha(static_cast<unsigned char>(out.front()))) out.erase(0, 1);
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.empty()) out = "app";
  return out.substr(0, 100);
}

// Functions of a stack that ships its own package read their code from that stack's artifact.
void Emitter::ApplyArtifacts() {
  // The root passes each child its artifact key so a pipeline can set it at deploy time; when
  // that would put the root over the parameters quota, each child keeps its key as a default.
  std::size_t with_artifacts = 0;
  for (std::size_t i = 1; i < stacks_.size(); ++i)
    with_artifacts +=
        stacks_[i].plan->role == StackRole::kFunctions && !stacks_[i].plan->requirements.empty();
  bool keys_in_root = model_.parameters.size() + stacks_[0].params.size() + with_artifacts <=
                      options_.max_root_parameters;
  for (std::size_t i = 0; i < stacks_.size(); ++i) {
    StackOut& s = stacks_[i];
    if (s.plan->role != StackRole::kFunctions || s.plan->requirements.empty()) continue;
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
                   param + " (default '" + default_key + "'); upload packages/" + s.name +
                   " there");
  }
}

// A child whose every resource has the same Condition would be a template with no resources
// when it is false, which CloudFormation rejects: the stack resource takes that condition.
void Emitter::ConditionChildStacks() {
  if (mode() != WiringMode::kNested) return;
  for (std::size_t c = 1; c < stacks_.size(); ++c) {
    StackOut& s = stacks_[c];
    std::string common;
    for (const std::string& id : s.resource_ids) {
      const std::string& cond = model_.FindResource(id)->condition;
      if (cond.empty() || (!common.empty() && cond != common)) {
        common.clear();
        break;
      }
      common = cond;
    }
    if (common.empty()) continue;
    s.stack_condition = common;
    UseCondition(0, common);
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

Value Emitter::BuildTemplate(int index) {
  const StackOut& s = stacks_[static_cast<std::size_t>(index)];
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
  Value resources = s.resources;
  if (index == 0 && mode() == WiringMode::kNested)
    for (std::size_t c = 1; c < stacks_.size(); ++c)
      resources.AppendEntry(stacks_[c].resource_id, StackResource(static_cast<int>(c)));

  Value root = Value::Map();
  if (index == 0) {
    for (std::size_t i = 0; i < orig.size(); ++i) {
      const std::string& key = orig.keys()[i].name;
      if (key == "Resources" && !orig.Find("Parameters") && params.size() > 0)
        root.AppendEntry("Parameters", params);
      if (key == "Parameters")
        root.AppendEntry(key, params);
      else if (key == "Resources")
        root.AppendEntry(key, resources);
      else if (key != "Outputs")
        root.AppendEntry(key, orig.items()[i]);
    }
    if (s.outputs.size() > 0) root.AppendEntry("Outputs", s.outputs);
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
  if (s.outputs.size() > 0) root.AppendEntry("Outputs", s.outputs);
  return root;
}

bool Emitter::CheckCycles() {
  std::map<std::string, std::set<std::string>> graph;
  if (mode() == WiringMode::kNested) {
    std::set<std::string> nodes(stacks_[0].resource_ids.begin(), stacks_[0].resource_ids.end());
    for (std::size_t c = 1; c < stacks_.size(); ++c) nodes.insert(stacks_[c].resource_id);
    auto add_uses = [&](const std::string& from, const Value& v) {
      for (const std::string& target : util::ValuesRead(v, model_))
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

std::vector<std::string> Emitter::DeployOrder(bool* cycle) {
  *cycle = false;
  if (mode() == WiringMode::kNested) return {stacks_[0].name};
  std::vector<std::string> order;
  std::vector<bool> done(stacks_.size(), false);
  for (std::size_t round = 0; round < stacks_.size(); ++round) {
    bool progressed = false;
    for (std::size_t i = 0; i < stacks_.size() && !progressed; ++i) {
      if (done[i]) continue;
      bool ready = std::all_of(stacks_[i].after.begin(), stacks_[i].after.end(),
                               [&](int a) { return done[static_cast<std::size_t>(a)]; });
      if (!ready) continue;
      done[i] = true;
      order.push_back(stacks_[i].name);
      progressed = true;
    }
    if (!progressed) {
      *cycle = true;
      break;
    }
  }
  return order;
}

std::optional<EmitResult> Emitter::Run() {
  if (!AssignStacks()) return std::nullopt;
  RewriteResources();
  LiftDependsOn();
  RewriteOutputs();
  ApplyArtifacts();
  ConditionChildStacks();
  if (!CheckCycles()) return std::nullopt;
  EmitResult result;
  result.mode = mode();
  bool cycle = false;
  result.deploy_order = DeployOrder(&cycle);
  result.notes = notes_;
  bool exported = false;
  for (std::size_t i = 0; i < stacks_.size(); ++i) {
    const StackOut& s = stacks_[i];
    EmittedStack es;
    es.name = s.name;
    es.tmpl = BuildTemplate(static_cast<int>(i));
    es.path = s.path;
    es.stack_name = mode() == WiringMode::kNested && i > 0 ? "" : s.stack_name;
    es.resource_id = s.resource_id;
    es.requirements = s.plan->requirements;
    es.artifact = s.artifact;
    for (const auto& n : s.notes) result.notes.push_back(s.name + ": " + n);
    for (const Value& o : s.outputs.items())
      if (o.Find("Export") && o.Find("Description") &&
          o.Find("Description")->text().rfind("cfnsplit:", 0) == 0)
        exported = true;
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
