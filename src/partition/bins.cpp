// The rules a cluster keeps to join a function stack: shared by the packer, the column
// generation and the restricted master, so every stack any of them proposes keeps the budgets.
#include "partition/bins.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <string>
#include <unordered_map>

namespace cfnsplit {

Budgets StackBudgets(const RuleSet& rules, const PlanOptions& options, double tighten) {
  double h = options.headroom * tighten;
  return {Budget(rules, QuotaMeasure::kResources, h),
          Budget(rules, QuotaMeasure::kParameters, h),
          Budget(rules, QuotaMeasure::kOutputs, h),
          Budget(rules, QuotaMeasure::kTemplateBytes, h),
          Budget(rules, QuotaMeasure::kPackageBytes, options.headroom),
          Budget(rules, QuotaMeasure::kPackageBytes, 1.0)};
}

namespace {

// Ids for strings, in order of first sight; each cluster's list comes out ascending and unique.
class Interner {
 public:
  std::vector<std::uint32_t> Ids(const std::vector<std::string>& names) {
    std::vector<std::uint32_t> ids;
    ids.reserve(names.size());
    for (const auto& name : names)
      ids.push_back(ids_.emplace(name, static_cast<std::uint32_t>(ids_.size())).first->second);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
  }

 private:
  std::unordered_map<std::string, std::uint32_t> ids_;
};

// How many of `ids` the ascending list `have` lacks.
std::size_t Missing(const std::vector<std::uint32_t>& ids, const std::vector<std::uint32_t>& have) {
  std::size_t missing = 0;
  for (std::uint32_t id : ids) missing += !std::binary_search(have.begin(), have.end(), id);
  return missing;
}

void Merge(std::vector<std::uint32_t>& into, const std::vector<std::uint32_t>& ids) {
  if (ids.empty()) return;
  std::vector<std::uint32_t> merged;
  merged.reserve(into.size() + ids.size());
  std::set_union(into.begin(), into.end(), ids.begin(), ids.end(), std::back_inserter(merged));
  into.swap(merged);
}

}  // namespace

StackRules::StackRules(const std::vector<Cluster>& clusters, const PackageView& packages,
                       const Budgets& budgets, const PlanOptions& options)
    : clusters_(clusters),
      packages_(packages),
      budgets_(budgets),
      options_(options),
      package_binds_(!packages.empty() && packages.shared_artifact()) {
  strategy_ = options.strategy == "lifecycle"   ? Strategy::kLifecycle
              : options.strategy == "ownership" ? Strategy::kOwnership
                                                : Strategy::kOther;
  Interner takes, params, gives;
  wiring_.reserve(clusters.size());
  for (const Cluster& c : clusters)
    wiring_.push_back({takes.Ids(c.takes), params.Ids(c.params), gives.Ids(c.gives)});
  // Owner ids from 1 (0 is "no owner"): Fits compares them where owner names took a tenth of a
  // 10,000-function packing.
  std::unordered_map<std::string, std::uint32_t> owners;
  for (const Cluster& c : clusters)
    owner_ids_.push_back(
        c.owner.empty() ? 0 : owners.emplace(c.owner, owners.size() + 1).first->second);
  for (std::size_t k = 0; k < clusters.size(); ++k) max_affinity_.push_back(AffinityCeiling(k));
  for (const Cluster& c : clusters) {
    least_resources_ = std::min<std::uint64_t>(least_resources_, c.resources);
    least_bytes_ = std::min(least_bytes_, c.bytes);
    least_own_bytes_ = std::min(least_own_bytes_, c.own_bytes);
  }
  artifact_closes_ = package_binds_ && !clusters.empty() && least_own_bytes_ > 0;
  // A heavy distribution the bin lacks stops FitsArtifact soonest.
  for (const Cluster& c : clusters) {
    heaviest_first_.push_back(c.dists);
    std::stable_sort(heaviest_first_.back().begin(), heaviest_first_.back().end(),
                     [&](std::uint32_t x, std::uint32_t y) {
                       return packages.dist_bytes[x] > packages.dist_bytes[y];
                     });
    HeaviestNeed need;
    if (package_binds_ && !c.dists.empty()) {
      need.dist = heaviest_first_.back().front();
      need.adds = c.own_bytes + packages.dist_bytes[need.dist];
      need.layer = c.layer_bytes;
    }
    heaviest_need_.push_back(need);
  }
}

// Affinity against a bin of the same owner that ships every distribution cluster `k` needs.
std::uint64_t StackRules::AffinityCeiling(std::size_t k) const {
  const Cluster& c = clusters_[k];
  if (strategy_ == Strategy::kLifecycle) return 0;
  std::uint64_t score = c.owner.empty() ? 0 : 1;
  if (strategy_ == Strategy::kOwnership) return score;
  for (auto d : c.dists) score += packages_.dist_bytes[d] + 1;
  return score;
}

// Fits after Admits. The artifact first: it turns most bins away, often before all of the
// cluster's distributions are looked up.
bool StackRules::FitsRest(const Bin& bin, std::size_t k) const {
  return FitsArtifact(bin, k) && FitsWiring(bin, k);
}

bool StackRules::FitsWiring(const Bin& bin, std::size_t k) const {
  const Cluster& c = clusters_[k];
  const Wiring& w = wiring_[k];
  std::size_t takes = bin.takes.size() + Missing(w.takes, bin.takes);
  std::size_t params = bin.params.size() + Missing(w.params, bin.params);
  std::size_t gives = bin.gives.size() + Missing(w.gives, bin.gives);
  WiringLoad load = LoadOf(takes, params, gives, bin.root_outputs + c.root_outputs,
                           options_.mode == WiringMode::kNested);
  if (load.parameters > budgets_.parameters || load.outputs > budgets_.outputs) return false;
  return bin.bytes + c.bytes + load.parameters * 90 + load.outputs * 160 <= budgets_.bytes;
}

bool StackRules::FitsArtifact(const Bin& bin, std::size_t k) const {
  if (!package_binds_ || bin.clusters.empty()) return true;
  const Cluster& c = clusters_[k];
  // `added`: what the cluster adds (code, missing distributions); `package`: the artifact then.
  // Both only grow as distributions are counted, so once something is added and the artifact is
  // over the headroom, the exception below cannot apply: stop.
  std::uint64_t added = c.own_bytes;
  std::uint64_t package =
      bin.dist_bytes + bin.own_bytes + added + std::max(bin.max_layer, c.layer_bytes);
  if (added > 0 && package > budgets_.package) return false;
  for (auto d : heaviest_first_[k]) {
    if (!bin.dist_count.empty() && bin.dist_count[d] > 0) continue;
    added += packages_.dist_bytes[d];
    package += packages_.dist_bytes[d];
    if (added > 0 && package > budgets_.package) return false;
  }
  // Over the headroom, a stack only takes functions that ship nothing it does not already.
  bool adds_nothing = added == 0 && c.layer_bytes <= bin.max_layer;
  return package <= budgets_.package || (adds_nothing && package <= budgets_.package_limit);
}

std::uint64_t StackRules::AddedDistBytes(const Bin& bin, std::size_t k) const {
  std::uint64_t added = 0;
  for (auto d : clusters_[k].dists)
    if (bin.dist_count.empty() || bin.dist_count[d] == 0) added += packages_.dist_bytes[d];
  return added;
}

std::uint64_t StackRules::Affinity(const Bin& bin, std::size_t k) const {
  const Cluster& c = clusters_[k];
  if (strategy_ == Strategy::kLifecycle) return 0;
  std::uint64_t score = 0;
  if (bin.owner_id && bin.owner_id == owner_ids_[k]) score += 1;
  if (strategy_ == Strategy::kOwnership) return score;
  for (auto d : c.dists)
    if (!bin.dist_count.empty() && bin.dist_count[d] > 0) score += packages_.dist_bytes[d] + 1;
  return score;
}

bool StackRules::OffersMaxAffinity(const Bin& bin, std::size_t k) const {
  if (strategy_ != Strategy::kOther) return Affinity(bin, k) == max_affinity_[k];
  // MaxAffinity counts the owner's point when the cluster has one, and every distribution.
  if (owner_ids_[k] && bin.owner_id != owner_ids_[k]) return false;
  for (auto d : clusters_[k].dists)
    if (bin.dist_count.empty() || bin.dist_count[d] == 0) return false;
  return true;
}

void StackRules::Add(Bin& bin, std::size_t k) const {
  const Cluster& c = clusters_[k];
  if (bin.dist_count.empty()) bin.dist_count.assign(packages_.dist_names.size(), 0);
  bin.dist_bytes += AddedDistBytes(bin, k);
  for (auto d : c.dists) ++bin.dist_count[d];
  bin.clusters.push_back(k);
  bin.resources += c.resources;
  bin.root_outputs += c.root_outputs;
  bin.bytes += c.bytes;
  bin.own_bytes += c.own_bytes;
  bin.max_layer = std::max(bin.max_layer, c.layer_bytes);
  Merge(bin.takes, wiring_[k].takes);
  Merge(bin.params, wiring_[k].params);
  Merge(bin.gives, wiring_[k].gives);
  if (bin.owner.empty()) bin.owner = c.owner;
  if (!bin.owner_id) bin.owner_id = owner_ids_[k];
  if (bin.forced_name.empty()) bin.forced_name = c.forced_stack;
}

bool StackRules::Build(const std::vector<std::size_t>& members, Bin& out) const {
  out = Bin{};
  for (std::size_t k : members) {
    if (!out.clusters.empty() && !Fits(out, k)) return false;
    Add(out, k);
  }
  return true;
}

std::size_t WiringOf(const std::vector<Bin>& bins) {
  std::size_t wiring = 0;
  for (const Bin& b : bins) wiring += b.takes.size() + b.gives.size();
  return wiring;
}

// Groups of clusters that may share a stack: one per owner, unowned clusters in every group.
std::vector<std::vector<std::size_t>> OwnerGroups(const StackRules& rules) {
  const auto& clusters = rules.clusters();
  std::map<std::string, std::vector<std::size_t>> by_owner;
  std::vector<std::size_t> unowned;
  for (std::size_t k = 0; k < clusters.size(); ++k) {
    if (rules.options().allow_mixed_owners || clusters[k].owner.empty())
      unowned.push_back(k);
    else
      by_owner[clusters[k].owner].push_back(k);
  }
  std::vector<std::vector<std::size_t>> groups;
  for (auto& [owner, members] : by_owner) {
    members.insert(members.end(), unowned.begin(), unowned.end());
    std::sort(members.begin(), members.end());
    groups.push_back(std::move(members));
  }
  if (groups.empty()) groups.push_back(unowned);
  return groups;
}

// Unzipped bytes of clusters a and b in one artifact (layers: the larger set).
std::uint64_t PairBytes(const StackRules& rules, const Cluster& a, const Cluster& b) {
  const auto& bytes = rules.packages().dist_bytes;
  std::uint64_t total = a.own_bytes + b.own_bytes + std::max(a.layer_bytes, b.layer_bytes);
  std::size_t i = 0, j = 0;
  while (i < a.dists.size() || j < b.dists.size()) {
    if (j == b.dists.size() || (i < a.dists.size() && a.dists[i] < b.dists[j])) {
      total += bytes[a.dists[i++]];
    } else if (i == a.dists.size() || b.dists[j] < a.dists[i]) {
      total += bytes[b.dists[j++]];
    } else {
      total += bytes[a.dists[i]];
      ++i, ++j;
    }
  }
  return total;
}

}  // namespace cfnsplit
