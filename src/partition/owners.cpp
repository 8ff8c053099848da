// Owners never share a stack, so bounds and column generation can work owner by owner: cheap
// per-owner bounds (GroupFloor) and the set-covering LP solved for each owner's clusters alone
// (SolveCoverLpByOwner), whose rounded-up bounds add up. docs/packing.md has the argument.
#include <algorithm>
#include <cmath>
#include <cstdint>
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

// For each cluster of `members`, the clusters over the headroom (among `hosts`) that ship every
// distribution it needs, as a bit set over `hosts`: a stack led by one of them may hold it
// although it would not fit under the headroom beside another cluster. Built per distribution
// (the hosts shipping it) and intersected over each member's distributions, where testing every
// host against every member grew with the product of both (11 of the 173 million instructions
// of this bound at 10,000 functions).
class HostSets {
 public:
  HostSets(const std::vector<Cluster>& clusters, const std::vector<std::size_t>& members,
           const std::vector<std::size_t>& hosts, std::size_t distributions)
      : words_((hosts.size() + 63) / 64), bits_(clusters.size() * words_, 0) {
    if (words_ == 0) return;  // no host: Shared is false, and there is no word to point at
    std::vector<std::uint64_t> shipping(distributions * words_, 0);  // per distribution
    for (std::size_t j = 0; j < hosts.size(); ++j)
      for (std::uint32_t d : clusters[hosts[j]].dists)
        shipping[d * words_ + j / 64] |= std::uint64_t{1} << (j % 64);
    std::vector<std::uint64_t> every_host(words_, ~std::uint64_t{0});
    if (hosts.size() % 64) every_host.back() = (std::uint64_t{1} << (hosts.size() % 64)) - 1;
    for (std::size_t k : members) {
      std::uint64_t* set = &bits_[k * words_];
      std::copy(every_host.begin(), every_host.end(), set);
      for (std::uint32_t d : clusters[k].dists)
        for (std::size_t w = 0; w < words_; ++w) set[w] &= shipping[d * words_ + w];
    }
  }
  /// True when one host ships every distribution of a and b: then a stack led by it might hold
  /// both although together they exceed the headroom budget.
  bool Shared(std::size_t a, std::size_t b) const {
    for (std::size_t w = 0; w < words_; ++w)
      if (bits_[a * words_ + w] & bits_[b * words_ + w]) return true;
    return false;
  }

 private:
  std::size_t words_;
  std::vector<std::uint64_t> bits_;  // words_ per cluster, set for members only
};

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

// The questions of PackageClique's search, about members by position (heaviest first): may the
// ones at t and u < t share a stack? Either fits under `capacity` with the other, or one host
// ships every distribution of both. Seeds ask about the same pairs again and again, so answers
// are kept, a row of them for each member asked about (a clique's member; rows up to 4 MiB).
class CliqueQuestions {
 public:
  CliqueQuestions(const StackRules& rules, const std::vector<std::size_t>& members,
                  const std::vector<std::size_t>& hosts)
      : members_(members),
        capacity_(rules.budgets().package),
        pairs_(rules.clusters(), rules.packages().dist_bytes, members),
        host_sets_(rules.clusters(), members, hosts, rules.packages().dist_bytes.size()),
        row_of_(members.size(), kNoRow) {}

  bool MayShare(std::size_t t, std::size_t u) {
    std::size_t& row = row_of_[u];
    if (row == kNoRow && answers_.size() + members_.size() <= kMaxAnswers) {
      row = answers_.size();
      answers_.resize(answers_.size() + members_.size(), 0);
    }
    if (row == kNoRow) return Test(t, u);
    std::uint8_t& known = answers_[row + t];  // 0 unknown, 1 share, 2 clash
    if (!known) known = Test(t, u) ? 1 : 2;
    return known == 1;
  }

 private:
  static constexpr std::size_t kNoRow = SIZE_MAX;
  static constexpr std::size_t kMaxAnswers = std::size_t{4} << 20;

  bool Test(std::size_t t, std::size_t u) const {
    return pairs_.FitWithin(members_[t], members_[u], capacity_) ||
           host_sets_.Shared(members_[t], members_[u]);
  }

  const std::vector<std::size_t>& members_;
  std::uint64_t capacity_;
  PairPackages pairs_;
  HostSets host_sets_;
  std::vector<std::size_t> row_of_;    // per position: where its row of answers starts
  std::vector<std::uint8_t> answers_;  // rows of one answer per position
};

// The largest of greedy cliques of `members` that pairwise share no stack: together they exceed
// the headroom budget and no cluster over the headroom (among `hosts`) could lead a stack that
// holds both (a stack over the headroom ships exactly its first cluster's artifact). Heaviest
// first, a clique from each seed until a budget of questions runs out (a smaller clique: a
// weaker bound, never a wrong one). The budget grows with the owner's clusters, so the bound
// costs what the rest of the plan does at any scale: asking until 5 million questions made it
// quadratic (173 million instructions at 10,000 functions), although on every benchmark owner
// the first seed's clique was the largest and later seeds asked 90 % of the questions.
std::size_t PackageClique(const StackRules& rules, std::vector<std::size_t> members,
                          const std::vector<std::size_t>& hosts) {
  const auto& clusters = rules.clusters();
  const std::uint64_t capacity = rules.budgets().package;
  std::stable_sort(members.begin(), members.end(), [&](std::size_t x, std::size_t y) {
    return clusters[x].package_bytes > clusters[y].package_bytes;
  });
  const std::size_t budget = CliqueQuestionBudget(members.size());
  std::size_t best = members.empty() ? 0 : 1, work = 0;
  CliqueQuestions questions(rules, members, hosts);
  std::vector<char> in_clique(clusters.size(), 0);
  for (std::size_t s = 0; s < members.size() && work < budget; ++s) {
    // A clique from `s` holds it and clusters after it too heavy to pair with it: with the
    // clusters heaviest first, that count only falls from seed to seed, so once it cannot beat
    // the best clique no later seed can, and the search ends with the same answer.
    const std::size_t light = CandidatesEnd(clusters, members, s, capacity);
    if (1 + light - (s + 1) <= best) break;
    if (in_clique[members[s]]) continue;
    std::vector<std::size_t> clique = {s};
    for (std::size_t t = s + 1; t < light && work < budget; ++t) {
      // Members in order until one may share a stack with t: each is a question, kept answer
      // or not, so the budget cuts where it would without the rows.
      std::size_t asked_of_t = 0;
      while (asked_of_t < clique.size() && !questions.MayShare(t, clique[asked_of_t])) ++asked_of_t;
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

std::size_t CliqueQuestionBudget(std::size_t clusters) {
  return std::min<std::size_t>(5000000, std::max<std::size_t>(100000, 64 * clusters));
}

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
