// Packing function clusters into stacks, and turning the result into a SplitPlan.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_set>

#include "partition/bins.hpp"

namespace cfnsplit {
namespace {

// Ties between equally heavy distributions break on the name, never on discovery order.
bool HeavierDist(const PackageView& p, std::size_t d, std::uint64_t bytes,
                 const std::string& name) {
  if (p.dist_bytes[d] != bytes) return p.dist_bytes[d] > bytes;
  return !name.empty() && p.dist_names[d] < name;
}

// A cluster's identity for ordering: its smallest logical ID (clusters are disjoint, so the
// keys are distinct and the order they give is total and independent of template order).
std::vector<std::string> ClusterKeys(const TemplateModel& m, const std::vector<Cluster>& clusters) {
  std::vector<std::string> keys;
  keys.reserve(clusters.size());
  for (const Cluster& c : clusters) {
    std::string key;
    for (auto i : c.members)
      if (key.empty() || m.resources[i].id < key) key = m.resources[i].id;
    keys.push_back(key);
  }
  return keys;
}

class Packer {
 public:
  Packer(const StackRules& rules, const std::vector<std::string>& cluster_keys)
      : rules_(rules), clusters_(rules.clusters()), cluster_keys_(cluster_keys) {}

  /// Packs with several orderings and keeps the best result: fewest stacks, then fewest values
  /// passed between stacks. Each ordering is deterministic, so the choice is too.
  std::vector<Bin> Pack() {
    const std::string& strategy = rules_.options().strategy;
    bool by_size = strategy == "auto" || strategy == "size";
    std::vector<Bin> best;
    std::size_t best_wiring = SIZE_MAX;
    for (int ordering = 0; ordering < (by_size ? 3 : 1); ++ordering) {
      bins_.clear();
      for (std::size_t k : Order(ordering, by_size)) Place(k);
      ConsolidateBins(rules_, bins_);
      std::size_t wiring = WiringOf(bins_);
      if (best.empty() || bins_.size() < best.size() ||
          (bins_.size() == best.size() && wiring < best_wiring)) {
        best = std::move(bins_);
        best_wiring = wiring;
      }
    }
    return best;
  }

 private:
  // 0: biggest package first; 1: grouped by heaviest dependency, biggest first (functions that
  // share a heavy dependency meet while their stack still has room); 2: most resources first.
  std::vector<std::size_t> Order(int ordering, bool by_size) const {
    const PackageView& packages = rules_.packages();
    std::vector<std::size_t> order(clusters_.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    auto heaviest = [&](const Cluster& c) {
      std::uint64_t bytes = 0;
      std::string name;
      for (auto d : c.dists)
        if (HeavierDist(packages, d, bytes, name))
          bytes = packages.dist_bytes[d], name = packages.dist_names[d];
      return std::make_pair(bytes, name);
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
      const Cluster& a = clusters_[x];
      const Cluster& b = clusters_[y];
      if (!a.forced_stack.empty() != !b.forced_stack.empty()) return !a.forced_stack.empty();
      if (by_size && ordering == 1 && heaviest(a) != heaviest(b)) return heaviest(a) > heaviest(b);
      if (by_size && ordering != 2 && a.package_bytes != b.package_bytes)
        return a.package_bytes > b.package_bytes;
      if (by_size && a.resources != b.resources) return a.resources > b.resources;
      return cluster_keys_[x] < cluster_keys_[y];  // content, never template order
    });
    return order;
  }

  // Best-affinity bin that fits (ties: the earlier bin), else a new one.
  void Place(std::size_t k) {
    std::size_t best = SIZE_MAX;
    std::uint64_t best_score = 0;
    for (std::size_t b = 0; b < bins_.size(); ++b) {
      if (!rules_.Fits(bins_[b], k)) continue;
      std::uint64_t score = rules_.Affinity(bins_[b], k);
      if (best == SIZE_MAX || score > best_score) {
        best = b;
        best_score = score;
      }
    }
    if (best == SIZE_MAX) {
      bins_.emplace_back();
      best = bins_.size() - 1;
    }
    rules_.Add(bins_[best], k);
  }

  const StackRules& rules_;
  const std::vector<Cluster>& clusters_;
  const std::vector<std::string>& cluster_keys_;
  std::vector<Bin> bins_;
};

// Moves every cluster of `victim` into other bins (trial copies of the few bins touched).
bool TryEmpty(const StackRules& rules, const std::vector<Bin>& bins, std::size_t victim,
              std::map<std::size_t, Bin>& trial) {
  auto view = [&](std::size_t b) -> const Bin& {
    auto it = trial.find(b);
    return it == trial.end() ? bins[b] : it->second;
  };
  for (std::size_t k : bins[victim].clusters) {
    std::size_t best = SIZE_MAX;
    std::uint64_t best_score = 0;
    for (std::size_t b = 0; b < bins.size(); ++b) {
      if (b == victim || !rules.Fits(view(b), k)) continue;
      std::uint64_t score = rules.Affinity(view(b), k);
      if (best == SIZE_MAX || score > best_score) {
        best = b;
        best_score = score;
      }
    }
    if (best == SIZE_MAX) return false;
    if (!trial.count(best)) trial.emplace(best, bins[best]);
    rules.Add(trial.at(best), k);
  }
  return true;
}

std::string CamelWord(const std::string& s) {
  std::string out;
  bool upper = true;
  for (char ch : s) {
    if (std::isalnum(static_cast<unsigned char>(ch))) {
      out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch;
      upper = false;
    } else {
      upper = true;
    }
  }
  return out;
}

// Readable, stable names: owner + the heaviest dependency the stack's functions share. Tiers:
// shipped by all its functions and not by most stacks; by half of them and not by most stacks;
// by all of them (boto3 everywhere names nothing).
std::string NameFor(const Bin& bin, const std::vector<Cluster>& clusters, const PackageView& p,
                    const std::vector<char>& in_most_stacks) {
  if (!bin.forced_name.empty()) return bin.forced_name;
  std::string heavy;
  for (int tier = 0; tier < 3 && heavy.empty(); ++tier) {
    std::uint64_t best = 0;
    for (std::size_t d = 0; d < bin.dist_count.size(); ++d) {
      if (p.dist_names[d].rfind("code:", 0) == 0 || (tier < 2 && in_most_stacks[d])) continue;
      std::size_t with = 0;
      for (auto k : bin.clusters)
        with += std::binary_search(clusters[k].dists.begin(), clusters[k].dists.end(),
                                   static_cast<std::uint32_t>(d));
      bool enough = tier == 1 ? with * 2 >= bin.clusters.size() : with == bin.clusters.size();
      if (enough && HeavierDist(p, d, best, heavy)) {
        best = p.dist_bytes[d];
        heavy = p.dist_names[d];
      }
    }
  }
  std::string name = CamelWord(bin.owner) + (heavy.empty() ? "Functions" : CamelWord(heavy));
  return name.substr(0, 48);
}

}  // namespace

std::vector<Bin> PackFast(const StackRules& rules, const std::vector<std::string>& cluster_keys) {
  return Packer(rules, cluster_keys).Pack();
}

// Tries to empty the smallest stacks into the others; keeps a move only if all of a stack's
// clusters find room elsewhere.
void ConsolidateBins(const StackRules& rules, std::vector<Bin>& bins) {
  bool changed = true;
  while (changed && bins.size() > 1) {
    changed = false;
    std::vector<std::size_t> by_size(bins.size());
    for (std::size_t b = 0; b < bins.size(); ++b) by_size[b] = b;
    std::stable_sort(by_size.begin(), by_size.end(), [&](std::size_t x, std::size_t y) {
      return bins[x].resources + bins[x].dist_bytes / 1000000 <
             bins[y].resources + bins[y].dist_bytes / 1000000;
    });
    for (std::size_t victim : by_size) {
      if (!bins[victim].forced_name.empty()) continue;
      std::map<std::size_t, Bin> trial;
      if (!TryEmpty(rules, bins, victim, trial)) continue;
      for (auto& [b, bin] : trial) bins[b] = std::move(bin);
      bins.erase(bins.begin() + static_cast<long>(victim));
      changed = true;
      break;
    }
  }
}

std::vector<StackPlan> PackClusters(const Analysis& a, const std::vector<Cluster>& clusters,
                                    const PackageView& packages, const RuleSet& rules,
                                    const PlanOptions& options, double tighten, LpBound* lp_bound) {
  const TemplateModel& m = *a.model;
  std::vector<std::string> keys = ClusterKeys(m, clusters);
  StackRules stack_rules(clusters, packages, StackBudgets(rules, options, tighten), options);
  std::vector<Bin> bins = PackFast(stack_rules, keys);
  // `thorough` only: column generation costs seconds on large services, and `fast` keeps
  // today's time. The bound is computed with the real budgets (lp_bound is given on the first,
  // untightened pass); the LP's columns feed the restricted master.
  if (lp_bound) lp_bound->owner_groups = OwnerGroupsFloor(stack_rules);
  if (options.effort == "thorough") {
    // Column generation owner by owner; budgets are counts scaled by each problem's size (a
    // round and an exact pricing cost more per cluster), so the same input gives the same plan
    // on any machine.
    auto limits_for = [](std::size_t clusters_in_problem) {
      ColumnGenLimits limits;
      const std::size_t n = std::max<std::size_t>(clusters_in_problem, 1);
      limits.max_iterations = std::clamp<std::size_t>(240000 / n, 20, 600);
      limits.max_exact_pricings = std::clamp<std::size_t>(30000 / n, 10, 60);
      limits.dive_pricing_rounds = std::clamp<std::size_t>(15000 / n, 5, 60);
      return limits;
    };
    CoverLp lp = SolveCoverLpByOwner(stack_rules, bins, limits_for);
    if (lp_bound) {
      lp_bound->computed = true;
      lp_bound->value = lp.bound;
      lp_bound->lp = lp.lp_value;
      lp_bound->priced_out = lp.priced_out;
      lp_bound->iterations = lp.iterations;
      lp_bound->exact_pricings = lp.exact_pricings;
    }
    bins = ImproveWithMaster(stack_rules, lp, bins);
  }
  // Stacks are ordered, and so numbered when names repeat, by content, so that a reformatted
  // template (keys in another order) keeps every stack's name and resources.
  for (auto& bin : bins) {
    std::sort(bin.clusters.begin(), bin.clusters.end(),
              [&](std::size_t x, std::size_t y) { return keys[x] < keys[y]; });
  }
  std::sort(bins.begin(), bins.end(), [&](const Bin& x, const Bin& y) {
    return keys[x.clusters.front()] < keys[y.clusters.front()];
  });
  // Names are unique ignoring case: they become file names (stacks/<Name>.yaml).
  std::set<std::string> taken_names = {"base", "post"};
  std::vector<StackPlan> stacks;
  std::vector<std::size_t> stacks_with(packages.dist_names.size(), 0);
  for (const Bin& bin : bins)
    for (std::size_t d = 0; d < bin.dist_count.size(); ++d) stacks_with[d] += bin.dist_count[d] > 0;
  std::vector<char> in_most_stacks(packages.dist_names.size(), 0);
  for (std::size_t d = 0; d < stacks_with.size(); ++d)
    in_most_stacks[d] = stacks_with[d] * 2 > bins.size();
  for (const Bin& bin : bins) {
    StackPlan s;
    s.role = StackRole::kFunctions;
    s.owner = bin.owner;
    std::string name = NameFor(bin, clusters, packages, in_most_stacks);
    if (m.FindResource(name)) name += "Stack";
    s.name = name;
    for (int n = 2; taken_names.count(FoldCase(s.name)); ++n) s.name = name + std::to_string(n);
    taken_names.insert(FoldCase(s.name));
    std::vector<std::uint32_t> members;
    for (auto k : bin.clusters)
      members.insert(members.end(), clusters[k].members.begin(), clusters[k].members.end());
    std::sort(members.begin(), members.end());
    for (auto i : members) s.resources.push_back(m.resources[i].id);
    for (std::size_t d = 0; d < bin.dist_count.size(); ++d)
      if (bin.dist_count[d]) {
        s.distributions.push_back(packages.dist_names[d]);
        if (d < packages.dist_requirements.size() && packages.dist_names[d].rfind("code:", 0) != 0)
          s.requirements.push_back(packages.dist_requirements[d]);
      }
    stacks.push_back(std::move(s));
  }
  return stacks;
}

}  // namespace cfnsplit
