// What a set of resources takes from outside it: the wiring a stack of them will need.
#include <algorithm>
#include <map>

#include "cfnsplit/constraints.hpp"

namespace cfnsplit {
namespace {

using ConditionRefs = std::map<std::string, std::vector<const Reference*>>;

// Conditions can use parameters and other conditions; a stack that re-declares a condition needs
// all of them. `refs` holds the references written in each condition, grouped once.
void AddCondition(const ConditionRefs& refs, const std::string& name, ExternalUse& use) {
  if (!use.conditions.insert(name).second) return;
  auto it = refs.find(name);
  if (it == refs.end()) return;
  for (const Reference* r : it->second) {
    if (r->kind == RefKind::kCondition)
      AddCondition(refs, r->to, use);
    else if (r->target == TargetKind::kParameter)
      use.parameters.insert(r->to);
    else if (r->kind == RefKind::kFindInMap)
      use.mappings.insert(r->to);
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
    long from = r.from_resource;
    if (from < 0 || stack_of[static_cast<std::size_t>(from)] < 0) continue;
    auto s = static_cast<std::size_t>(stack_of[static_cast<std::size_t>(from)]);
    ExternalUse& use = uses[s];
    switch (r.target) {
      case TargetKind::kResource: {
        long to = r.to_resource;
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
  ConditionRefs condition_refs;
  for (const Reference& r : m.references)
    if (r.site == SiteKind::kCondition) condition_refs[r.from].push_back(&r);
  for (std::size_t s = 0; s < stacks; ++s)
    for (const auto& c : conditions[s]) AddCondition(condition_refs, c, uses[s]);
  return uses;
}

}  // namespace cfnsplit
