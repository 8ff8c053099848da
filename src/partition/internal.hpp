// Private to the partition stage: units, clusters and the packer.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "cfnsplit/partition.hpp"

namespace cfnsplit {

class UnionFind {
 public:
  explicit UnionFind(std::size_t n) : parent_(n) {
    for (std::size_t i = 0; i < n; ++i) parent_[i] = static_cast<std::uint32_t>(i);
  }
  std::uint32_t Find(std::uint32_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  /// Joins the sets; the smaller representative wins so results do not depend on call order.
  void Join(std::uint32_t a, std::uint32_t b) {
    a = Find(a);
    b = Find(b);
    if (a == b) return;
    if (b < a) std::swap(a, b);
    parent_[b] = a;
  }

 private:
  std::vector<std::uint32_t> parent_;
};

enum class Placement { kBase, kCluster, kPost };

/// Where each resource goes before packing: the base stack, a function cluster, or "post".
struct Assignment {
  std::vector<Placement> placement;        // per resource
  std::vector<std::uint32_t> cluster;      // per resource: cluster representative (kCluster only)
  std::vector<std::string> reason;         // per resource
  std::vector<std::string> forced_stack;   // per resource: pinned stack name ("" = none)
  std::vector<std::string> pin_conflicts;  // pinned resources the base stack needs
};

/// Computes units, base closure, attachments and clusters.
Assignment AssignResources(const Analysis& a, const PlanOptions& options);

/// A group of resources that moves as one into some function stack.
struct Cluster {
  std::uint32_t rep = 0;
  std::vector<std::uint32_t> members;  // resource indexes, template order
  std::vector<std::string> functions;  // function resource IDs
  std::string owner;
  bool mixed_owners = false;
  std::string forced_stack;
  std::uint32_t resources = 0;
  std::uint64_t bytes = 0;
  std::vector<std::string> takes;   // values from outside (wiring parameters)
  std::vector<std::string> params;  // template parameters used
  std::vector<std::string> gives;   // values others read (wiring outputs)
  std::uint32_t root_outputs = 0;   // template outputs that will live in its stack
  std::vector<std::uint32_t> dists;
  std::uint64_t own_bytes = 0;    // code
  std::uint64_t layer_bytes = 0;  // largest layer set
  std::uint64_t package_bytes = 0;
};

/// Parameters and outputs a stack's wiring creates, as CheckPlan counts them: nested children take
/// one parameter per value read (exports: one parameter carrying the root stack's name), plus
/// template parameters and an artifact key; outputs are the values others read plus template
/// outputs.
struct WiringLoad {
  std::size_t parameters = 0, outputs = 0;
};
inline WiringLoad LoadOf(std::size_t takes, std::size_t params, std::size_t gives,
                         std::size_t root_outputs, bool nested) {
  return {(nested ? takes : 1) + params + 1, gives + root_outputs};
}

std::vector<Cluster> BuildClusters(const Analysis& a, const Assignment& asg,
                                   const PackageView& packages, const RuleSet& rules,
                                   const PlanOptions& options);

/// The set-covering LP bound on function stacks (column generation; see docs/packing.md).
struct LpBound {
  bool computed = false;
  double value = 0;  ///< proven lower bound (Farley: z / max(1, α))
  double lp = 0;     ///< restricted master LP value when column generation stopped
  bool priced_out = false;
  std::size_t iterations = 0;
  std::size_t exact_pricings = 0;
  /// Σ over owner groups of each group's cheap bound (0 unless owner groups are disjoint).
  double owner_groups = 0;
};

/// Packs clusters into function stacks (named, resources in template order).
/// `lp_bound`: when given, the LP bound is computed too. `tighten` (≤ 1) scales the quota budgets
/// the packer aims for: a retry after a plan that the final check found over a quota.
std::vector<StackPlan> PackClusters(const Analysis& a, const std::vector<Cluster>& clusters,
                                    const PackageView& packages, const RuleSet& rules,
                                    const PlanOptions& options, double tighten = 1.0,
                                    LpBound* lp_bound = nullptr);

}  // namespace cfnsplit
