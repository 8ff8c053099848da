#include "cfnsplit/graph.hpp"

#include <algorithm>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/strong_components.hpp>
#include <boost/graph/topological_sort.hpp>
#include <queue>
#include <string_view>
#include <utility>

namespace cfnsplit {

// Compressed sparse rows: built from out_ in two arrays (an adjacency_list allocates a vector
// per node; building one was half the cost of the components at 12,000 resources).
using BoostGraph = boost::compressed_sparse_row_graph<boost::directedS>;

DependencyGraph::DependencyGraph(std::size_t n) : out_(n), in_(n), kinds_(n) {}

void DependencyGraph::AddEdge(std::uint32_t from, std::uint32_t to, RefKind kind) {
  kinds_[from].push_back(Edge{to, 1u << static_cast<unsigned>(kind)});
}

void DependencyGraph::Finalize() {
  for (auto& v : out_) v.clear();
  for (auto& v : in_) v.clear();
  for (std::uint32_t from = 0; from < kinds_.size(); ++from) {
    auto& edges = kinds_[from];
    std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) { return a.to < b.to; });
    std::vector<Edge> merged;
    for (const Edge& e : edges) {
      if (!merged.empty() && merged.back().to == e.to)
        merged.back().kinds |= e.kinds;
      else
        merged.push_back(e);
    }
    edges = std::move(merged);
    for (const Edge& e : edges) {
      out_[from].push_back(e.to);
      in_[e.to].push_back(from);
    }
  }
  // in_ lists were filled in increasing `from` order, so they are sorted already.
}

std::size_t DependencyGraph::edge_count() const {
  std::size_t n = 0;
  for (const auto& v : out_) n += v.size();
  return n;
}

std::uint32_t DependencyGraph::EdgeKinds(std::uint32_t from, std::uint32_t to) const {
  const auto& edges = kinds_[from];
  auto it = std::lower_bound(edges.begin(), edges.end(), to,
                             [](const Edge& e, std::uint32_t t) { return e.to < t; });
  return it != edges.end() && it->to == to ? it->kinds : 0;
}

bool DependencyGraph::OnlyDependsOn(std::uint32_t from, std::uint32_t to) const {
  return EdgeKinds(from, to) == (1u << static_cast<unsigned>(RefKind::kDependsOn));
}

std::vector<std::uint32_t> DependencyGraph::StronglyConnectedComponents(
    std::uint32_t* count) const {
  std::vector<std::pair<std::size_t, std::size_t>> edges;  // by source, each node's in out_ order
  for (std::uint32_t u = 0; u < out_.size(); ++u)
    for (std::uint32_t v : out_[u]) edges.emplace_back(u, v);
  const BoostGraph g(boost::edges_are_sorted, edges.begin(), edges.end(), out_.size());
  std::vector<std::uint32_t> component(out_.size());
  // Tarjan's algorithm (which BGL uses) numbers a component after all components it reaches,
  // i.e. dependencies first — exactly the order the partitioner wants.
  auto n = boost::strong_components(
      g, boost::make_iterator_property_map(component.begin(), boost::get(boost::vertex_index, g)));
  if (count) *count = static_cast<std::uint32_t>(n);
  return component;
}

std::vector<std::vector<std::uint32_t>> DependencyGraph::FindCycles() const {
  std::uint32_t count = 0;
  std::vector<std::uint32_t> comp = StronglyConnectedComponents(&count);
  std::vector<std::vector<std::uint32_t>> members(count);
  for (std::uint32_t n = 0; n < comp.size(); ++n) members[comp[n]].push_back(n);
  std::vector<std::vector<std::uint32_t>> cycles;
  for (const auto& m : members) {
    std::uint32_t start = m.front();
    if (m.size() == 1) {
      if (EdgeKinds(start, start)) cycles.push_back({start, start});
      continue;
    }
    // Breadth-first search inside the component from `start` back to `start` gives a shortest
    // cycle through it: the clearest path to show a user.
    std::vector<std::int64_t> parent(out_.size(), -1);
    std::queue<std::uint32_t> queue;
    queue.push(start);
    std::int64_t last = -1;
    while (!queue.empty() && last < 0) {
      std::uint32_t u = queue.front();
      queue.pop();
      for (std::uint32_t v : out_[u]) {
        if (comp[v] != comp[start]) continue;
        if (v == start) {
          last = u;
          break;
        }
        if (parent[v] < 0) {
          parent[v] = u;
          queue.push(v);
        }
      }
    }
    std::vector<std::uint32_t> path;
    for (std::int64_t at = last; at >= 0 && static_cast<std::uint32_t>(at) != start;
         at = parent[at])
      path.push_back(static_cast<std::uint32_t>(at));
    path.push_back(start);
    std::reverse(path.begin(), path.end());
    path.push_back(start);
    cycles.push_back(std::move(path));
  }
  return cycles;
}

std::optional<std::vector<std::uint32_t>> DependencyGraph::TopologicalOrder() const {
  // Kahn's algorithm with a min-heap: deterministic, and ties resolve by node id.
  std::vector<std::uint32_t> pending(out_.size());
  std::priority_queue<std::uint32_t, std::vector<std::uint32_t>, std::greater<>> ready;
  for (std::uint32_t n = 0; n < out_.size(); ++n) {
    pending[n] = static_cast<std::uint32_t>(out_[n].size());
    if (pending[n] == 0) ready.push(n);
  }
  std::vector<std::uint32_t> order;
  while (!ready.empty()) {
    std::uint32_t n = ready.top();
    ready.pop();
    order.push_back(n);
    for (std::uint32_t d : in_[n])
      if (--pending[d] == 0) ready.push(d);
  }
  if (order.size() != out_.size()) return std::nullopt;
  return order;
}

DependencyGraph BuildResourceGraph(const TemplateModel& model) {
  DependencyGraph g(model.resources.size());
  for (const Reference& ref : model.references) {
    if (ref.site != SiteKind::kResource) continue;
    const bool generated = ref.generated_by_resource >= 0;
    if (ref.target != TargetKind::kResource && !generated) continue;
    long from = ref.from_resource;
    long to = generated ? ref.generated_by_resource : ref.to_resource;
    if (from < 0 || to < 0) continue;
    g.AddEdge(static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(to), ref.kind);
  }
  g.Finalize();
  return g;
}

std::map<std::string, std::uint32_t> CyclicComponents(const TemplateModel& model) {
  DependencyGraph g = BuildResourceGraph(model);
  std::uint32_t count = 0;
  std::vector<std::uint32_t> comp = g.StronglyConnectedComponents(&count);
  std::vector<std::uint32_t> size(count, 0);
  for (auto c : comp) ++size[c];
  std::map<std::string, std::uint32_t> out;
  for (std::uint32_t i = 0; i < comp.size(); ++i)
    if (size[comp[i]] > 1 || g.EdgeKinds(i, i)) out[model.resources[i].id] = comp[i];
  return out;
}

std::string FormatCycle(const TemplateModel& model, const std::vector<std::uint32_t>& cycle) {
  std::string out;
  for (std::size_t i = 0; i < cycle.size(); ++i) {
    if (i) out += " -> ";
    out += model.resources[cycle[i]].id;
  }
  return out;
}

std::vector<std::string> FindCycle(const std::map<std::string, std::set<std::string>>& graph) {
  // Nodes numbered as the map orders them, then the ones only depended on (no edges: never on
  // a cycle); each node's edges in its set's order, so the search is the one keyed by name.
  std::map<std::string_view, std::uint32_t> id;
  std::vector<std::string_view> name;
  auto node = [&](const std::string& n) {
    auto [it, added] = id.emplace(n, static_cast<std::uint32_t>(name.size()));
    if (added) name.push_back(n);
    return it->second;
  };
  for (const auto& entry : graph) node(entry.first);
  std::vector<std::vector<std::uint32_t>> next(graph.size());
  for (const auto& [from, deps] : graph) {
    const std::uint32_t f = id.at(from);
    for (const auto& d : deps) next[f].push_back(node(d));
  }
  next.resize(name.size());
  std::vector<std::string> cycle;
  for (std::uint32_t n : FindCycle(next)) cycle.emplace_back(name[n]);
  return cycle;
}

std::vector<std::uint32_t> FindCycle(const std::vector<std::vector<std::uint32_t>>& next) {
  enum : std::uint8_t { kNew, kActive, kDone };
  std::vector<std::uint8_t> mark(next.size(), kNew);
  std::vector<std::pair<std::uint32_t, std::size_t>> path;  // active nodes, next edge to follow
  for (std::uint32_t root = 0; root < next.size(); ++root) {
    if (mark[root] != kNew) continue;
    mark[root] = kActive;
    path.push_back({root, 0});
    while (!path.empty()) {
      const std::uint32_t n = path.back().first;
      if (path.back().second == next[n].size()) {
        mark[n] = kDone;
        path.pop_back();
        continue;
      }
      const std::uint32_t to = next[n][path.back().second++];
      if (mark[to] == kDone) continue;
      if (mark[to] == kActive) {
        std::vector<std::uint32_t> cycle;
        auto from =
            std::find_if(path.begin(), path.end(), [&](const auto& p) { return p.first == to; });
        for (auto it = from; it != path.end(); ++it) cycle.push_back(it->first);
        cycle.push_back(to);
        return cycle;
      }
      mark[to] = kActive;
      path.push_back({to, 0});
    }
  }
  return {};
}

}  // namespace cfnsplit
