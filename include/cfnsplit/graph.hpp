// Graph: the dependency graph over resources (or over stacks), with cycle and order queries.
//
// Input: a TemplateModel's references (or any edge list). Output: a DependencyGraph whose node i
// is model.resources[i]; an edge u → v means "u depends on v" (u must be created after v).
// Boost.Graph does the strongly-connected-component and topological-sort work behind this API,
// so no caller sees BGL types. Invariants: adjacency lists are sorted and free of duplicates.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cfnsplit/model.hpp"

namespace cfnsplit {

class DependencyGraph {
 public:
  explicit DependencyGraph(std::size_t node_count = 0);

  /// Adds "from depends on to"; `kind` is OR-ed into the edge's kinds (bit = 1 << RefKind).
  void AddEdge(std::uint32_t from, std::uint32_t to, RefKind kind);
  /// Sorts and deduplicates adjacency; call once after the last AddEdge.
  void Finalize();

  std::size_t node_count() const { return out_.size(); }
  std::size_t edge_count() const;
  const std::vector<std::uint32_t>& dependencies(std::uint32_t n) const { return out_[n]; }
  const std::vector<std::uint32_t>& dependents(std::uint32_t n) const { return in_[n]; }
  /// Bit set of RefKinds on edge from → to (0 when there is no edge).
  std::uint32_t EdgeKinds(std::uint32_t from, std::uint32_t to) const;
  /// True when the only reason for from → to is DependsOn.
  bool OnlyDependsOn(std::uint32_t from, std::uint32_t to) const;

  /// Component id of every node; components are numbered in dependency order (a component's
  /// dependencies have smaller ids).
  std::vector<std::uint32_t> StronglyConnectedComponents(std::uint32_t* count = nullptr) const;
  /// Every cycle as a path `a → b → … → a` (one per non-trivial component, plus self-loops).
  std::vector<std::vector<std::uint32_t>> FindCycles() const;
  /// Nodes with dependencies before dependents (ties by node id); nullopt when cyclic.
  std::optional<std::vector<std::uint32_t>> TopologicalOrder() const;

 private:
  struct Edge {
    std::uint32_t to;
    std::uint32_t kinds;
  };
  std::vector<std::vector<std::uint32_t>> out_;
  std::vector<std::vector<std::uint32_t>> in_;
  std::vector<std::vector<Edge>> kinds_;  // per node, sorted by `to`
};

/// The resource graph of a template: Ref/GetAtt/Sub/DependsOn edges between resources.
DependencyGraph BuildResourceGraph(const TemplateModel& model);

/// Resource ID → component, for every resource on a reference cycle of the template (a SAM API
/// and its function before the transform, say). Such cycles are the template's own, so later
/// stages do not blame the split for them.
std::map<std::string, std::uint32_t> CyclicComponents(const TemplateModel& model);

/// A cycle in `graph` (node → nodes it depends on) as its nodes in order, the first node repeated
/// at the end; empty when the graph is acyclic. Deterministic: nodes are visited in order.
std::vector<std::string> FindCycle(const std::map<std::string, std::set<std::string>>& graph);
/// The same search over nodes 0 … next.size()-1 (`next[n]`: the nodes n depends on, followed in
/// the order given): the first cycle a depth-first search from node 0, 1, … meets.
std::vector<std::uint32_t> FindCycle(const std::vector<std::vector<std::uint32_t>>& next);

/// "A -> B -> A" for a cycle of resource indexes.
std::string FormatCycle(const TemplateModel& model, const std::vector<std::uint32_t>& cycle);

}  // namespace cfnsplit
