// A packing problem for the partition tests: clusters over a package view, with the options and
// budgets StackRules takes. Each test draws its own shapes into it.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "partition/bins.hpp"

namespace cfnsplit::testing {

struct PackingInstance {
  PackageView packages;
  std::vector<Cluster> clusters;
  PlanOptions options;
  Budgets budgets{};
};

/// A uniform draw from [lo, hi].
inline std::uint64_t Draw(std::mt19937& rng, std::uint64_t lo, std::uint64_t hi) {
  return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
}

}  // namespace cfnsplit::testing
