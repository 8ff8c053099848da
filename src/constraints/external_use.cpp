// What a set of resources takes from outside it: the wiring a stack of them will need.
#include <algorithm>

#include "cfnsplit/constraints.hpp"

namespace cfnsplit {
namespace {

// Conditions can use parameters and other conditions; a stack that re-declares a condition needs
// all of them.
void AddCondition(const TemplateModel& m, const std::string& name, ExternalUse& use) {
  if (!use.conditions.insert(name).second) return;
  for (const Reference& r : m.references) {
    if (r.site != SiteKind::kCondition || r.from != name) continue;
    if (r.kind == RefKind::kCondition)
      AddCondition(m, r.to, use);
    else if (r.target == TargetKind::kParameter)
      use.parameters.insert(r.to);
    else if (r.kind == RefKind::kFindInMap)
      use.mappings.insert(r.to);
  }
}

}  // namespace

std::string ValueKey(const Reference& r) {
  return r.attribute.empty() ? r.to : r.to + "." + r.attribute;
}

std::vector<ExternalUse> ExternalUsesByStack(const Analysis& a, const std::vector<int>& stack_of,
                                             std::size_t stacks) {
  const TemplateModel& m = *a.model;
  std::vector<ExternalUse> uses(stacks);
  std::vector<std::set<std::string>> conditions(stacks);
  // One pass over the references: the per-stack sets are what a stack's wiring will need.
  for (const Reference& r : m.references) {
    if (r.site != SiteKind::kResource) continue;
    long from = m.ResourceIndex(r.from);
    if (from < 0 || stack_of[static_cast<std::size_t>(from)] < 0) continue;
    auto s = static_cast<std::size_t>(stack_of[static_cast<std::size_t>(from)]);
    ExternalUse& use = uses[s];
    switch (r.target) {
      case TargetKind::kResource: {
        long to = m.ResourceIndex(r.to);
        if (to >= 0 && stack_of[static_cast<std::size_t>(to)] != static_cast<int>(s) &&
            r.kind != RefKind::kDependsOn)
          use.values.insert(ValueKey(r));
        break;
      }
      case TargetKind::kParameter:
        use.parameters.insert(r.to);
        break;
      case TargetKind::kPseudo:
        if (r.to == "AWS::StackName" || r.to == "AWS::StackId") use.values.insert("pseudo:" + r.to);
        break;
      case TargetKind::kCondition:
        conditions[s].insert(r.to);
        break;
      case TargetKind::kMapping:
        use.mappings.insert(r.to);
        break;
      default:
        break;
    }
  }
  for (std::size_t s = 0; s < stacks; ++s)
    for (const auto& c : conditions[s]) AddCondition(m, c, uses[s]);
  return uses;
}

ExternalUse ExternalUseOf(const Analysis& a, const std::vector<char>& inside) {
  std::vector<int> stack_of(inside.size());
  for (std::size_t i = 0; i < inside.size(); ++i) stack_of[i] = inside[i] ? 0 : 1;
  return ExternalUsesByStack(a, stack_of, 2)[0];
}

}  // namespace cfnsplit
