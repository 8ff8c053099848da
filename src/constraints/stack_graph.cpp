// The stack graph as CloudFormation will see it, and its cycles explained resource by resource.
//
// Exports mode: one node per stack; an import is an edge. Nested mode: the parent's resources are
// nodes of their own (a parent resource may depend on a child stack as long as that child does
// not depend back on it), and each child stack is one node.
#include <algorithm>
#include <map>

#include "constraints/internal.hpp"

namespace cfnsplit {
namespace {

struct Quotient {
  std::vector<std::uint32_t> node_of;  // per resource
  std::vector<std::string> label;      // per node
  std::vector<int> stack_of_node;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::pair<std::uint32_t, std::uint32_t>>
      witness;
};

Quotient BuildQuotient(const Analysis& a, const SplitPlan& plan, const std::vector<int>& stack_of) {
  const TemplateModel& m = *a.model;
  Quotient q;
  bool nested = plan.options.mode == WiringMode::kNested;
  std::vector<std::uint32_t> stack_node(plan.stacks.size(), UINT32_MAX);
  q.node_of.assign(m.resources.size(), UINT32_MAX);
  for (std::size_t i = 0; i < m.resources.size(); ++i) {
    int s = stack_of[i];
    if (s < 0) continue;
    if (nested && s == 0) {
      q.node_of[i] = static_cast<std::uint32_t>(q.label.size());
      q.label.push_back(plan.stacks[0].name + "." + m.resources[i].id);
      q.stack_of_node.push_back(0);
      continue;
    }
    if (stack_node[s] == UINT32_MAX) {
      stack_node[s] = static_cast<std::uint32_t>(q.label.size());
      q.label.push_back(plan.stacks[s].name);
      q.stack_of_node.push_back(s);
    }
    q.node_of[i] = stack_node[s];
  }
  return q;
}

}  // namespace

void CheckStackGraph(const Analysis& a, const SplitPlan& plan, const std::vector<int>& stack_of,
                     PlanCheck& out) {
  const TemplateModel& m = *a.model;
  Quotient q = BuildQuotient(a, plan, stack_of);
  DependencyGraph g(q.label.size());
  for (std::uint32_t u = 0; u < a.graph.node_count(); ++u)
    for (std::uint32_t v : a.graph.dependencies(u)) {
      std::uint32_t nu = q.node_of[u], nv = q.node_of[v];
      if (nu == UINT32_MAX || nv == UINT32_MAX || nu == nv) continue;
      g.AddEdge(nu, nv, RefKind::kRef);
      q.witness.emplace(std::make_pair(nu, nv), std::make_pair(u, v));
    }
  g.Finalize();
  for (const auto& cycle : g.FindCycles()) {
    // A cycle inside one stack is the template's own (E2001, kept together), not the split's.
    bool one_stack = std::all_of(cycle.begin(), cycle.end(), [&](std::uint32_t n) {
      return q.stack_of_node[n] == q.stack_of_node[cycle.front()];
    });
    if (cycle.size() < 2 || cycle.front() == cycle[1] || one_stack) continue;
    std::string path, because;
    for (std::size_t k = 0; k < cycle.size(); ++k) path += (k ? " -> " : "") + q.label[cycle[k]];
    // The cheapest hop to cut is a witness whose source can follow its target.
    std::string fix, first_resource;
    for (std::size_t k = 0; k + 1 < cycle.size(); ++k) {
      auto [u, v] = q.witness.at({cycle[k], cycle[k + 1]});
      if (first_resource.empty()) first_resource = m.resources[u].id;
      because += (k ? "; " : "") + m.resources[u].id + " uses " + m.resources[v].id;
      if (fix.empty() && a.info[u].cls != LifecycleClass::kStateful)
        fix = "move " + m.resources[u].id + " to " + plan.stacks[stack_of[v]].name +
              " (with what depends on it in its stack), or move " + m.resources[v].id + " to " +
              plan.stacks[stack_of[u]].name;
    }
    out.violations.push_back({"E4006", "stack cycle " + path + " (" + because + ")",
                              fix.empty() ? "keep these resources in one stack" : fix,
                              plan.stacks[q.stack_of_node[cycle.front()]].name, first_resource});
  }
}

}  // namespace cfnsplit
