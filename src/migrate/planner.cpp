// PlanMigration: the numbered steps from the deployed stack to the verified split. The planner's
// run, the states' bookkeeping (emission, unions, placeholders, template files).
#include "migrate/planner.hpp"

#include "cfnsplit/timings.hpp"
#include "cfnsplit/writer.hpp"

namespace cfnsplit {
namespace migrate {

MigrationPlanner::MigrationPlanner(const TemplateModel& deployed, const TemplateModel& target,
                                   const SplitPlan& plan, const RuleSet& rules,
                                   const MigrateOptions& options, DiagnosticSink& sink,
                                   const NestTarget* nest)
    : deployed_(deployed),
      target_(target),
      plan_(plan),
      rules_(rules),
      options_(options),
      sink_(sink),
      nest_(nest) {
  // The states place resources over the plan's stacks and, while they are still there, over
  // the deployed split's stacks the plan no longer has (appended, same names).
  ext_plan_ = plan_;
  for (const std::string& name : options_.layout.stacks) {
    bool known = false;
    for (const StackPlan& sp : ext_plan_.stacks) known = known || sp.name == name;
    if (!known && name != options_.layout.stacks.front()) {
      StackPlan extra;
      extra.name = name;
      ext_plan_.stacks.push_back(std::move(extra));
    }
  }
  for (std::size_t i = 0; i < ext_plan_.stacks.size(); ++i)
    ext_index_[ext_plan_.stacks[i].name] = static_cast<int>(i);
}

std::optional<Migration> MigrationPlanner::Run() {
  const std::string& base = options_.deployed_stack;
  out_.moves = ClassifyMoves(deployed_, base, target_, plan_, rules_, options_.allow_recreate,
                             options_.layout);
  if (nest_) RouteNestGaps();
  // A nested parent's resource that reads a child which reads the parent leaves the parent
  // with the children (unnest.cpp).
  if (options_.layout.mode == WiringMode::kNested)
    unnest_gone_ = LeaveParentWithChildren(deployed_, options_.layout, rules_,
                                           options_.allow_recreate, out_.moves);
  if (!RefuseImpossible()) return std::nullopt;
  if (options_.layout.mode == WiringMode::kNested) {
    std::set<std::string> retain;
    for (const ResourceMove& m : out_.moves)
      if (m.route == MoveRoute::kImport && DeployedIndex(m.id) == 0) retain.insert(m.id);
    auto unnest = UnnestSteps(options_.layout, base, retain, unnest_gone_, files_, sink_);
    if (!unnest) return std::nullopt;
    unnest_steps_ = std::move(*unnest);
  }
  for (const ResourceMove& m : out_.moves) {
    if (m.route == MoveRoute::kRefactor) refactor_home_[m.id] = PlanIndex(m.id);
    if (m.route == MoveRoute::kRefactor) refactor_from_[m.id] = m.from_stack;
    if (m.route == MoveRoute::kImport) import_.insert(m.id);
    if (m.route == MoveRoute::kRecreate) recreate_.insert(m.id);
    if (m.route == MoveRoute::kDelete) delete_.insert(m.id);
  }
  prepared_ = Remodel(PreparedTemplate(deployed_, out_.moves, base), deployed_, sink_);
  if (!prepared_) return std::nullopt;
  if (!unnest_gone_.empty()) {
    unnested_ = Remodel(WithoutResources(*prepared_, unnest_gone_), deployed_, sink_);
    if (!unnested_) return std::nullopt;
  }
  if (!DetachState() || !RefactorStates() || !ImportState() || !FinalState()) return std::nullopt;
  if (nest_ && !NestedFinalState()) return std::nullopt;
  AddUnions();
  if (!BuildSteps()) return std::nullopt;
  out_.files.insert(out_.files.begin(), files_.begin(), files_.end());
  return std::move(out_);
}

bool MigrationPlanner::RefuseImpossible() {
  index_ = plan_.StackIndex();
  bool ok = true;
  for (const ResourceMove& m : out_.moves)
    if (m.route == MoveRoute::kImpossible) {
      const Resource* r = deployed_.FindResource(m.id);
      sink_.Error("E8002", r ? r->loc : SourceLoc{},
                  "'" + m.id + "' (" + m.type + ") cannot move from " + m.from_stack + " to " +
                      m.to_stack + " without replacement: " + m.reason +
                      ". Keep it where it is (`cfnsplit plan --deployed`, or --pin " + m.id + "=" +
                      DeployedPlanStack(m.id) + ") or accept its re-creation with " +
                      "--allow-recreate " + m.id);
      ok = false;
    }
  return ok;
}

std::optional<State> MigrationPlanner::Emit(const TemplateModel& model, const std::set<int>& moved,
                                            const std::string& what, bool verify) {
  return EmitWith(
      model,
      [&](const std::string& id) {
        auto it = refactor_home_.find(id);
        return it != refactor_home_.end() && moved.count(MoveUnit(id)) ? it->second
                                                                       : DeployedIndex(id);
      },
      what, verify);
}

std::optional<State> MigrationPlanner::EmitWith(const TemplateModel& model,
                                                const std::function<int(const std::string&)>& home,
                                                const std::string& what, bool verify) {
  SplitPlan partial = PartialPlan(model, ext_plan_, home);
  if (verify) ++out_.states_verified;
  return EmitState(model, partial, rules_, options_.deployed_stack, verify, what, sink_,
                   options_.layout.stack_names);
}

// Parameters, conditions and mappings may not be added by a refactor or an import: every
// intermediate template of a stack declares all those any of its states needs, from the
// prepare step on. New stacks hold a placeholder until the finish step.
void MigrationPlanner::AddUnions() {
  // A stack that a state leaves without resources (a deployed split's stack emptied by a
  // refactor) is not emitted; it still exists and keeps its placeholder until deleted.
  for (std::size_t i = 1; i < states_.size(); ++i)
    for (const std::string& stack : states_[i - 1].order)
      if (!states_[i].templates.count(stack)) {
        Value empty = Value::Map();
        empty.Set("AWSTemplateFormatVersion", Value::String("2010-09-09"));
        empty.Set("Resources", Value::Map());
        states_[i].templates[stack] = std::move(empty);
        states_[i].order.push_back(stack);
      }
  std::map<std::string, std::map<std::string, std::pair<std::string, Value>>> unions;
  static const char* kSections[] = {"Parameters", "Conditions", "Mappings"};
  for (const State& s : states_)
    for (const auto& [stack, tmpl] : s.templates)
      for (const char* section : kSections)
        if (const Value* sec = tmpl.Find(section); sec && sec->is_map())
          for (std::size_t i = 0; i < sec->size(); ++i) {
            auto& slot = unions[stack][std::string(section) + "/" + sec->keys()[i].name];
            if (slot.first.empty()) slot = {section, sec->items()[i]};
          }
  for (State& s : states_)
    for (auto& [stack, tmpl] : s.templates) {
      for (const auto& [key, entry] : unions[stack]) {
        const std::string name = key.substr(key.find('/') + 1);
        Value* sec = tmpl.Find(entry.first);
        if (!sec) {
          tmpl.Set(entry.first, Value::Map());
          sec = tmpl.Find(entry.first);
        }
        if (!sec->Find(name)) sec->Set(name, entry.second);
      }
      if (stack != options_.deployed_stack) AddPlaceholder(tmpl);
    }
  for (const auto& [stack, u] : unions) {
    Value shell = Value::Map();
    shell.Set("AWSTemplateFormatVersion", Value::String("2010-09-09"));
    for (const auto& [key, entry] : u) {
      if (!shell.Find(entry.first)) shell.Set(entry.first, Value::Map());
      shell.Find(entry.first)->Set(key.substr(key.find('/') + 1), entry.second);
    }
    AddPlaceholder(shell);
    shells_[stack] = std::move(shell);
  }
}

void MigrationPlanner::AddPlaceholder(Value& tmpl) {
  Value* resources = tmpl.Find("Resources");
  if (!resources) {
    tmpl.Set("Resources", Value::Map());
    resources = tmpl.Find("Resources");
  }
  Value placeholder = Value::Map();
  placeholder.Set("Type", Value::String("AWS::CloudFormation::WaitConditionHandle"));
  resources->Set(kPlaceholderId, std::move(placeholder));
}

std::string MigrationPlanner::AddTemplate(const std::string& folder, const std::string& stack,
                                          const Value& t) {
  std::string path = folder + "/" + stack + ".json";
  files_.push_back({path, WriteJson(t)});
  if (const Value* params = t.Find("Parameters"); params && params->is_map())
    for (std::size_t i = 0; i < params->size(); ++i) {
      const std::string& name = params->keys()[i].name;
      const Value& def = params->items()[i];
      if (def.is_map() && !def.Find("Default") && !deployed_.FindParameter(name))
        user_parameters_[path].push_back(name);
    }
  return path;
}

}  // namespace migrate

std::optional<Migration> PlanMigration(const TemplateModel& deployed, const TemplateModel& target,
                                       const SplitPlan& plan, const RuleSet& rules,
                                       const MigrateOptions& options, DiagnosticSink& sink) {
  timings::Scope timing("migrate");
  if (plan.stacks.empty()) {
    sink.Error("E8001", {}, "the plan has no stacks");
    return std::nullopt;
  }
  if (plan.options.mode == WiringMode::kNested) {
    auto nest = migrate::PrepareNestTarget(deployed, target, plan, rules, options, sink);
    if (!nest) return std::nullopt;
    migrate::MigrationPlanner planner(deployed, *nest->exports_model, nest->exports_plan, rules,
                                      options, sink, &*nest);
    return planner.Run();
  }
  migrate::MigrationPlanner planner(deployed, target, plan, rules, options, sink);
  return planner.Run();
}

}  // namespace cfnsplit
