// The migration planner shared by the migrate stage's files (planner.cpp: the run and the
// states' bookkeeping; planner_states.cpp: the intermediate states; steps.cpp: the numbered
// steps and their files). Not a public interface.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cfnsplit/migrate.hpp"
#include "migrate/internal.hpp"
#include "migrate/states.hpp"

namespace cfnsplit::migrate {

/// "NN-name": a step's folder under MIGRATION/.
std::string StepFolder(std::size_t number, const std::string& name);

/// A nested plan is reached through its exports-mode twin (same placements): the children are
/// first stacks of their own, then nested into the parent by resource import (nest.cpp).
struct NestTarget {
  const TemplateModel* model = nullptr;  ///< the plan's template
  const SplitPlan* plan = nullptr;       ///< the nested plan
  /// The template and plan of the exports-mode route: without the `gap` resources, which read a
  /// child that reads the parent (no exports-mode state can hold them).
  std::unique_ptr<TemplateModel> exports_model;
  SplitPlan exports_plan;
  std::map<std::string, std::string> gap;  ///< resource → why the route re-creates it
};

/// The exports-mode route to the nested plan `plan`: its gap resources (each must be safe to
/// re-create, else E8006), template and plan. nullopt after an error reported to `sink`.
std::optional<NestTarget> PrepareNestTarget(const TemplateModel& deployed,
                                            const TemplateModel& target, const SplitPlan& plan,
                                            const RuleSet& rules, const MigrateOptions& options,
                                            DiagnosticSink& sink);

/// Plans one migration: the moves, every intermediate state (each an emission of the deployed
/// template under a partial plan), then the steps between them (PlanMigration's work).
class MigrationPlanner {
 public:
  MigrationPlanner(const TemplateModel& deployed, const TemplateModel& target,
                   const SplitPlan& plan, const RuleSet& rules, const MigrateOptions& options,
                   DiagnosticSink& sink, const NestTarget* nest = nullptr);

  std::optional<Migration> Run();

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
    return index == 0 ? options_.deployed_stack
                      : StackNameIn(options_.layout, options_.deployed_stack,
                                    ext_plan_.stacks[static_cast<std::size_t>(index)].name);
  }

  bool RefuseImpossible();

  // Prepare state, then one state per refactor batch: stacks (post stacks first: they only read
  // others, so moving them early never makes two stacks import from each other) join a batch
  // while the stacks that change stay within the per-refactor limit.
  bool RefactorStates();

  // Prepare (everything still in the deployed stack) and detach: the resources that are
  // imported, re-created or deleted leave the deployed stack before any refactor, so that none
  // of them reads a moved resource from the stack it is leaving (that would make two stacks
  // import from each other).
  bool DetachState();

  bool ImportState();

  // The finish step is an ordinary update: a resource whose fixed name or package type changes
  // there is replaced, and a replacement keeping its fixed name fails (W8005).
  void WarnReplacements();

  bool FinalState();
  /// How the final split is emitted in `mode`: JSON, the deployed stack's name, its root quotas.
  EmitOptions FinalEmitOptions(WiringMode mode) const;

  // A refactored resource's unit of moving: its plan stack and the stack it is deployed in.
  static constexpr int kUnit = 1 << 16;
  int MoveUnit(const std::string& id) const {
    return refactor_home_.at(id) * kUnit + DeployedIndex(id);
  }

  std::optional<State> Emit(const TemplateModel& model, const std::set<int>& moved,
                            const std::string& what, bool verify);

  std::optional<State> EmitWith(const TemplateModel& model,
                                const std::function<int(const std::string&)>& home,
                                const std::string& what, bool verify);

  // Parameters, conditions and mappings may not be added by a refactor or an import: every
  // intermediate template of a stack declares all those any of its states needs, from the
  // prepare step on. New stacks hold a placeholder until the finish step.
  void AddUnions();

  static void AddPlaceholder(Value& tmpl);

  std::string AddTemplate(const std::string& folder, const std::string& stack, const Value& t);

  // Where the exports-mode split goes: split/, or split-exports/ on the way to a nested one.
  std::string SplitFolder() const { return nest_ ? "split-exports/" : "split/"; }
  bool BuildSteps();
  void PrepareStep(std::size_t& n);
  void RefactorSteps(std::size_t& n);
  void DetachStep(std::size_t& n);
  void ImportStep(std::size_t& n);
  void FinishStep(std::size_t& n);

  // Nested target (nest.cpp): the gap resources' routes, the verified nested split, and the
  // steps after the exports-mode finish: nest (IMPORT of the children into the parent),
  // rewire (the nested wiring with the old exports kept), finish-nested.
  void RouteNestGaps();
  bool NestedFinalState();
  bool NestSteps(std::size_t& n);
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
  const NestTarget* nest_ = nullptr;  ///< set when the plan is nested
  std::optional<EmitResult> nested_;  ///< the verified nested split (nest_ only)
};

}  // namespace cfnsplit::migrate
