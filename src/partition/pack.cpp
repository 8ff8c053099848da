// Packing function clusters into stacks, and turning the result into a SplitPlan.
#include <algorithm>
#include <numeric>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>

#include "partition/best_bin.hpp"
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

// Positions of the bins that ship each distribution, ascending: of all bins, and of each
// owner's (owner id 0: bins no owned cluster has joined yet). Closed bins stay listed.
class ShippingIndex {
 public:
  using List = std::vector<std::size_t>;

  void Reset(std::size_t dists) {
    all_.assign(dists, {});
    by_owner_.clear();
  }
  const List& Of(std::uint32_t owner, std::uint32_t d) const {
    static const List kNone;
    auto it = by_owner_.find(Key(owner, d));
    return it == by_owner_.end() ? kNone : it->second;
  }
  const List& OfAll(std::uint32_t d) const { return all_[d]; }

  // After `bin` (at position b, listed under owner id `owner_before` until now) took `cluster`.
  void Update(std::size_t b, const Bin& bin, const Cluster& cluster, std::uint32_t owner_before) {
    auto is_new = [&](std::uint32_t d) {  // shipped since the cluster came
      return bin.dist_count[d] == 1 &&
             std::binary_search(cluster.dists.begin(), cluster.dists.end(), d);
    };
    if (owner_before != bin.owner_id)  // its first owned cluster: its lists change owner
      for (std::uint32_t d = 0; d < bin.dist_count.size(); ++d)
        if (bin.dist_count[d] > 0 && !is_new(d)) {
          List& from = by_owner_[Key(owner_before, d)];
          from.erase(std::lower_bound(from.begin(), from.end(), b));
          Insert(by_owner_[Key(bin.owner_id, d)], b);
        }
    for (auto d : cluster.dists)
      if (bin.dist_count[d] == 1) {
        Insert(all_[d], b);
        Insert(by_owner_[Key(bin.owner_id, d)], b);
      }
  }

 private:
  static std::uint64_t Key(std::uint32_t owner, std::uint32_t d) {
    return std::uint64_t{owner} << 32 | d;
  }
  static void Insert(List& list, std::size_t b) {
    list.insert(std::lower_bound(list.begin(), list.end(), b), b);
  }
  std::vector<List> all_;
  std::unordered_map<std::uint64_t, List> by_owner_;
};

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
    RankKeys();
    for (int ordering = 0; ordering < (by_size ? 3 : 1); ++ordering) {
      bins_.clear();
      bins_of_owner_.clear();
      open_.clear();
      closed_.clear();
      shipping_.Reset(rules_.packages().dist_names.size());
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
  // Each cluster's sort key is made of integers once: comparing the heaviest distribution's
  // name and the cluster keys in every comparison made the sorts a sixth of the packing.
  std::vector<std::size_t> Order(int ordering, bool by_size) const {
    struct Key {  // descending but for `pinned` (first) and `rank` (ascending)
      bool pinned;
      std::uint64_t heaviest, package;
      std::uint32_t resources;
      std::uint64_t rank;
    };
    std::vector<Key> keys;
    keys.reserve(clusters_.size());
    for (std::size_t k = 0; k < clusters_.size(); ++k) {
      const Cluster& c = clusters_[k];
      keys.push_back({!c.forced_stack.empty(), by_size && ordering == 1 ? HeaviestRank(k) : 0,
                      by_size && ordering != 2 ? c.package_bytes : 0, by_size ? c.resources : 0,
                      key_rank_[k]});
    }
    std::vector<std::size_t> order(clusters_.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
      const Key& a = keys[x];
      const Key& b = keys[y];
      if (a.pinned != b.pinned) return a.pinned;
      if (a.heaviest != b.heaviest) return a.heaviest > b.heaviest;
      if (a.package != b.package) return a.package > b.package;
      if (a.resources != b.resources) return a.resources > b.resources;
      return a.rank < b.rank;  // distinct: the order is total
    });
    return order;
  }

  // Cluster `k`'s heaviest distribution as a rank among all (heavier, or as heavy with a greater
  // name: higher), 0 when it ships none that weighs anything; ties between its own break on the
  // name (HeavierDist).
  std::uint64_t HeaviestRank(std::size_t k) const {
    static const std::string kNoName;
    const PackageView& packages = rules_.packages();
    std::uint64_t bytes = 0;
    std::size_t heaviest = SIZE_MAX;
    for (auto d : clusters_[k].dists)
      if (HeavierDist(packages, d, bytes,
                      heaviest == SIZE_MAX ? kNoName : packages.dist_names[heaviest])) {
        bytes = packages.dist_bytes[d];
        heaviest = d;
      }
    return heaviest == SIZE_MAX ? 0 : dist_rank_[heaviest] + 1;
  }

  // Ranks of the cluster keys (ascending) and of the distributions by (bytes, name).
  void RankKeys() {
    const PackageView& packages = rules_.packages();
    std::vector<std::size_t> by_key(clusters_.size());
    std::iota(by_key.begin(), by_key.end(), std::size_t{0});
    std::sort(by_key.begin(), by_key.end(),
              [&](std::size_t x, std::size_t y) { return cluster_keys_[x] < cluster_keys_[y]; });
    key_rank_.assign(clusters_.size(), 0);
    for (std::size_t i = 0; i < by_key.size(); ++i) key_rank_[by_key[i]] = i;
    std::vector<std::size_t> by_weight(packages.dist_bytes.size());
    std::iota(by_weight.begin(), by_weight.end(), std::size_t{0});
    std::sort(by_weight.begin(), by_weight.end(), [&](std::size_t x, std::size_t y) {
      return std::tie(packages.dist_bytes[x], packages.dist_names[x]) <
             std::tie(packages.dist_bytes[y], packages.dist_names[y]);
    });
    dist_rank_.assign(by_weight.size(), 0);
    for (std::size_t i = 0; i < by_weight.size(); ++i) dist_rank_[by_weight[i]] = i;
  }

  // Best-affinity bin that fits (ties: the earlier bin), else a new one.
  void Place(std::size_t k) {
    auto view = [&](std::size_t b) -> const Bin& { return bins_[b]; };
    std::size_t best = EarliestBinOfMaxAffinity(k);
    if (best == SIZE_MAX) best = BestBinByOwner(rules_, bins_of_owner_, open_, view, k, SIZE_MAX);
    const bool is_new = best == SIZE_MAX;
    if (is_new) {
      bins_.emplace_back();
      closed_.push_back(0);
      best = bins_.size() - 1;
      open_.push_back(best);
    }
    const std::uint32_t owner_before = bins_[best].owner_id;
    rules_.Add(bins_[best], k);
    Index(best, is_new, owner_before);
    // A new bin lists nothing yet, under any owner.
    shipping_.Update(best, bins_[best], clusters_[k], is_new ? bins_[best].owner_id : owner_before);
    if (rules_.FitsNoCluster(bins_[best])) Close(best);
  }

  // The scan's choice when an open bin that fits cluster `k` offers it MaxAffinity: the earliest
  // such bin (the scan stops at it). At 10,000 functions most clusters end so, after a scan of
  // 23 bins on average against 5 at 1,000: the owner's open bins grow with the service. Such a
  // bin has `k`'s owner (when it has one) and ships every distribution `k` needs, so only the
  // shortest of those lists is searched. SIZE_MAX when none: the scan decides (it then sees
  // every bin, as before).
  std::size_t EarliestBinOfMaxAffinity(std::size_t k) const {
    const auto& dists = clusters_[k].dists;
    if (!rules_.MaxAffinityShipsAll() || dists.empty()) return SIZE_MAX;
    const std::uint32_t owner = rules_.OwnerIdOf(k);
    auto list_of = [&](std::uint32_t d) -> const ShippingIndex::List& {
      return owner ? shipping_.Of(owner, d) : shipping_.OfAll(d);
    };
    const ShippingIndex::List* shortest = &list_of(dists.front());
    for (auto d : dists)
      if (list_of(d).size() < shortest->size()) shortest = &list_of(d);
    for (std::size_t b : *shortest)
      if (!closed_[b] && rules_.Admits(bins_[b], k) && rules_.OffersMaxAffinity(bins_[b], k) &&
          rules_.Fits(bins_[b], k))
        return b;
    return SIZE_MAX;
  }

  // Takes bin `b` out of the lists of bins offered to clusters.
  void Close(std::size_t b) {
    closed_[b] = 1;
    auto drop = [b](std::vector<std::size_t>& list) {
      auto it = std::lower_bound(list.begin(), list.end(), b);
      if (it != list.end() && *it == b) list.erase(it);
    };
    drop(open_);
    if (bins_[b].owner_id < bins_of_owner_.size()) drop(bins_of_owner_[bins_[b].owner_id]);
  }

  // Keeps bins_of_owner_ in step after bin `b` took a cluster.
  void Index(std::size_t b, bool is_new, std::uint32_t owner_before) {
    const std::uint32_t owner = bins_[b].owner_id;
    if (!is_new && owner == owner_before) return;
    if (bins_of_owner_.size() <= owner) bins_of_owner_.resize(owner + 1);
    if (!is_new) {  // an unowned bin joined by its first owned cluster changes lists
      auto& from = bins_of_owner_[owner_before];
      from.erase(std::lower_bound(from.begin(), from.end(), b));
    }
    auto& to = bins_of_owner_[owner];
    to.insert(std::lower_bound(to.begin(), to.end(), b), b);
  }

  const StackRules& rules_;
  const std::vector<Cluster>& clusters_;
  const std::vector<std::string>& cluster_keys_;
  std::vector<Bin> bins_;
  /// Positions of the bins that may still fit a cluster, by owner id (0: no owner yet), and all
  /// of them (open_); ascending.
  std::vector<std::vector<std::size_t>> bins_of_owner_;
  std::vector<std::size_t> open_;
  std::vector<std::uint64_t> key_rank_, dist_rank_;  // RankKeys
  std::vector<char> closed_;                         // per bin: taken out of the lists above
  ShippingIndex shipping_;
};

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
      // A distribution none of the bin's clusters ships is never shipped by enough of them.
      if (bin.dist_count[d] == 0) continue;
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
