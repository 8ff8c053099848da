// Function clusters with what packing needs to know: size, owner, wiring, dependencies.
#include <algorithm>
#include <map>
#include <set>

#include "cfnsplit/constraints.hpp"
#include "partition/internal.hpp"

namespace cfnsplit {

std::vector<Cluster> BuildClusters(const Analysis& a, const Assignment& asg,
                                   const PackageView& packages, const RuleSet& rules,
                                   const PlanOptions& options) {
  const TemplateModel& m = *a.model;
  const std::size_t n = m.resources.size();
  std::map<std::uint32_t, std::size_t> index_of_rep;
  std::vector<Cluster> clusters;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (asg.placement[i] != Placement::kCluster) continue;
    auto [it, fresh] = index_of_rep.emplace(asg.cluster[i], clusters.size());
    if (fresh) {
      clusters.emplace_back();
      clusters.back().rep = asg.cluster[i];
    }
    Cluster& c = clusters[it->second];
    c.members.push_back(i);
    c.resources += a.info[i].expanded;
    c.bytes += a.info[i].json_bytes;
    if (a.info[i].cls == LifecycleClass::kFunction) c.functions.push_back(m.resources[i].id);
    const std::string& owner = a.info[i].owner;
    if (!owner.empty()) {
      if (c.owner.empty())
        c.owner = owner;
      else if (c.owner != owner)
        c.mixed_owners = true;
    }
    if (!asg.forced_stack[i].empty()) c.forced_stack = asg.forced_stack[i];
  }
  std::vector<int> cluster_of(n, -1);
  for (std::size_t k = 0; k < clusters.size(); ++k)
    for (auto i : clusters[k].members) cluster_of[i] = static_cast<int>(k);

  // What each cluster takes from outside is what a stack of it would: the constraints stage
  // computes that for stacks, and a cluster is a small stack.
  std::vector<ExternalUse> uses = ExternalUsesByStack(a, cluster_of, clusters.size());
  // The template's outputs go where the emitter will put them (RootOutputHomes), seen as if
  // every cluster were a stack after the base: one that lands in a cluster travels with it.
  std::vector<int> stack_of(n, 0);
  std::vector<int> order = {0};
  for (std::size_t i = 0; i < n; ++i)
    stack_of[i] = asg.placement[i] == Placement::kPost ? -1 : cluster_of[i] + 1;
  for (std::size_t k = 0; k < clusters.size(); ++k) order.push_back(static_cast<int>(k) + 1);
  std::vector<int> output_home = RootOutputHomes(
      m, stack_of, options.mode,
      static_cast<std::size_t>(Budget(rules, QuotaMeasure::kOutputs, options.headroom)), order);
  std::map<std::string, int> home_of_output;
  for (std::size_t o = 0; o < m.outputs.size(); ++o) {
    home_of_output[m.outputs[o].name] = output_home[o] - 1;
    if (output_home[o] > 0) ++clusters[static_cast<std::size_t>(output_home[o] - 1)].root_outputs;
  }
  std::vector<std::set<std::string>> gives(clusters.size());
  for (const Reference& r : m.references) {
    if (r.kind == RefKind::kDependsOn || r.target != TargetKind::kResource) continue;
    long to = r.to_resource;
    int to_cluster = to >= 0 ? cluster_of[static_cast<std::size_t>(to)] : -1;
    if (to_cluster < 0) continue;
    int site = -1;
    if (r.site == SiteKind::kResource) {
      long from = r.from_resource;
      site = from < 0 ? -1 : cluster_of[static_cast<std::size_t>(from)];
    } else if (r.site == SiteKind::kOutput) {
      site = home_of_output[r.from];
    }
    if (site != to_cluster) gives[static_cast<std::size_t>(to_cluster)].insert(ValueKey(r));
  }
  for (std::size_t k = 0; k < clusters.size(); ++k) {
    Cluster& c = clusters[k];
    c.takes.assign(uses[k].values.begin(), uses[k].values.end());
    c.params.assign(uses[k].parameters.begin(), uses[k].parameters.end());
    c.gives.assign(gives[k].begin(), gives[k].end());
    std::set<std::uint32_t> dists;
    for (const auto& id : c.functions) {
      auto it = packages.functions.find(id);
      if (it == packages.functions.end()) continue;
      dists.insert(it->second.dists.begin(), it->second.dists.end());
      c.own_bytes += it->second.code_bytes;
      c.layer_bytes = std::max(c.layer_bytes, it->second.layer_bytes);
    }
    c.dists.assign(dists.begin(), dists.end());
    c.package_bytes = StackPackageBytes(packages, c.functions);
  }
  return clusters;
}

}  // namespace cfnsplit
