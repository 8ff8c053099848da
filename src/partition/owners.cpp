// Owners never share a stack, so bounds and column generation can work owner by owner: cheap
// per-owner bounds (GroupFloor) and the set-covering LP solved for each owner's clusters alone
// (SolveCoverLpByOwner), whose rounded-up bounds add up. docs/packing.md has the argument.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include "cfnsplit/constraints.hpp"
#include "partition/bins.hpp"
#include "partition/pairs.hpp"

namespace cfnsplit {

// Owners never share a stack, so each owner's clusters need stacks of their own: the owned
// clusters of each owner (unowned ones dropped: a relaxation), or nothing when owners may mix.
// Any plan has at least the sum over owners of the stacks each owner's clusters need.
std::vector<std::vector<std::size_t>> OwnedGroups(const StackRules& rules) {
  if (rules.options().allow_mixed_owners) return {};
  std::map<std::string, std::vector<std::size_t>> by_owner;
  const auto& clusters = rules.clusters();
  for (std::size_t k = 0; k < clusters.size(); ++k)
    if (!clusters[k].owner.empty()) by_owner[clusters[k].owner].push_back(k);
  std::vector<std::vector<std::size_t>> groups;
  for (auto& [owner, members] : by_owner) groups.push_back(std::move(members));
  return groups;
}

namespace {

// For each cluster of `members`, the clusters over the headroom (among `hosts`, ascending) that
// ship every distribution it needs: a stack led by one of them may hold it although it would not
// fit under the headroom beside another cluster. `pairs` holds the bit sets of both lists: a
// subset test is a few word operations where std::includes over every member and host pair was
// most of the owners' bound (2.9 million pairs at 10,000 functions).
std::vector<std::vector<std::size_t>> HostsOf(const StackRules& rules, const PairPackages& pairs,
                                              const std::vector<std::size_t>& members,
                                              const std::vector<std::size_t>& hosts) {
  std::vector<std::vector<std::size_t>> hosts_of(rules.clusters().size());
  for (std::size_t k : members)
    for (std::size_t h : hosts)
      if (pairs.Ships(h, k)) hosts_of[k].push_back(h);
  return hosts_of;
}

// True when one host ships every distribution of a and b: then a stack led by it might hold
// both although together they exceed the headroom budget. Computed from HostsOf lists, so a
// pair costs a merge of two short lists (usually empty) instead of a scan of every host (8 % of
// a 10,000-function plan before).
bool SharedHost(const std::vector<std::vector<std::size_t>>& hosts_of, std::size_t a,
                std::size_t b) {
  const auto& x = hosts_of[a];
  const auto& y = hosts_of[b];
  for (std::size_t i = 0, j = 0; i < x.size() && j < y.size();) {
    if (x[i] == y[j]) return true;
    x[i] < y[j] ? ++i : ++j;
  }
  return false;
}

// The end of the clusters after position `s` of `members` (heaviest first) too heavy to share a
// stack under `capacity` with the one at `s`: the only candidates of a clique it seeds.
std::size_t CandidatesEnd(const std::vector<Cluster>& clusters,
                          const std::vector<std::size_t>& members, std::size_t s,
                          std::uint64_t capacity) {
  const std::uint64_t seed_bytes = clusters[members[s]].package_bytes;
  auto end = std::partition_point(
      members.begin() + static_cast<long>(s) + 1, members.end(),
      [&](std::size_t k) { return clusters[k].package_bytes + seed_bytes > capacity; });
  return static_cast<std::size_t>(end - members.begin());
}

// The largest of greedy cliques of `members` that pairwise share no stack: together they exceed
// the headroom budget and no cluster over the headroom (among `hosts`) could lead a stack that
// holds both (a stack over the headroom ships exactly its first cluster's artifact). Heaviest
// first; a work budget keeps it bounded (a smaller clique: a weaker bound, never a wrong one).
std::size_t PackageClique(const StackRules& rules, std::vector<std::size_t> members,
                          const std::vector<std::size_t>& hosts) {
  const auto& clusters = rules.clusters();
  const std::uint64_t capacity = rules.budgets().package;
  std::stable_sort(members.begin(), members.end(), [&](std::size_t x, std::size_t y) {
    return clusters[x].package_bytes > clusters[y].package_bytes;
  });
  std::size_t best = members.empty() ? 0 : 1, work = 0;
  // The same pair test as PairBytes(…) <= capacity, a few word operations instead of a merge:
  // the search below may test millions of pairs (3.2 million at 10,000 functions).
  std::vector<std::size_t> with_hosts = members;
  with_hosts.insert(with_hosts.end(), hosts.begin(), hosts.end());
  const PairPackages pairs(clusters, rules.packages().dist_bytes, with_hosts);
  const auto hosts_of = HostsOf(rules, pairs, members, hosts);
  // Seeds ask about the same pairs again and again, so each answer is kept (`work` still counts
  // every question: the budget, and so the clique, stay what they were). Only clusters before
  // the heaviest one's CandidatesEnd are ever asked about: a triangle of those positions, the
  // answers about `t` in row `t` (a clique's members all come before the cluster asked about).
  const std::size_t asked = members.empty() ? 0 : CandidatesEnd(clusters, members, 0, capacity);
  const bool keep = asked <= 2048;                             // 4 MiB at most
  std::vector<std::uint8_t> answer(keep ? asked * asked : 0);  // 0 unknown, 1 share, 2 clash
  auto may_share = [&](std::size_t t, std::size_t u) {         // positions in `members`, u < t
    auto test = [&] {
      return pairs.FitWithin(members[t], members[u], capacity) ||
             SharedHost(hosts_of, members[t], members[u]);
    };
    if (!keep) return test();
    std::uint8_t& known = answer[t * asked + u];
    if (!known) known = test() ? 1 : 2;
    return known == 1;
  };
  std::vector<char> in_clique(clusters.size(), 0);
  for (std::size_t s = 0; s < members.size() && work < 5000000; ++s) {
    std::size_t seed = members[s];
    // A clique from `seed` holds it and clusters after it too heavy to pair with it: with the
    // clusters heaviest first, that count only falls from seed to seed, so once it cannot beat
    // the best clique no later seed can, and the search ends with the same answer.
    const std::size_t light = CandidatesEnd(clusters, members, s, capacity);
    if (1 + light - (s + 1) <= best) break;
    if (in_clique[seed]) continue;
    std::vector<std::size_t> clique = {s};
    for (std::size_t t = s + 1; t < light && work < 5000000; ++t) {
      // Members in order until one may share a stack with t: each is a question.
      std::size_t asked_of_t = 0;
      while (asked_of_t < clique.size() && !may_share(t, clique[asked_of_t])) ++asked_of_t;
      const bool clashes_with_all = asked_of_t == clique.size();
      work += clashes_with_all ? asked_of_t : asked_of_t + 1;
      if (clashes_with_all) clique.push_back(t);
    }
    for (std::size_t u : clique) in_clique[members[u]] = 1;
    best = std::max(best, clique.size());
  }
  return best;
}

}  // namespace

// Stacks one owner's clusters need at least, by cheap arguments that hold for every stack (also
// one over the headroom): their resources ÷ the resource budget, the union of their packages ÷
// Lambda's limit, and a clique of clusters no stack holds two of (PackageClique). `pricing_group`
// is every cluster its stacks may hold (unowned ones too).
double GroupFloor(const StackRules& rules, const std::vector<std::size_t>& group,
                  const std::vector<std::size_t>& pricing_group) {
  const auto& clusters = rules.clusters();
  std::uint64_t resources = 0;
  std::vector<std::string> functions;
  for (std::size_t k : group) {
    resources += clusters[k].resources;
    functions.insert(functions.end(), clusters[k].functions.begin(), clusters[k].functions.end());
  }
  const std::uint64_t rb = std::max<std::uint64_t>(1, rules.budgets().resources);
  double floor = static_cast<double>((resources + rb - 1) / rb);
  if (!rules.package_binds()) return floor;
  const std::uint64_t limit = std::max<std::uint64_t>(1, rules.budgets().package_limit);
  const std::uint64_t bytes = StackPackageBytes(rules.packages(), functions);
  floor = std::max(floor, static_cast<double>((bytes + limit - 1) / limit));
  std::vector<std::size_t> hosts;
  for (std::size_t k : pricing_group)
    if (clusters[k].package_bytes > rules.budgets().package) hosts.push_back(k);
  return std::max(floor, static_cast<double>(PackageClique(rules, group, hosts)));
}

double OwnerGroupsFloor(const StackRules& rules) {
  const auto owned = OwnedGroups(rules);
  const auto groups = OwnerGroups(rules);
  if (owned.empty() || owned.size() != groups.size()) return 0;
  double sum = 0;
  for (std::size_t g = 0; g < owned.size(); ++g) sum += GroupFloor(rules, owned[g], groups[g]);
  return sum;
}

namespace {

// Owner by owner needs every stack over the headroom to be led (first cluster) by a cluster of
// that owner: true unless an unowned cluster alone exceeds the headroom.
bool OwnersLeadTheirStacks(const StackRules& rules) {
  for (const Cluster& c : rules.clusters())
    if (c.owner.empty() && rules.package_binds() && c.package_bytes > rules.budgets().package)
      return false;
  return true;
}

// `members` (full indexes) as indexes into `group`, or nothing when one is not in it.
std::vector<std::size_t> Localize(const std::vector<std::size_t>& members,
                                  const std::vector<long>& local) {
  std::vector<std::size_t> out;
  for (std::size_t k : members)
    if (local[k] >= 0) out.push_back(static_cast<std::size_t>(local[k]));
  return out;
}

}  // namespace

CoverLp SolveCoverLpByOwner(const StackRules& rules, const std::vector<Bin>& initial,
                            const std::function<ColumnGenLimits(std::size_t)>& limits_for) {
  const auto owned = OwnedGroups(rules);
  const std::size_t n = rules.clusters().size();
  if (owned.size() < 2 || !OwnersLeadTheirStacks(rules))
    return SolveCoverLp(rules, initial, limits_for(n));
  CoverLp result;
  result.priced_out = true;
  std::set<std::vector<std::size_t>> seen;
  auto keep = [&](std::vector<std::size_t> column) {
    std::vector<std::size_t> key = column;
    std::sort(key.begin(), key.end());
    if (seen.insert(key).second) result.columns.push_back(std::move(column));
  };
  // The fast packing and every cluster alone keep the columns a cover of all clusters.
  for (const Bin& b : initial) keep(b.clusters);
  for (std::size_t k = 0; k < n; ++k) keep({k});
  for (const auto& group : owned) {
    std::vector<long> local(n, -1);
    std::vector<Cluster> sub_clusters;
    for (std::size_t i = 0; i < group.size(); ++i) {
      local[group[i]] = static_cast<long>(i);
      sub_clusters.push_back(rules.clusters()[group[i]]);
    }
    StackRules sub(sub_clusters, rules.packages(), rules.budgets(), rules.options());
    std::vector<Bin> sub_initial;
    for (const Bin& b : initial) {
      std::vector<std::size_t> members = Localize(b.clusters, local);
      Bin bin;
      if (!members.empty() && sub.Build(members, bin)) sub_initial.push_back(std::move(bin));
    }
    CoverLp lp = SolveCoverLp(sub, sub_initial, limits_for(group.size()));
    // A stack of this owner minus its unowned clusters is a stack of the sub-problem (its
    // leader is this owner's), so the sub-problem's bound counts this owner's stacks.
    result.bound += std::ceil(lp.bound - 1e-6);
    result.lp_value += lp.lp_value;
    result.iterations += lp.iterations;
    result.exact_pricings += lp.exact_pricings;
    result.priced_out = result.priced_out && lp.priced_out;
    auto global = [&](const std::vector<std::size_t>& column) {
      std::vector<std::size_t> out;
      for (std::size_t i : column) out.push_back(group[i]);
      return out;
    };
    for (const auto& column : lp.columns) keep(global(column));
    // Without a dive (the fast packing met the bound), the fast stacks of this owner stand in.
    if (!lp.dive.empty())
      for (const auto& column : lp.dive) result.dive.push_back(global(column));
    else
      for (const Bin& b : sub_initial) result.dive.push_back(global(b.clusters));
  }
  return result;
}

}  // namespace cfnsplit
