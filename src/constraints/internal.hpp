// Private to the constraints stage.
#pragma once

#include "cfnsplit/constraints.hpp"

namespace cfnsplit {

/// "Res" for Ref, "Res.Attr" for GetAtt and Sub's ${Res.Attr}.
std::string ValueKey(const Reference& r);
/// Estimated bytes of a value written as indented JSON.
std::uint64_t ApproxJsonBytes(const Value& v, int depth = 0);

void CheckStackGraph(const Analysis& a, const SplitPlan& plan, const std::vector<int>& stack_of,
                     PlanCheck& out);
void ComputeFigures(const Analysis& a, const SplitPlan& plan, const std::vector<int>& stack_of,
                    const PackageView& packages, const RuleSet& rules, PlanCheck& out);
void CheckQuotas(const SplitPlan& plan, const PackageView& packages, const RuleSet& rules,
                 PlanCheck& out);

}  // namespace cfnsplit
