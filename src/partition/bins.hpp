// Private to the partition stage: a function stack under construction ("bin") and the rules a
// cluster must keep to join one. The packer, the column generation and the restricted master
// all build stacks through StackRules, so every stack they propose keeps the same budgets.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "partition/internal.hpp"

namespace cfnsplit {

struct Budgets {
  std::uint64_t resources, parameters, outputs, bytes, package, package_limit;
};

/// Budgets of one function stack: each quota × headroom × tighten; the package budget keeps the
/// plain headroom and the package limit is Lambda's.
Budgets StackBudgets(const RuleSet& rules, const PlanOptions& options, double tighten);

struct Bin {
  std::string forced_name;
  std::string owner;
  std::uint32_t owner_id = 0;  // StackRules' id of `owner` (0: none), compared instead of it
  std::vector<std::size_t> clusters;
  std::uint32_t resources = 0;
  std::uint32_t root_outputs = 0;
  std::uint64_t bytes = 0;
  // Wiring values and parameters, interned by StackRules (ascending ids): a stack's values are
  // compared and copied as integers, where string sets made a tenth of a 10,000-function plan.
  std::vector<std::uint32_t> takes, params, gives;
  std::vector<std::uint32_t> dist_count;
  std::uint64_t dist_bytes = 0, own_bytes = 0, max_layer = 0;
};

class StackRules {
 public:
  StackRules(const std::vector<Cluster>& clusters, const PackageView& packages,
             const Budgets& budgets, const PlanOptions& options);

  /// True when cluster `k` can join `bin` keeping every budget, the owner and pins.
  bool Fits(const Bin& bin, std::size_t k) const { return Admits(bin, k) && FitsRest(bin, k); }
  /// Fits' cheap first checks (pin, owner, resources, the heaviest distribution): false means
  /// `k` does not fit.
  bool Admits(const Bin& bin, std::size_t k) const {
    const Cluster& c = clusters_[k];
    if (!c.forced_stack.empty() && bin.forced_name != c.forced_stack) return false;
    if (!options_.allow_mixed_owners && bin.owner_id && owner_ids_[k] &&
        bin.owner_id != owner_ids_[k])
      return false;
    return bin.resources + c.resources <= budgets_.resources && !RefusesHeaviest(bin, k);
  }
  /// Fits' commonest refusal, checked in Admits without FitsArtifact's call and loop: the bin
  /// lacks the cluster's heaviest distribution, and that with the cluster's code takes the
  /// artifact over the headroom. At 10,000 functions with a manifest, 77 % of the bins the
  /// packers offer a cluster turn it away so.
  bool RefusesHeaviest(const Bin& bin, std::size_t k) const {
    const HeaviestNeed& need = heaviest_need_[k];
    if (need.adds == 0 || bin.clusters.empty()) return false;
    if (!bin.dist_count.empty() && bin.dist_count[need.dist] > 0) return false;
    return bin.dist_bytes + bin.own_bytes + std::max(bin.max_layer, need.layer) + need.adds >
           budgets_.package;
  }
  void Add(Bin& bin, std::size_t k) const;
  /// True when no cluster can join `bin` any more: the lightest would break its resource or byte
  /// budget (Admits, FitsWiring), or the least code any cluster brings would take its artifact
  /// over the headroom (FitsArtifact: code is never shared, so the exception for clusters that
  /// add nothing cannot apply). Bins only grow, so it stays true: the packers stop offering such
  /// bins, which never decide a choice. Without a manifest nearly every bin ends so by its
  /// resources (98 % of the bins scanned at 10,000 functions), and scanning them made packing
  /// quadratic. With one, bins full to the package budget are most of those turned away (86 %
  /// of the visits at 10,000 functions); they close only when every function brings code.
  bool FitsNoCluster(const Bin& bin) const {
    return bin.resources + least_resources_ > budgets_.resources ||
           bin.bytes + least_bytes_ > budgets_.bytes ||
           (artifact_closes_ && !bin.clusters.empty() &&
            bin.dist_bytes + bin.own_bytes + least_own_bytes_ + bin.max_layer > budgets_.package);
  }
  /// Bytes of distributions cluster `k` would add to the bin's artifact.
  std::uint64_t AddedDistBytes(const Bin& bin, std::size_t k) const;
  /// How much the bin already ships of what cluster `k` needs (the packer's preference).
  std::uint64_t Affinity(const Bin& bin, std::size_t k) const;
  /// The highest Affinity any bin could offer cluster `k` (one that ships all it needs).
  std::uint64_t MaxAffinity(std::size_t k) const { return max_affinity_[k]; }
  /// True when `bin` offers cluster `k` MaxAffinity(k) (Affinity's answer, stopping at the first
  /// distribution the bin lacks).
  bool OffersMaxAffinity(const Bin& bin, std::size_t k) const;
  /// True when only bins that ship every distribution of a cluster can offer its MaxAffinity
  /// (the strategy scores each distribution shipped), whatever the cluster.
  bool MaxAffinityShipsAll() const { return strategy_ == Strategy::kOther; }
  /// Cluster `k`'s owner id (0: none), as Bin::owner_id holds it.
  std::uint32_t OwnerIdOf(std::size_t k) const { return owner_ids_[k]; }
  /// A bin of exactly these clusters, or nothing when they do not fit together (in this order).
  bool Build(const std::vector<std::size_t>& members, Bin& out) const;

  const std::vector<Cluster>& clusters() const { return clusters_; }
  const PackageView& packages() const { return packages_; }
  const Budgets& budgets() const { return budgets_; }
  const PlanOptions& options() const { return options_; }
  /// True when package sizes are known and one artifact ships a stack's functions.
  bool package_binds() const { return package_binds_; }

 private:
  const std::vector<Cluster>& clusters_;
  const PackageView& packages_;
  Budgets budgets_;
  const PlanOptions& options_;
  bool package_binds_;  // asked per offer of a bin (FitsArtifact): a string compare, made once
  // What Affinity scores, from options_.strategy (a string compared once, not per call).
  enum class Strategy { kLifecycle, kOwnership, kOther } strategy_;
  std::vector<std::uint32_t> owner_ids_;  // per cluster: its owner's id (0: none)
  std::vector<std::uint64_t> max_affinity_;
  std::vector<std::vector<std::uint32_t>> heaviest_first_;  // each cluster's dists, heaviest first
  // Per cluster, for RefusesHeaviest: its heaviest distribution, the bytes that and its code add
  // to an artifact without it (0: never refuse: no shared artifact, or nothing to add), its
  // layers.
  struct HeaviestNeed {
    std::uint32_t dist = 0;
    std::uint64_t adds = 0, layer = 0;
  };
  std::vector<HeaviestNeed> heaviest_need_;
  std::uint64_t least_resources_ = UINT64_MAX;  // of any cluster (FitsNoCluster)
  std::uint64_t least_bytes_ = UINT64_MAX;
  std::uint64_t least_own_bytes_ = UINT64_MAX;  // code of any cluster (FitsNoCluster)
  bool artifact_closes_ = false;  // one artifact per stack, and every cluster brings code
  // Each cluster's takes / params / gives as ascending interned ids (one id space per kind).
  struct Wiring {
    std::vector<std::uint32_t> takes, params, gives;
  };
  std::vector<Wiring> wiring_;

  bool FitsRest(const Bin& bin, std::size_t k) const;
  bool FitsWiring(const Bin& bin, std::size_t k) const;
  bool FitsArtifact(const Bin& bin, std::size_t k) const;
  std::uint64_t AffinityCeiling(std::size_t k) const;
};

/// Values passed between stacks, as the packer counts them (the tie-break after stack count).
std::size_t WiringOf(const std::vector<Bin>& bins);

/// Packs first-fit-decreasing with affinity (several orderings), then empties small stacks.
std::vector<Bin> PackFast(const StackRules& rules, const std::vector<std::string>& cluster_keys);

/// Empties the smallest stacks into the others where all of their clusters fit.
void ConsolidateBins(const StackRules& rules, std::vector<Bin>& bins);

/// Result of the set-covering LP relaxation solved by column generation.
struct CoverLp {
  double lp_value = 0;      ///< value of the restricted master's LP at the last iteration
  double bound = 0;         ///< a proven lower bound on the number of function stacks (Farley)
  bool priced_out = false;  ///< the relaxed pricing proved no column has negative reduced cost
  std::size_t iterations = 0;
  std::size_t exact_pricings = 0;  ///< exact pricing programs solved (each proves a bound)
  std::vector<std::vector<std::size_t>> columns;  ///< every column generated (sorted members)
  std::vector<std::vector<std::size_t>> dive;     ///< the columns price-and-dive chose (a cover)
};

struct ColumnGenLimits {
  std::size_t max_iterations = 30;
  std::size_t columns_per_iteration = 60;
  /// Exact pricings (the set-union knapsack per owner group, pricing.cpp) allowed.
  std::size_t max_exact_pricings = 40;
  /// Wentges smoothing weight of the centre (0: plain column generation).
  double smoothing = 0.5;
  /// Price-and-dive after column generation (a plan from the LP), and its greedy pricing rounds.
  bool dive = true;
  std::size_t dive_pricing_rounds = 60;
};

/// Column generation from `initial` stacks (the packer's), with a greedy pricer; the bound is
/// z / max(1, α) where α bounds every feasible stack's dual value (an LP relaxation of pricing).
CoverLp SolveCoverLp(const StackRules& rules, const std::vector<Bin>& initial,
                     const ColumnGenLimits& limits);

/// Groups of clusters that may share a stack: one per owner (by name), unowned clusters in every
/// group; one group of all when owners may mix or none is set.
std::vector<std::vector<std::size_t>> OwnerGroups(const StackRules& rules);
/// The owned clusters of each owner (OwnerGroups' order), or nothing when owners may mix.
std::vector<std::vector<std::size_t>> OwnedGroups(const StackRules& rules);
/// Unzipped bytes of clusters a and b in one artifact (layers: the larger set).
std::uint64_t PairBytes(const StackRules& rules, const Cluster& a, const Cluster& b);
/// The questions GroupFloor's conflict clique may ask about an owner's `clusters` (pairs of
/// them): linear in their number, at least 100,000, at most 5 million.
std::size_t CliqueQuestionBudget(std::size_t clusters);
/// Stacks one owner's clusters (`group`) need at least by cheap arguments; `pricing_group` is
/// every cluster its stacks may hold.
double GroupFloor(const StackRules& rules, const std::vector<std::size_t>& group,
                  const std::vector<std::size_t>& pricing_group);

/// Column generation owner by owner (each owner's clusters alone: smaller LPs that converge
/// sooner); the bound is the sum of the owners' rounded-up bounds, `dive` the owners' dives.
/// Falls back to SolveCoverLp over all when owners may mix, there is one owner, or an unowned
/// cluster exceeds the headroom. `limits_for(clusters)` gives each problem's budgets.
CoverLp SolveCoverLpByOwner(const StackRules& rules, const std::vector<Bin>& initial,
                            const std::function<ColumnGenLimits(std::size_t)>& limits_for);

/// With disjoint owner groups (every cluster owned, owners never mixed): the sum over groups of
/// each group's cheap bound (resources, union of packages ÷ Lambda's limit, conflict clique);
/// 0 otherwise. Cheap: computed in both efforts.
double OwnerGroupsFloor(const StackRules& rules);

/// `thorough` effort: the restricted master over `lp.columns` as an integer program (GLPK
/// branch-and-cut, a deterministic node budget) started from `incumbent`; returns the better.
std::vector<Bin> ImproveWithMaster(const StackRules& rules, const CoverLp& lp,
                                   const std::vector<Bin>& incumbent);

}  // namespace cfnsplit
