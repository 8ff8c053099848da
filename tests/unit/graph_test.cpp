#include "cfnsplit/graph.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "support/text_run.hpp"

using namespace cfnsplit;

TEST_CASE("topological order puts dependencies first, ties by id", "[unit][graph]") {
  DependencyGraph g(4);
  g.AddEdge(0, 2, RefKind::kRef);  // 0 depends on 2
  g.AddEdge(1, 2, RefKind::kGetAtt);
  g.AddEdge(3, 0, RefKind::kDependsOn);
  g.Finalize();
  auto order = g.TopologicalOrder();
  REQUIRE(order);
  CHECK(*order == std::vector<std::uint32_t>{2, 0, 1, 3});
  CHECK(g.dependents(2) == std::vector<std::uint32_t>{0, 1});
  CHECK(g.OnlyDependsOn(3, 0));
  CHECK_FALSE(g.OnlyDependsOn(0, 2));
  CHECK(g.EdgeKinds(1, 0) == 0);
  CHECK(g.FindCycles().empty());
}

TEST_CASE("edges merge their kinds and duplicates collapse", "[unit][graph]") {
  DependencyGraph g(2);
  g.AddEdge(0, 1, RefKind::kRef);
  g.AddEdge(0, 1, RefKind::kDependsOn);
  g.AddEdge(0, 1, RefKind::kRef);
  g.Finalize();
  CHECK(g.edge_count() == 1);
  CHECK(g.EdgeKinds(0, 1) ==
        ((1u << static_cast<int>(RefKind::kRef)) | (1u << static_cast<int>(RefKind::kDependsOn))));
}

TEST_CASE("cycles are found as paths, components numbered dependencies first", "[unit][graph]") {
  DependencyGraph g(5);
  g.AddEdge(0, 1, RefKind::kRef);
  g.AddEdge(1, 2, RefKind::kRef);
  g.AddEdge(2, 0, RefKind::kRef);
  g.AddEdge(3, 0, RefKind::kRef);
  g.AddEdge(4, 4, RefKind::kRef);
  g.Finalize();
  CHECK_FALSE(g.TopologicalOrder());
  auto cycles = g.FindCycles();
  REQUIRE(cycles.size() == 2);
  std::vector<std::uint32_t> three = cycles[0].size() == 4 ? cycles[0] : cycles[1];
  CHECK(three.front() == three.back());
  CHECK(three.size() == 4);
  std::uint32_t count = 0;
  auto comp = g.StronglyConnectedComponents(&count);
  CHECK(count == 3);
  CHECK(comp[0] == comp[1]);
  CHECK(comp[1] == comp[2]);
  CHECK(comp[3] > comp[0]);  // 3 depends on the cycle, so it comes after it
}

TEST_CASE("the resource graph follows Ref, GetAtt, Sub and DependsOn", "[unit][graph]") {
  auto l = cfnsplit::testing::Model(R"(Resources:
  A: {Type: AWS::SNS::Topic}
  B: {Type: AWS::SQS::Queue, DependsOn: A}
  C:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref A, Endpoint: !Sub '${B.Arn}', Protocol: sqs}
  D:
    Type: AWS::SQS::QueuePolicy
    Properties: {Queues: [!Ref D2]}
  D2:
    Type: AWS::SQS::QueuePolicy
    Properties: {Queues: [!Ref D]}
)");
  REQUIRE(l->model);
  DependencyGraph g = BuildResourceGraph(*l->model);
  CHECK(g.dependencies(2) == std::vector<std::uint32_t>{0, 1});
  CHECK(g.OnlyDependsOn(1, 0));
  auto cycles = g.FindCycles();
  REQUIRE(cycles.size() == 1);
  CHECK(FormatCycle(*l->model, cycles[0]) == "D -> D2 -> D");
}

TEST_CASE("a reference to a name SAM creates depends on the resource that creates it",
          "[unit][graph]") {
  auto l = cfnsplit::testing::Model(R"(Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.12}
  Topic: {Type: AWS::SNS::Topic}
  Policy:
    Type: AWS::IAM::Policy
    Properties: {PolicyName: p, Roles: [!Ref FnRole], PolicyDocument: {}}
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties: {AlarmActions: [!Ref Topic], Namespace: !Ref Stage}
Parameters:
  Stage: {Type: String}
)");
  REQUIRE(l->model);
  const TemplateModel& m = *l->model;
  DependencyGraph g = BuildResourceGraph(m);
  const auto fn = static_cast<std::uint32_t>(m.ResourceIndex("Fn"));
  const auto topic = static_cast<std::uint32_t>(m.ResourceIndex("Topic"));
  // FnRole is the role SAM makes for Fn: the policy deploys after Fn.
  CHECK(g.dependencies(static_cast<std::uint32_t>(m.ResourceIndex("Policy"))) ==
        std::vector<std::uint32_t>{fn});
  // A parameter is no resource: the alarm depends on the topic only.
  CHECK(g.dependencies(static_cast<std::uint32_t>(m.ResourceIndex("Alarm"))) ==
        std::vector<std::uint32_t>{topic});
}

namespace {

// FindCycle as it was written before it searched over indexes: recursive, keyed by name.
std::vector<std::string> ReferenceFindCycle(
    const std::map<std::string, std::set<std::string>>& graph) {
  enum class Mark { kNew, kActive, kDone };
  std::map<std::string, Mark> mark;
  std::vector<std::string> path, cycle;
  std::function<bool(const std::string&)> visit = [&](const std::string& n) {
    Mark& m = mark[n];
    if (m == Mark::kDone) return false;
    if (m == Mark::kActive) {
      cycle.assign(std::find(path.begin(), path.end(), n), path.end());
      cycle.push_back(n);
      return true;
    }
    m = Mark::kActive;
    path.push_back(n);
    if (auto it = graph.find(n); it != graph.end())
      for (const auto& next : it->second)
        if (visit(next)) return true;
    path.pop_back();
    mark[n] = Mark::kDone;
    return false;
  };
  for (const auto& entry : graph)
    if (visit(entry.first)) return cycle;
  return {};
}

}  // namespace

// The name-keyed FindCycle numbers the nodes and searches over indexes (so does verify, for each
// stack): the cycle it reports must be the one the name-keyed search reports, on graphs with
// nodes that are only depended on.
TEST_CASE("FindCycle reports the cycle the name-keyed search reports", "[unit][graph]") {
  const std::vector<std::string> names = {"Zed", "Alpha", "Mid", "Beta", "Omega", "Kappa", "Leaf"};
  std::mt19937 rng(5);
  int cycles = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    std::map<std::string, std::set<std::string>> graph;
    for (std::size_t i = 0; i + 1 < names.size(); ++i) {  // "Leaf" is only depended on
      if (rng() % 5 == 0) continue;                       // some nodes are no key either
      auto& deps = graph[names[i]];
      for (const auto& to : names)
        if (rng() % 100 < 18) deps.insert(to);
    }
    std::vector<std::string> expected = ReferenceFindCycle(graph);
    INFO("trial " << trial);
    REQUIRE(FindCycle(graph) == expected);
    cycles += !expected.empty();
  }
  CHECK(cycles > 300);
  CHECK(FindCycle(std::vector<std::vector<std::uint32_t>>{{1}, {2}, {0}}) ==
        std::vector<std::uint32_t>{0, 1, 2, 0});
  CHECK(FindCycle(std::vector<std::vector<std::uint32_t>>{{1}, {}, {2}}) ==
        std::vector<std::uint32_t>{2, 2});
}
