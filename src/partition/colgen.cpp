// The set-covering LP relaxation of packing, solved by column generation (GLPK), and the proven
// lower bound drawn from its duals. docs/packing.md explains the formulation and why the bound
// holds although the pricer is a heuristic.
//
// Master: min Σ_S x_S  s.t.  Σ_{S ∋ k} x_S ≥ 1 for every cluster k, x ≥ 0, over feasible stacks S.
// Its duals π ≥ 0 price a stack at π(S) = Σ_{k ∈ S} π_k. If α ≥ π(S) for EVERY feasible stack,
// π / max(1, α) is dual feasible for the full master, so Σπ / max(1, α) bounds the optimum of
// the full LP, hence the number of stacks of any plan (Farley 1990). α comes from the exact
// pricer or an LP relaxation of pricing (pricing.cpp); the greedy pricer only finds columns.
#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "cfnsplit/constraints.hpp"
#include "partition/bins.hpp"
#include "partition/glpk_util.hpp"
#include "partition/pricing.hpp"

namespace cfnsplit {
namespace {

// Greedy pricer: from a seed, add the cluster with the best dual value per unit of budget it
// uses (new distribution bytes + resources), as long as it fits. Added bytes are kept current
// as distributions enter the stack, so each step is one scan.
class GreedyPricer {
 public:
  explicit GreedyPricer(const StackRules& rules)
      : rules_(rules), package_binds_(rules.package_binds()) {
    const auto& clusters = rules.clusters();
    holders_.resize(rules.packages().dist_names.size());
    for (std::size_t k = 0; k < clusters.size(); ++k)
      for (auto d : clusters[k].dists) holders_[d].push_back(k);
  }

  /// The stack grown from `seed`, members in the order they joined.
  std::vector<std::size_t> Grow(std::size_t seed, const std::vector<double>& pi) {
    const auto& clusters = rules_.clusters();
    const PackageView& packages = rules_.packages();
    const std::size_t n = clusters.size();
    added_.assign(n, 0);
    open_.assign(n, 0);
    for (std::size_t k = 0; k < n; ++k) {
      if (pi[k] <= 1e-12 || k == seed) continue;
      open_[k] = 1;
      added_[k] = clusters[k].own_bytes;
      for (auto d : clusters[k].dists) added_[k] += packages.dist_bytes[d];
    }
    Bin bin;
    std::vector<std::size_t> members;
    auto take = [&](std::size_t k) {
      for (auto d : clusters[k].dists)
        if (bin.dist_count.empty() || bin.dist_count[d] == 0)
          for (std::size_t j : holders_[d]) added_[j] -= packages.dist_bytes[d];
      rules_.Add(bin, k);
      members.push_back(k);
      open_[k] = 0;
    };
    take(seed);
    const double package = std::max<double>(1.0, static_cast<double>(rules_.budgets().package));
    const double resources = std::max<double>(1.0, static_cast<double>(rules_.budgets().resources));
    // The clusters still open, in index order (ties go to the first). A cluster failing the
    // cheap conditions below fails them for good: the bin's resources only grow, and its
    // package plus what the cluster would add only grows while the bin stays within budget.
    candidates_.clear();
    for (std::size_t k = 0; k < n; ++k)
      if (open_[k]) candidates_.push_back(k);
    for (;;) {
      std::size_t best = SIZE_MAX;
      double best_score = 0;
      std::uint64_t in_bin = bin.dist_bytes + bin.own_bytes + bin.max_layer;
      std::size_t kept = 0;
      for (std::size_t k : candidates_) {
        if (!open_[k]) continue;
        // Cheap necessary conditions first; Fits decides for the one chosen.
        if (bin.resources + clusters[k].resources > rules_.budgets().resources ||
            (package_binds_ && added_[k] > 0 && in_bin + added_[k] > rules_.budgets().package)) {
          open_[k] = 0;
          continue;
        }
        candidates_[kept++] = k;
        double weight =
            static_cast<double>(added_[k]) / package + clusters[k].resources / resources + 1e-9;
        double score = pi[k] / weight;
        if (best == SIZE_MAX || score > best_score) best = k, best_score = score;
      }
      candidates_.resize(kept);
      if (best == SIZE_MAX) break;
      open_[best] = 0;
      if (rules_.Fits(bin, best)) take(best);
    }
    return members;
  }

 private:
  const StackRules& rules_;
  bool package_binds_;
  std::vector<std::vector<std::size_t>> holders_;
  std::vector<std::uint64_t> added_;
  std::vector<char> open_;
  std::vector<std::size_t> candidates_;
};

class Master {
 public:
  explicit Master(std::size_t rows) : lp_(NewProb()) {
    glp_set_obj_dir(lp_.get(), GLP_MIN);
    if (rows == 0) return;
    glp_add_rows(lp_.get(), static_cast<int>(rows));
    for (int r = 1; r <= static_cast<int>(rows); ++r)
      glp_set_row_bnds(lp_.get(), r, GLP_LO, 1.0, 0.0);
  }

  /// Adds a column unless the same set is there already; true when added.
  bool AddColumn(const std::vector<std::size_t>& members,
                 std::vector<std::vector<std::size_t>>& out) {
    std::vector<std::size_t> key = members;
    std::sort(key.begin(), key.end());
    if (!seen_.insert(key).second) return false;
    int col = glp_add_cols(lp_.get(), 1);
    glp_set_col_bnds(lp_.get(), col, GLP_LO, 0.0, 0.0);
    glp_set_obj_coef(lp_.get(), col, 1.0);
    std::vector<int> ind = {0};
    std::vector<double> val = {0};
    for (std::size_t k : key) {
      ind.push_back(static_cast<int>(k) + 1);
      val.push_back(1.0);
    }
    glp_set_mat_col(lp_.get(), col, static_cast<int>(key.size()), ind.data(), val.data());
    out.push_back(members);
    return true;
  }

  glp_prob* get() { return lp_.get(); }

 private:
  GlpProb lp_;
  std::set<std::vector<std::size_t>> seen_;
};

}  // namespace

namespace {

double Sum(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum;
}

// Σ_{k∈S} π_k: a column improves the restricted master when this exceeds 1.
double ValueOf(const std::vector<std::size_t>& column, const std::vector<double>& pi) {
  double value = 0;
  for (std::size_t k : column) value += pi[k];
  return value;
}

// Wentges smoothing: β·centre + (1 − β)·π, the point the pricers are asked about.
std::vector<double> Smoothed(const std::vector<double>& centre, const std::vector<double>& pi,
                             double beta) {
  std::vector<double> out(pi.size());
  for (std::size_t k = 0; k < pi.size(); ++k) out[k] = beta * centre[k] + (1 - beta) * pi[k];
  return out;
}

// One round of the greedy pricer at `at`: columns grown from the seeds of highest value join
// the master when they improve it at its duals `pi`. Returns (columns added, best value at
// `at` found, a lower estimate of α there).
std::pair<std::size_t, double> PriceGreedily(GreedyPricer& pricer, Master& master,
                                             const std::vector<double>& at,
                                             const std::vector<double>& pi,
                                             const ColumnGenLimits& limits,
                                             std::vector<std::vector<std::size_t>>& columns) {
  const std::size_t n = pi.size();
  // Seeds by value (ties: index); a seed already in a new column this round is skipped so the
  // round's columns differ.
  std::vector<std::size_t> seeds;
  for (std::size_t k = 0; k < n; ++k)
    if (at[k] > 1e-12) seeds.push_back(k);
  std::stable_sort(seeds.begin(), seeds.end(),
                   [&](std::size_t x, std::size_t y) { return at[x] > at[y]; });
  std::vector<char> covered(n, 0);
  std::size_t added = 0, tried = 0;
  double best_value = 0;
  for (std::size_t seed : seeds) {
    if (added >= limits.columns_per_iteration || tried >= 4 * limits.columns_per_iteration) break;
    if (covered[seed]) continue;
    ++tried;
    std::vector<std::size_t> column = pricer.Grow(seed, at);
    best_value = std::max(best_value, ValueOf(column, at));
    if (ValueOf(column, pi) <= 1 + 1e-9) continue;
    for (std::size_t k : column) covered[k] = 1;
    added += master.AddColumn(column, columns);
  }
  return {added, best_value};
}

// Price-and-dive for a plan: take every column the LP takes whole and the fractional one it takes
// most of (ties: the first), then let the greedy pricer add columns for what is left, until the
// LP is integral. Budgeted in pricing rounds; after the budget it only takes.
// A taken column leaves the LP (bounds fixed at 0) and its clusters' rows are freed: they are
// covered. Keeping it in at 1 instead left the covering rows degenerate, and the primal simplex
// stalled for minutes per owner at 5,000 functions. Freed rows have zero duals, so new columns
// hold only uncovered clusters; the LP stays primal feasible but for the taken column itself.
std::vector<std::vector<std::size_t>> Dive(GreedyPricer& pricer, Master& master,
                                           const ColumnGenLimits& limits,
                                           std::vector<std::vector<std::size_t>>& columns) {
  glp_prob* p = master.get();
  const std::size_t n = static_cast<std::size_t>(glp_get_num_rows(p));
  std::vector<double> pi(n, 0);
  std::vector<std::vector<std::size_t>> chosen;
  auto take = [&](int c) {
    chosen.push_back(columns[static_cast<std::size_t>(c - 1)]);
    glp_set_col_bnds(p, c, GLP_FX, 0.0, 0.0);
    for (std::size_t k : chosen.back()) glp_set_row_bnds(p, static_cast<int>(k) + 1, GLP_FR, 0, 0);
  };
  std::size_t rounds = 0;
  for (;;) {
    if (!SolveLp(p)) return {};
    const int cols = glp_get_num_cols(p);
    if (rounds < limits.dive_pricing_rounds) {
      for (std::size_t k = 0; k < n; ++k)
        pi[k] = std::max(0.0, glp_get_row_dual(p, static_cast<int>(k) + 1));
      ++rounds;
      if (PriceGreedily(pricer, master, pi, pi, limits, columns).first > 0) continue;
    }
    int pick = 0;
    double pick_x = 0;
    bool integral = true;
    for (int c = 1; c <= cols; ++c) {
      if (glp_get_col_type(p, c) == GLP_FX) continue;
      double x = glp_get_col_prim(p, c);
      if (x < 1e-6) continue;
      if (x >= 1 - 1e-6) {
        take(c);
        continue;
      }
      integral = false;
      if (x > pick_x) pick = c, pick_x = x;
    }
    if (integral) break;
    take(pick);
  }
  return chosen;
}

}  // namespace

// Column generation with Wentges dual smoothing. Each round prices at a point between the duals
// that gave the best (estimated) Lagrangian bound so far, the centre, and the restricted master's
// duals; a column joins when it improves the master at the master's duals. A round where the
// smoothed point finds nothing is a mis-price: the next round prices at the master's own duals.
// Every exact pricing proves a Farley bound at the point it priced; the best is kept.
CoverLp SolveCoverLp(const StackRules& rules, const std::vector<Bin>& initial,
                     const ColumnGenLimits& limits) {
  CoverLp result;
  const std::size_t n = rules.clusters().size();
  if (n == 0) {
    result.priced_out = true;
    return result;
  }
  Master master(n);
  for (const Bin& b : initial) master.AddColumn(b.clusters, result.columns);
  for (std::size_t k = 0; k < n; ++k) master.AddColumn({k}, result.columns);
  GreedyPricer pricer(rules);
  std::vector<double> pi(n, 0), centre;
  double centre_estimate = -1;  // estimated Lagrangian bound at the centre
  bool plain_next = false;      // after a mis-price, price at the master's duals
  const double start = Seconds();
  // Owner by owner, each owner's stacks are bounded on their own (Farley on the duals of its
  // clusters and the α of its pricing group, which covers every stack it may use), the best of
  // every exact pricing kept per owner; the bound is the sum of the owners' rounded-up bounds,
  // often stronger than one bound over all.
  const std::vector<std::vector<std::size_t>> owned = OwnedGroups(rules);
  const std::vector<std::vector<std::size_t>> groups = OwnerGroups(rules);
  const bool by_group = !owned.empty() && owned.size() == groups.size();
  std::vector<double> group_best(owned.size(), 0);
  if (by_group) {
    for (std::size_t g = 0; g < owned.size(); ++g)
      group_best[g] = GroupFloor(rules, owned[g], groups[g]);
    result.bound = Sum(group_best);
  }
  std::vector<double> last_exact;  // the point of the last exact pricing
  CliqueCache clique_cache;
  auto prove = [&](const std::vector<double>& at, std::vector<std::vector<std::size_t>>* stacks) {
    ++result.exact_pricings;
    last_exact = at;
    std::vector<double> group_alpha;
    double alpha = PricingBound(rules, at, stacks, &group_alpha, clique_cache);
    if (!std::isfinite(alpha)) return alpha;
    double bound = Sum(at) / std::max(1.0, alpha);
    if (by_group) {
      double sum = 0;
      for (std::size_t g = 0; g < groups.size(); ++g) {
        if (!std::isfinite(group_alpha[g])) continue;  // this group keeps its earlier bound
        double duals = 0;
        for (std::size_t k : owned[g]) duals += at[k];
        group_best[g] = std::max(group_best[g], duals / std::max(1.0, group_alpha[g]));
      }
      for (double b : group_best) sum += std::ceil(b - 1e-6);
      bound = std::max(bound, sum);
    }
    if (bound > result.bound) result.bound = bound;
    if (Tracing())
      std::fprintf(stderr, "colgen: exact pricing %zu: alpha %.4f, bound %.4f (best %.4f)\n",
                   result.exact_pricings, alpha, bound, result.bound);
    return alpha;
  };
  // Once the bound meets the initial packing, that packing is optimal: nothing left to find.
  auto proven_optimal = [&] {
    return !initial.empty() &&
           std::ceil(result.bound - 1e-6) >= static_cast<double>(initial.size());
  };
  // Every bound proved is at most the LP optimum, itself at most the restricted master's value:
  // once the bound rounds up to what that value rounds up to, no more pricing can raise it.
  auto bound_is_final = [&] {
    return std::ceil(result.bound - 1e-6) >= std::ceil(result.lp_value - 1e-6);
  };
  // The greedy pricer's best value at a point is at most α there, so Σπ / that value caps the
  // Farley bound an exact pricing could prove at the point. With several owner groups the
  // groups' rounded bounds add up separately, which this single cap does not follow.
  auto CanRaiseBound = [&](const std::vector<double>& at, double greedy_value) {
    if (groups.size() > 1) return true;
    double cap = Sum(at) / std::max(1.0, greedy_value);
    return std::ceil(cap - 1e-6) > std::ceil(result.bound - 1e-6);
  };
  for (;;) {
    if (!SolveLp(master.get())) return result;  // the bound proved so far stands
    result.lp_value = glp_get_obj_val(master.get());
    for (std::size_t k = 0; k < n; ++k)
      pi[k] = std::max(0.0, glp_get_row_dual(master.get(), static_cast<int>(k) + 1));
    if (proven_optimal() || bound_is_final()) break;
    if (result.iterations >= limits.max_iterations) break;
    ++result.iterations;
    bool smoothed = !centre.empty() && limits.smoothing > 0 && !plain_next;
    std::vector<double> at = smoothed ? Smoothed(centre, pi, limits.smoothing) : pi;
    plain_next = false;
    auto [added, best_value] = PriceGreedily(pricer, master, at, pi, limits, result.columns);
    // When the greedy pricer finds nothing, the exact one (per owner group, within its budget)
    // proves a bound at this point and offers its best stacks.
    // (Not at a point priced exactly already: the same α, no new column. Not at a smoothed
    // point that cannot raise the bound: there a miss is a mis-price the next plain round
    // settles, and the exact pricing would only cost time.)
    if (added == 0 && result.exact_pricings < limits.max_exact_pricings && at != last_exact &&
        !(smoothed && !CanRaiseBound(at, best_value))) {
      std::vector<std::vector<std::size_t>> stacks;
      double alpha = prove(at, &stacks);
      if (std::isfinite(alpha)) best_value = std::max(best_value, alpha);
      if (!smoothed && alpha <= 1 + 1e-5) result.priced_out = true;  // α has a 1e-6 margin
      for (const auto& members : stacks) {
        Bin bin;
        if (ValueOf(members, pi) > 1 + 1e-9 && rules.Build(members, bin))
          added += master.AddColumn(members, result.columns);
      }
    }
    double estimate = Sum(at) / std::max(1.0, best_value);
    if (estimate > centre_estimate) centre = at, centre_estimate = estimate;
    if (Tracing())
      std::fprintf(stderr,
                   "colgen: round %zu, LP %.4f, %s, estimate %.4f, %zu columns added, %zu in all, "
                   "%.3f s\n",
                   result.iterations, result.lp_value, smoothed ? "smoothed" : "plain", estimate,
                   added, result.columns.size(), Seconds() - start);
    if (added > 0) continue;
    if (smoothed) {
      plain_next = true;  // a mis-price: the next round prices at the master's duals
      continue;
    }
    break;  // priced out, or the greedy pricer is done and the exact budget is spent
  }
  DumpForBenchmark(master.get(), "master");
  // The master's final duals give the bound of a converged LP: proved unless done already.
  if (pi != last_exact && !proven_optimal()) {
    double alpha = prove(pi, nullptr);
    if (alpha <= 1 + 1e-5) result.priced_out = true;
  }
  if (Tracing())
    std::fprintf(stderr, "colgen: LP %.4f, bound %.4f, %zu rounds, %zu exact pricings, %.3f s\n",
                 result.lp_value, result.bound, result.iterations, result.exact_pricings,
                 Seconds() - start);
  if (limits.dive && !proven_optimal()) {
    result.dive = Dive(pricer, master, limits, result.columns);
    if (Tracing())
      std::fprintf(stderr, "colgen: diving chose %zu columns, %zu columns in all, %.3f s\n",
                   result.dive.size(), result.columns.size(), Seconds() - start);
  }
  return result;
}

}  // namespace cfnsplit
