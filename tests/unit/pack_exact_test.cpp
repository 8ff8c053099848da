// The fast packer's shortcuts (the scan that stops at the best possible affinity, the artifact
// check that stops early, remembered failures in ConsolidateBins) must not change any plan: on
// random instances that reach every rule (pins, owners, wiring, template bytes, artifacts over
// the headroom, code-less functions, layers, every strategy), PackFast and ConsolidateBins give
// exactly what a plain reference gives: the packer as it was, with Fits recomputed from names.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <set>

#include "partition/bins.hpp"
#include "support/packing_instance.hpp"

using namespace cfnsplit;

namespace {

using Instance = testing::PackingInstance;
using testing::Draw;

std::vector<std::string> RandomNames(std::mt19937& rng, const char* prefix, std::size_t pool,
                                     std::size_t most) {
  std::vector<std::string> names;
  for (std::size_t i = Draw(rng, 0, most); i > 0; --i)
    names.push_back(prefix + std::to_string(Draw(rng, 0, pool - 1)));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

Cluster RandomCluster(std::mt19937& rng, const Instance& in, std::size_t k) {
  Cluster c;
  c.functions = {"F" + std::to_string(k)};
  int owner = static_cast<int>(Draw(rng, 0, 3));
  c.owner = owner == 0 ? "" : std::string(1, static_cast<char>('a' + owner - 1));
  if (Draw(rng, 0, 15) == 0) c.forced_stack = Draw(rng, 0, 1) ? "PinA" : "PinB";
  c.resources = static_cast<std::uint32_t>(Draw(rng, 1, 9));
  c.bytes = Draw(rng, 100, 3000);
  c.takes = RandomNames(rng, "t", 12, 3);
  c.params = RandomNames(rng, "p", 6, 2);
  c.gives = RandomNames(rng, "g", 12, 2);
  c.root_outputs = static_cast<std::uint32_t>(Draw(rng, 0, 1));
  if (Draw(rng, 0, 4) > 0)  // some clusters ship nothing (API resources and the like)
    for (std::uint32_t d = 0; d < in.packages.dist_names.size(); ++d)
      if (Draw(rng, 0, 2) == 0) c.dists.push_back(d);
  c.own_bytes = Draw(rng, 0, 2) ? Draw(rng, 1, 8) : 0;  // code-less: the headroom exception
  c.layer_bytes = Draw(rng, 0, 4) == 0 ? Draw(rng, 1, 30) : 0;
  std::uint64_t bytes = c.own_bytes + c.layer_bytes;
  for (auto d : c.dists) bytes += in.packages.dist_bytes[d];
  c.package_bytes = bytes;
  return c;
}

// Up to 40 clusters; budgets tight enough that every rule turns bins away, and clusters between
// the headroom and the limit so that stacks over the headroom occur.
Instance RandomInstance(std::mt19937& rng) {
  Instance in;
  for (std::size_t d = 0, n = Draw(rng, 3, 9); d < n; ++d) {
    in.packages.dist_names.push_back("d" + std::to_string(d));
    in.packages.dist_bytes.push_back(Draw(rng, 0, 5) == 0 ? Draw(rng, 40, 90) : Draw(rng, 1, 25));
  }
  std::uint64_t package = Draw(rng, 60, 160);
  in.budgets = {Draw(rng, 15, 45),      Draw(rng, 6, 14), Draw(rng, 5, 12),
                Draw(rng, 8000, 30000), package,          package + Draw(rng, 0, 60)};
  const char* strategies[] = {"auto", "size", "lifecycle", "ownership"};
  in.options.strategy = strategies[Draw(rng, 0, 3)];
  in.options.allow_mixed_owners = Draw(rng, 0, 4) == 0;
  in.options.mode = Draw(rng, 0, 1) ? WiringMode::kExports : WiringMode::kNested;
  if (Draw(rng, 0, 5) == 0) in.packages.packaging = "individual";
  for (std::size_t k = 0, n = Draw(rng, 2, 40); k < n; ++k) {
    Cluster c = RandomCluster(rng, in, k);
    if (c.package_bytes > in.budgets.package_limit) continue;  // CheckClustersFit refuses these
    in.packages.functions[c.functions.front()] = {c.dists, c.own_bytes, c.layer_bytes};
    in.clusters.push_back(std::move(c));
  }
  return in;
}

// --- The reference: Fits from the bin's clusters and names, and the packer before shortcuts.

using Names = std::vector<std::string> Cluster::*;

std::size_t UnionSize(const std::vector<Cluster>& cs, const Bin& bin, std::size_t k, Names f) {
  std::set<std::string> all((cs[k].*f).begin(), (cs[k].*f).end());
  for (std::size_t q : bin.clusters) all.insert((cs[q].*f).begin(), (cs[q].*f).end());
  return all.size();
}

bool RefFits(const Instance& in, const Bin& bin, std::size_t k) {
  const auto& cs = in.clusters;
  const Cluster& c = cs[k];
  if (!c.forced_stack.empty() && bin.forced_name != c.forced_stack) return false;
  if (!in.options.allow_mixed_owners && !bin.owner.empty() && !c.owner.empty() &&
      bin.owner != c.owner)
    return false;
  std::uint64_t resources = c.resources, bytes = c.bytes, roots = c.root_outputs, own = 0;
  std::uint64_t layer = 0, dist_bytes = 0, added = c.own_bytes;
  std::set<std::uint32_t> dists;
  for (std::size_t q : bin.clusters) {
    resources += cs[q].resources, bytes += cs[q].bytes, roots += cs[q].root_outputs;
    own += cs[q].own_bytes, layer = std::max(layer, cs[q].layer_bytes);
    dists.insert(cs[q].dists.begin(), cs[q].dists.end());
  }
  for (auto d : dists) dist_bytes += in.packages.dist_bytes[d];
  if (resources > in.budgets.resources) return false;
  WiringLoad load =
      LoadOf(UnionSize(cs, bin, k, &Cluster::takes), UnionSize(cs, bin, k, &Cluster::params),
             UnionSize(cs, bin, k, &Cluster::gives), roots, in.options.mode == WiringMode::kNested);
  if (load.parameters > in.budgets.parameters || load.outputs > in.budgets.outputs) return false;
  if (bytes + load.parameters * 90 + load.outputs * 160 > in.budgets.bytes) return false;
  if (in.packages.empty() || !in.packages.shared_artifact() || bin.clusters.empty()) return true;
  for (auto d : c.dists)
    if (!dists.count(d)) added += in.packages.dist_bytes[d];
  std::uint64_t package = dist_bytes + own + added + std::max(layer, c.layer_bytes);
  bool adds_nothing = added == 0 && c.layer_bytes <= layer;
  return package <= in.budgets.package || (adds_nothing && package <= in.budgets.package_limit);
}

std::uint64_t RefAffinity(const Instance& in, const Bin& bin, std::size_t k) {
  const Cluster& c = in.clusters[k];
  if (in.options.strategy == "lifecycle") return 0;
  std::uint64_t score = !bin.owner.empty() && bin.owner == c.owner;
  if (in.options.strategy == "ownership") return score;
  std::set<std::uint32_t> dists;
  for (std::size_t q : bin.clusters)
    dists.insert(in.clusters[q].dists.begin(), in.clusters[q].dists.end());
  for (auto d : c.dists)
    if (dists.count(d)) score += in.packages.dist_bytes[d] + 1;
  return score;
}

// Every bin but `skip` tested; the highest affinity wins, ties to the earlier bin.
template <class View>
std::size_t RefBest(const Instance& in, std::size_t count, const View& view, std::size_t k,
                    std::size_t skip) {
  std::size_t best = SIZE_MAX;
  std::uint64_t best_score = 0;
  for (std::size_t b = 0; b < count; ++b) {
    if (b == skip || !RefFits(in, view(b), k)) continue;
    std::uint64_t score = RefAffinity(in, view(b), k);
    if (best == SIZE_MAX || score > best_score) best = b, best_score = score;
  }
  return best;
}

// ConsolidateBins as it was: every victim tried again after each success.
void RefConsolidate(const Instance& in, const StackRules& rules, std::vector<Bin>& bins) {
  bool changed = true;
  while (changed && bins.size() > 1) {
    changed = false;
    std::vector<std::size_t> by_size(bins.size());
    for (std::size_t b = 0; b < bins.size(); ++b) by_size[b] = b;
    std::stable_sort(by_size.begin(), by_size.end(), [&](std::size_t x, std::size_t y) {
      return bins[x].resources + bins[x].dist_bytes / 1000000 <
             bins[y].resources + bins[y].dist_bytes / 1000000;
    });
    for (std::size_t victim : by_size) {
      if (!bins[victim].forced_name.empty()) continue;
      std::map<std::size_t, Bin> trial;
      auto view = [&](std::size_t b) -> const Bin& {
        return trial.count(b) ? trial.at(b) : bins[b];
      };
      bool emptied = true;
      for (std::size_t k : bins[victim].clusters) {
        std::size_t best = RefBest(in, bins.size(), view, k, victim);
        if (best == SIZE_MAX) {
          emptied = false;
          break;
        }
        if (!trial.count(best)) trial.emplace(best, bins[best]);
        rules.Add(trial.at(best), k);
      }
      if (!emptied) continue;
      for (auto& [b, bin] : trial) bins[b] = std::move(bin);
      bins.erase(bins.begin() + static_cast<long>(victim));
      changed = true;
      break;
    }
  }
}

std::vector<std::size_t> RefOrder(const Instance& in, const std::vector<std::string>& keys,
                                  int ordering, bool by_size) {
  const auto& p = in.packages;
  auto heaviest = [&](const Cluster& c) {
    std::pair<std::uint64_t, std::string> h;
    for (auto d : c.dists)
      if (p.dist_bytes[d] > h.first ||
          (p.dist_bytes[d] == h.first && !h.second.empty() && p.dist_names[d] < h.second))
        h = {p.dist_bytes[d], p.dist_names[d]};
    return h;
  };
  std::vector<std::size_t> order(in.clusters.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    const Cluster& a = in.clusters[x];
    const Cluster& b = in.clusters[y];
    if (a.forced_stack.empty() != b.forced_stack.empty()) return !a.forced_stack.empty();
    if (by_size && ordering == 1 && heaviest(a) != heaviest(b)) return heaviest(a) > heaviest(b);
    if (by_size && ordering != 2 && a.package_bytes != b.package_bytes)
      return a.package_bytes > b.package_bytes;
    if (by_size && a.resources != b.resources) return a.resources > b.resources;
    return keys[x] < keys[y];
  });
  return order;
}

std::vector<Bin> RefPack(const Instance& in, const StackRules& rules,
                         const std::vector<std::string>& keys) {
  bool by_size = in.options.strategy == "auto" || in.options.strategy == "size";
  std::vector<Bin> best;
  std::size_t best_wiring = SIZE_MAX;
  for (int ordering = 0; ordering < (by_size ? 3 : 1); ++ordering) {
    std::vector<Bin> bins;
    auto view = [&](std::size_t b) -> const Bin& { return bins[b]; };
    for (std::size_t k : RefOrder(in, keys, ordering, by_size)) {
      std::size_t b = RefBest(in, bins.size(), view, k, SIZE_MAX);
      if (b == SIZE_MAX) bins.emplace_back(), b = bins.size() - 1;
      rules.Add(bins[b], k);
    }
    RefConsolidate(in, rules, bins);
    std::size_t wiring = WiringOf(bins);
    if (best.empty() || bins.size() < best.size() ||
        (bins.size() == best.size() && wiring < best_wiring))
      best = std::move(bins), best_wiring = wiring;
  }
  return best;
}

std::vector<std::vector<std::size_t>> Members(const std::vector<Bin>& bins) {
  std::vector<std::vector<std::size_t>> out;
  for (const Bin& b : bins) out.push_back(b.clusters);
  return out;
}

std::vector<std::string> Keys(std::mt19937& rng, std::size_t n) {
  std::vector<std::string> keys;
  for (std::size_t k = 0; k < n; ++k) keys.push_back("K" + std::to_string(Draw(rng, 0, 999999)));
  return keys;
}

}  // namespace

TEST_CASE("Fits agrees with a reference computed from the bin's clusters", "[unit][partition]") {
  std::mt19937 rng(7);
  std::size_t fits = 0, refused = 0, refused_by_heaviest = 0;
  for (int trial = 0; trial < 300; ++trial) {
    Instance in = RandomInstance(rng);
    StackRules rules(in.clusters, in.packages, in.budgets, in.options);
    const std::size_t n = in.clusters.size();
    for (int round = 0; round < 20; ++round) {
      Bin bin;  // a random bin built the way the packer builds them: cluster by cluster if it fits
      for (std::size_t k = 0; k < n; ++k)
        if (Draw(rng, 0, 3) == 0 && (bin.clusters.empty() || rules.Fits(bin, k))) rules.Add(bin, k);
      for (std::size_t k = 0; k < n; ++k) {
        INFO("trial " << trial << " round " << round << " cluster " << k);
        bool expected = RefFits(in, bin, k);
        REQUIRE(rules.Fits(bin, k) == expected);
        // Admits' checks only ever refuse what does not fit, its heaviest-distribution one too.
        if (expected) REQUIRE(rules.Admits(bin, k));
        if (rules.RefusesHeaviest(bin, k)) {
          REQUIRE_FALSE(expected);
          ++refused_by_heaviest;
        }
        REQUIRE(rules.Affinity(bin, k) == RefAffinity(in, bin, k));
        REQUIRE(rules.Affinity(bin, k) <= rules.MaxAffinity(k));
        (expected ? fits : refused) += 1;
      }
    }
  }
  CHECK(fits > 1000);
  CHECK(refused > 1000);
  CHECK(refused_by_heaviest > 100);
}

namespace {

// PackFast against RefPack on 400 instances drawn from `seed`, each shaped by `shape`.
template <class Shape>
void RequirePackFastIsReference(std::uint32_t seed, Shape shape) {
  std::mt19937 rng(seed);
  for (int trial = 0; trial < 400; ++trial) {
    Instance in = shape(rng, RandomInstance(rng));
    StackRules rules(in.clusters, in.packages, in.budgets, in.options);
    std::vector<std::string> keys = Keys(rng, in.clusters.size());
    INFO("trial " << trial << ": " << in.clusters.size() << " clusters, strategy "
                  << in.options.strategy);
    REQUIRE(Members(PackFast(rules, keys)) == Members(RefPack(in, rules, keys)));
  }
}

}  // namespace

TEST_CASE("PackFast gives exactly the reference packer's stacks", "[unit][partition]") {
  RequirePackFastIsReference(2024, [](std::mt19937&, Instance in) { return in; });
}

TEST_CASE("ConsolidateBins empties exactly the stacks the reference empties", "[unit][partition]") {
  // Starting from one stack per cluster or from random small stacks, consolidation succeeds many
  // times in a row, so remembered failures are reused, and dropped, often.
  std::mt19937 rng(11);
  std::size_t emptied = 0;
  for (int trial = 0; trial < 400; ++trial) {
    Instance in = RandomInstance(rng);
    StackRules rules(in.clusters, in.packages, in.budgets, in.options);
    std::vector<Bin> bins;
    std::size_t per_bin = Draw(rng, 1, 3);
    for (std::size_t k = 0; k < in.clusters.size(); ++k) {
      if (bins.empty() || bins.back().clusters.size() >= per_bin || !rules.Fits(bins.back(), k))
        bins.emplace_back();
      rules.Add(bins.back(), k);
    }
    std::vector<Bin> expected = bins;
    RefConsolidate(in, rules, expected);
    std::size_t before = bins.size();
    ConsolidateBins(rules, bins);
    INFO("trial " << trial);
    REQUIRE(Members(bins) == Members(expected));
    emptied += before - bins.size();
  }
  CHECK(emptied > 2000);
}

namespace {

using Stacks = std::vector<std::vector<std::size_t>>;

// ConsolidateBins from stacks of these clusters (in order), required to give the reference's
// stacks; returns them.
Stacks ConsolidatedAsReference(const Instance& in, const Stacks& start) {
  StackRules rules(in.clusters, in.packages, in.budgets, in.options);
  std::vector<Bin> bins;
  for (const auto& members : start) {
    bins.emplace_back();
    for (std::size_t k : members) rules.Add(bins.back(), k);
  }
  std::vector<Bin> expected = bins;
  RefConsolidate(in, rules, expected);
  ConsolidateBins(rules, bins);
  REQUIRE(Members(bins) == Members(expected));
  return Members(bins);
}

}  // namespace

TEST_CASE("a remembered failure is retried once a bin it used changes", "[unit][partition]") {
  // Bins in order: b {B0}, v {k1, k2}, c {C0}, d {d1, d2}; 4 parameters at most (3 plus the
  // stack name in exports mode), so at most two template parameters per stack.
  //   v fails: k1 (no owner) goes to b, the first that fits; then k2 (owner a) fits neither b
  //   (three parameters) nor c and d (owner z).
  //   d empties: d1 into b (it shares p3 with k2), d2 into c.
  //   v again: k1 no longer fits b (p1 p3 p2), goes to c; k2 now fits b (p1 p3): v empties.
  // Remembering v's failure without noticing that b, where k1 went, changed would keep v.
  Instance in;
  in.options.mode = WiringMode::kExports;
  in.budgets = {10, 4, 100, 1000000000, 0, 0};
  auto add = [&](const std::string& owner, std::uint32_t resources,
                 std::vector<std::string> params) {
    Cluster c;
    c.functions = {"F" + std::to_string(in.clusters.size())};
    c.owner = owner;
    c.resources = resources;
    c.params = std::move(params);
    in.clusters.push_back(c);
  };
  add("a", 3, {"p1"});  // 0: B0
  add("", 1, {"p2"});   // 1: k1
  add("a", 1, {"p3"});  // 2: k2
  add("z", 5, {});      // 3: C0
  add("", 1, {"p3"});   // 4: d1
  add("z", 1, {});      // 5: d2
  REQUIRE(ConsolidatedAsReference(in, {{0}, {1, 2}, {3}, {4, 5}}) == Stacks{{0, 4, 2}, {3, 5, 1}});
}

TEST_CASE("a remembered failure is retried once a bin it did not use offers more affinity",
          "[unit][partition]") {
  // Bins in order: X {x0}, Y {y0} (both pinned, owner a: never emptied), P {k1, k2}, V {v1}
  // (no owner). 10 resources, two template parameters, one output per stack.
  //   P fails: k1 (owner a, needs d1 and d0) goes to X (d1, first of equal affinity), then k2
  //   fits neither X nor Y (resources) nor V (parameters).
  //   V empties into Y (X has no room for its output): Y now ships d0 and d1.
  //   P again: k1 prefers Y, k2 fits X: P empties.
  // The changed bins (V without an owner, Y of owner a) have no one owner, so k1 (owner a) must
  // still be checked against them; skipping owned clusters there would keep P.
  Instance in;
  in.options.mode = WiringMode::kExports;
  in.packages.dist_names = {"d0", "d1", "d2"};
  in.packages.dist_bytes = {10, 20000000, 40000000};  // P (29) is tried before V (42)
  in.budgets = {10, 4, 1, 1000000000, 1000000000, 1000000000};
  auto add = [&](const std::string& owner, std::uint32_t resources,
                 std::vector<std::uint32_t> dists, std::vector<std::string> params,
                 std::vector<std::string> gives, const std::string& pin) {
    Cluster c;
    c.functions = {"F" + std::to_string(in.clusters.size())};
    c.owner = owner;
    c.resources = resources;
    c.dists = std::move(dists);
    c.params = std::move(params);
    c.gives = std::move(gives);
    c.forced_stack = pin;
    for (auto d : c.dists) c.package_bytes += in.packages.dist_bytes[d];
    in.packages.functions[c.functions.front()] = {c.dists, 0, 0};
    in.clusters.push_back(c);
  };
  add("a", 2, {1}, {}, {"g1"}, "PinX");          // 0: x0
  add("a", 5, {1}, {}, {}, "PinY");              // 1: y0
  add("a", 3, {0, 1}, {}, {}, "");               // 2: k1
  add("a", 6, {}, {"p1"}, {}, "");               // 3: k2
  add("", 2, {0, 2}, {"p2", "p3"}, {"g2"}, "");  // 4: v1
  REQUIRE(ConsolidatedAsReference(in, {{0}, {1}, {2, 3}, {4}}) == Stacks{{0, 3}, {1, 4, 2}});
}

namespace {

// The instance with code in every cluster: then a bin whose artifact has no room for the least
// code any cluster brings is closed (StackRules::FitsNoCluster), a rule random instances with
// code-less clusters never reach.
Instance WithCodeEverywhere(std::mt19937& rng, Instance in) {
  std::vector<Cluster> kept;
  for (Cluster c : in.clusters) {
    if (c.own_bytes == 0) {
      c.own_bytes = Draw(rng, 1, 8);
      c.package_bytes += c.own_bytes;
    }
    if (c.package_bytes > in.budgets.package_limit) continue;
    in.packages.functions[c.functions.front()] = {c.dists, c.own_bytes, c.layer_bytes};
    kept.push_back(std::move(c));
  }
  in.clusters = std::move(kept);
  return in;
}

}  // namespace

TEST_CASE("FitsNoCluster closes only bins no cluster fits, some by their artifact",
          "[unit][partition]") {
  std::mt19937 rng(99);
  std::size_t closed = 0, closed_by_artifact = 0;
  for (int trial = 0; trial < 300; ++trial) {
    Instance in = WithCodeEverywhere(rng, RandomInstance(rng));
    StackRules rules(in.clusters, in.packages, in.budgets, in.options);
    const std::size_t n = in.clusters.size();
    std::uint64_t least_resources = UINT64_MAX, least_bytes = UINT64_MAX;
    for (const Cluster& c : in.clusters) {
      least_resources = std::min<std::uint64_t>(least_resources, c.resources);
      least_bytes = std::min(least_bytes, c.bytes);
    }
    for (int round = 0; round < 20; ++round) {
      Bin bin;
      for (std::size_t k = 0; k < n; ++k)
        if (Draw(rng, 0, 2) == 0 && (bin.clusters.empty() || rules.Fits(bin, k))) rules.Add(bin, k);
      if (!rules.FitsNoCluster(bin)) continue;
      ++closed;
      INFO("trial " << trial << " round " << round);
      for (std::size_t k = 0; k < n; ++k) REQUIRE_FALSE(RefFits(in, bin, k));
      closed_by_artifact += bin.resources + least_resources <= in.budgets.resources &&
                            bin.bytes + least_bytes <= in.budgets.bytes;
    }
  }
  CHECK(closed > 200);
  CHECK(closed_by_artifact > 50);
}

TEST_CASE("PackFast gives the reference packer's stacks when every cluster brings code",
          "[unit][partition]") {
  RequirePackFastIsReference(4048, WithCodeEverywhere);
}
