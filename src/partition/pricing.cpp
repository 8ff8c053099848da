// α for Farley's bound: an upper bound on π(S) over every feasible stack S at the duals π, per
// owner group (docs/packing.md, "The LP bound"). Stacks within the package budget: the exact
// set-union knapsack (union_knapsack.cpp) within a node budget; when it does not close, the
// smaller of its bound and GLPK's LP relaxation of the same problem. Stacks over the headroom:
// a knapsack on resources (OversizedPricing).
#include "partition/pricing.hpp"

#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <string>

#include "cfnsplit/constraints.hpp"
#include "partition/glpk_util.hpp"

namespace cfnsplit {
namespace {

// Nodes of the exact pricer per pricing problem: past it α is the smaller of the pricer's
// bound and the LP relaxation's (weaker, still valid). A count, not a clock: deterministic.
constexpr std::size_t kPricingNodeBudget = 20000;

// Cliques of clusters that pairwise do not fit one artifact of `capacity` bytes: grown greedily
// from each cluster not yet in one, heaviest first. Only clusters whose packages add up to more
// than the capacity can clash, so each cluster is compared with a prefix of the heavy ones. A
// work budget keeps it bounded (fewer cliques: a weaker bound, never a wrong one).
std::vector<std::vector<std::size_t>> ConflictCliques(const StackRules& rules,
                                                      std::vector<std::size_t> members,
                                                      std::uint64_t capacity) {
  const auto& clusters = rules.clusters();
  std::stable_sort(members.begin(), members.end(), [&](std::size_t x, std::size_t y) {
    return clusters[x].package_bytes > clusters[y].package_bytes;
  });
  std::vector<std::vector<std::size_t>> cliques;
  std::vector<char> in_clique(clusters.size(), 0);
  std::size_t work = 0;
  const std::size_t work_budget = 20000000;
  for (std::size_t s = 0; s < members.size() && work < work_budget; ++s) {
    std::size_t seed = members[s];
    if (in_clique[seed]) continue;
    std::vector<std::size_t> clique = {seed};
    for (std::size_t t = 0; t < members.size() && work < work_budget; ++t) {
      std::size_t k = members[t];
      if (k == seed) continue;
      // Sorted by package bytes: past this point nobody clashes with the seed.
      if (clusters[k].package_bytes + clusters[seed].package_bytes <= capacity) break;
      bool clashes_with_all = true;
      for (std::size_t q : clique) {
        ++work;
        if (PairBytes(rules, clusters[k], clusters[q]) <= capacity) {
          clashes_with_all = false;
          break;
        }
      }
      if (clashes_with_all) clique.push_back(k);
    }
    if (clique.size() < 2) continue;
    for (std::size_t k : clique) in_clique[k] = 1;
    cliques.push_back(std::move(clique));
  }
  return cliques;
}

// The LP relaxation of the pricing problem: max Σ π_k x_k over x, y ∈ [0, 1], x_k ≤ y_d for every
// distribution d of k, Σ code_k x_k + Σ bytes_d y_d ≤ capacity, Σ resources_k x_k ≤ resource
// budget, and Σ_{k∈Q} x_k ≤ 1 over cliques Q of clusters that pairwise overflow the capacity.
// Every feasible stack of `useful` is a 0/1 point of it (layers and wiring dropped), so its
// optimum bounds π(S). Returns +inf when GLPK fails (no bound is claimed then).
double LpPricing(const StackRules& rules, const std::vector<std::size_t>& members,
                 const std::vector<std::size_t>& useful, const std::vector<double>& pi,
                 std::uint64_t capacity, CliqueCache& cache) {
  const auto& clusters = rules.clusters();
  bool package = rules.package_binds();
  GlpProb lp = NewProb();
  glp_prob* p = lp.get();
  glp_set_obj_dir(p, GLP_MAX);
  std::map<std::uint32_t, int> dist_col;
  if (package)
    for (std::size_t k : useful)
      for (auto d : clusters[k].dists) dist_col.emplace(d, 0);
  int n = static_cast<int>(useful.size() + dist_col.size());
  glp_add_cols(p, n);
  for (int j = 1; j <= n; ++j) glp_set_col_bnds(p, j, GLP_DB, 0.0, 1.0);
  for (std::size_t i = 0; i < useful.size(); ++i)
    glp_set_obj_coef(p, static_cast<int>(i) + 1, pi[useful[i]]);
  int next = static_cast<int>(useful.size());
  for (auto& [d, col] : dist_col) col = ++next;
  std::vector<int> ia = {0}, ja = {0};
  std::vector<double> ar = {0};
  int row = 0;
  auto add_row = [&](double upper) {
    glp_add_rows(p, 1);
    glp_set_row_bnds(p, ++row, GLP_UP, 0.0, upper);
  };
  auto put = [&](int col, double value) {
    ia.push_back(row);
    ja.push_back(col);
    ar.push_back(value);
  };
  add_row(static_cast<double>(rules.budgets().resources));
  for (std::size_t i = 0; i < useful.size(); ++i)
    put(static_cast<int>(i) + 1, clusters[useful[i]].resources);
  if (package) {
    // Bytes in MB keep the matrix well scaled; the capacity row stays exact in ratio.
    add_row(static_cast<double>(capacity) / 1e6);
    for (std::size_t i = 0; i < useful.size(); ++i)
      if (clusters[useful[i]].own_bytes)
        put(static_cast<int>(i) + 1, static_cast<double>(clusters[useful[i]].own_bytes) / 1e6);
    for (auto& [d, col] : dist_col)
      if (rules.packages().dist_bytes[d])
        put(col, static_cast<double>(rules.packages().dist_bytes[d]) / 1e6);
    for (std::size_t i = 0; i < useful.size(); ++i)
      for (auto d : clusters[useful[i]].dists) {
        add_row(0.0);
        put(static_cast<int>(i) + 1, 1.0);
        put(dist_col.at(d), -1.0);
      }
    // Clusters that pairwise cannot share a stack take at most one place in it.
    std::vector<std::size_t> position(clusters.size(), 0);
    for (std::size_t i = 0; i < useful.size(); ++i) position[useful[i]] = i;
    auto cached = cache.find(members);
    if (cached == cache.end())
      cached = cache.emplace(members, ConflictCliques(rules, members, capacity)).first;
    for (const auto& clique : cached->second) {
      std::size_t with_duals = 0;
      for (std::size_t k : clique) with_duals += pi[k] > 0;
      if (with_duals < 2) continue;
      add_row(1.0);
      for (std::size_t k : clique)
        if (pi[k] > 0) put(static_cast<int>(position[k]) + 1, 1.0);
    }
  }
  glp_load_matrix(p, static_cast<int>(ia.size()) - 1, ia.data(), ja.data(), ar.data());
  DumpForBenchmark(p, "pricing");
  if (!SolveLp(p)) return INFINITY;
  // GLPK's tolerances are ~1e-9 relative: claim a little more.
  return glp_get_obj_val(p) * (1 + 1e-6) + 1e-6;
}

// The pricing problem of `useful` (clusters with a positive dual) as a set-union knapsack
// (layers and wiring dropped: a relaxation, so its optimum still bounds every stack).
UnionKnapsack PricingProblem(const StackRules& rules, const std::vector<std::size_t>& useful,
                             const std::vector<double>& pi, std::uint64_t capacity) {
  const auto& clusters = rules.clusters();
  const bool package = rules.package_binds();
  UnionKnapsack problem;
  problem.resources = rules.budgets().resources;
  problem.package = package ? capacity : 0;
  std::map<std::uint32_t, std::uint32_t> local;  // distribution → its index in the problem
  for (std::size_t k : useful) {
    UnionKnapsack::Item item;
    item.value = pi[k];
    item.resources = clusters[k].resources;
    if (package) {
      item.code = clusters[k].own_bytes;
      for (auto d : clusters[k].dists) {
        auto [it, added] = local.emplace(d, static_cast<std::uint32_t>(local.size()));
        if (added) problem.dist_bytes.push_back(rules.packages().dist_bytes[d]);
        item.dists.push_back(it->second);
      }
    }
    problem.items.push_back(std::move(item));
  }
  return problem;
}

// max π(S) over the stacks of `members` within `capacity` (see the file comment): the exact
// pricer's optimum when it closes, else the smaller of its bound and the LP relaxation's.
// `best_stack` receives the best stack found when worth more than 1.
double RelaxedPricing(const StackRules& rules, const std::vector<std::size_t>& members,
                      const std::vector<double>& pi, std::uint64_t capacity,
                      std::vector<std::size_t>* best_stack, CliqueCache& cache) {
  std::vector<std::size_t> useful;
  for (std::size_t k : members)
    if (pi[k] > 0) useful.push_back(k);
  if (useful.empty()) return 0;
  const double t0 = Seconds();
  UnionKnapsackResult exact =
      SolveUnionKnapsack(PricingProblem(rules, useful, pi, capacity), kPricingNodeBudget);
  if (best_stack && exact.best > 1 + 1e-9)
    for (std::size_t i : exact.stack) best_stack->push_back(useful[i]);
  double value = exact.upper;
  double lp = exact.closed ? INFINITY : LpPricing(rules, members, useful, pi, capacity, cache);
  if (Tracing())
    std::fprintf(stderr,
                 "pricing: %zu clusters, best %.4f, bound %.4f (%s, %zu nodes), LP %.4f, "
                 "%.3f s\n",
                 useful.size(), exact.best, exact.upper, exact.closed ? "optimal" : "open",
                 exact.nodes, lp, Seconds() - t0);
  if (!exact.closed) value = std::min(value, lp);
  // Sums of doubles in a different order than π(S) is summed elsewhere: claim a little more.
  return value * (1 + 1e-9) + 1e-9;
}

// Stacks holding a cluster over the package budget: `review` allows them only when the artifact
// is exactly the largest function's (every other function adds nothing: its distributions are a
// subset, it has no code of its own), so such a stack is an oversized cluster k* plus clusters
// whose distributions are a subset of k*'s, within the resource budget. Bounded by k*'s dual
// plus a fractional knapsack on resources over those clusters.
double OversizedPricing(const StackRules& rules, const std::vector<std::size_t>& group,
                        const std::vector<double>& pi) {
  const auto& clusters = rules.clusters();
  const double resources = static_cast<double>(rules.budgets().resources);
  double best = 0;
  for (std::size_t top : group) {
    const Cluster& big = clusters[top];
    if (big.package_bytes <= rules.budgets().package) continue;
    std::vector<std::pair<double, std::size_t>> by_density;  // (π per resource, cluster)
    for (std::size_t k : group)
      if (k != top && pi[k] > 0 &&
          std::includes(big.dists.begin(), big.dists.end(), clusters[k].dists.begin(),
                        clusters[k].dists.end()))
        by_density.emplace_back(pi[k] / std::max(1u, clusters[k].resources), k);
    std::sort(by_density.begin(), by_density.end(), std::greater<>());
    double value = pi[top], room = resources - big.resources;
    for (const auto& [density, k] : by_density) {
      if (room <= 0) break;
      double take = std::min(1.0, room / std::max(1u, clusters[k].resources));
      value += take * pi[k];
      room -= take * std::max(1u, clusters[k].resources);
    }
    best = std::max(best, value);
  }
  return best * (1 + 1e-9);
}

}  // namespace

// α: an upper bound on π(S) over every feasible stack S, per owner group (in OwnerGroups'
// order, into `group_alpha`); returns the largest. `stacks` receives the best stack the exact
// pricing found in each group, when worth more than 1.
double PricingBound(const StackRules& rules, const std::vector<double>& pi,
                    std::vector<std::vector<std::size_t>>* stacks, std::vector<double>* group_alpha,
                    CliqueCache& cache) {
  const auto& clusters = rules.clusters();
  double alpha = 0;
  for (const auto& group : OwnerGroups(rules)) {
    std::vector<std::size_t> normal;
    bool oversized = false;
    for (std::size_t k : group) {
      bool over = rules.package_binds() && clusters[k].package_bytes > rules.budgets().package;
      oversized = oversized || over;
      if (!over) normal.push_back(k);
    }
    std::vector<std::size_t> best;
    double within = RelaxedPricing(rules, normal, pi, rules.budgets().package, &best, cache);
    if (stacks && !best.empty()) stacks->push_back(std::move(best));
    double over = oversized ? OversizedPricing(rules, group, pi) : 0;
    if (group_alpha) group_alpha->push_back(std::max(within, over));
    alpha = std::max({alpha, within, over});
  }
  return alpha;
}

}  // namespace cfnsplit
