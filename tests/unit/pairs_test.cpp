// The bounds' pair tests run on distribution bit sets (PairPackages) instead of merging lists
// or looking functions up by name; the printed bounds must not change. On random instances
// (several functions per cluster, distributions over several words, owners, unowned clusters,
// clusters over the headroom that host others), each is checked against the plain computation
// it replaced, kept here as the reference.
#include "partition/pairs.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <numeric>
#include <random>
#include <set>
#include <string>

#include "partition/bins.hpp"
#include "support/packing_instance.hpp"

using namespace cfnsplit;

namespace {

using Instance = testing::PackingInstance;
using testing::Draw;

// One function: a few distributions, most from a small popular set (so clusters share).
PackageView::Function RandomFunction(std::mt19937& rng, std::size_t dists) {
  PackageView::Function f;
  for (std::uint32_t d = 0; d < dists; ++d)
    if (Draw(rng, 0, d < 8 ? 2 : 12) == 0) f.dists.push_back(d);
  f.code_bytes = Draw(rng, 0, 3) ? Draw(rng, 1, 9) : 0;
  f.layer_bytes = Draw(rng, 0, 4) == 0 ? Draw(rng, 1, 40) : 0;
  return f;
}

// A cluster's package fields as BuildClusters computes them from its functions.
Cluster RandomCluster(std::mt19937& rng, Instance& in, std::size_t k) {
  Cluster c;
  const std::size_t dists = in.packages.dist_names.size();
  for (std::size_t f = 0, n = Draw(rng, 0, 3); f < n; ++f) {
    std::string id = "F" + std::to_string(k) + "x" + std::to_string(f);
    c.functions.push_back(id);
    if (Draw(rng, 0, 9) == 0) continue;  // no package known for it
    in.packages.functions[id] = RandomFunction(rng, dists);
  }
  std::set<std::uint32_t> all;
  for (const auto& id : c.functions) {
    auto it = in.packages.functions.find(id);
    if (it == in.packages.functions.end()) continue;
    all.insert(it->second.dists.begin(), it->second.dists.end());
    c.own_bytes += it->second.code_bytes;
    c.layer_bytes = std::max(c.layer_bytes, it->second.layer_bytes);
  }
  c.dists.assign(all.begin(), all.end());
  c.package_bytes = StackPackageBytes(in.packages, c.functions);
  int owner = static_cast<int>(Draw(rng, 0, 3));
  c.owner = owner == 0 ? "" : std::string(1, static_cast<char>('a' + owner - 1));
  c.resources = static_cast<std::uint32_t>(Draw(rng, 1, 9));
  return c;
}

Instance RandomInstance(std::mt19937& rng) {
  Instance in;
  for (std::size_t d = 0, n = Draw(rng, 1, 150); d < n; ++d) {
    in.packages.dist_names.push_back("d" + std::to_string(d));
    in.packages.dist_bytes.push_back(Draw(rng, 0, 6) == 0 ? Draw(rng, 30, 90) : Draw(rng, 0, 20));
  }
  for (std::size_t k = 0, n = Draw(rng, 1, 120); k < n; ++k)
    in.clusters.push_back(RandomCluster(rng, in, k));
  // The headroom budget somewhere among the clusters' sizes: some pairs fit, some clusters are
  // over it alone and lead stacks of their own.
  std::vector<std::uint64_t> sizes;
  for (const Cluster& c : in.clusters) sizes.push_back(c.package_bytes);
  std::sort(sizes.begin(), sizes.end());
  std::uint64_t package = sizes[Draw(rng, sizes.size() / 2, sizes.size() - 1)] + Draw(rng, 0, 60);
  in.budgets = {Draw(rng, 20, 200),        60, 60, 1000000, std::max<std::uint64_t>(package, 1),
                package + Draw(rng, 0, 80)};
  in.options.allow_mixed_owners = Draw(rng, 0, 4) == 0;
  return in;
}

// --- The references: the computations as they were before PairPackages.

std::uint64_t RefTogether(const Instance& in, std::size_t a, std::size_t b) {
  std::vector<std::string> both = in.clusters[a].functions;
  both.insert(both.end(), in.clusters[b].functions.begin(), in.clusters[b].functions.end());
  return StackPackageBytes(in.packages, both);
}

std::size_t RefPackageClique(const StackRules& rules, std::vector<std::size_t> members,
                             const std::vector<std::size_t>& hosts) {
  const auto& clusters = rules.clusters();
  const std::uint64_t capacity = rules.budgets().package;
  std::stable_sort(members.begin(), members.end(), [&](std::size_t x, std::size_t y) {
    return clusters[x].package_bytes > clusters[y].package_bytes;
  });
  auto shared_host = [&](std::size_t a, std::size_t b) {
    for (std::size_t h : hosts) {
      const auto& d = clusters[h].dists;
      if (std::includes(d.begin(), d.end(), clusters[a].dists.begin(), clusters[a].dists.end()) &&
          std::includes(d.begin(), d.end(), clusters[b].dists.begin(), clusters[b].dists.end()))
        return true;
    }
    return false;
  };
  std::size_t best = members.empty() ? 0 : 1, work = 0;
  const std::size_t budget = CliqueQuestionBudget(members.size());
  std::vector<char> in_clique(clusters.size(), 0);
  for (std::size_t s = 0; s < members.size() && work < budget; ++s) {
    std::size_t seed = members[s];
    if (in_clique[seed]) continue;
    std::vector<std::size_t> clique = {seed};
    for (std::size_t t = s + 1; t < members.size() && work < budget; ++t) {
      std::size_t k = members[t];
      if (clusters[k].package_bytes + clusters[seed].package_bytes <= capacity) break;
      bool clashes_with_all = true;
      for (std::size_t q : clique) {
        ++work;
        if (PairBytes(rules, clusters[k], clusters[q]) <= capacity || shared_host(k, q)) {
          clashes_with_all = false;
          break;
        }
      }
      if (clashes_with_all) clique.push_back(k);
    }
    for (std::size_t k : clique) in_clique[k] = 1;
    best = std::max(best, clique.size());
  }
  return best;
}

double RefGroupFloor(const StackRules& rules, const std::vector<std::size_t>& group,
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
  return std::max(floor, static_cast<double>(RefPackageClique(rules, group, hosts)));
}

std::size_t RefConflictClique(const Instance& in) {
  const auto& clusters = in.clusters;
  const std::uint64_t pb = in.budgets.package, limit = in.budgets.package_limit;
  std::vector<std::size_t> order(clusters.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return clusters[x].package_bytes > clusters[y].package_bytes;
  });
  std::vector<std::size_t> clique;
  for (std::size_t k : order) {
    bool conflicts_with_all = true;
    for (std::size_t q : clique) {
      bool owners_clash = !in.options.allow_mixed_owners && !clusters[k].owner.empty() &&
                          !clusters[q].owner.empty() && clusters[k].owner != clusters[q].owner;
      if (owners_clash) continue;
      std::uint64_t together = RefTogether(in, k, q);
      bool adds_nothing =
          together == std::max(clusters[k].package_bytes, clusters[q].package_bytes) &&
          together <= limit;
      if (together <= pb || adds_nothing) {
        conflicts_with_all = false;
        break;
      }
    }
    if (conflicts_with_all) clique.push_back(k);
    if (clique.size() >= 512) break;
  }
  return clique.size();
}

}  // namespace

TEST_CASE("PairPackages gives PairBytes and the artifact's bytes for every pair",
          "[unit][partition]") {
  std::mt19937 rng(20240611);
  for (int round = 0; round < 150; ++round) {
    Instance in = RandomInstance(rng);
    StackRules rules(in.clusters, in.packages, in.budgets, in.options);
    const PairPackages pairs(in.clusters, in.packages.dist_bytes);
    for (std::size_t a = 0; a < in.clusters.size(); ++a)
      for (std::size_t b = 0; b < in.clusters.size(); ++b) {
        const std::uint64_t bytes = PairBytes(rules, in.clusters[a], in.clusters[b]);
        REQUIRE(pairs.Together(a, b) == bytes);
        REQUIRE(bytes == RefTogether(in, a, b));
        // Limits at, around and far from the pair's bytes reach every early exit.
        for (std::uint64_t limit : {bytes, bytes - std::min<std::uint64_t>(bytes, 1), bytes + 1,
                                    bytes / 2, Draw(rng, 0, 2 * bytes + 1)})
          REQUIRE(pairs.FitWithin(a, b, limit) == (bytes <= limit));
      }
  }
}

TEST_CASE("GroupFloor's conflict clique is the reference's", "[unit][partition]") {
  std::mt19937 rng(771);
  int cliques = 0;  // rounds where the clique, not resources or bytes, made the floor
  for (int round = 0; round < 400; ++round) {
    Instance in = RandomInstance(rng);
    if (Draw(rng, 0, 9) == 0) in.packages.packaging = "individual";
    StackRules rules(in.clusters, in.packages, in.budgets, in.options);
    const auto owned = OwnedGroups(rules);
    const auto groups = OwnerGroups(rules);
    for (std::size_t g = 0; g < owned.size() && owned.size() == groups.size(); ++g)
      REQUIRE(GroupFloor(rules, owned[g], groups[g]) == RefGroupFloor(rules, owned[g], groups[g]));
    // One group of all: every cluster a member and a possible host.
    std::vector<std::size_t> all(in.clusters.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    const double floor = GroupFloor(rules, all, all);
    REQUIRE(floor == RefGroupFloor(rules, all, all));
    cliques += floor > 2;
  }
  CHECK(cliques > 40);
}

TEST_CASE("GroupFloor's clique search stops at its budget of questions as the reference does",
          "[unit][partition]") {
  // 600 clusters of one owner, each over half the headroom with nothing shared and none over it
  // (no host): every pair clashes, so the first seed's clique takes each cluster in turn, asking
  // it about every member so far, until the questions reach the budget. Members 0…t-1 cost
  // t(t-1)/2 questions: 99,681 before the 448th joins, 100,128 after, and the search stops.
  Instance in;
  const std::size_t n = 600;
  for (std::size_t k = 0; k < n; ++k) {
    const std::string id = "F" + std::to_string(k);
    in.packages.dist_names.push_back("d" + std::to_string(k));
    in.packages.dist_bytes.push_back(60 + k % 7);
    PackageView::Function f;
    f.dists = {static_cast<std::uint32_t>(k)};
    f.code_bytes = 1;
    in.packages.functions[id] = f;
    Cluster c;
    c.functions = {id};
    c.dists = f.dists;
    c.own_bytes = 1;
    c.package_bytes = StackPackageBytes(in.packages, c.functions);
    c.owner = "a";
    c.resources = 1;
    in.clusters.push_back(c);
  }
  in.budgets = {1000000, 60, 60, 1000000000, 100, 1000000000};
  StackRules rules(in.clusters, in.packages, in.budgets, in.options);
  REQUIRE(CliqueQuestionBudget(n) == 100000);
  const auto owned = OwnedGroups(rules);
  const auto groups = OwnerGroups(rules);
  REQUIRE(owned.size() == 1);
  REQUIRE(GroupFloor(rules, owned[0], groups[0]) == 448);
  REQUIRE(RefGroupFloor(rules, owned[0], groups[0]) == 448);
  REQUIRE(OwnerGroupsFloor(rules) == 448);
}

TEST_CASE("ConflictClique is the reference's clique size", "[unit][partition]") {
  std::mt19937 rng(9001);
  int large = 0;
  for (int round = 0; round < 400; ++round) {
    Instance in = RandomInstance(rng);
    const std::size_t size = ConflictClique(in.clusters, in.packages, in.options.allow_mixed_owners,
                                            in.budgets.package, in.budgets.package_limit);
    REQUIRE(size == RefConflictClique(in));
    large += size > 3;
  }
  CHECK(large > 40);
}
