// An exact solver for the set-union knapsack, the pricing problem of column generation: choose
// clusters maximising Σ π subject to Σ resources ≤ R and Σ code + bytes(∪ distributions) ≤ P.
//
// Depth-first branch-and-bound on the DISTRIBUTIONS, heaviest first: a node fixes some of them
// in the artifact (their bytes paid) and some out (every item needing one is gone). An item
// whose distributions are all in costs no more package bytes (dominance: it only needs
// resources), so once the distributions left cannot overflow the package, the rest is a plain
// knapsack on resources, solved exactly by dynamic programming. An item's code is treated as a
// distribution of its own (of its code's bytes), so every leaf is such a knapsack. Every
// feasible stack S lies in the subtree where exactly the decided distributions of S are in, so
// the search misses none.
//
// Upper bounds at a node (avail: items needing no distribution that is out, whose free — not
// yet decided — distributions fit the room left; closed: avail items with no free
// distribution; open: the others). For every stack S of the subtree, S ⊆ avail, and:
//  (B1) π(S) ≤ the fractional knapsack of avail on resources (drops the package constraint).
//  (B2) π(S ∩ closed) ≤ the fractional knapsack of closed on resources, and
//       π(S ∩ open) ≤ the fractional knapsack of the free distributions with value
//       v_d = Σ_{k open, d free in k} π_k · b_d / F_k (F_k: bytes of k's free distributions),
//       weight b_d, capacity the room left. Why: each open k in S spreads π_k over its free
//       distributions (shares summing to 1, all ≥ 0), each of them is in S's artifact, so
//       π(S ∩ open) ≤ Σ_{d opened} v_d, and the opened free distributions fit the room.
//  (B3) For any μ ≥ 0: π(S) = Σ_S (π_k − μ r_k) + μ r(S) ≤ μR + Σ_closed (π_k − μ r_k)⁺ +
//       the distribution knapsack of (B2) with (π_k − μ r_k)⁺ in place of π_k (the same
//       spreading argument, the terms being ≥ 0). μ is the critical ratio of (B1).
// The node's bound is the smallest; a subtree whose bound is at most the incumbent is pruned.
// Each node returns a bound on its subtree (the smaller of its own and the larger of its
// children's), so a search stopped by its node budget still reports a valid upper bound.
#include <algorithm>

#include "partition/pricing.hpp"

namespace cfnsplit {
namespace {

// Dynamic programming on resources costs items × (R + 1) cells; past this it is not tried (the
// node keeps branching, or reports its bound).
constexpr std::size_t kMaxDpCells = 4000000;
// DP cells counted as one node of the budget (roughly the cost of a node's bounds).
constexpr std::size_t kDpCellsPerNode = 20000;

class UnionKnapsackSolver {
 public:
  UnionKnapsackSolver(const UnionKnapsack& problem, std::size_t node_budget)
      : problem_(problem), budget_(node_budget), bytes_(problem.dist_bytes) {
    const auto& items = problem.items;
    dists_.resize(items.size());
    for (std::size_t k = 0; k < items.size(); ++k) {
      const auto& item = items[k];
      for (auto d : item.dists)
        if (bytes_[d] > 0) dists_[k].push_back(d);  // free of charge: always in
      std::sort(dists_[k].begin(), dists_[k].end());
      dists_[k].erase(std::unique(dists_[k].begin(), dists_[k].end()), dists_[k].end());
      // An item's code is a distribution of its own: every leaf is then a knapsack on
      // resources alone, and the bounds spread code like any other bytes.
      if (item.code > 0) {
        dists_[k].push_back(static_cast<std::uint32_t>(bytes_.size()));
        bytes_.push_back(item.code);
      }
      std::uint64_t bytes = 0;
      for (auto d : dists_[k]) bytes += bytes_[d];
      if (item.value > 0 && item.resources <= problem.resources && bytes <= problem.package)
        by_ratio_.push_back(k);
    }
    state_.assign(bytes_.size(), kFree);
    mark_.assign(bytes_.size(), 0);
    dist_value_.assign(bytes_.size(), 0);
    in_relaxation_.assign(bytes_.size(), 0);
    // Value per resource, best first (a resource-free item first of all); ties by index.
    std::stable_sort(by_ratio_.begin(), by_ratio_.end(), [&](std::size_t x, std::size_t y) {
      return items[x].value * static_cast<double>(items[y].resources) >
             items[y].value * static_cast<double>(items[x].resources);
    });
  }

  UnionKnapsackResult Run() {
    UnionKnapsackResult result;
    double root = Explore();
    result.best = best_;
    result.stack = best_stack_;
    std::sort(result.stack.begin(), result.stack.end());
    result.closed = !stopped_;
    result.upper = result.closed ? best_ : std::max(best_, root);
    result.nodes = nodes_;
    return result;
  }

 private:
  enum : char { kFree, kIn, kOut };

  // The items a node may still take, by ratio, with the bytes of their free distributions.
  struct View {
    std::vector<std::size_t> avail;
    std::vector<std::uint64_t> free_bytes;  // parallel to avail; 0: closed
    bool any_open = false;
  };

  double Value(std::size_t k) const { return problem_.items[k].value; }
  std::uint64_t Resources(std::size_t k) const { return problem_.items[k].resources; }

  View Classify(std::uint64_t room) const {
    View view;
    for (std::size_t k : by_ratio_) {
      std::uint64_t free = 0;
      bool out = false;
      for (auto d : dists_[k]) {
        if (state_[d] == kOut) {
          out = true;
          break;
        }
        if (state_[d] == kFree) free += bytes_[d];
      }
      if (out || free > room) continue;
      view.avail.push_back(k);
      view.free_bytes.push_back(free);
      view.any_open = view.any_open || free > 0;
    }
    return view;
  }

  void Offer(const std::vector<std::size_t>& stack) {
    double value = 0;
    for (std::size_t k : stack) value += Value(k);
    if (value > best_) best_ = value, best_stack_ = stack;
  }

  // A feasible stack: the closed items by ratio while resources fit.
  void Greedy(const View& view) {
    std::vector<std::size_t> stack;
    std::uint64_t resources = 0;
    for (std::size_t i = 0; i < view.avail.size(); ++i) {
      std::size_t k = view.avail[i];
      if (view.free_bytes[i] > 0 || resources + Resources(k) > problem_.resources) continue;
      resources += Resources(k);
      stack.push_back(k);
    }
    Offer(stack);
  }

  // Fractional knapsack on resources over the view's items (closed ones only if asked);
  // returns (bound, critical value per resource).
  std::pair<double, double> ByResources(const View& view, bool closed_only) const {
    double value = 0, room = static_cast<double>(problem_.resources);
    for (std::size_t i = 0; i < view.avail.size(); ++i) {
      if (closed_only && view.free_bytes[i] > 0) continue;
      std::size_t k = view.avail[i];
      double r = static_cast<double>(Resources(k));
      if (r <= room) {
        value += Value(k);
        room -= r;
      } else {
        return {value + Value(k) * room / r, Value(k) / r};
      }
    }
    return {value, 0.0};
  }

  // Bound (B2) when mu is 0, (B3) otherwise; marks the distributions its knapsack takes.
  double Relaxed(const View& view, std::uint64_t room, double mu) {
    double bound = 0;
    if (mu == 0) {
      bound = ByResources(view, true).first;
    } else {
      bound = mu * static_cast<double>(problem_.resources);
      for (std::size_t i = 0; i < view.avail.size(); ++i)
        if (view.free_bytes[i] == 0)
          bound += std::max(0.0, Value(view.avail[i]) - mu * Resources(view.avail[i]));
    }
    std::vector<std::uint32_t> touched;
    for (std::size_t i = 0; i < view.avail.size(); ++i) {
      if (view.free_bytes[i] == 0) continue;
      std::size_t k = view.avail[i];
      double share = Value(k) - mu * static_cast<double>(Resources(k));
      if (share <= 0) continue;
      share /= static_cast<double>(view.free_bytes[i]);
      for (auto d : dists_[k]) {
        if (state_[d] != kFree) continue;
        if (dist_value_[d] == 0) touched.push_back(d);
        dist_value_[d] += share * static_cast<double>(bytes_[d]);
      }
    }
    std::sort(touched.begin(), touched.end(), [&](std::uint32_t x, std::uint32_t y) {
      double lx = dist_value_[x] * static_cast<double>(bytes_[y]);
      double ly = dist_value_[y] * static_cast<double>(bytes_[x]);
      return lx != ly ? lx > ly : x < y;
    });
    double left = static_cast<double>(room);
    for (auto d : touched) {
      double b = static_cast<double>(bytes_[d]);
      if (left > 0) {
        double take = std::min(1.0, left / b);
        bound += take * dist_value_[d];
        left -= take * b;
        if (mu == 0) in_relaxation_[d] = 1;
      } else if (mu == 0) {
        in_relaxation_[d] = 0;
      }
      dist_value_[d] = 0;
    }
    return bound;
  }

  // The best stack of the view on resources alone (exact, by dynamic programming): a bound on
  // the node, and its optimum when the stack also fits the package. False when too large.
  bool ByResourcesExactly(const View& view, std::vector<std::size_t>& stack, double& value) {
    const auto& avail = view.avail;
    std::uint64_t total = 0;
    for (std::size_t k : avail) total += Resources(k);
    stack.clear();
    if (total <= problem_.resources) {
      stack = avail;
      value = 0;
      for (std::size_t k : avail) value += Value(k);
      return true;
    }
    const std::size_t width = static_cast<std::size_t>(problem_.resources) + 1;
    if (avail.size() > kMaxDpCells / width) return false;
    nodes_ += avail.size() * width / kDpCellsPerNode;
    std::vector<double> best(width, 0.0);
    std::vector<char> took(avail.size() * width, 0);
    for (std::size_t i = 0; i < avail.size(); ++i) {
      const std::size_t r = static_cast<std::size_t>(Resources(avail[i]));
      const double v = Value(avail[i]);
      for (std::size_t c = width; c-- > r;)
        if (best[c - r] + v > best[c]) best[c] = best[c - r] + v, took[i * width + c] = 1;
    }
    value = best[width - 1];
    for (std::size_t i = avail.size(), c = width - 1; i-- > 0;)
      if (took[i * width + c]) {
        stack.push_back(avail[i]);
        c -= static_cast<std::size_t>(Resources(avail[i]));
      }
    return true;
  }

  // True when the stack's free distributions fit the room (always, when all of them do).
  bool FitsRoom(const std::vector<std::size_t>& stack, std::uint64_t room) {
    std::uint64_t bytes = 0;
    std::vector<std::uint32_t> marked;
    for (std::size_t k : stack) {
      for (auto d : dists_[k])
        if (state_[d] == kFree && !mark_[d]) {
          mark_[d] = 1;
          marked.push_back(d);
          bytes += bytes_[d];
        }
    }
    for (auto d : marked) mark_[d] = 0;
    return bytes <= room;
  }

  // The free distributions the open items need: (their bytes, the heaviest; ties: lowest id).
  std::pair<std::uint64_t, std::uint32_t> FreeDistributions(const View& view) {
    std::uint64_t bytes = 0;
    std::uint32_t heaviest = 0;
    bool any = false;
    std::vector<std::uint32_t> marked;
    for (std::size_t i = 0; i < view.avail.size(); ++i)
      for (auto d : dists_[view.avail[i]]) {
        if (state_[d] != kFree || mark_[d]) continue;
        mark_[d] = 1;
        marked.push_back(d);
        bytes += bytes_[d];
        const auto& b = bytes_;
        if (!any || b[d] > b[heaviest] || (b[d] == b[heaviest] && d < heaviest)) heaviest = d;
        any = true;
      }
    for (auto d : marked) mark_[d] = 0;
    return {bytes, heaviest};
  }

  bool Pruned(double bound) const { return bound <= best_ + 1e-12 * std::max(1.0, best_); }

  double Explore() {
    ++nodes_;
    const std::uint64_t room = problem_.package - in_bytes_;
    const View view = Classify(room);
    Greedy(view);
    auto [bound, mu] = ByResources(view, false);
    if (Pruned(bound)) return bound;
    auto [free_bytes, heaviest] = FreeDistributions(view);
    if (free_bytes <= room) {
      // Every free distribution fits at once: the node is a knapsack on resources.
      std::vector<std::size_t> stack;
      double value = 0;
      if (ByResourcesExactly(view, stack, value)) {
        bound = std::min(bound, value);
        if (FitsRoom(stack, room)) {
          Offer(stack);
          return value;
        }
      }
      if (!view.any_open) {  // too large for the dynamic programme: nothing to branch on
        stopped_ = true;
        return bound;
      }
    }
    bound = std::min({bound, Relaxed(view, room, 0.0), Relaxed(view, room, mu)});
    if (Pruned(bound)) return bound;
    if (nodes_ >= budget_) {
      stopped_ = true;
      return bound;
    }
    // Into the artifact first when the distribution knapsack of (B2) takes it.
    const bool in_first = in_relaxation_[heaviest] != 0;
    double first = Branch(heaviest, in_first, room);
    double second = Branch(heaviest, !in_first, room);
    return std::min(bound, std::max(first, second));
  }

  double Branch(std::uint32_t d, bool in, std::uint64_t room) {
    if (in && bytes_[d] > room) return 0;
    state_[d] = in ? kIn : kOut;
    if (in) in_bytes_ += bytes_[d];
    double bound = Explore();
    if (in) in_bytes_ -= bytes_[d];
    state_[d] = kFree;
    return bound;
  }

  const UnionKnapsack& problem_;
  const std::size_t budget_;
  std::vector<std::uint64_t> bytes_;               // per distribution, then one per item with code
  std::vector<std::vector<std::uint32_t>> dists_;  // per item: distributions with bytes, sorted
  std::vector<std::size_t> by_ratio_;              // items worth taking, by value per resource
  std::vector<char> state_;
  std::vector<char> mark_;
  std::vector<double> dist_value_;
  std::vector<char> in_relaxation_;
  std::uint64_t in_bytes_ = 0;
  double best_ = 0;
  std::vector<std::size_t> best_stack_;
  std::size_t nodes_ = 0;
  bool stopped_ = false;  // budget spent, or a node left unsolved: the bound is not the optimum
};

}  // namespace

UnionKnapsackResult SolveUnionKnapsack(const UnionKnapsack& problem, std::size_t node_budget) {
  return UnionKnapsackSolver(problem, node_budget).Run();
}

}  // namespace cfnsplit
