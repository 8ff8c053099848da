// PlanMigration: the numbered steps from the deployed stack to the verified split.
#include <algorithm>
#include <cstdio>

#include "cfnsplit/timings.hpp"
#include "cfnsplit/verify.hpp"
#include "cfnsplit/writer.hpp"
#include "migrate/internal.hpp"
#include "migrate/states.hpp"

namespace cfnsplit {
namespace {

using migrate::State;

std::string StepFolder(std::size_t number, const std::string& name) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02zu-", number);
  return buf + name;
}

class MigrationPlanner {
 public:
  MigrationPlanner(const TemplateModel& deployed, const TemplateModel& target,
                   const SplitPlan& plan, const RuleSet& rules, const MigrateOptions& options,
                   DiagnosticSink& sink)
      : deployed_(deployed),
        target_(target),
        plan_(plan),
        rules_(rules),
        options_(options),
        sink_(sink) {
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

  std::optional<Migration> Run() {
    const std::string& base = options_.deployed_stack;
    out_.moves = ClassifyMoves(deployed_, base, target_, plan_, rules_, options_.allow_recreate,
                               options_.layout);
    // A nested parent's resource that reads a child which reads the parent leaves the parent
    // with the children (unnest.cpp).
    if (options_.layout.mode == WiringMode::kNested)
      unnest_gone_ = migrate::LeaveParentWithChildren(deployed_, options_.layout, rules_,
                                                      options_.allow_recreate, out_.moves);
    if (!RefuseImpossible()) return std::nullopt;
    if (options_.layout.mode == WiringMode::kNested) {
      std::set<std::string> retain;
      for (const ResourceMove& m : out_.moves)
        if (m.route == MoveRoute::kImport && DeployedIndex(m.id) == 0) retain.insert(m.id);
      auto unnest =
          migrate::UnnestSteps(options_.layout, base, retain, unnest_gone_, files_, sink_);
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
    prepared_ =
        migrate::Remodel(migrate::PreparedTemplate(deployed_, out_.moves, base), deployed_, sink_);
    if (!prepared_) return std::nullopt;
    if (!unnest_gone_.empty()) {
      unnested_ =
          migrate::Remodel(migrate::WithoutResources(*prepared_, unnest_gone_), deployed_, sink_);
      if (!unnested_) return std::nullopt;
    }
    if (!DetachState() || !RefactorStates() || !ImportState() || !FinalState()) return std::nullopt;
    AddUnions();
    BuildSteps();
    out_.files.insert(out_.files.begin(), files_.begin(), files_.end());
    return std::move(out_);
  }

 private:
  int PlanIndex(const std::string& id) const {
    auto it = index_.find(id);
    return it == index_.end() ? 0 : it->second;
  }

  // Where `id` is deployed, as an index into ext_plan_ (0: the base, or one deployed stack).
  int DeployedIndex(const std::string& id) const {
    const DeployedLayout& layout = options_.layout;
    auto home = layout.homes.find(id);
    if (home == layout.homes.end() || home->second == layout.stacks.front()) return 0;
    auto it = ext_index_.find(home->second);
    return it == ext_index_.end() ? 0 : it->second;
  }

  std::string DeployedPlanStack(const std::string& id) const {
    return ext_plan_.stacks[static_cast<std::size_t>(DeployedIndex(id))].name;
  }

  std::string StackNameOf(int index) const {
    return index == 0
               ? options_.deployed_stack
               : migrate::StackNameIn(options_.layout, options_.deployed_stack,
                                      ext_plan_.stacks[static_cast<std::size_t>(index)].name);
  }

  bool RefuseImpossible() {
    index_ = plan_.StackIndex();
    bool ok = true;
    for (const ResourceMove& m : out_.moves)
      if (m.route == MoveRoute::kImpossible) {
        const Resource* r = deployed_.FindResource(m.id);
        sink_.Error("E8002", r ? r->loc : SourceLoc{},
                    "'" + m.id + "' (" + m.type + ") cannot move from " + m.from_stack + " to " +
                        m.to_stack + " without replacement: " + m.reason +
                        ". Keep it where it is (`cfnsplit plan --deployed`, or --pin " + m.id +
                        "=" + DeployedPlanStack(m.id) + ") or accept its re-creation with " +
                        "--allow-recreate " + m.id);
        ok = false;
      }
    return ok;
  }

  // Prepare state, then one state per refactor batch: stacks (post stacks first: they only read
  // others, so moving them early never makes two stacks import from each other) join a batch
  // while the stacks that change stay within the per-refactor limit.
  bool RefactorStates() {
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
        if (migrate::ChangedStacks(states_.back(), *trial).size() > limit) {
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
  bool DetachState() {
    auto state = Emit(unnested_ ? *unnested_ : *prepared_, {}, "prepare", true);
    if (!state) return false;
    states_.push_back(std::move(*state));
    std::set<std::string> gap = import_;
    gap.insert(recreate_.begin(), recreate_.end());
    gap.insert(delete_.begin(), delete_.end());
    if (gap.empty()) return true;
    gap_model_ = migrate::Remodel(migrate::WithoutResources(*prepared_, gap), deployed_, sink_);
    if (!gap_model_) return false;
    auto gap_state = Emit(*gap_model_, {}, "detach", options_.verify_states);
    if (!gap_state) return false;
    gap_index_ = states_.size();
    states_.push_back(std::move(*gap_state));
    return true;
  }

  bool ImportState() {
    if (import_.empty()) return true;
    std::set<std::string> gone = recreate_;
    gone.insert(delete_.begin(), delete_.end());
    import_model_ = migrate::Remodel(migrate::WithoutResources(*prepared_, gone), deployed_, sink_);
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
  void WarnReplacements() {
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
      std::string text =
          "'" + m.id + "': " + what +
          " between the deployed stack and the split, so the finish step replaces it";
      sink_.Warning("W8005", after->loc, text);
      out_.warnings.push_back(text);
    }
  }

  bool FinalState() {
    EmitOptions options;
    options.mode = WiringMode::kExports;
    options.format = TemplateFormat::kJson;
    options.stack_name = options_.deployed_stack;
    options.max_root_outputs = rules_.Limit("outputs_per_stack");
    options.max_root_parameters = rules_.Limit("parameters_per_stack");
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
      f.path = "split/" + f.path;
      split_files_.push_back(std::move(f));
    }
    split_files_.push_back({"split/README.md", DeploySummary(target_, plan, *result, options)});
    WarnReplacements();
    return true;
  }

  // A refactored resource's unit of moving: its plan stack and the stack it is deployed in.
  static constexpr int kUnit = 1 << 16;
  int MoveUnit(const std::string& id) const {
    return refactor_home_.at(id) * kUnit + DeployedIndex(id);
  }

  std::optional<State> Emit(const TemplateModel& model, const std::set<int>& moved,
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

  std::optional<State> EmitWith(const TemplateModel& model,
                                const std::function<int(const std::string&)>& home,
                                const std::string& what, bool verify) {
    SplitPlan partial = migrate::PartialPlan(model, ext_plan_, home);
    if (verify) ++out_.states_verified;
    return migrate::EmitState(model, partial, rules_, options_.deployed_stack, verify, what, sink_,
                              options_.layout.stack_names);
  }

  // Parameters, conditions and mappings may not be added by a refactor or an import: every
  // intermediate template of a stack declares all those any of its states needs, from the
  // prepare step on. New stacks hold a placeholder until the finish step.
  void AddUnions() {
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

  static void AddPlaceholder(Value& tmpl) {
    Value* resources = tmpl.Find("Resources");
    if (!resources) {
      tmpl.Set("Resources", Value::Map());
      resources = tmpl.Find("Resources");
    }
    Value placeholder = Value::Map();
    placeholder.Set("Type", Value::String("AWS::CloudFormation::WaitConditionHandle"));
    resources->Set(migrate::kPlaceholderId, std::move(placeholder));
  }

  std::string AddTemplate(const std::string& folder, const std::string& stack, const Value& t) {
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

  void BuildSteps();
  void PrepareStep(std::size_t& n);
  void RefactorSteps(std::size_t& n);
  void DetachStep(std::size_t& n);
  void ImportStep(std::size_t& n);
  void FinishStep(std::size_t n);
  std::vector<std::string> ReverseOrder(const State& s) const {
    return {s.order.rbegin(), s.order.rend()};
  }
  bool TooBigForBody(const std::string& path) const {
    for (const EmittedFile& f : files_)
      if (f.path == path)
        return f.contents.size() > rules_.refactor.Limit("template_body_bytes", 51200);
    return false;
  }

  const TemplateModel& deployed_;
  const TemplateModel& target_;
  const SplitPlan& plan_;
  const RuleSet& rules_;
  const MigrateOptions& options_;
  DiagnosticSink& sink_;
  Migration out_;
  std::map<std::string, int> index_;
  std::map<std::string, int> refactor_home_;
  std::map<std::string, std::string> refactor_from_;  ///< refactored resource → deployed stack
  SplitPlan ext_plan_;                                ///< plan_ + deployed stacks it lacks
  std::map<std::string, int> ext_index_;              ///< ext_plan_ stack name → index
  std::set<std::string> import_, recreate_, delete_;
  std::unique_ptr<TemplateModel> prepared_, gap_model_, import_model_;
  std::vector<MigrationStep> unnest_steps_;  ///< a deployed nested split's first steps
  std::set<std::string> unnest_gone_;        ///< parent resources leaving with the children
  std::unique_ptr<TemplateModel> unnested_;  ///< prepared_ without unnest_gone_
  std::vector<State> states_;                ///< prepare, [detach], batches…, [import]
  std::vector<std::set<int>> batch_moves_;   ///< units (MoveUnit) moved after each batch
  std::vector<std::size_t> batch_index_;     ///< index in states_ of the state after each batch
  std::set<int> refactor_done_;
  std::size_t gap_index_ = 0, import_index_ = 0;
  State final_;
  std::map<std::string, Value> shells_;  ///< new stack → its prepare template
  std::set<std::string> created_;        ///< stacks that exist before the finish step
  std::vector<EmittedFile> files_, split_files_;
  std::map<std::string, std::vector<std::string>> user_parameters_;  ///< template file → names
};

void MigrationPlanner::BuildSteps() {
  std::size_t n = 1 + unnest_steps_.size();
  for (MigrationStep& step : unnest_steps_) out_.steps.push_back(std::move(step));
  PrepareStep(n);
  DetachStep(n);
  RefactorSteps(n);
  ImportStep(n);
  FinishStep(n);
  out_.refactor_batches = batch_moves_.size();
  for (MigrationStep& step : out_.steps)
    for (MigrationOp& op : step.ops)
      if (op.kind != MigrationOp::Kind::kRefactor)
        for (const auto& [stack, file] : op.stacks)
          for (const std::string& p : user_parameters_[file]) op.user_parameters.push_back(p);
  for (const EmittedFile& f : split_files_) files_.push_back(f);
  auto more = migrate::RenderMigrationFiles(out_, options_.deployed_stack);
  files_.insert(files_.end(), more.begin(), more.end());
}

void MigrationPlanner::PrepareStep(std::size_t& n) {
  MigrationStep step;
  step.folder = StepFolder(n++, "prepare");
  step.title = "Prepare (ordinary updates)";
  step.what =
      "Updates the deployed stack with everything a refactor may not do itself: DeletionPolicy "
      "Retain on resources the import route moves, AWS::StackName written out where a moved "
      "resource reads it (same value), and every parameter, condition and mapping the later "
      "states declare. Creates each new stack that receives resources by refactoring, holding "
      "only a placeholder (AWS::CloudFormation::WaitConditionHandle) and those declarations, "
      "with the deployed stack's parameter values.";
  const State& prep = states_.front();
  std::set<std::string> deployed = {options_.deployed_stack};
  for (std::size_t i = 1; i < options_.layout.stacks.size(); ++i)
    deployed.insert(
        migrate::StackNameIn(options_.layout, options_.deployed_stack, options_.layout.stacks[i]));
  for (const std::string& stack : prep.order) {
    if (!deployed.count(stack)) continue;
    MigrationOp update;
    update.kind = MigrationOp::Kind::kUpdate;
    update.stacks.push_back({stack, AddTemplate(step.folder, stack, prep.templates.at(stack))});
    step.ops.push_back(update);
  }
  created_.insert(deployed.begin(), deployed.end());
  // Stacks that receive a refactored resource exist before the first refactor.
  const State& last = batch_index_.empty() ? states_.front() : states_[batch_index_.back()];
  for (const std::string& stack : last.order) {
    if (created_.count(stack) || !shells_.count(stack)) continue;
    MigrationOp create;
    create.kind = MigrationOp::Kind::kCreate;
    create.stacks.push_back({stack, AddTemplate(step.folder, stack, shells_.at(stack))});
    step.ops.push_back(create);
    created_.insert(stack);
  }
  out_.steps.push_back(std::move(step));
}

void MigrationPlanner::RefactorSteps(std::size_t& n) {
  for (std::size_t b = 0; b < batch_moves_.size(); ++b) {
    const State& before = states_[batch_index_[b] - 1];
    const State& after = states_[batch_index_[b]];
    MigrationStep step;
    step.folder = StepFolder(n++, "refactor-" + std::to_string(b + 1));
    step.title =
        "Refactor batch " + std::to_string(b + 1) + " of " + std::to_string(batch_moves_.size());
    MigrationOp op;
    op.kind = MigrationOp::Kind::kRefactor;
    Value definitions = Value::List();
    Value mappings = Value::List();
    for (const std::string& stack : migrate::ChangedStacks(before, after)) {
      std::string file = AddTemplate(step.folder, stack, after.templates.at(stack));
      op.stacks.push_back({stack, file});
      Value def = Value::Map();
      def.Set("StackName", Value::String(stack));
      if (TooBigForBody(file)) {
        def.Set("TemplateURL", Value::String("@TEMPLATE_URL_PREFIX@/" + file));
        op.template_urls.push_back(stack);
      } else {
        def.Set("TemplateBody", Value::String(WriteJson(after.templates.at(stack))));
      }
      definitions.Append(std::move(def));
    }
    std::size_t moved = 0;
    for (const auto& [id, home] : refactor_home_) {
      bool now = batch_moves_[b].count(MoveUnit(id)) > 0;
      bool earlier = b > 0 && batch_moves_[b - 1].count(MoveUnit(id)) > 0;
      if (!now || earlier) continue;
      std::string to = StackNameOf(home);
      Value m = Value::Map();
      Value src = Value::Map(), dst = Value::Map();
      src.Set("StackName", Value::String(refactor_from_.at(id)));
      src.Set("LogicalResourceId", Value::String(id));
      dst.Set("StackName", Value::String(to));
      dst.Set("LogicalResourceId", Value::String(id));
      m.Set("Source", std::move(src));
      m.Set("Destination", std::move(dst));
      mappings.Append(std::move(m));
      ++moved;
      const std::string& type = prepared_->FindResource(id)->type;
      if (std::find(op.moved_types.begin(), op.moved_types.end(), type) == op.moved_types.end())
        op.moved_types.push_back(type);
    }
    op.stack_definitions = step.folder + "/stack-definitions.json";
    op.resource_mappings = step.folder + "/resource-mappings.json";
    files_.push_back({op.stack_definitions, WriteJson(definitions)});
    files_.push_back({op.resource_mappings, WriteJson(mappings)});
    step.what = "Moves " + std::to_string(moved) + " resource(s) across " +
                std::to_string(op.stacks.size()) +
                " stacks with one stack refactor (create-stack-refactor, check the actions, "
                "execute); every resource keeps its physical ID and configuration.";
    step.ops.push_back(std::move(op));
    out_.steps.push_back(std::move(step));
  }
}

void MigrationPlanner::DetachStep(std::size_t& n) {
  if (!gap_index_) return;
  const State& before = states_[gap_index_ - 1];
  const State& gap = states_[gap_index_];
  auto changed = migrate::ChangedStacks(before, gap);
  if (changed.empty()) return;  // what leaves left the parent with the children
  MigrationStep step;
  step.folder = StepFolder(n++, "detach");
  step.title = "Detach (ordinary update; the gap starts)";
  step.what =
      "Removes from the deployed stack, before any refactor, the resources that are "
      "re-created (" +
      std::to_string(recreate_.size()) +
      ": deleted now, created again by the finish step), imported (" +
      std::to_string(import_.size()) +
      ": DeletionPolicy Retain keeps them) or no "
      "longer in the template (" +
      std::to_string(delete_.size()) + "). migrate.sh records every physical ID first.";
  for (const std::string& stack : ReverseOrder(gap)) {
    if (std::find(changed.begin(), changed.end(), stack) == changed.end()) continue;
    MigrationOp op;
    op.kind = MigrationOp::Kind::kUpdate;
    op.stacks.push_back({stack, AddTemplate(step.folder, stack, gap.templates.at(stack))});
    step.ops.push_back(std::move(op));
  }
  out_.steps.push_back(std::move(step));
}

void MigrationPlanner::ImportStep(std::size_t& n) {
  if (!import_index_) return;
  const State& before = states_[import_index_ - 1];
  const State& imp = states_[import_index_];
  MigrationStep istep;
  istep.folder = StepFolder(n++, "import");
  istep.title = "Import (IMPORT change sets)";
  istep.what =
      "Takes each retained resource into its new stack with an IMPORT change set "
      "(resources-to-import; identifiers filled in from the recorded physical IDs). "
      "Stacks that only gain exports for them are updated first.";
  std::map<std::string, std::vector<std::string>> by_stack;
  for (const ResourceMove& m : out_.moves)
    if (m.route == MoveRoute::kImport) by_stack[m.to_stack].push_back(m.id);
  auto changed = migrate::ChangedStacks(before, imp);
  for (const std::string& stack : imp.order) {
    if (std::find(changed.begin(), changed.end(), stack) == changed.end()) continue;
    MigrationOp op;
    op.stacks.push_back({stack, AddTemplate(istep.folder, stack, imp.templates.at(stack))});
    if (!by_stack.count(stack)) {
      op.kind = MigrationOp::Kind::kUpdate;
    } else {
      op.kind = MigrationOp::Kind::kImport;
      Value list = Value::List();
      for (const std::string& id : by_stack[stack]) {
        const Resource* r = deployed_.FindResource(id);
        const TypeFact* f = RefactorRules::Find(rules_.refactor.importable, r->type);
        Value e = Value::Map();
        e.Set("ResourceType", Value::String(r->type));
        e.Set("LogicalResourceId", Value::String(id));
        Value ident = Value::Map();
        ident.Set(f->detail, Value::String("@PHYSICAL:" +
                                           migrate::DeployedStackOf(id, options_.deployed_stack,
                                                                    options_.layout) +
                                           ":" + id + "@"));
        e.Set("ResourceIdentifier", std::move(ident));
        list.Append(std::move(e));
      }
      if (const Value* params = imp.templates.at(stack).Find("Parameters"))
        for (const auto& k : params->keys()) op.parameters.push_back(k.name);
      op.stack_exists = created_.count(stack) > 0;
      op.resources_to_import = istep.folder + "/" + stack + ".resources-to-import.json";
      files_.push_back({op.resources_to_import, WriteJson(list)});
      created_.insert(stack);
    }
    istep.ops.push_back(std::move(op));
  }
  out_.steps.push_back(std::move(istep));
}

// Producers first with the final templates, keeping any export the previous state had that the
// final one drops (an export in use cannot go); then the exports nobody imports any more go.
void MigrationPlanner::FinishStep(std::size_t n) {
  const State& last = states_.back();
  MigrationStep step;
  step.folder = StepFolder(n, "finish");
  step.title = "Finish (ordinary updates to the split)";
  step.what =
      "Brings every stack to cfnsplit's verified split (split/): placeholders removed, "
      "re-created and new resources created, changed definitions applied, DeletionPolicy "
      "restored. Stale exports are kept for one update and removed after their readers.";
  std::vector<MigrationOp> cleanup;
  for (const std::string& stack : final_.order) {
    Value tmpl = final_.templates.at(stack);
    bool kept = false;
    auto prev = last.templates.find(stack);
    if (prev != last.templates.end()) {
      const Value* old_outputs = prev->second.Find("Outputs");
      const Value* resources = tmpl.Find("Resources");
      for (std::size_t i = 0; old_outputs && i < old_outputs->size(); ++i) {
        const Value& o = old_outputs->items()[i];
        const std::string& name = old_outputs->keys()[i].name;
        if (!o.Find("Export")) continue;
        const Value* now = tmpl.Find("Outputs") ? tmpl.Find("Outputs")->Find(name) : nullptr;
        if (now) continue;
        auto model = migrate::Remodel(prev->second, deployed_, sink_);
        bool resolvable = model != nullptr;
        for (const Reference& ref : model ? model->references : std::vector<Reference>{})
          if (ref.site == SiteKind::kOutput && ref.from == name &&
              ref.target == TargetKind::kResource && !(resources && resources->Find(ref.to)))
            resolvable = false;
        if (!resolvable) continue;
        if (!tmpl.Find("Outputs")) tmpl.Set("Outputs", Value::Map());
        tmpl.Find("Outputs")->Set(name, o);
        kept = true;
      }
    }
    MigrationOp op;
    op.kind = created_.count(stack) ? MigrationOp::Kind::kUpdate : MigrationOp::Kind::kCreate;
    std::string file = kept ? AddTemplate(step.folder + "/keep-exports", stack, tmpl)
                            : AddTemplate(step.folder, stack, final_.templates.at(stack));
    op.stacks.push_back({stack, file});
    step.ops.push_back(std::move(op));
    if (kept) {
      MigrationOp again;
      again.kind = MigrationOp::Kind::kUpdate;
      again.stacks.push_back({stack, AddTemplate(step.folder, stack, final_.templates.at(stack))});
      cleanup.push_back(std::move(again));
    }
  }
  std::reverse(cleanup.begin(), cleanup.end());
  for (MigrationOp& op : cleanup) step.ops.push_back(std::move(op));
  // A deployed stack the split lacks holds only its placeholder by now, and nothing imports
  // from it any more (its readers have their final templates): it is deleted last.
  for (const std::string& stack : last.order)
    if (!final_.templates.count(stack)) {
      MigrationOp del;
      del.kind = MigrationOp::Kind::kDelete;
      del.stacks.push_back({stack, ""});
      step.ops.push_back(std::move(del));
    }
  out_.steps.push_back(std::move(step));
}

}  // namespace

std::optional<Migration> PlanMigration(const TemplateModel& deployed, const TemplateModel& target,
                                       const SplitPlan& plan, const RuleSet& rules,
                                       const MigrateOptions& options, DiagnosticSink& sink) {
  timings::Scope timing("migrate");
  if (plan.stacks.empty()) {
    sink.Error("E8001", {}, "the plan has no stacks");
    return std::nullopt;
  }
  MigrationPlanner planner(deployed, target, plan, rules, options, sink);
  return planner.Run();
}

}  // namespace cfnsplit
