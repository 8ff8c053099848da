// Function clusters with what packing needs to know: size, owner, wiring, dependencies.
#include <algorithm>
#include <map>
#include <set>

#include "constraints/internal.hpp"
#include "partition/internal.hpp"

namespace cfnsplit {

std::vector<Cluster> BuildClusters(const Analysis& a, const Assignment& asg,
                                   const PackageView& packages) {
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
    c.bytes += ApproxJsonBytes(*m.resources[i].def, 2);
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
  std::vector<std::int64_t> cluster_of(n, -1);
  for (std::size_t k = 0; k < clusters.size(); ++k)
    for (auto i : clusters[k].members) cluster_of[i] = static_cast<std::int64_t>(k);

  std::vector<std::set<std::string>> takes(clusters.size()), params(clusters.size()),
      gives(clusters.size());
  for (const Reference& r : m.references) {
    long to = r.target == TargetKind::kResource ? m.ResourceIndex(r.to) : -1;
    std::int64_t from_cluster = -1;
    if (r.site == SiteKind::kResource) {
      long from = m.ResourceIndex(r.from);
      from_cluster = from >= 0 ? cluster_of[static_cast<std::size_t>(from)] : -1;
    }
    std::int64_t to_cluster = to >= 0 ? cluster_of[static_cast<std::size_t>(to)] : -1;
    if (r.kind == RefKind::kDependsOn) continue;
    if (from_cluster >= 0) {
      if (to >= 0 && to_cluster != from_cluster) takes[from_cluster].insert(ValueKey(r));
      if (r.target == TargetKind::kParameter) params[from_cluster].insert(r.to);
      if (r.target == TargetKind::kPseudo && (r.to == "AWS::StackName" || r.to == "AWS::StackId"))
        takes[from_cluster].insert("pseudo:" + r.to);
    }
    if (to_cluster >= 0 && to_cluster != from_cluster) gives[to_cluster].insert(ValueKey(r));
  }
  for (std::size_t k = 0; k < clusters.size(); ++k) {
    Cluster& c = clusters[k];
    c.takes.assign(takes[k].begin(), takes[k].end());
    c.params.assign(params[k].begin(), params[k].end());
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
