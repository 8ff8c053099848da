// Units (what must stay together), the base closure, and function clusters.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <set>

#include "partition/internal.hpp"

namespace cfnsplit {
namespace {

// A set of function units that the partitioner ORs many of. Most resources need or serve a
// handful of functions, so a set starts as a sorted list and turns into a bit set only once the
// list would be the bigger of the two: one dense set per resource was quadratic in memory and
// time (59,000 resources × 10,000 functions).
class Bits {
 public:
  explicit Bits(std::size_t n = 0) : n_(n) {}
  void Set(std::size_t i) {
    if (dense_) {
      words_[i / 64] |= 1ull << (i % 64);
      return;
    }
    auto at = std::lower_bound(sparse_.begin(), sparse_.end(), i);
    if (at != sparse_.end() && *at == i) return;
    sparse_.insert(at, static_cast<std::uint32_t>(i));
    DensifyIfBigger();
  }
  void Or(const Bits& o) {
    if (o.dense_) {
      Densify();
      for (std::size_t w = 0; w < words_.size(); ++w) words_[w] |= o.words_[w];
    } else if (dense_) {
      for (std::uint32_t i : o.sparse_) words_[i / 64] |= 1ull << (i % 64);
    } else if (!o.sparse_.empty()) {
      std::vector<std::uint32_t> merged;
      merged.reserve(sparse_.size() + o.sparse_.size());
      std::set_union(sparse_.begin(), sparse_.end(), o.sparse_.begin(), o.sparse_.end(),
                     std::back_inserter(merged));
      sparse_.swap(merged);
      DensifyIfBigger();
    }
  }
  /// Every member, in increasing order (whichever form the set has).
  template <typename F>
  void ForEach(F f) const {
    if (!dense_) {
      for (std::uint32_t i : sparse_) f(static_cast<std::size_t>(i));
      return;
    }
    for (std::size_t w = 0; w < words_.size(); ++w)
      for (std::uint64_t bits = words_[w]; bits; bits &= bits - 1)
        f(w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits)));
  }

 private:
  void DensifyIfBigger() {
    if (sparse_.size() * 32 > n_ + 64) Densify();
  }
  void Densify() {
    if (dense_) return;
    words_.assign((n_ + 63) / 64, 0);
    for (std::uint32_t i : sparse_) words_[i / 64] |= 1ull << (i % 64);
    std::vector<std::uint32_t>().swap(sparse_);
    dense_ = true;
  }

  std::size_t n_ = 0;
  bool dense_ = false;
  std::vector<std::uint32_t> sparse_;  ///< sorted, while not dense
  std::vector<std::uint64_t> words_;   ///< while dense
};

std::string PinnedStack(const Resource& r, const PlanOptions& options) {
  for (const auto& p : options.pins)
    if (p.resource == r.id) return p.stack;
  // A template can pin a resource itself: Metadata: {cfnsplit: {stack: Name}}.
  const Value* meta = r.def && r.def->is_map() ? r.def->Find("Metadata") : nullptr;
  const Value* mine = meta && meta->is_map() ? meta->Find("cfnsplit") : nullptr;
  const Value* stack = mine && mine->is_map() ? mine->Find("stack") : nullptr;
  return stack && stack->is_string() ? stack->text() : "";
}

// Units are resources that must share a stack: a reference cycle, a function with its
// satellites, a bond (a SAM event and its API, a secret's reader and owner). Joining can close
// new cycles between units, so repeat until the unit graph is a DAG.
void BuildUnits(const Analysis& a, UnionFind& uf) {
  const std::size_t n = a.info.size();
  std::vector<std::uint32_t> comp = a.graph.StronglyConnectedComponents();
  std::map<std::uint32_t, std::uint32_t> first_of_comp;
  for (std::uint32_t i = 0; i < n; ++i) {
    auto [it, fresh] = first_of_comp.emplace(comp[i], i);
    if (!fresh) uf.Join(it->second, i);
    if (a.info[i].function >= 0) uf.Join(i, static_cast<std::uint32_t>(a.info[i].function));
  }
  for (const Bond& b : a.bonds) uf.Join(b.from, b.to);
  for (int round = 0; round < 64; ++round) {
    DependencyGraph units(n);
    for (std::uint32_t u = 0; u < n; ++u)
      for (std::uint32_t v : a.graph.dependencies(u))
        if (uf.Find(u) != uf.Find(v)) units.AddEdge(uf.Find(u), uf.Find(v), RefKind::kRef);
    units.Finalize();
    std::uint32_t count = 0;
    std::vector<std::uint32_t> ucomp = units.StronglyConnectedComponents(&count);
    std::map<std::uint32_t, std::uint32_t> rep_of_comp;
    bool joined = false;
    for (std::uint32_t i = 0; i < n; ++i) {
      if (uf.Find(i) != i) continue;
      auto [it, fresh] = rep_of_comp.emplace(ucomp[i], i);
      if (!fresh) {
        uf.Join(it->second, i);
        joined = true;
      }
    }
    if (!joined) return;
  }
}

// A unit that must share one stack but belongs to several owners (functions of different teams
// on SAM's implicit API, say) cannot go to any owner's stack: the base stack, which every owner
// shares, keeps it.
template <typename PinBase>
void KeepMixedOwnerUnitsInBase(const Analysis& a, UnionFind& uf, PinBase& pin_base) {
  const std::size_t n = a.info.size();
  std::map<std::uint32_t, std::set<std::string>> owners;
  std::map<std::uint32_t, std::string> why;
  for (std::uint32_t i = 0; i < n; ++i)
    if (!a.info[i].owner.empty()) owners[uf.Find(i)].insert(a.info[i].owner);
  for (const Bond& b : a.bonds) why.emplace(uf.Find(b.from), b.why);
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto& o = owners[uf.Find(i)];
    if (o.size() < 2) continue;
    std::string list;
    for (const auto& name : o) list += (list.empty() ? "" : ", ") + name;
    auto w = why.find(uf.Find(i));
    pin_base(i, "must share a stack with resources of other owners (" + list + ")" +
                    (w == why.end() ? "" : ": " + w->second) +
                    "; the base stack, which every owner shares, keeps them");
  }
}

}  // namespace

Assignment AssignResources(const Analysis& a, const PlanOptions& options) {
  const TemplateModel& m = *a.model;
  const std::size_t n = m.resources.size();
  UnionFind uf(n);
  BuildUnits(a, uf);
  Assignment asg;
  asg.placement.assign(n, Placement::kCluster);
  asg.cluster.assign(n, 0);
  asg.reason.assign(n, "");
  asg.forced_stack.assign(n, "");

  // Function units get dense indexes for the bit sets.
  std::vector<std::int64_t> fn_index(n, -1);
  std::vector<std::uint32_t> fn_units;
  std::map<std::uint32_t, std::string> fn_name;  // unit → its (first) function, for reasons
  for (std::uint32_t i = 0; i < n; ++i)
    if (a.info[i].cls == LifecycleClass::kFunction && fn_index[uf.Find(i)] < 0) {
      fn_index[uf.Find(i)] = static_cast<std::int64_t>(fn_units.size());
      fn_units.push_back(uf.Find(i));
      fn_name[uf.Find(i)] = m.resources[i].id;
    }

  // fdeps: function units a resource needs (transitively); fusers: function units needing it.
  auto order = a.graph.TopologicalOrder();
  std::vector<std::uint32_t> topo;
  if (order)
    topo = *order;
  else
    for (std::uint32_t i = 0; i < n; ++i) topo.push_back(i);  // cycles are inside units
  std::vector<Bits> fdeps(n, Bits(fn_units.size())), fusers(n, Bits(fn_units.size()));
  for (std::uint32_t u : topo)
    for (std::uint32_t v : a.graph.dependencies(u)) {
      fdeps[u].Or(fdeps[v]);
      if (fn_index[uf.Find(v)] >= 0 && uf.Find(v) != uf.Find(u)) fdeps[u].Set(fn_index[uf.Find(v)]);
    }
  for (auto it = topo.rbegin(); it != topo.rend(); ++it)
    for (std::uint32_t w : a.graph.dependents(*it)) {
      fusers[*it].Or(fusers[w]);
      if (fn_index[uf.Find(w)] >= 0 && uf.Find(w) != uf.Find(*it))
        fusers[*it].Set(fn_index[uf.Find(w)]);
    }

  // Base: data, shared infrastructure that needs no function, pins to the base stack, and all
  // that those need (whole units).
  std::vector<char> base(n, 0);
  std::vector<std::uint32_t> stack;
  // Pins win over the base closure: a resource pinned to another stack stays there (the nested
  // parent may depend on a child; exports mode reports the conflict), and one pinned to Base that
  // needs functions sits in the parent after them rather than pulling them in.
  std::vector<char> pinned_post(n, 0);
  // True when `i` joins the base now; a resource pinned elsewhere never does (the conflict is
  // recorded once), so the closures below terminate.
  std::vector<char> conflicted(n, 0);
  auto pin_base = [&](std::uint32_t i, const std::string& why) {
    if (base[i] || pinned_post[i]) return false;
    if (!asg.forced_stack[i].empty() && asg.forced_stack[i] != "Base") {
      if (!conflicted[i]) asg.pin_conflicts.push_back(m.resources[i].id + " (" + why + ")");
      conflicted[i] = 1;
      return false;
    }
    base[i] = 1;
    asg.reason[i] = why;
    stack.push_back(i);
    return true;
  };
  // Infrastructure that exactly one function uses is not shared: it follows that function.
  auto users_of = [&](std::uint32_t i) {
    std::size_t count = 0;
    fusers[i].ForEach([&](std::size_t) { ++count; });
    return count;
  };
  for (std::uint32_t i = 0; i < n; ++i) {
    const Resource& r = m.resources[i];
    std::string pinned = PinnedStack(r, options);
    if (!pinned.empty()) {
      asg.forced_stack[i] = pinned;
      bool needs_functions = false;
      fdeps[i].ForEach([&](std::size_t) { needs_functions = true; });
      if (pinned == "Base" && needs_functions && options.mode == WiringMode::kNested) {
        pinned_post[i] = 1;
        asg.placement[i] = Placement::kPost;
        asg.reason[i] = "pinned to Base: in the parent, after the functions it needs";
      } else if (pinned == "Base") {
        pin_base(i, "pinned to Base");
      }
      continue;
    }
    const auto& info = a.info[i];
    bool needs_no_function = true;
    fdeps[i].ForEach([&](std::size_t) { needs_no_function = false; });
    if (info.cls == LifecycleClass::kStateful)
      pin_base(i, "stateful (" + info.reason + "): stays in the base stack");
    else if (r.is_foreach() || r.type == "AWS::CloudFormation::Stack")
      pin_base(i, "kept in the base stack (" + r.type + ")");
    else if (info.cls == LifecycleClass::kShared && needs_no_function && users_of(i) != 1 &&
             fn_index[uf.Find(i)] < 0)  // bonded to functions (a SAM API): moves with them
      pin_base(i, "shared infrastructure (" + info.reason + "): stays in the base stack");
  }
  if (!options.allow_mixed_owners) KeepMixedOwnerUnitsInBase(a, uf, pin_base);
  auto close_base = [&]() {
    while (!stack.empty()) {
      std::uint32_t u = stack.back();
      stack.pop_back();
      for (std::uint32_t v : a.graph.dependencies(u))
        pin_base(v, "needed by " + m.resources[u].id + " in the base stack");
    }
  };
  // Whole units join the base together.
  auto close_units = [&]() {
    bool changed = true;
    while (changed) {
      close_base();
      changed = false;
      for (std::uint32_t i = 0; i < n; ++i)
        if (base[i] && !base[uf.Find(i)])
          changed |= pin_base(uf.Find(i), "stays with " + m.resources[i].id + " in the base stack");
      for (std::uint32_t i = 0; i < n; ++i)
        if (!base[i] && base[uf.Find(i)])
          changed |= pin_base(i, "stays with " + m.resources[uf.Find(i)].id + " in the base stack");
    }
  };
  close_units();

  // Clusters of function units: a function unit that needs another joins it; a resource both
  // needing function units and needed by function units joins them all.
  UnionFind clusters(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    if (base[i] || pinned_post[i]) continue;
    bool pinned = !asg.forced_stack[i].empty();
    std::vector<std::uint32_t> deps, users;
    fdeps[i].ForEach([&](std::size_t f) {
      if (!base[fn_units[f]]) deps.push_back(fn_units[f]);
    });
    fusers[i].ForEach([&](std::size_t f) {
      if (!base[fn_units[f]]) users.push_back(fn_units[f]);
    });
    bool is_function_unit = fn_index[uf.Find(i)] >= 0;
    std::uint32_t self = uf.Find(i);
    if (is_function_unit) {
      for (auto d : deps) clusters.Join(self, d);
      if (!deps.empty()) asg.reason[i] = "needs " + fn_name[deps.front()] + ": same stack";
      asg.placement[i] = Placement::kCluster;
      continue;
    }
    // A pinned resource goes where it is pinned; joining the functions it reads or that read it
    // into one cluster would tie stacks together (a previous plan's post resource that needs
    // functions of every stack would make them all one cluster).
    if (pinned) {
      asg.reason[i] = "pinned to " + asg.forced_stack[i];
      // The post stack of a previous plan is the post stack again, not a functions stack.
      if (asg.forced_stack[i] == "Post" && users.empty() && !deps.empty())
        asg.placement[i] = Placement::kPost;
      continue;
    }
    if (deps.empty()) {
      if (users.size() == 1) {
        clusters.Join(self, users.front());
        asg.reason[i] = "used only by " + fn_name[users.front()];
      } else {
        pin_base(i, users.empty() ? "used by no function: stays in the base stack"
                                  : "used by several functions: stays in the base stack");
      }
      continue;
    }
    if (users.empty() && deps.size() > 1) {
      asg.placement[i] = Placement::kPost;
      asg.reason[i] = "needs functions in several stacks (" + fn_name[deps[0]] + ", " +
                      fn_name[deps[1]] + "…): placed after them";
      continue;
    }
    for (auto d : deps) clusters.Join(self, d);
    for (auto u : users) clusters.Join(self, u);
    if (asg.reason[i].empty())
      asg.reason[i] = users.empty() ? "needs " + fn_name[deps.front()]
                                    : "between " + fn_name[deps.front()] + " and " +
                                          fn_name[users.front()] + ": same stack";
  }
  close_units();
  for (std::uint32_t i = 0; i < n; ++i) {
    if (base[i]) {
      asg.placement[i] = Placement::kBase;
      continue;
    }
    if (asg.placement[i] == Placement::kPost) continue;
    asg.cluster[i] = clusters.Find(uf.Find(i));
  }
  // A cluster touched by the base closure goes to the base whole.
  std::vector<char> cluster_in_base(n, 0);
  for (std::uint32_t i = 0; i < n; ++i)
    if (base[i] && fn_index[uf.Find(i)] >= 0) cluster_in_base[clusters.Find(uf.Find(i))] = 1;
  for (std::uint32_t i = 0; i < n; ++i)
    if (asg.placement[i] == Placement::kCluster && cluster_in_base[asg.cluster[i]]) {
      asg.placement[i] = Placement::kBase;
      asg.reason[i] = "in a cluster the base stack needs";
    }
  return asg;
}

}  // namespace cfnsplit
