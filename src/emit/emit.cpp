// EmitStacks: checks the plan against the template, rewrites every resource and output into its
// stack, lifts DependsOn across stacks, then assembles the templates (assemble.cpp).
#include <algorithm>

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
  for (const auto& r : model_.resources) taken_.insert(r.id);
  for (const auto& p : model_.parameters) taken_.insert(p.name);
  for (const auto& o : model_.outputs) taken_.insert(o.name);
  for (const auto& n : model_.mapping_names) taken_.insert(n);
  for (const auto& n : model_.condition_names) taken_.insert(n);
  std::map<std::string, std::string> placed;  // resource → stack
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
                    "plan puts resource '" + id + "' into two stacks (" + placed[id] + " and " +
                        sp.name + ")");
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
  const std::string prefix = SuggestedPrefix();
  for (std::size_t i = 0; i < plan_.stacks.size(); ++i) {
    const StackPlan& sp = plan_.stacks[i];
    if (i > 0 && sp.resources.empty()) {
      notes_.push_back("stack " + sp.name + " has no resources and is not emitted");
      continue;
    }
    StackOut s;
    s.name = sp.name;
    s.plan = &sp;
    bool parent = i == 0 && mode() == WiringMode::kNested;
    s.path = parent ? "template" + ext : "stacks/" + sp.name + ext;
    s.stack_name = i == 0 ? prefix : prefix + "-" + sp.name;
    stacks_.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < stacks_.size(); ++i) {
    for (const std::string& id : stacks_[i].plan->resources) home_[id] = static_cast<int>(i);
    if (i > 0 && mode() == WiringMode::kNested) {
      std::string id = stacks_[i].name;
      stacks_[i].resource_id = UniqueName(taken_.count(id) ? id + "Stack" : id);
    }
    if (mode() == WiringMode::kExports)
      stack_name_params_.push_back(UniqueName(util::Alnum(stacks_[i].name + "StackName")));
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
  std::vector<std::string> read = util::ValuesRead(v, model_);
  return std::find(read.begin(), read.end(), node) != read.end();
}

// A DependsOn inside one stack stays. Across stacks it becomes an ordering of whole stacks: the
// stack resource depends on the target (or its stack) in nested mode, the deploy order in
// exports mode; it is dropped where a data edge already gives that order.
void Emitter::LiftDependsOn() {
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
        sa.notes.insert(r.id + " DependsOn " + x + " (stack " + sb.name + "): " + sb.name +
                        " is deployed first");
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
}

std::vector<int> Emitter::OutputHomes(const Output& o) const {
  std::vector<int> homes;
  for (const std::string& target : util::ValuesRead(*o.def, model_)) {
    int h = HomeOf(target);
    if (h >= 0 && std::find(homes.begin(), homes.end(), h) == homes.end()) homes.push_back(h);
  }
  return homes;
}

void Emitter::RewriteOutputs() {
  std::vector<int> target(model_.outputs.size(), 0);
  if (mode() == WiringMode::kExports) {
    // An output lives in the last-deployed stack among those it reads, so its imports only
    // point at stacks deployed before it.
    bool cycle = false;
    std::vector<std::string> order = DeployOrder(&cycle);
    auto pos = [&](int s) {
      return std::find(order.begin(), order.end(), stacks_[static_cast<std::size_t>(s)].name) -
             order.begin();
    };
    for (std::size_t i = 0; i < model_.outputs.size(); ++i)
      for (int h : OutputHomes(model_.outputs[i]))
        if (pos(h) > pos(target[i])) target[i] = h;
  } else if (model_.outputs.size() > options_.max_root_outputs) {
    std::size_t excess = model_.outputs.size() - options_.max_root_outputs;
    for (bool exported : {true, false}) {
      for (std::size_t i = 0; i < model_.outputs.size() && excess > 0; ++i) {
        const Output& o = model_.outputs[i];
        std::vector<int> homes = OutputHomes(o);
        if ((o.export_name != nullptr) != exported || homes.size() != 1 || homes[0] == 0) continue;
        target[i] = homes[0];
        moved_outputs_.push_back(o.name + " → " + stacks_[static_cast<std::size_t>(homes[0])].name);
        --excess;
      }
    }
    if (excess > 0)
      sink_.Warning("W5011", {},
                    "the parent keeps " + std::to_string(excess) + " output(s) over the quota of " +
                        std::to_string(options_.max_root_outputs) +
                        ": they read values from more than one stack");
  }
  for (std::size_t i = 0; i < model_.outputs.size(); ++i) {
    const Output& o = model_.outputs[i];
    Value copy = Rewriter(*this, target[i]).Copy(*o.def);
    if (!o.condition.empty()) UseCondition(target[i], o.condition);
    stacks_[static_cast<std::size_t>(target[i])].outputs.AppendEntry(o.name, std::move(copy),
                                                                     o.loc);
  }
}

}  // namespace cfnsplit::emit

namespace cfnsplit {

std::optional<EmitResult> EmitStacks(const TemplateModel& model, const SplitPlan& plan,
                                     const RuleSet& rules, const EmitOptions& options,
                                     DiagnosticSink& sink) {
  try {
    emit::Emitter e(model, plan, rules, options, sink);
    return e.Run();
  } catch (const std::exception& ex) {
    sink.Error("E5002", {}, std::string("internal error while emitting stacks: ") + ex.what());
    return std::nullopt;
  }
}

}  // namespace cfnsplit
