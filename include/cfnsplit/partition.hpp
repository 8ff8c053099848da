// Partition: decide which resources go into which stack.
//
// Input: the Analysis of a template, package sizes (may be empty), the RuleSet and PlanOptions.
// Output: a SplitPlan with a reason for every placement. The construction keeps every hard
// constraint by design and the result is then checked with CheckPlan; a plan that fails the
// check is never returned.
//
// How: resources are merged into units that must stay together (a reference cycle; a function
// with its satellites), stateful data, shared infrastructure and everything they need stay in the
// base stack, resources used by exactly one function follow it, and function clusters are packed
// into stacks first-fit-decreasing by package size, preferring the stack whose artifact already
// ships the most of the cluster's dependencies; then stacks are emptied into others where they fit.
// Because a function stack depends only on the base stack (and, in exports mode, a "post" stack
// takes what depends on several function stacks), the stack graph is acyclic by construction.
#pragma once

#include <optional>

#include "cfnsplit/constraints.hpp"

namespace cfnsplit {

/// Makes the plan; findings (E4xxx) go to `sink`. Returns nullopt when no valid plan exists.
/// `final_check`, when given, receives the CheckPlan of the returned plan (computed here anyway),
/// so that callers need not check the same plan again.
std::optional<SplitPlan> PartitionTemplate(const Analysis& a, const PackageView& packages,
                                           const RuleSet& rules, const PlanOptions& options,
                                           DiagnosticSink& sink, PlanCheck* final_check = nullptr);

/// Copies figures from a check into the plan's stacks.
void ApplyFigures(SplitPlan& plan, const PlanCheck& check);

}  // namespace cfnsplit
