// Where the template's own outputs live in a split, and the order stacks deploy in: decided here
// once, for the packer, CheckPlan's figures and the emitter alike, so that the stacks they count
// are the stacks that get written.
#include <algorithm>
#include <set>

#include "cfnsplit/constraints.hpp"

namespace cfnsplit {

std::vector<int> DeployOrder(const std::vector<std::set<int>>& after) {
  std::vector<int> order;
  std::vector<char> done(after.size(), 0);
  for (std::size_t round = 0; round < after.size(); ++round) {
    bool progressed = false;
    for (std::size_t i = 0; i < after.size() && !progressed; ++i) {
      if (done[i]) continue;
      bool ready = std::all_of(after[i].begin(), after[i].end(), [&](int a) {
        return a < 0 || static_cast<std::size_t>(a) >= done.size() ||
               done[static_cast<std::size_t>(a)] || static_cast<std::size_t>(a) == i;
      });
      if (!ready) continue;
      done[i] = 1;
      order.push_back(static_cast<int>(i));
      progressed = true;
    }
    if (!progressed) return {};
  }
  return order;
}

std::vector<std::vector<int>> OutputReads(const TemplateModel& m, const std::vector<int>& stack_of) {
  std::vector<std::vector<int>> reads(m.outputs.size());
  std::map<std::string, std::size_t> index;
  for (std::size_t o = 0; o < m.outputs.size(); ++o) index[m.outputs[o].name] = o;
  for (const Reference& r : m.references) {
    if (r.site != SiteKind::kOutput) continue;
    if (r.kind != RefKind::kRef && r.kind != RefKind::kGetAtt && r.kind != RefKind::kSub) continue;
    // A name the SAM transform creates lives with the resource that creates it.
    long res = r.target == TargetKind::kResource ? r.to_resource : r.generated_by_resource;
    if (res < 0) continue;
    int s = stack_of[static_cast<std::size_t>(res)];
    auto& list = reads[index.at(r.from)];
    if (s >= 0 && std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
  }
  return reads;
}

std::vector<int> RootOutputHomes(const TemplateModel& m, const std::vector<int>& stack_of,
                                 WiringMode mode, std::size_t root_budget,
                                 const std::vector<int>& deploy_order) {
  std::vector<int> home(m.outputs.size(), 0);
  std::vector<std::vector<int>> reads = OutputReads(m, stack_of);
  if (mode == WiringMode::kExports) {
    // The last-deployed stack among those it reads: every import then points backwards.
    std::vector<std::size_t> rank(deploy_order.size() + 1, 0);
    for (std::size_t k = 0; k < deploy_order.size(); ++k)
      if (static_cast<std::size_t>(deploy_order[k]) < rank.size())
        rank[static_cast<std::size_t>(deploy_order[k])] = k;
    for (std::size_t o = 0; o < m.outputs.size(); ++o)
      for (int s : reads[o])
        if (static_cast<std::size_t>(s) < rank.size() &&
            rank[static_cast<std::size_t>(s)] > rank[static_cast<std::size_t>(home[o])])
          home[o] = s;
    return home;
  }
  // Nested: the parent keeps every output under its original name unless that puts it over
  // the quota; then outputs whose value comes from a single child move there, exported first.
  if (m.outputs.size() <= root_budget) return home;
  std::size_t excess = m.outputs.size() - root_budget;
  for (bool exported : {true, false})
    for (std::size_t o = 0; o < m.outputs.size() && excess > 0; ++o) {
      if ((m.outputs[o].export_name != nullptr) != exported || reads[o].size() != 1 ||
          reads[o][0] == 0 || home[o] != 0)
        continue;
      home[o] = reads[o][0];
      --excess;
    }
  return home;
}

}  // namespace cfnsplit
