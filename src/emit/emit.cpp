// EmitStacks: checks the plan against the template, rewrites every resource and output into its
// stack, lifts DependsOn across stacks, then assembles the templates (assemble.cpp).
#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "cfnsplit/constraints.hpp"
#include "cfnsplit/timings.hpp"
#include "emit/emitter.hpp"
#include "emit/value_util.hpp"

namespace cfnsplit::emit {

Emitter::Emitter(const TemplateModel& model, const SplitPlan& plan, const RuleSet& rules,
                 const EmitOptions& options, DiagnosticSink& sink)
    : model_(model), plan_(plan), rules_(rules), options_(options), sink_(sink) {}

bool Emitter::AssignStacks() {
  if (plan_.stacks.empty()) {
    sink_.Error("E5001", {}, "the plan has no stacks");
    return false;
  }
  taken_.reserve(model_.resources.size() + model_.parameters.size() + model_.outputs.size() +
                 model_.mapping_names.size() + model_.condition_names.size() +
                 4 * plan_.stacks.size());
  for (const auto& r : model_.resources) taken_.insert(r.id);
  for (const auto& p : model_.parameters) taken_.insert(p.name);
  for (const auto& o : model_.outputs) taken_.insert(o.name);
  for (const auto& n : model_.mapping_names) taken_.insert(n);
  for (const auto& n : model_.condition_names) taken_.insert(n);
  std::unordered_map<std::string_view, std::string_view> placed;  // resource → stack
  placed.reserve(model_.resources.size());
  std::set<std::string> names;
  bool ok = true;
  for (const StackPlan& sp : plan_.stacks) {
    if (sp.name.empty() || util::Alnum(sp.name, 255) != sp.name || !names.insert(sp.name).second) {
      sink_.Error(
          "E5001", {},
          "stack name '" + sp.name + "' must be unique, alphanumeric and at most 255 characters");
      ok = false;
    }
    for (const std::string& id : sp.resources) {
      const Resource* r = model_.FindResource(id);
      if (!r) {
        sink_.Error("E5001", {}, "plan puts unknown resource '" + id + "' into stack " + sp.name);
        ok = false;
      } else if (!placed.emplace(id, sp.name).second) {
        sink_.Error("E5001", r->loc,
                    "plan puts resource '" + id + "' into two stacks (" + std::string(placed[id]) +
                        " and " + sp.name + ")");
        ok = false;
      }
    }
  }
  std::vector<std::string> missing;
  for (const Resource& r : model_.resources)
    if (!placed.count(r.id)) missing.push_back(r.id);
  if (!missing.empty()) {
    sink_.Error("E5001", {},
                std::to_string(missing.size()) +
                    " resource(s) are in no stack of the plan, e.g. '" + missing.front() + "'");
    ok = false;
  }
  if (!ok) return false;
  const std::string ext = options_.format == TemplateFormat::kJson ? ".json" : ".yaml";
  const std::string prefix =
      options_.stack_name.empty() ? DefaultStackName(model_) : options_.stack_name;
  // CloudFormation rejects a template without resources: an empty stack is not emitted. A nested
  // parent always holds its children; in exports mode, when the base is empty the first stack
  // that is not takes its place (and the original stack's name).
  for (std::size_t i = 0; i < plan_.stacks.size(); ++i) {
    const StackPlan& sp = plan_.stacks[i];
    bool parent = i == 0 && mode() == WiringMode::kNested;
    if (!parent && sp.resources.empty()) {
      notes_.push_back("stack " + sp.name + " has no resources and is not emitted");
      continue;
    }
    StackOut s;
    s.name = sp.name;
    s.plan = &sp;
    s.path = parent ? "template" + ext : "stacks/" + sp.name + ext;
    s.stack_name = stacks_.empty() ? prefix : prefix + "-" + sp.name;
    stacks_.push_back(std::move(s));
  }
  if (stacks_.empty()) {
    sink_.Error("E5001", {}, "the plan places no resource in any stack: nothing to emit");
    return false;
  }
  home_.reserve(model_.resources.size());
  for (std::size_t i = 0; i < stacks_.size(); ++i) {
    for (const std::string& id : stacks_[i].plan->resources) home_[id] = static_cast<int>(i);
    if (i > 0 && mode() == WiringMode::kNested) {
      std::string id = stacks_[i].name;
      stacks_[i].resource_id = UniqueName(taken_.count(id) ? id + "Stack" : id);
    }
    if (mode() == WiringMode::kExports && i == 0)
      root_name_param_ = UniqueName(util::Alnum(stacks_[0].name + "StackName"));
  }
  for (const Resource& r : model_.resources) {
    int home = home_[r.id];
    stacks_[static_cast<std::size_t>(home)].resource_ids.push_back(r.id);
    if (r.is_foreach() && home != 0) {
      sink_.Error("E5002", r.loc,
                  "'" + r.id +
                      "' is expanded by AWS::LanguageExtensions and "
                      "cannot be moved out of the base stack");
      ok = false;
    }
  }
  return ok;
}

void Emitter::RewriteResources() {
  for (const Resource& r : model_.resources) {
    int s = home_.at(r.id);
    Value copy = Rewriter(*this, s).CopyResource(*r.def);
    if (!r.condition.empty()) UseCondition(s, r.condition);
    stacks_[static_cast<std::size_t>(s)].resources.AppendEntry(r.id, std::move(copy), r.loc);
  }
  // SAM Globals apply to the SAM resources of every template that declares them.
  const Value* globals = model_.Section("Globals");
  for (std::size_t i = 1; i < stacks_.size() && globals; ++i) {
    bool has_sam =
        std::any_of(stacks_[i].resource_ids.begin(), stacks_[i].resource_ids.end(),
                    [&](const std::string& id) { return model_.FindResource(id)->is_sam(); });
    if (has_sam) stacks_[i].globals = Rewriter(*this, static_cast<int>(i)).Copy(*globals);
  }
}

bool Emitter::HasDataEdge(const Value& v, const std::string& node) const {
  std::vector<std::string> read = util::ValuesRead(v);
  return std::find(read.begin(), read.end(), node) != read.end();
}

// A DependsOn inside one stack stays. Across stacks it becomes an ordering of whole stacks: the
// stack resource depends on the target (or its stack) in nested mode, the deploy order in
// exports mode; it is dropped where a data edge already gives that order.
void Emitter::LiftDependsOn() {
  std::map<std::pair<int, int>, std::vector<std::string>> ordering;  // (consumer, producer) → ids
  for (const Resource& r : model_.resources) {
    if (r.depends_on.empty()) continue;
    int a = home_.at(r.id);
    StackOut& sa = stacks_[static_cast<std::size_t>(a)];
    Value* def = sa.resources.Find(r.id);
    std::vector<std::string> kept;
    auto keep = [&](const std::string& n) {
      if (std::find(kept.begin(), kept.end(), n) == kept.end()) kept.push_back(n);
    };
    for (const std::string& x : r.depends_on) {
      int b = HomeOf(x);
      if (b < 0 || b == a) {
        keep(x);
        continue;
      }
      const StackOut& sb = stacks_[static_cast<std::size_t>(b)];
      if (mode() == WiringMode::kExports) {
        sa.after.insert(b);
        ordering[{a, b}].push_back(r.id);
      } else if (a == 0) {
        if (!HasDataEdge(*def, sb.resource_id)) keep(sb.resource_id);
      } else {
        std::string node = b == 0 ? x : sb.resource_id;
        bool data = std::any_of(sa.passed.begin(), sa.passed.end(),
                                [&](const auto& kv) { return HasDataEdge(kv.second, node); });
        if (!data) sa.stack_depends.insert(node);
      }
    }
    const Value* original = r.def->Find("DependsOn");
    if (kept.empty()) {
      def->Erase("DependsOn");
    } else if (kept.size() == 1 && original->is_string()) {
      def->Set("DependsOn", syntax::Str(kept.front()));
    } else {
      Value list = Value::List();
      for (const auto& k : kept) list.Append(syntax::Str(k));
      def->Set("DependsOn", std::move(list));
    }
  }
  std::map<std::string, Value> imports;  // resource → the ordering imports it needs
  for (const auto& [edge, ids] : ordering) OrderAcrossStacks(edge.first, edge.second, ids, imports);
  for (auto& [id, list] : imports) {
    Value* def = stacks_[static_cast<std::size_t>(home_.at(id))].resources.Find(id);
    if (!def->Find("Metadata")) def->Set("Metadata", Value::Map());
    Value* meta = def->Find("Metadata");
    if (meta->is_map())
      meta->Set(kOrderingKey, list.size() == 1 ? list.items().front() : std::move(list));
  }
}

// Exports mode: a DependsOn on a resource of another stack holds only if that stack is deployed
// first. CloudFormation enforces it when the dependent stack imports something of the other, so
// where it imports nothing else, the dependent resource imports the other stack's ordering export
// in its Metadata (which accepts intrinsic functions): no deploy can run out of order.
void Emitter::OrderAcrossStacks(int consumer, int producer, const std::vector<std::string>& ids,
                                std::map<std::string, Value>& imports) {
  StackOut& c = stacks_[static_cast<std::size_t>(consumer)];
  const StackOut& p = stacks_[static_cast<std::size_t>(producer)];
  bool imports_already = std::any_of(wires_.begin(), wires_.end(), [&](const auto& kv) {
    return kv.second.home == producer && c.imported.count(kv.second.name);
  });
  std::string examples;
  for (std::size_t i = 0; i < ids.size() && i < 3; ++i) examples += (i ? ", " : "") + ids[i];
  if (ids.size() > 3) examples += ", …";
  c.notes.insert(std::to_string(ids.size()) + " resource(s) DependsOn resources of " + p.name +
                 " (" + examples + "): " + p.name + " is deployed first" +
                 (imports_already ? " (this stack imports its exports)"
                                  : " (an ordering import in their Metadata enforces it)"));
  if (imports_already) return;
  Value import = Import(consumer, {WireKey::Kind::kOrdering, p.name, ""}, nullptr);
  for (const std::string& id : ids) {
    auto [it, fresh] = imports.emplace(id, Value::List());
    (void)fresh;
    it->second.Append(import);
  }
}

std::vector<int> Emitter::StackOfResources() const {
  std::vector<int> stack_of(model_.resources.size(), -1);
  for (std::size_t i = 0; i < model_.resources.size(); ++i)
    stack_of[i] = HomeOf(model_.resources[i].id);
  return stack_of;
}

std::vector<int> Emitter::DeployOrderIndexes() const {
  std::vector<std::set<int>> after;
  for (const StackOut& s : stacks_) after.push_back(s.after);
  return cfnsplit::DeployOrder(after);
}

// Where each output lives is decided once for the packer, the plan's figures and here
// (RootOutputHomes): exports mode puts it after every stack it reads; nested mode keeps it in
// the parent unless that goes over the outputs quota.
void Emitter::RewriteOutputs() {
  std::vector<int> target = RootOutputHomes(model_, StackOfResources(), mode(),
                                            options_.max_root_outputs, DeployOrderIndexes());
  std::size_t in_root = 0;
  for (bool exported : {true, false})
    for (std::size_t i = 0; i < model_.outputs.size(); ++i)
      if (mode() == WiringMode::kNested && target[i] != 0 &&
          (model_.outputs[i].export_name != nullptr) == exported)
        moved_outputs_.push_back(model_.outputs[i].name + " → " +
                                 stacks_[static_cast<std::size_t>(target[i])].name);
  for (std::size_t i = 0; i < model_.outputs.size(); ++i) {
    const Output& o = model_.outputs[i];
    int home = target[i];
    in_root += home == 0;
    Value copy = Rewriter(*this, home).Copy(*o.def);
    if (!o.condition.empty()) UseCondition(home, o.condition);
    stacks_[static_cast<std::size_t>(home)].outputs.AppendEntry(o.name, std::move(copy), o.loc);
  }
  if (mode() == WiringMode::kNested && in_root > options_.max_root_outputs)
    sink_.Warning("W5011", {},
                  "the parent keeps " + std::to_string(in_root - options_.max_root_outputs) +
                      " output(s) over the quota of " + std::to_string(options_.max_root_outputs) +
                      ": they read values from more than one stack");
}

}  // namespace cfnsplit::emit

namespace cfnsplit {

std::optional<EmitResult> EmitStacks(const TemplateModel& model, const SplitPlan& plan,
                                     const RuleSet& rules, const EmitOptions& options,
                                     DiagnosticSink& sink) {
  timings::Scope timing("emit");
  try {
    emit::Emitter e(model, plan, rules, options, sink);
    return e.Run();
  } catch (const std::exception& ex) {
    sink.Error("E5006", {}, std::string("internal error while emitting stacks: ") + ex.what());
    return std::nullopt;
  }
}

}  // namespace cfnsplit
