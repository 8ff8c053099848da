// The migration's intermediate states: prepare and detach, the refactor batches, the import
// state, and the final split (verified) with the replacements it implies (W8005).
#include "cfnsplit/verify.hpp"
#include "migrate/planner.hpp"

namespace cfnsplit::migrate {

// Prepare state, then one state per refactor batch: stacks (post stacks first: they only read
// others, so moving them early never makes two stacks import from each other) join a batch
// while the stacks that change stay within the per-refactor limit.
bool MigrationPlanner::RefactorStates() {
  const std::size_t limit = rules_.refactor.Limit("stacks_per_refactor", 5);
  std::vector<int> candidates;
  for (int pass = 0; pass < 2; ++pass)
    for (std::size_t i = 0; i < plan_.stacks.size(); ++i) {
      bool post = plan_.stacks[i].role == StackRole::kPost;
      if (post != (pass == 0)) continue;
      // A stack's resources from each deployed stack are one unit: a stack drawing from
      // more stacks than a refactor takes (a peer's children) fills several batches.
      std::set<int> units;
      for (const auto& [id, home] : refactor_home_)
        if (home == static_cast<int>(i)) units.insert(MoveUnit(id));
      candidates.insert(candidates.end(), units.begin(), units.end());
    }
  std::set<int> moved;
  const TemplateModel& working = gap_model_ ? *gap_model_ : *prepared_;
  std::size_t next = 0;
  while (next < candidates.size()) {
    std::set<int> batch = moved;
    std::optional<State> accepted;
    while (next < candidates.size()) {
      batch.insert(candidates[next]);
      auto trial = Emit(working, batch, "refactor", false);
      if (!trial) return false;
      if (ChangedStacks(states_.back(), *trial).size() > limit) {
        batch.erase(candidates[next]);
        break;
      }
      accepted = std::move(trial);
      ++next;
    }
    if (!accepted) {
      sink_.Error("E8003", {},
                  "moving resources of " + StackNameOf(candidates[next] % kUnit) + " to stack " +
                      plan_.stacks[static_cast<std::size_t>(candidates[next] / kUnit)].name +
                      " changes more than " + std::to_string(limit) +
                      " stacks at once, over the stack refactoring limit");
      return false;
    }
    if (options_.verify_states && !Emit(working, batch, "refactor", true)) return false;
    moved = batch;
    batch_moves_.push_back(moved);
    batch_index_.push_back(states_.size());
    states_.push_back(std::move(*accepted));
  }
  refactor_done_ = moved;
  return true;
}

// Prepare (everything still in the deployed stack) and detach: the resources that are
// imported, re-created or deleted leave the deployed stack before any refactor, so that none
// of them reads a moved resource from the stack it is leaving (that would make two stacks
// import from each other).
bool MigrationPlanner::DetachState() {
  auto state = Emit(unnested_ ? *unnested_ : *prepared_, {}, "prepare", true);
  if (!state) return false;
  states_.push_back(std::move(*state));
  std::set<std::string> gap = import_;
  gap.insert(recreate_.begin(), recreate_.end());
  gap.insert(delete_.begin(), delete_.end());
  if (gap.empty()) return true;
  gap_model_ = Remodel(WithoutResources(*prepared_, gap), deployed_, sink_);
  if (!gap_model_) return false;
  auto gap_state = Emit(*gap_model_, {}, "detach", options_.verify_states);
  if (!gap_state) return false;
  gap_index_ = states_.size();
  states_.push_back(std::move(*gap_state));
  return true;
}

bool MigrationPlanner::ImportState() {
  if (import_.empty()) return true;
  std::set<std::string> gone = recreate_;
  gone.insert(delete_.begin(), delete_.end());
  import_model_ = Remodel(WithoutResources(*prepared_, gone), deployed_, sink_);
  if (!import_model_) return false;
  auto import_state = EmitWith(
      *import_model_,
      [&](const std::string& id) {
        if (import_.count(id)) return PlanIndex(id);
        auto it = refactor_home_.find(id);
        return it != refactor_home_.end() ? it->second : DeployedIndex(id);
      },
      "import", options_.verify_states);
  if (!import_state) return false;
  import_index_ = states_.size();
  states_.push_back(std::move(*import_state));
  return true;
}

// The finish step is an ordinary update: a resource whose fixed name or package type changes
// there is replaced, and a replacement keeping its fixed name fails (W8005).
void MigrationPlanner::WarnReplacements() {
  for (const ResourceMove& m : out_.moves) {
    if (m.route == MoveRoute::kCreate || m.route == MoveRoute::kDelete ||
        m.route == MoveRoute::kRecreate)
      continue;
    const Resource* before = deployed_.FindResource(m.id);
    const Resource* after = target_.FindResource(m.id);
    auto stack = final_.templates.find(m.to_stack);
    const Value* resources =
        stack == final_.templates.end() ? nullptr : stack->second.Find("Resources");
    const Value* emitted = resources ? resources->Find(m.id) : nullptr;
    const Value* props = emitted && emitted->is_map() ? emitted->Find("Properties") : nullptr;
    if (!before || !after || !props || !props->is_map()) continue;
    // Names as written in the template (the emitter may rewrite AWS::StackName in them);
    // PackageType as emitted (image: true changes it there).
    auto prop = [](const Resource* r, const std::string& key) -> const Value* {
      return r->properties && r->properties->is_map() ? r->properties->Find(key) : nullptr;
    };
    std::string what;
    if (m.type == "AWS::Lambda::Function") {
      const Value* a = prop(before, "PackageType");
      const Value* b = props->Find("PackageType");
      std::string pa = a && a->is_string() ? a->text() : "Zip";
      std::string pb = b && b->is_string() ? b->text() : "Zip";
      if (pa != pb) what = "its PackageType changes from " + pa + " to " + pb;
    }
    if (const TypeFact* f = RefactorRules::Find(rules_.refactor.name_properties, m.type)) {
      const Value* a = prop(before, f->detail);
      const Value* b = prop(after, f->detail);
      if (a && b && !a->Equals(*b)) what = "its " + f->detail + " changes";
    }
    if (what.empty()) continue;
    std::string text = "'" + m.id + "': " + what +
                       " between the deployed stack and the split, so the finish step replaces it";
    sink_.Warning("W8005", after->loc, text);
    out_.warnings.push_back(text);
  }
}

EmitOptions MigrationPlanner::FinalEmitOptions(WiringMode mode) const {
  EmitOptions options;
  options.mode = mode;
  options.format = TemplateFormat::kJson;
  options.stack_name = options_.deployed_stack;
  options.max_root_outputs = rules_.quotas.StackLimit(QuotaMeasure::kOutputs);
  options.max_root_parameters = rules_.quotas.StackLimit(QuotaMeasure::kParameters);
  return options;
}

bool MigrationPlanner::FinalState() {
  EmitOptions options = FinalEmitOptions(WiringMode::kExports);
  SplitPlan plan = plan_;
  plan.options.mode = WiringMode::kExports;
  auto result = EmitStacks(target_, plan, rules_, options, sink_);
  if (!result) return false;
  VerifyReport report = VerifyEmitted(target_, *result, rules_, VerifyOptions{}, sink_);
  if (!report.ok) {
    sink_.Error("E8004", {}, "the final split does not verify against the template");
    return false;
  }
  for (EmittedStack& es : result->stacks) {
    final_.templates[es.stack_name] = es.tmpl;
    final_.plan_names[es.stack_name] = es.name;
  }
  for (const std::string& n : result->deploy_order)
    for (const EmittedStack& es : result->stacks)
      if (es.name == n) final_.order.push_back(es.stack_name);
  for (EmittedFile& f : RenderFiles(*result, options)) {
    f.path = SplitFolder() + f.path;
    split_files_.push_back(std::move(f));
  }
  split_files_.push_back(
      {SplitFolder() + "README.md", DeploySummary(target_, plan, *result, options)});
  WarnReplacements();
  return true;
}

}  // namespace cfnsplit::migrate
