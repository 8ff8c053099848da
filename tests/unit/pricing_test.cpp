// The exact pricer of column generation (the set-union knapsack) against exhaustive search on
// small random instances: when it closes its stack is the optimum, its bound is never below the
// optimum (also when a tiny node budget stops it), and every stack it returns is feasible.
#include "partition/pricing.hpp"

#include <catch2/catch.hpp>
#include <random>

using namespace cfnsplit;

namespace {

// Items over a few shared distributions (some of zero bytes), with code and resources, so that
// both the package and the resource budget bind in some instances.
UnionKnapsack RandomProblem(std::mt19937& rng, std::size_t items) {
  UnionKnapsack p;
  auto draw = [&](std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
  };
  const std::size_t dists = draw(3, 9);
  for (std::size_t d = 0; d < dists; ++d) p.dist_bytes.push_back(draw(0, 6) == 0 ? 0 : draw(5, 80));
  p.package = draw(60, 200);
  p.resources = draw(8, 30);
  for (std::size_t k = 0; k < items; ++k) {
    UnionKnapsack::Item item;
    item.value = std::uniform_real_distribution<double>(-0.1, 1.0)(rng);
    item.resources = draw(0, 9);
    item.code = draw(0, 3) == 0 ? draw(1, 20) : 0;
    const std::size_t needs = draw(0, 3);
    for (std::size_t i = 0; i < needs; ++i)
      item.dists.push_back(static_cast<std::uint32_t>(draw(0, dists - 1)));
    p.items.push_back(std::move(item));
  }
  return p;
}

struct Usage {
  std::uint64_t resources = 0, package = 0;
  double value = 0;
};

Usage UsageOf(const UnionKnapsack& p, const std::vector<std::size_t>& stack) {
  Usage u;
  std::vector<char> in(p.dist_bytes.size(), 0);
  for (std::size_t k : stack) {
    const auto& item = p.items[k];
    u.resources += item.resources;
    u.package += item.code;
    u.value += item.value;
    for (auto d : item.dists)
      if (!in[d]) in[d] = 1, u.package += p.dist_bytes[d];
  }
  return u;
}

bool Feasible(const UnionKnapsack& p, const Usage& u) {
  return u.resources <= p.resources && u.package <= p.package;
}

double BruteForce(const UnionKnapsack& p) {
  double best = 0;
  const std::size_t n = p.items.size();
  for (std::size_t mask = 0; mask < (std::size_t{1} << n); ++mask) {
    std::vector<std::size_t> stack;
    for (std::size_t k = 0; k < n; ++k)
      if (mask >> k & 1) stack.push_back(k);
    Usage u = UsageOf(p, stack);
    if (Feasible(p, u)) best = std::max(best, u.value);
  }
  return best;
}

}  // namespace

TEST_CASE("the exact pricer equals exhaustive search and its bound is never below the optimum",
          "[unit][packing][pricing]") {
  std::mt19937 rng(17);
  std::size_t closed = 0, stopped = 0;
  for (int round = 0; round < 400; ++round) {
    const std::size_t n = 4 + static_cast<std::size_t>(round % 10);
    UnionKnapsack p = RandomProblem(rng, n);
    const double optimum = BruteForce(p);
    for (std::size_t budget : {std::size_t{1}, std::size_t{3}, std::size_t{100000}}) {
      INFO("round " << round << ", budget " << budget);
      UnionKnapsackResult r = SolveUnionKnapsack(p, budget);
      Usage u = UsageOf(p, r.stack);
      CHECK(Feasible(p, u));
      CHECK(u.value == Approx(r.best).margin(1e-12));
      CHECK(r.best <= optimum + 1e-9);
      CHECK(r.upper >= optimum - 1e-9);
      if (r.closed) {
        CHECK(r.best == Approx(optimum).margin(1e-9));
        CHECK(r.upper == Approx(optimum).margin(1e-9));
        ++closed;
      } else {
        ++stopped;
      }
      if (budget == 100000) CHECK(r.closed);
    }
  }
  // Both paths were exercised: searches that finished and searches a tiny budget stopped.
  CHECK(closed > 400);
  CHECK(stopped > 50);
}

TEST_CASE("the exact pricer takes items whose distributions are already shipped for free",
          "[unit][packing][pricing]") {
  // Item 0 needs the 90-byte distribution; items 1 and 2 need a subset of it, so with item 0
  // they add no bytes: the best stack is all three (value 2.5), not item 3 alone.
  UnionKnapsack p;
  p.dist_bytes = {60, 30, 95};
  p.package = 100;
  p.resources = 10;
  p.items = {{1.0, 3, 0, {0, 1}}, {0.7, 3, 0, {0}}, {0.8, 3, 0, {1}}, {2.0, 3, 0, {2}}};
  UnionKnapsackResult r = SolveUnionKnapsack(p, 1000);
  CHECK(r.closed);
  CHECK(r.best == Approx(2.5));
  CHECK(r.stack == std::vector<std::size_t>{0, 1, 2});
}
