// The set-covering LP relaxation of packing, solved by column generation (GLPK), and the proven
// lower bound drawn from its duals. docs/packing.md explains the formulation and why the bound
// holds although the pricer is a heuristic.
//
// Master: min Σ_S x_S  s.t.  Σ_{S ∋ k} x_S ≥ 1 for every cluster k, x ≥ 0, over feasible stacks S.
// Its duals π ≥ 0 price a stack at π(S) = Σ_{k ∈ S} π_k. If α ≥ π(S) for EVERY feasible stack,
// π / max(1, α) is dual feasible for the full master, so Σπ / max(1, α) bounds the optimum of
// the full LP, hence the number of stacks of any plan (Farley 1990). α comes from an LP
// relaxation of the pricing problem, solved exactly; the greedy pricer only finds columns.
#include <glpk.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "cfnsplit/constraints.hpp"
#include "partition/bins.hpp"

namespace cfnsplit {
namespace {

struct GlpDeleter {
  void operator()(glp_prob* p) const { glp_delete_prob(p); }
};
using GlpProb = std::unique_ptr<glp_prob, GlpDeleter>;

GlpProb NewProb() {
  glp_term_out(GLP_OFF);
  return GlpProb(glp_create_prob());
}

// Solves an LP quietly; false when GLPK found no optimum.
bool SolveLp(glp_prob* p) {
  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  parm.presolve = GLP_OFF;
  if (glp_simplex(p, &parm) != 0 || glp_get_status(p) != GLP_OPT) {
    glp_adv_basis(p, 0);  // a fresh basis, then once more
    if (glp_simplex(p, &parm) != 0) return false;
  }
  return glp_get_status(p) == GLP_OPT;
}

// CFNSPLIT_DUMP_LP=DIR writes the LPs as free MPS files (the solver benchmark in docs/packing.md
// solves the same files with glpsol and clp).
void DumpForBenchmark(glp_prob* p, const char* what) {
  const char* dir = std::getenv("CFNSPLIT_DUMP_LP");
  if (!dir || !*dir) return;
  static int serial = 0;
  std::string path = std::string(dir) + "/" + what + "-" + std::to_string(serial++) + ".mps";
  glp_write_mps(p, GLP_MPS_FILE, nullptr, path.c_str());
}

// CFNSPLIT_TRACE_PACKING=1 prints the column generation's progress to stderr (for tuning).
bool Tracing() {
  static const bool on = std::getenv("CFNSPLIT_TRACE_PACKING") != nullptr;
  return on;
}

double Seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

constexpr int kExactPricingColumns = 1500;
// Past this many clusters with a positive dual, branch-and-cut never closed the relaxation's gap
// within its node budget on the bench services (2,000 functions: 0 of 14 pricings over 200
// clusters, each ~0.4–1.2 s; up to 69 clusters it often did, in ~0.15 s). The LP relaxation's α
// stands there, valid and weaker, as it would after a spent budget.
constexpr std::size_t kExactPricingClusters = 80;
// Nodes of branch-and-cut per exact pricing: past it α is the LP relaxation's (weaker, still
// valid). Exact pricing is the costly part of column generation.
constexpr int kPricingNodeBudget = 800;

void StopAfterNodes(glp_tree* tree, void*) {
  int active = 0, current = 0, total = 0;
  glp_ios_tree_size(tree, &active, &current, &total);
  if (total > kPricingNodeBudget) glp_ios_terminate(tree);
}

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

// max Σ π_k x_k over a relaxed stack: x, y ∈ [0, 1], x_k ≤ y_d for every distribution d of k,
// Σ code_k x_k + Σ bytes_d y_d ≤ capacity, Σ resources_k x_k ≤ resource budget. Every feasible
// stack of `members` is a 0/1 point of it (layers and wiring dropped), so its optimum bounds
// π(S); so do rows Σ_{k∈Q} x_k ≤ 1 over cliques Q of clusters that pairwise overflow the
// capacity. Returns +inf when GLPK fails (no bound is claimed then).
// Conflict cliques of each pricing group, computed once over all its members (a clique's members
// with positive duals are still a clique): the clique search costs more than the LP.
using CliqueCache = std::map<std::vector<std::size_t>, std::vector<std::vector<std::size_t>>>;

double RelaxedPricing(const StackRules& rules, const std::vector<std::size_t>& members,
                      const std::vector<double>& pi, std::uint64_t capacity,
                      std::vector<std::size_t>* best_stack, CliqueCache& cache) {
  const auto& clusters = rules.clusters();
  std::vector<std::size_t> useful;
  for (std::size_t k : members)
    if (pi[k] > 0) useful.push_back(k);
  if (useful.empty()) return 0;
  bool package = PackageBinds(rules);
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
  }
  // Clusters that pairwise cannot share a stack take at most one place in it: Σ_{k∈Q} x_k ≤ 1.
  if (package) {
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
  double value = glp_get_obj_val(p);
  // The same model with x and y binary is the exact pricing problem (minus the dropped budgets):
  // when branch-and-cut proves its optimum within a node budget, that optimum is the tighter α.
  if (value > 1 && n <= kExactPricingColumns && useful.size() <= kExactPricingClusters) {
    for (int j = 1; j <= n; ++j) glp_set_col_kind(p, j, GLP_BV);
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.cb_func = StopAfterNodes;
    parm.br_tech = GLP_BR_MFV;  // Driebeck–Tomlin (the default) costs a tableau row per candidate
    parm.tm_lim = 10000;        // safety net only; a proof that ran out of time is not used
    const double t0 = Seconds();
    int status = glp_intopt(p, &parm) == 0 ? glp_mip_status(p) : GLP_UNDEF;
    if (Tracing())
      std::fprintf(stderr, "pricing: %zu clusters, %zu dists, LP %.4f, MIP %s %.4f, %.3f s\n",
                   useful.size(), dist_col.size(), value,
                   status == GLP_OPT    ? "optimal"
                   : status == GLP_FEAS ? "feasible"
                                        : "none",
                   status == GLP_OPT || status == GLP_FEAS ? glp_mip_obj_val(p) : 0.0,
                   Seconds() - t0);
    if (status == GLP_OPT) value = std::min(value, glp_mip_obj_val(p));
    // The best stack found is a column candidate (the caller checks it keeps every budget).
    if (best_stack && (status == GLP_OPT || status == GLP_FEAS) && glp_mip_obj_val(p) > 1 + 1e-9)
      for (std::size_t i = 0; i < useful.size(); ++i)
        if (glp_mip_col_val(p, static_cast<int>(i) + 1) > 0.5) best_stack->push_back(useful[i]);
  }
  // GLPK's tolerances are ~1e-9 relative (1e-5 on integrality): claim a little more.
  return value * (1 + 1e-6) + 1e-6;
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
      bool over = PackageBinds(rules) && clusters[k].package_bytes > rules.budgets().package;
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

// Greedy pricer: from a seed, add the cluster with the best dual value per unit of budget it
// uses (new distribution bytes + resources), as long as it fits. Added bytes are kept current
// as distributions enter the stack, so each step is one scan.
class GreedyPricer {
 public:
  explicit GreedyPricer(const StackRules& rules)
      : rules_(rules), package_binds_(PackageBinds(rules)) {
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
    for (;;) {
      std::size_t best = SIZE_MAX;
      double best_score = 0;
      std::uint64_t in_bin = bin.dist_bytes + bin.own_bytes + bin.max_layer;
      for (std::size_t k = 0; k < n; ++k) {
        if (!open_[k]) continue;
        // Cheap necessary conditions first; Fits decides for the one chosen.
        if (bin.resources + clusters[k].resources > rules_.budgets().resources) continue;
        if (package_binds_ && added_[k] > 0 && in_bin + added_[k] > rules_.budgets().package)
          continue;
        double weight =
            static_cast<double>(added_[k]) / package + clusters[k].resources / resources + 1e-9;
        double score = pi[k] / weight;
        if (best == SIZE_MAX || score > best_score) best = k, best_score = score;
      }
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
    if (proven_optimal()) break;
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
