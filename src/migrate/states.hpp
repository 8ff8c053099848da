// Intermediate states of a migration (see states.cpp).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cfnsplit/migrate.hpp"

namespace cfnsplit::migrate {

/// Every stack's template at one moment of the migration, by CloudFormation stack name.
struct State {
  std::map<std::string, Value> templates;
  std::map<std::string, std::string> plan_names;  ///< stack name → the plan's stack name
  std::vector<std::string> order;                 ///< deploy order (producers first)
};

/// The deployed template as the prepare step leaves it: DeletionPolicy Retain on resources that
/// will be imported, AWS::StackName written out in resources stack refactoring will move.
Value PreparedTemplate(const TemplateModel& deployed, const std::vector<ResourceMove>& moves,
                       const std::string& stack);
/// `model`'s template without the resources `gone`, the DependsOn naming them and the outputs
/// that read them.
Value WithoutResources(const TemplateModel& model, const std::set<std::string>& gone);
/// Models a derived template (locations stay those of `like`'s file); null after an error.
std::unique_ptr<TemplateModel> Remodel(Value root, const TemplateModel& like, DiagnosticSink& sink);
/// The plan's stacks (names, roles, owners; no packages) holding `model`'s resources where
/// `home` says (an index into plan.stacks; anything else is the base).
SplitPlan PartialPlan(const TemplateModel& model, const SplitPlan& plan,
                      const std::function<int(const std::string&)>& home);
/// Emits `plan` over `model` in exports mode, the base named `stack` (the stacks of
/// `stack_names` under those names); with `verify`, proves it
/// equal to `model`. E8004 (naming `what`) when it cannot.
std::optional<State> EmitState(const TemplateModel& model, const SplitPlan& plan,
                               const RuleSet& rules, const std::string& stack, bool verify,
                               const std::string& what, DiagnosticSink& sink,
                               const std::map<std::string, std::string>& stack_names = {});
/// The exports of `stack_name` (plan stack `plan_name`, deployed under a name other than
/// `<root>-<plan_name>`) named as the other stacks import them: `<root>-<plan_name>-<Name>`.
void NameExportsAsImported(State& state, const std::string& root, const std::string& plan_name,
                           const std::string& stack_name);
/// Stacks whose template differs between two states, or that exist in only one.
std::vector<std::string> ChangedStacks(const State& before, const State& after);

}  // namespace cfnsplit::migrate
