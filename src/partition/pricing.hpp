// Private to the partition stage: the pricing problem of column generation (the best single
// stack at given duals) and the bound α on it that Farley's lower bound divides by.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "partition/bins.hpp"

namespace cfnsplit {

/// The set-union knapsack: choose items maximising Σ value so that Σ resources ≤ `resources`
/// and Σ code + the bytes of the union of the chosen items' distributions ≤ `package`.
struct UnionKnapsack {
  struct Item {
    double value = 0;
    std::uint64_t resources = 0;
    std::uint64_t code = 0;
    std::vector<std::uint32_t> dists;  ///< indexes into dist_bytes
  };
  std::vector<Item> items;
  std::vector<std::uint64_t> dist_bytes;
  std::uint64_t package = 0, resources = 0;
};

struct UnionKnapsackResult {
  double best = 0;                 ///< value of `stack`
  std::vector<std::size_t> stack;  ///< a feasible choice (item indexes, ascending)
  double upper = 0;                ///< ≥ the optimum; equal to `best` when closed
  bool closed = false;             ///< the search finished: `best` is the optimum
  std::size_t nodes = 0;           ///< work spent, in nodes
};

/// Exact depth-first branch-and-bound on the distributions (heaviest first), bounded by
/// knapsack relaxations; stops after `node_budget` nodes (a count, so results are
/// deterministic) with a valid upper bound.
UnionKnapsackResult SolveUnionKnapsack(const UnionKnapsack& problem, std::size_t node_budget);

/// Conflict cliques of each pricing group, computed once over all its members.
using CliqueCache = std::map<std::vector<std::size_t>, std::vector<std::vector<std::size_t>>>;

/// α: an upper bound on π(S) over every feasible stack S, per owner group (OwnerGroups' order,
/// into `group_alpha`); returns the largest (+inf when no bound could be proved). `stacks`
/// receives the best stack found in each group when worth more than 1.
double PricingBound(const StackRules& rules, const std::vector<double>& pi,
                    std::vector<std::vector<std::size_t>>* stacks, std::vector<double>* group_alpha,
                    CliqueCache& cache);

}  // namespace cfnsplit
