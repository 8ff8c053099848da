// CheckPlan: coverage, co-location, lifecycle, ownership, stack-graph and quota checks of a plan.
#include <algorithm>
#include <cmath>
#include <set>

#include "cfnsplit/constraints.hpp"
#include "cfnsplit/timings.hpp"
#include "constraints/internal.hpp"

namespace cfnsplit {

std::uint64_t Budget(const RuleSet& rules, QuotaMeasure measure, double headroom) {
  std::uint64_t limit = rules.quotas.Limit(measure, {QuotaScope::kStack, QuotaScope::kFunction});
  if (limit == UINT64_MAX) return UINT64_MAX;
  return static_cast<std::uint64_t>(std::floor(static_cast<double>(limit) * headroom + 1e-9));
}

std::optional<std::uint64_t> StackFigure(const StackFigures& f, QuotaMeasure measure) {
  switch (measure) {
    case QuotaMeasure::kResources:
      return f.resources;
    case QuotaMeasure::kParameters:
      return f.parameters;
    case QuotaMeasure::kOutputs:
      return f.outputs;
    case QuotaMeasure::kMappings:
      return f.mappings;
    case QuotaMeasure::kTemplateBytes:
      return f.template_bytes;
    case QuotaMeasure::kPackageBytes:
      return f.package_bytes;
    default:
      return std::nullopt;
  }
}

std::uint64_t StackPackageBytes(const PackageView& view, const std::vector<std::string>& ids) {
  std::vector<char> seen(view.dist_names.size(), 0);
  std::uint64_t total = 0, max_layers = 0;
  for (const auto& id : ids) {
    auto it = view.functions.find(id);
    if (it == view.functions.end()) continue;
    for (std::uint32_t d : it->second.dists)
      if (!seen[d]) {
        seen[d] = 1;
        total += view.dist_bytes[d];
      }
    total += it->second.code_bytes;
    max_layers = std::max(max_layers, it->second.layer_bytes);
  }
  return total + max_layers;
}

namespace {

bool IsPinned(const SplitPlan& plan, const std::string& id) {
  for (const auto& p : plan.options.pins)
    if (p.resource == id) return true;
  return false;
}

void CheckCoverage(const Analysis& a, const SplitPlan& plan, std::vector<int>& stack_of,
                   PlanCheck& out) {
  const TemplateModel& m = *a.model;
  stack_of.assign(m.resources.size(), -1);
  std::set<std::string> names;
  for (std::size_t s = 0; s < plan.stacks.size(); ++s) {
    const auto& stack = plan.stacks[s];
    if (!IsLogicalId(stack.name) || !names.insert(stack.name).second)
      out.violations.push_back({"E4009",
                                "stack name '" + stack.name + "' is " +
                                    (IsLogicalId(stack.name) ? "used twice" : "not alphanumeric"),
                                "give every stack a unique alphanumeric name", stack.name, ""});
    for (const auto& id : stack.resources) {
      long i = m.ResourceIndex(id);
      if (i < 0) {
        std::vector<std::string> ids;
        for (const auto& r : m.resources) ids.push_back(r.id);
        std::string hint = SuggestClosest(id, ids);
        out.violations.push_back(
            {"E4001", "'" + id + "' is not a resource of the template",
             hint.empty() ? "remove it from the plan" : "did you mean '" + hint + "'?", stack.name,
             ""});
        continue;
      }
      int& slot = stack_of[static_cast<std::size_t>(i)];
      if (slot >= 0) {
        out.violations.push_back(
            {"E4001", "'" + id + "' is in both " + plan.stacks[slot].name + " and " + stack.name,
             "keep it in one stack", stack.name, ""});
        continue;
      }
      slot = static_cast<int>(s);
    }
  }
  for (std::size_t i = 0; i < stack_of.size(); ++i) {
    if (stack_of[i] >= 0) continue;
    const auto& info = a.info[i];
    int home = info.function >= 0 ? stack_of[static_cast<std::size_t>(info.function)] : 0;
    std::string where = plan.stacks.empty() ? "a stack" : plan.stacks[std::max(home, 0)].name;
    out.violations.push_back({"E4001", "'" + m.resources[i].id + "' is in no stack",
                              "add it to " + where, "", m.resources[i].id});
  }
}

void CheckColocation(const Analysis& a, const SplitPlan& plan, const std::vector<int>& stack_of,
                     PlanCheck& out) {
  const TemplateModel& m = *a.model;
  for (const auto& cycle : a.cycles) {
    int first = stack_of[cycle.front()];
    for (auto n : cycle)
      if (stack_of[n] >= 0 && first >= 0 && stack_of[n] != first) {
        out.violations.push_back(
            {"E4002", "the reference cycle " + FormatCycle(m, cycle) + " is split across stacks",
             "move " + m.resources[n].id + " to " + plan.stacks[first].name,
             plan.stacks[stack_of[n]].name, m.resources[n].id});
        break;
      }
  }
  for (const Bond& b : a.bonds) {
    int from = stack_of[b.from], to = stack_of[b.to];
    if (from < 0 || to < 0 || from == to) continue;
    out.violations.push_back(
        {"E4016",
         m.resources[b.from].id + " (in " + plan.stacks[from].name + ") and " +
             m.resources[b.to].id + " (in " + plan.stacks[to].name + ") must share a stack: " +
             b.why,
         "move " + m.resources[b.from].id + " to " + plan.stacks[to].name,
         plan.stacks[from].name, m.resources[b.from].id});
  }
  for (std::size_t i = 0; i < a.info.size(); ++i) {
    const auto& info = a.info[i];
    if (info.cls != LifecycleClass::kSatellite || info.function < 0 || stack_of[i] < 0) continue;
    int fs = stack_of[static_cast<std::size_t>(info.function)];
    if (fs < 0 || fs == stack_of[i] || IsPinned(plan, m.resources[i].id)) continue;
    out.violations.push_back(
        {"E4003",
         m.resources[i].id + " (" + m.resources[i].type + ") is a satellite of " +
             m.resources[info.function].id + " but sits in another stack",
         "move " + m.resources[i].id + " to " + plan.stacks[fs].name + ", or pin it where it is",
         plan.stacks[stack_of[i]].name, m.resources[i].id});
  }
}

void CheckLifecycleAndOwners(const Analysis& a, const SplitPlan& plan,
                             const std::vector<int>& stack_of, PlanCheck& out) {
  const TemplateModel& m = *a.model;
  for (std::size_t i = 0; i < a.info.size(); ++i) {
    if (a.info[i].cls != LifecycleClass::kStateful || stack_of[i] <= 0) continue;
    if (IsPinned(plan, m.resources[i].id)) continue;
    out.violations.push_back({"E4004",
                              m.resources[i].id + " holds data (" + a.info[i].reason +
                                  ") and must stay in " + plan.stacks[0].name,
                              "move " + m.resources[i].id + " back to " + plan.stacks[0].name +
                                  " (moving data means delete and recreate)",
                              plan.stacks[stack_of[i]].name, m.resources[i].id});
  }
  if (plan.options.allow_mixed_owners) return;
  for (std::size_t s = 1; s < plan.stacks.size(); ++s) {
    std::map<std::string, std::string> owners;  // owner → an example resource
    for (const auto& id : plan.stacks[s].resources) {
      long i = m.ResourceIndex(id);
      if (i >= 0 && !a.info[static_cast<std::size_t>(i)].owner.empty())
        owners.emplace(a.info[static_cast<std::size_t>(i)].owner, id);
    }
    if (owners.size() <= 1) continue;
    std::string list;
    for (const auto& [o, id] : owners) list += (list.empty() ? "" : ", ") + o + " (" + id + ")";
    out.violations.push_back({"E4005", "stack " + plan.stacks[s].name + " mixes owners: " + list,
                              "split it by owner, or pass --allow-mixed-owners",
                              plan.stacks[s].name, owners.begin()->second});
  }
}

}  // namespace

PlanCheck CheckPlan(const Analysis& a, const SplitPlan& plan, const PackageView& packages,
                    const RuleSet& rules) {
  timings::Scope timing("constraints");
  PlanCheck out;
  if (plan.stacks.empty()) {
    out.violations.push_back({"E4001", "the plan has no stacks", "add a base stack", "", ""});
    return out;
  }
  std::vector<int> stack_of;
  CheckCoverage(a, plan, stack_of, out);
  CheckColocation(a, plan, stack_of, out);
  CheckLifecycleAndOwners(a, plan, stack_of, out);
  CheckStackGraph(a, plan, stack_of, out);
  ComputeFigures(a, plan, stack_of, packages, rules, out);
  CheckQuotas(plan, packages, rules, out);
  return out;
}

}  // namespace cfnsplit
