// `--effort thorough`: the restricted master problem over the column-generation columns, solved
// as an integer program by GLPK's branch-and-cut from the fast packing as incumbent. Its budget
// is a node count, not a clock, so the same input gives the same plan.
#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>

#include "partition/bins.hpp"

namespace cfnsplit {
namespace {

constexpr int kNodeBudget = 400;
// Over this many columns the root LP and cuts alone take seconds: the fast packing is kept
// (decided by size, not by a clock, so the plan stays deterministic).
constexpr std::size_t kMaxColumns = 3000;
// A safety net only: hit when a machine is so slow that the node budget would take this long
// (then the result may depend on timing; docs/packing.md says so).
constexpr int kTimeLimitMs = 5000;

struct SearchState {
  std::vector<double> incumbent;  // 1-based, one entry per column
  bool offered = false;
};

void Callback(glp_tree* tree, void* info) {
  auto* state = static_cast<SearchState*>(info);
  if (glp_ios_reason(tree) == GLP_IHEUR && !state->offered) {
    state->offered = true;
    glp_ios_heur_sol(tree, state->incumbent.data());
  }
  int active = 0, current = 0, total = 0;
  glp_ios_tree_size(tree, &active, &current, &total);
  if (total > kNodeBudget) glp_ios_terminate(tree);
}

// Moves: clusters pinned by --previous whose stack would not keep the pinned name (a second
// stack of the same pinned name is renamed when stacks are named).
std::size_t Moves(const StackRules& rules, const std::vector<Bin>& bins) {
  std::set<std::string> named;
  std::size_t moves = 0;
  for (const Bin& b : bins) {
    if (b.forced_name.empty() || named.insert(b.forced_name).second) continue;
    for (std::size_t k : b.clusters) moves += !rules.clusters()[k].forced_stack.empty();
  }
  return moves;
}

// Better: fewer moves, then fewer stacks, then fewer values passed.
bool Better(const StackRules& rules, const std::vector<Bin>& a, const std::vector<Bin>& b) {
  std::size_t ma = Moves(rules, a), mb = Moves(rules, b);
  if (ma != mb) return ma < mb;
  if (a.size() != b.size()) return a.size() < b.size();
  return WiringOf(a) < WiringOf(b);
}

// Chosen columns may overlap (a cover): each cluster stays in the first chosen column that
// holds it. A subset of a feasible stack keeps every budget except, rarely, the adds-nothing
// rule over the headroom; a cluster that no longer fits is placed like the packer would.
std::vector<Bin> BinsFromColumns(const StackRules& rules,
                                 const std::vector<std::vector<std::size_t>>& chosen) {
  std::vector<char> placed(rules.clusters().size(), 0);
  std::vector<Bin> bins;
  std::vector<std::size_t> homeless;
  for (const auto& column : chosen) {
    Bin bin;
    for (std::size_t k : column) {
      if (placed[k]) continue;
      placed[k] = 1;
      if (bin.clusters.empty() || rules.Fits(bin, k))
        rules.Add(bin, k);
      else
        homeless.push_back(k);
    }
    if (!bin.clusters.empty()) bins.push_back(std::move(bin));
  }
  for (std::size_t k = 0; k < placed.size(); ++k)
    if (!placed[k]) homeless.push_back(k);  // never: every cluster is covered
  for (std::size_t k : homeless) {
    std::size_t best = SIZE_MAX;
    std::uint64_t best_score = 0;
    for (std::size_t b = 0; b < bins.size(); ++b) {
      if (!rules.Fits(bins[b], k)) continue;
      std::uint64_t score = rules.Affinity(bins[b], k);
      if (best == SIZE_MAX || score > best_score) best = b, best_score = score;
    }
    if (best == SIZE_MAX) {
      bins.emplace_back();
      best = bins.size() - 1;
    }
    rules.Add(bins[best], k);
  }
  return bins;
}

// Columns as LP columns of a covering master (rows: clusters ≥ 1), continuous in [0, ∞).
void LoadCover(glp_prob* p, std::size_t n, const std::vector<std::vector<std::size_t>>& columns) {
  glp_set_obj_dir(p, GLP_MIN);
  glp_add_rows(p, static_cast<int>(n));
  for (int r = 1; r <= static_cast<int>(n); ++r) glp_set_row_bnds(p, r, GLP_LO, 1.0, 0.0);
  int cols = static_cast<int>(columns.size());
  glp_add_cols(p, cols);
  for (int c = 1; c <= cols; ++c) {
    std::vector<std::size_t> key = columns[static_cast<std::size_t>(c - 1)];
    std::sort(key.begin(), key.end());
    std::vector<int> ind = {0};
    std::vector<double> val = {0};
    for (std::size_t k : key) ind.push_back(static_cast<int>(k) + 1), val.push_back(1.0);
    glp_set_mat_col(p, c, static_cast<int>(key.size()), ind.data(), val.data());
    glp_set_col_bnds(p, c, GLP_LO, 0.0, 0.0);
    glp_set_obj_coef(p, c, 1.0);
  }
}

bool Tracing() { return std::getenv("CFNSPLIT_TRACE_PACKING") != nullptr; }

// The restricted master as an integer program (GLPK branch-and-cut within a node budget) from
// the fast packing as incumbent; nothing when it finds no solution.
std::vector<std::vector<std::size_t>> SolveMasterIp(const StackRules& rules, const CoverLp& lp,
                                                    const std::vector<Bin>& incumbent) {
  glp_term_out(GLP_OFF);
  std::unique_ptr<glp_prob, void (*)(glp_prob*)> owner(glp_create_prob(), glp_delete_prob);
  glp_prob* p = owner.get();
  LoadCover(p, rules.clusters().size(), lp.columns);
  int cols = static_cast<int>(lp.columns.size());
  SearchState state;
  state.incumbent.assign(static_cast<std::size_t>(cols) + 1, 0.0);
  std::set<std::vector<std::size_t>> fast;
  for (const Bin& b : incumbent) {
    std::vector<std::size_t> key = b.clusters;
    std::sort(key.begin(), key.end());
    fast.insert(key);
  }
  for (int c = 1; c <= cols; ++c) {
    std::vector<std::size_t> key = lp.columns[static_cast<std::size_t>(c - 1)];
    std::sort(key.begin(), key.end());
    glp_set_col_kind(p, c, GLP_BV);
    if (fast.count(key)) state.incumbent[static_cast<std::size_t>(c)] = 1.0;
  }
  glp_smcp lp_parm;
  glp_init_smcp(&lp_parm);
  lp_parm.msg_lev = GLP_MSG_OFF;
  if (glp_simplex(p, &lp_parm) != 0 || glp_get_status(p) != GLP_OPT) return {};
  glp_iocp parm;
  glp_init_iocp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  parm.cb_func = Callback;
  parm.cb_info = &state;
  parm.tm_lim = kTimeLimitMs;
  parm.fp_heur = GLP_OFF;
  parm.clq_cuts = GLP_OFF;
  glp_intopt(p, &parm);
  int status = glp_mip_status(p);
  if (Tracing())
    std::fprintf(stderr, "master: %d columns, status %d, %.0f stacks (fast %zu)\n", cols, status,
                 status == GLP_OPT || status == GLP_FEAS ? glp_mip_obj_val(p) : -1.0,
                 incumbent.size());
  if (status != GLP_OPT && status != GLP_FEAS) return {};
  std::vector<std::vector<std::size_t>> chosen;
  for (int c = 1; c <= cols; ++c)
    if (glp_mip_col_val(p, c) > 0.5) chosen.push_back(lp.columns[static_cast<std::size_t>(c - 1)]);
  return chosen;
}

}  // namespace

std::vector<Bin> ImproveWithMaster(const StackRules& rules, const CoverLp& lp,
                                   const std::vector<Bin>& incumbent) {
  const std::size_t n = rules.clusters().size();
  // Nothing to gain when the fast packing already meets the bound.
  if (n == 0 || lp.columns.empty() ||
      static_cast<double>(incumbent.size()) <= std::ceil(lp.bound - 1e-6))
    return incumbent;
  std::vector<Bin> best = incumbent;
  auto consider = [&](const std::vector<std::vector<std::size_t>>& chosen, const char* what) {
    if (chosen.empty()) return;
    std::vector<Bin> bins = BinsFromColumns(rules, chosen);
    ConsolidateBins(rules, bins);
    if (Tracing())
      std::fprintf(stderr, "master: %s gives %zu stacks (best so far %zu)\n", what, bins.size(),
                   best.size());
    if (Better(rules, bins, best)) best = std::move(bins);
  };
  consider(lp.dive, "price-and-dive");
  // Over kMaxColumns the integer program's root alone takes seconds: price-and-dive only.
  if (lp.columns.size() <= kMaxColumns) consider(SolveMasterIp(rules, lp, incumbent), "the IP");
  return best;
}

}  // namespace cfnsplit
