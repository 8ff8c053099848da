// The packing LP bound and `--effort thorough` on small random instances whose optimum is found
// by exhaustive search: the bound never exceeds it, dominates the cheap bounds once column
// generation has priced out, and `thorough` is deterministic and never worse than `fast`.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <tuple>

#include "partition/bins.hpp"
#include "support/packing_instance.hpp"

using namespace cfnsplit;

namespace {

using Instance = testing::PackingInstance;

// Clusters that each fit alone (so every subset's feasibility is order-free), drawn over a few
// heavy and light distributions, up to two owners, resources up to a third of a stack.
Instance RandomInstance(std::mt19937& rng, std::size_t n) {
  Instance in;
  std::uniform_int_distribution<int> dists_n(4, 8);
  std::size_t dists = static_cast<std::size_t>(dists_n(rng));
  for (std::size_t d = 0; d < dists; ++d) {
    in.packages.dist_names.push_back("d" + std::to_string(d));
    in.packages.dist_bytes.push_back(std::uniform_int_distribution<std::uint64_t>(5, 90)(rng));
  }
  in.budgets = {
      std::uniform_int_distribution<std::uint64_t>(20, 40)(rng), 200, 200, 1000000000, 150, 160};
  int owner_kind = std::uniform_int_distribution<int>(0, 5)(rng);
  bool owners = owner_kind <= 1;        // two owners
  bool some_unowned = owner_kind == 1;  // and a few clusters without one
  for (std::size_t k = 0; k < n; ++k) {
    Cluster c;
    c.functions = {"F" + std::to_string(k)};
    c.owner = owners ? (k % 2 ? "a" : "b") : "";
    if (some_unowned && k % 3 == 0) c.owner.clear();
    c.resources = std::uniform_int_distribution<std::uint32_t>(1, 12)(rng);
    std::uint64_t bytes = 0;
    for (std::size_t d = 0; d < dists; ++d)
      if (std::uniform_int_distribution<int>(0, 2)(rng) == 0 &&
          bytes + in.packages.dist_bytes[d] <= in.budgets.package - 10) {
        c.dists.push_back(static_cast<std::uint32_t>(d));
        bytes += in.packages.dist_bytes[d];
      }
    c.own_bytes = std::uniform_int_distribution<std::uint64_t>(0, 5)(rng);
    c.package_bytes = bytes + c.own_bytes;
    in.packages.functions[c.functions.front()] = {c.dists, c.own_bytes, 0};
    in.clusters.push_back(std::move(c));
  }
  return in;
}

// Fewest stacks by dynamic programming over subsets (each subset either feasible or not).
std::size_t Optimum(const StackRules& rules, std::size_t n) {
  const std::size_t all = (std::size_t{1} << n) - 1;
  std::vector<char> feasible(all + 1, 0);
  for (std::size_t s = 1; s <= all; ++s) {
    std::vector<std::size_t> members;
    for (std::size_t k = 0; k < n; ++k)
      if (s >> k & 1) members.push_back(k);
    Bin bin;
    feasible[s] = rules.Build(members, bin);
  }
  std::vector<std::size_t> best(all + 1, SIZE_MAX);
  best[0] = 0;
  for (std::size_t s = 1; s <= all; ++s) {
    std::size_t low = s & (~s + 1);  // the lowest cluster left goes into some stack with it
    for (std::size_t sub = s; sub; sub = (sub - 1) & s)
      if ((sub & low) && feasible[sub] && best[s ^ sub] != SIZE_MAX)
        best[s] = std::min(best[s], best[s ^ sub] + 1);
  }
  return best[all];
}

std::vector<std::string> Keys(std::size_t n) {
  std::vector<std::string> keys;
  for (std::size_t k = 0; k < n; ++k)
    keys.push_back("K" + std::string(3 - std::to_string(k).size(), '0') + std::to_string(k));
  return keys;
}

std::vector<std::vector<std::size_t>> Members(const std::vector<Bin>& bins) {
  std::vector<std::vector<std::size_t>> out;
  for (const Bin& b : bins) out.push_back(b.clusters);
  return out;
}

// Every cluster is in exactly one stack and every stack keeps the budgets.
void RequireValidCover(const StackRules& rules, const std::vector<Bin>& bins, std::size_t n) {
  std::vector<int> seen(n, 0);
  for (const Bin& b : bins) {
    Bin rebuilt;
    REQUIRE(rules.Build(b.clusters, rebuilt));
    for (std::size_t k : b.clusters) ++seen[k];
  }
  REQUIRE(std::count(seen.begin(), seen.end(), 1) == static_cast<long>(n));
}

}  // namespace

TEST_CASE("the LP bound never exceeds the optimum found by exhaustive search", "[unit][packing]") {
  std::mt19937 rng(17);
  std::size_t priced_out = 0, bound_met = 0;
  for (int trial = 0; trial < 60; ++trial) {
    std::size_t n = 5 + static_cast<std::size_t>(trial % 6);
    Instance in = RandomInstance(rng, n);
    StackRules rules(in.clusters, in.packages, in.budgets, in.options);
    std::size_t optimum = Optimum(rules, n);
    std::vector<Bin> fast = PackFast(rules, Keys(n));
    CoverLp lp = SolveCoverLp(rules, fast, {});
    INFO("trial " << trial << ": optimum " << optimum << ", bound " << lp.bound << ", LP "
                  << lp.lp_value << ", fast " << fast.size());
    REQUIRE(lp.bound <= static_cast<double>(optimum) + 1e-9);
    REQUIRE(fast.size() >= optimum);
    std::vector<Bin> thorough = ImproveWithMaster(rules, lp, fast);
    REQUIRE(thorough.size() <= fast.size());
    REQUIRE(thorough.size() >= optimum);
    RequireValidCover(rules, thorough, n);
    priced_out += lp.priced_out;
    bound_met += static_cast<std::size_t>(std::ceil(lp.bound - 1e-6)) == optimum;
  }
  // The bound is useful, not only valid: on most instances it proves the optimum.
  CHECK(priced_out >= 30);
  CHECK(bound_met >= 40);
}

TEST_CASE("once column generation prices out, the LP bound dominates the cheap bounds",
          "[unit][packing]") {
  std::mt19937 rng(4);
  for (int trial = 0; trial < 40; ++trial) {
    std::size_t n = 6 + static_cast<std::size_t>(trial % 5);
    Instance in = RandomInstance(rng, n);
    StackRules rules(in.clusters, in.packages, in.budgets, in.options);
    CoverLp lp = SolveCoverLp(rules, PackFast(rules, Keys(n)), {});
    if (!lp.priced_out) continue;
    std::uint64_t resources = 0;
    std::vector<std::string> all;
    for (const Cluster& c : in.clusters) {
      resources += c.resources;
      all.push_back(c.functions.front());
    }
    double by_resources =
        static_cast<double>(resources) / static_cast<double>(in.budgets.resources);
    double by_package = static_cast<double>(StackPackageBytes(in.packages, all)) /
                        static_cast<double>(in.budgets.package);
    INFO("trial " << trial);
    CHECK(lp.bound >= by_resources - 1e-6);
    CHECK(lp.bound >= by_package - 1e-6);
  }
}

TEST_CASE("thorough packing is deterministic", "[unit][packing]") {
  std::mt19937 rng(99);
  Instance in = RandomInstance(rng, 10);
  StackRules rules(in.clusters, in.packages, in.budgets, in.options);
  auto run = [&] {
    std::vector<Bin> fast = PackFast(rules, Keys(10));
    CoverLp lp = SolveCoverLp(rules, fast, {200, 60});
    return std::make_pair(lp.bound, Members(ImproveWithMaster(rules, lp, fast)));
  };
  auto first = run();
  auto second = run();
  REQUIRE(first.first == second.first);
  REQUIRE(first.second == second.second);
}

TEST_CASE("owners bound the LP: two owners that cannot share need two stacks", "[unit][packing]") {
  Instance in;
  in.packages.dist_names = {"numpy"};
  in.packages.dist_bytes = {10};
  in.budgets = {100, 200, 200, 1000000000, 150, 160};
  for (int k = 0; k < 4; ++k) {
    Cluster c;
    c.functions = {"F" + std::to_string(k)};
    c.owner = k < 2 ? "a" : "b";
    c.resources = 1;
    c.dists = {0};
    c.package_bytes = 10;
    in.packages.functions[c.functions.front()] = {c.dists, 0, 0};
    in.clusters.push_back(c);
  }
  StackRules rules(in.clusters, in.packages, in.budgets, in.options);
  // The owners' floors (one stack each) already prove the fast packing's 2 stacks optimal, so
  // column generation stops before pricing.
  CoverLp lp = SolveCoverLp(rules, PackFast(rules, Keys(4)), {});
  REQUIRE(lp.bound == Approx(2.0));
  REQUIRE(lp.iterations == 0);
}

namespace {

// The cheap bounds partition.cpp reports, over all clusters: resources and package union.
double CheapBound(const Instance& in) {
  std::uint64_t resources = 0;
  std::vector<std::string> all;
  for (const Cluster& c : in.clusters) {
    resources += c.resources;
    all.push_back(c.functions.front());
  }
  double by_resources =
      std::ceil(static_cast<double>(resources) / static_cast<double>(in.budgets.resources));
  double by_package = std::ceil(static_cast<double>(StackPackageBytes(in.packages, all)) /
                                static_cast<double>(in.budgets.package_limit));
  return std::max(by_resources, by_package);
}

ColumnGenLimits Limits(std::size_t) { return {}; }

}  // namespace

TEST_CASE("owner by owner: the bound never exceeds the optimum, the plan is a valid cover",
          "[unit][packing]") {
  std::mt19937 rng(2026);
  std::size_t decomposed = 0, bound_met = 0;
  for (int trial = 0; trial < 80; ++trial) {
    std::size_t n = 5 + static_cast<std::size_t>(trial % 6);
    Instance in = RandomInstance(rng, n);
    StackRules rules(in.clusters, in.packages, in.budgets, in.options);
    std::size_t optimum = Optimum(rules, n);
    std::vector<Bin> fast = PackFast(rules, Keys(n));
    CoverLp lp = SolveCoverLpByOwner(rules, fast, Limits);
    double floor = OwnerGroupsFloor(rules);
    INFO("trial " << trial << ": optimum " << optimum << ", bound " << lp.bound << ", floor "
                  << floor << ", fast " << fast.size());
    REQUIRE(lp.bound <= static_cast<double>(optimum) + 1e-9);
    REQUIRE(floor <= static_cast<double>(optimum) + 1e-9);
    decomposed += OwnedGroups(rules).size() >= 2;
    bound_met += static_cast<std::size_t>(std::ceil(lp.bound - 1e-6)) == optimum;
    std::vector<Bin> thorough = ImproveWithMaster(rules, lp, fast);
    REQUIRE(thorough.size() <= fast.size());  // thorough is never worse than fast
    REQUIRE(thorough.size() >= optimum);
    RequireValidCover(rules, thorough, n);
  }
  CHECK(decomposed >= 10);  // the owner-by-owner path is exercised, not only the fallback
  CHECK(bound_met >= 50);
}

TEST_CASE("the proven bound never falls below the cheap bounds once priced out",
          "[unit][packing]") {
  std::mt19937 rng(31);
  std::size_t checked = 0;
  for (int trial = 0; trial < 40; ++trial) {
    std::size_t n = 6 + static_cast<std::size_t>(trial % 5);
    Instance in = RandomInstance(rng, n);
    StackRules rules(in.clusters, in.packages, in.budgets, in.options);
    CoverLp lp = SolveCoverLpByOwner(rules, PackFast(rules, Keys(n)), Limits);
    if (!lp.priced_out) continue;
    ++checked;
    INFO("trial " << trial << ": bound " << lp.bound);
    CHECK(std::ceil(lp.bound - 1e-6) >= CheapBound(in) - 1e-9);
  }
  CHECK(checked >= 20);
}

TEST_CASE("owner by owner column generation is deterministic", "[unit][packing]") {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 10; ++trial) {
    Instance in = RandomInstance(rng, 10);
    StackRules rules(in.clusters, in.packages, in.budgets, in.options);
    auto run = [&] {
      std::vector<Bin> fast = PackFast(rules, Keys(10));
      CoverLp lp = SolveCoverLpByOwner(rules, fast, Limits);
      return std::make_tuple(lp.bound, lp.columns, lp.dive,
                             Members(ImproveWithMaster(rules, lp, fast)));
    };
    REQUIRE(run() == run());
  }
}

TEST_CASE("owners' bounds add up: each owner's stacks are counted apart", "[unit][packing]") {
  // Two owners, each with three clusters that pairwise overflow the package budget (so three
  // stacks each) but whose package union alone would suggest far fewer: 6 stacks are needed.
  Instance in;
  in.packages.dist_names = {"a", "b", "c"};
  in.packages.dist_bytes = {80, 80, 80};
  in.budgets = {100, 200, 200, 1000000000, 150, 160};
  for (int k = 0; k < 6; ++k) {
    Cluster c;
    c.functions = {"F" + std::to_string(k)};
    c.owner = k < 3 ? "a" : "b";
    c.resources = 1;
    c.dists = {static_cast<std::uint32_t>(k % 3)};
    c.own_bytes = 1;
    c.package_bytes = 81;
    in.packages.functions[c.functions.front()] = {c.dists, 1, 0};
    in.clusters.push_back(c);
  }
  StackRules rules(in.clusters, in.packages, in.budgets, in.options);
  REQUIRE(OwnerGroupsFloor(rules) == Approx(6.0));
  CoverLp lp = SolveCoverLpByOwner(rules, PackFast(rules, Keys(6)), Limits);
  REQUIRE(lp.bound == Approx(6.0));
}
