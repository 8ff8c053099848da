// Private to the constraints stage.
#pragma once

#include "cfnsplit/constraints.hpp"

namespace cfnsplit {

void CheckStackGraph(const Analysis& a, const SplitPlan& plan, const std::vector<int>& stack_of,
                     PlanCheck& out);
void ComputeFigures(const Analysis& a, const SplitPlan& plan, const std::vector<int>& stack_of,
                    const PackageView& packages, const RuleSet& rules, PlanCheck& out);
void CheckQuotas(const SplitPlan& plan, const PackageView& packages, const RuleSet& rules,
                 PlanCheck& out);

}  // namespace cfnsplit
