// Packing function clusters into stacks, and turning the result into a SplitPlan.
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <tuple>
#include <unordered_map>
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

// The bin cluster `k` joins: of the bins that fit it (those `each_candidate` offers, in
// ascending order, but `skip`), the one of highest affinity, ties to the earlier one; SIZE_MAX
// when none fits. The same choice as testing every bin, for less: a bin that could not beat the
// best so far is not tested for fit, and the scan stops once the best offers the highest
// affinity any bin could (a bin ahead can only tie).
template <class View, class EachCandidate>
std::size_t BestBinAmong(const StackRules& rules, const View& view, std::size_t k, std::size_t skip,
                         EachCandidate each_candidate) {
  const std::uint64_t ceiling = rules.MaxAffinity(k);
  std::size_t best = SIZE_MAX;
  std::uint64_t best_score = 0;
  each_candidate([&](std::size_t b) {
    const Bin& bin = view(b);
    if (b == skip || !rules.Admits(bin, k)) return true;
    if (best == SIZE_MAX) {
      if (!rules.Fits(bin, k)) return true;
      best_score = rules.Affinity(bin, k);
    } else {
      std::uint64_t score = rules.Affinity(bin, k);
      if (score <= best_score || !rules.Fits(bin, k)) return true;
      best_score = score;
    }
    best = b;
    return best_score < ceiling;  // go on while a later bin could score higher
  });
  return best;
}

// Visits the bins an owned cluster may join, in ascending order: its owner's (`own`) merged
// with those no owner has joined yet (`unowned`), both ascending positions. Bins of another owner
// never admit it, so this is the order and the choice of a scan of every bin.
template <class Visit>
void VisitOwnAndUnowned(const std::vector<std::size_t>& own,
                        const std::vector<std::size_t>& unowned, const Visit& visit) {
  std::size_t i = 0, j = 0;
  while (i < own.size() || j < unowned.size()) {
    bool take_own = j == unowned.size() || (i < own.size() && own[i] < unowned[j]);
    if (!visit(take_own ? own[i++] : unowned[j++])) return;
  }
}

// BestBinAmong the bins that may still fit a cluster (`open`, ascending: a bin that fits none is
// never chosen, so leaving it out changes no choice), offering an owned cluster only its owner's
// and the unowned ones (`bins_of_owner`: the open bins' ascending positions by owner id, 0 for
// none; the owner ids bins had when it was made, which may since have gone from 0 to the
// cluster's own).
template <class View>
std::size_t BestBinByOwner(const StackRules& rules,
                           const std::vector<std::vector<std::size_t>>& bins_of_owner,
                           const std::vector<std::size_t>& open, const View& view, std::size_t k,
                           std::size_t skip) {
  const std::uint32_t owner = rules.OwnerIdOf(k);
  if (owner == 0 || rules.options().allow_mixed_owners)
    return BestBinAmong(rules, view, k, skip, [&](const auto& visit) {
      for (std::size_t i = 0; i < open.size() && visit(open[i]); ++i) {
      }
    });
  static const std::vector<std::size_t> kNone;
  const auto& own = owner < bins_of_owner.size() ? bins_of_owner[owner] : kNone;
  const auto& unowned = bins_of_owner.empty() ? kNone : bins_of_owner[0];
  return BestBinAmong(rules, view, k, skip,
                      [&](const auto& visit) { VisitOwnAndUnowned(own, unowned, visit); });
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

// One attempt to move every cluster of a bin into the others: trial copies of the bins it
// filled (by position) and, when some cluster found no bin, which one.
struct Attempt {
  bool emptied = false;
  std::map<std::size_t, Bin> trial;
  std::size_t failed_at = 0;  // position in the victim's clusters
};

// Positions of `bins` that may still fit a cluster (StackRules::FitsNoCluster), by owner id
// (0: none) and all of them (`open`), ascending.
std::vector<std::vector<std::size_t>> OpenBinsByOwner(const StackRules& rules,
                                                      const std::vector<Bin>& bins,
                                                      std::vector<std::size_t>& open) {
  std::vector<std::vector<std::size_t>> by_owner(1);
  open.clear();
  for (std::size_t b = 0; b < bins.size(); ++b) {
    if (rules.FitsNoCluster(bins[b])) continue;
    if (by_owner.size() <= bins[b].owner_id) by_owner.resize(bins[b].owner_id + 1);
    by_owner[bins[b].owner_id].push_back(b);
    open.push_back(b);
  }
  return by_owner;
}

// A victim's owned clusters all have its owner, so a trial bin changes owner only from none to
// theirs and `bins_of_owner` (OpenBinsByOwner(bins)) still offers every bin that admits them.
// `trial_of` (a.trial by position, without a search; null but for a.trial's bins on return)
// is the caller's, as every attempt would otherwise clear one pointer per bin.
Attempt TryEmpty(const StackRules& rules, const std::vector<Bin>& bins, std::size_t victim,
                 const std::vector<std::vector<std::size_t>>& bins_of_owner,
                 const std::vector<std::size_t>& open, std::vector<Bin*>& trial_of) {
  Attempt a;
  auto view = [&](std::size_t b) -> const Bin& { return trial_of[b] ? *trial_of[b] : bins[b]; };
  const std::vector<std::size_t>& clusters = bins[victim].clusters;
  for (std::size_t i = 0; i < clusters.size(); ++i) {
    std::size_t best = BestBinByOwner(rules, bins_of_owner, open, view, clusters[i], victim);
    if (best == SIZE_MAX) {
      a.failed_at = i;
      return a;
    }
    if (!trial_of[best]) trial_of[best] = &a.trial.emplace(best, bins[best]).first->second;
    rules.Add(*trial_of[best], clusters[i]);
  }
  a.emptied = true;
  return a;
}

// Empties the smallest stacks into the others, as ConsolidateBins describes, remembering each
// failed attempt until a bin it depended on changes: after every success the pass restarts from
// the smallest stack, and retrying every earlier victim made this quadratic in the stacks.
class Consolidator {
 public:
  Consolidator(const StackRules& rules, std::vector<Bin>& bins)
      : rules_(rules), bins_(bins), ids_(bins.size()), failures_(bins.size()) {
    for (std::size_t b = 0; b < bins.size(); ++b) ids_[b] = b;
  }

  void Run() {
    while (bins_.size() > 1 && EmptyOne()) {
    }
  }

 private:
  // A failed attempt (bins by stable id; positions shift as bins are removed).
  struct Failure {
    bool known = false;
    std::vector<std::size_t> touched;  // the bins its clusters went to before one found none
    std::size_t failed_at = 0;
  };

  // Tries the victims smallest first; applies the first that empties, if any.
  bool EmptyOne() {
    std::vector<std::size_t> by_size(bins_.size());
    for (std::size_t b = 0; b < bins_.size(); ++b) by_size[b] = b;
    std::stable_sort(by_size.begin(), by_size.end(), [&](std::size_t x, std::size_t y) {
      return bins_[x].resources + bins_[x].dist_bytes / 1000000 <
             bins_[y].resources + bins_[y].dist_bytes / 1000000;
    });
    std::vector<std::size_t> open;
    const auto bins_of_owner = OpenBinsByOwner(rules_, bins_, open);
    trial_of_.assign(bins_.size(), nullptr);
    for (std::size_t victim : by_size) {
      if (!bins_[victim].forced_name.empty() || failures_[ids_[victim]].known) continue;
      Attempt a = TryEmpty(rules_, bins_, victim, bins_of_owner, open, trial_of_);
      for (const auto& entry : a.trial) trial_of_[entry.first] = nullptr;
      if (!a.emptied) {
        Remember(victim, a);
        continue;
      }
      ForgetAffected(victim, a);
      for (auto& [b, bin] : a.trial) bins_[b] = std::move(bin);
      bins_.erase(bins_.begin() + static_cast<long>(victim));
      ids_.erase(ids_.begin() + static_cast<long>(victim));
      return true;
    }
    return false;
  }

  void Remember(std::size_t victim, const Attempt& a) {
    Failure& f = failures_[ids_[victim]];
    f.known = true;
    f.touched.clear();
    for (const auto& entry : a.trial) f.touched.push_back(ids_[entry.first]);
    f.failed_at = a.failed_at;
  }

  // What a success changes: the victim (removed) and the bins it fills (they grow).
  struct Change {
    std::vector<std::size_t> ids;    // their stable ids, ascending
    std::vector<const Bin*> states;  // the victim, and each filled bin before and after
    std::uint32_t owner = 0;         // the owner id all of them have, 0 when none or several
  };

  // Before success `a` (emptying `victim`) is applied: drops the failures it may undo.
  void ForgetAffected(std::size_t victim, const Attempt& a) {
    Change change;
    change.ids.push_back(ids_[victim]);
    change.states.push_back(&bins_[victim]);
    for (const auto& [b, after] : a.trial) {
      change.ids.push_back(ids_[b]);
      change.states.push_back(&bins_[b]);
      change.states.push_back(&after);
    }
    std::sort(change.ids.begin(), change.ids.end());
    change.owner = rules_.options().allow_mixed_owners ? 0 : bins_[victim].owner_id;
    for (const Bin* state : change.states)
      if (state->owner_id != change.owner) change.owner = 0;
    for (std::size_t p = 0; p < bins_.size(); ++p) {
      Failure& f = failures_[ids_[p]];
      if (f.known && p != victim) f.known = StillFails(p, f, change);
    }
  }

  // True when failure `f` of the bin at `p` is bound to repeat after `change`. The success
  // changes only the bins it fills (they grow) and the victim (removed); the others and their
  // order stay. If the failed attempt's own bin and the bins it filled are not among them, and
  // no changed bin fits any cluster it placed or failed on, neither before the change nor after,
  // then at every step the same bins fit with the same affinity: the same choices, and the same
  // cluster finds no bin. (A grown bin that fits may now offer more affinity, so it must not
  // fit; "after" and the removed victim are checked too although Fits only tightens as a bin
  // grows through Fits and a bin not chosen decides nothing: cheap, and safe if that changes.)
  // Every success is checked against every remembered failure, so the owners are compared
  // first: a cluster of another owner fits none of the changed bins (Admits), and with a few
  // owners most failures are another owner's.
  bool StillFails(std::size_t p, const Failure& f, const Change& change) const {
    auto changed = [&](std::size_t id) {
      return std::binary_search(change.ids.begin(), change.ids.end(), id);
    };
    if (changed(ids_[p]) || std::any_of(f.touched.begin(), f.touched.end(), changed)) return false;
    const std::vector<std::size_t>& clusters = bins_[p].clusters;
    for (std::size_t i = 0; i <= f.failed_at; ++i) {
      std::size_t k = clusters[i];
      const std::uint32_t owner = rules_.OwnerIdOf(k);
      if (change.owner && owner && owner != change.owner) continue;
      for (const Bin* state : change.states)
        if (rules_.Fits(*state, k)) return false;
    }
    return true;
  }

  const StackRules& rules_;
  std::vector<Bin>& bins_;
  std::vector<std::size_t> ids_;   // per position: the bin's stable id
  std::vector<Failure> failures_;  // by stable id
  std::vector<Bin*> trial_of_;     // TryEmpty's, kept between attempts
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

// Tries to empty the smallest stacks into the others; keeps a move only if all of a stack's
// clusters find room elsewhere.
void ConsolidateBins(const StackRules& rules, std::vector<Bin>& bins) {
  Consolidator(rules, bins).Run();
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
