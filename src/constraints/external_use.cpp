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
    if (r.kind == RefKind::kCondition) AddCondition(m, r.to, use);
    else if (r.target == TargetKind::kParameter) use.parameters.insert(r.to);
    else if (r.kind == RefKind::kFindInMap) use.mappings.insert(r.to);
  }
}

}  // namespace

std::string ValueKey(const Reference& r) {
  return r.attribute.empty() ? r.to : r.to + "." + r.attribute;
}

ExternalUse ExternalUseOf(const Analysis& a, const std::vector<char>& inside) {
  const TemplateModel& m = *a.model;
  ExternalUse use;
  std::vector<std::string> conditions;
  for (const Reference& r : m.references) {
    if (r.site != SiteKind::kResource) continue;
    long from = m.ResourceIndex(r.from);
    if (from < 0 || !inside[static_cast<std::size_t>(from)]) continue;
    switch (r.target) {
      case TargetKind::kResource: {
        long to = m.ResourceIndex(r.to);
        if (to >= 0 && !inside[static_cast<std::size_t>(to)] && r.kind != RefKind::kDependsOn)
          use.values.insert(ValueKey(r));
        break;
      }
      case TargetKind::kParameter: use.parameters.insert(r.to); break;
      case TargetKind::kPseudo:
        if (r.to == "AWS::StackName" || r.to == "AWS::StackId") use.values.insert("pseudo:" + r.to);
        break;
      case TargetKind::kCondition: conditions.push_back(r.to); break;
      case TargetKind::kMapping: use.mappings.insert(r.to); break;
      default: break;
    }
  }
  for (const auto& c : conditions) AddCondition(m, c, use);
  return use;
}

}  // namespace cfnsplit
