#include <catch2/catch.hpp>

#include "support/text_run.hpp"

using namespace cfnsplit;
using cfnsplit::testing::BuiltinRules;
using cfnsplit::testing::Model;

TEST_CASE("lifecycle classes come from rules, policies and ties", "[unit][analysis]") {
  auto l = Model(R"(Resources:
  Table: {Type: AWS::DynamoDB::Table}
  Kept: {Type: AWS::SNS::Subscription, DeletionPolicy: Retain}
  KeptOnReplace: {Type: AWS::CloudWatch::Dashboard, UpdateReplacePolicy: Retain}
  SnapOnReplace: {Type: AWS::SNS::Subscription, UpdateReplacePolicy: Snapshot}
  DeleteOnReplace: {Type: AWS::CloudWatch::Dashboard, UpdateReplacePolicy: Delete}
  Role: {Type: AWS::IAM::Role}
  FnLogGroup: {Type: AWS::Logs::LogGroup}
  Fn:
    Type: AWS::Lambda::Function
    DependsOn: FnLogGroup
    Properties: {Role: !GetAtt Role.Arn, Tags: [{Key: owner, Value: ml}]}
  FnVersion:
    Type: AWS::Lambda::Version
    DeletionPolicy: Retain
    Properties: {FunctionName: !Ref Fn}
  Orphan: {Type: AWS::Logs::LogGroup}
  Widget: {Type: AWS::CloudWatch::Dashboard}
)");
  REQUIRE(l->model);
  DiagnosticSink sink;
  Analysis a = Analyze(*l->model, BuiltinRules(), 100, sink);
  auto cls = [&](const char* id) { return a.info[l->model->ResourceIndex(id)].cls; };
  CHECK(cls("Table") == LifecycleClass::kStateful);
  CHECK(cls("Kept") == LifecycleClass::kStateful);  // DeletionPolicy Retain
  // issue 12: data that must survive replacement is data, even without a DeletionPolicy.
  CHECK(cls("KeptOnReplace") == LifecycleClass::kStateful);
  CHECK(a.info[l->model->ResourceIndex("KeptOnReplace")].reason == "UpdateReplacePolicy Retain");
  CHECK(cls("SnapOnReplace") == LifecycleClass::kStateful);
  CHECK(cls("DeleteOnReplace") == LifecycleClass::kOther);
  CHECK(cls("Role") == LifecycleClass::kShared);
  CHECK(cls("Fn") == LifecycleClass::kFunction);
  CHECK(cls("FnLogGroup") == LifecycleClass::kSatellite);
  CHECK(cls("FnVersion") == LifecycleClass::kSatellite);  // Retain keeps history, still moves
  CHECK(cls("Orphan") == LifecycleClass::kStateful);      // a log group of no function is data
  CHECK(cls("Widget") == LifecycleClass::kOther);
  CHECK(a.info[l->model->ResourceIndex("FnLogGroup")].function == l->model->ResourceIndex("Fn"));
  CHECK(a.info[l->model->ResourceIndex("FnLogGroup")].owner == "ml");  // inherited
  CHECK(a.cycles.empty());
}

TEST_CASE("quotas are measured and findings raised at 90% and over 100%", "[unit][analysis]") {
  std::string text = "Outputs:\n";
  for (int i = 0; i < 185; ++i) text += "  O" + std::to_string(i) + ": {Value: x}\n";
  text += "Resources:\n";
  for (int i = 0; i < 501; ++i) text += "  R" + std::to_string(i) + ": {Type: AWS::SNS::Topic}\n";
  auto l = Model(text);
  REQUIRE(l->model);
  DiagnosticSink sink;
  Analysis a = Analyze(*l->model, BuiltinRules(), text.size(), sink);
  auto use = [&](const char* key) {
    for (const auto& q : a.quotas)
      if (q.key == key) return q;
    return QuotaUse{};
  };
  CHECK(use("resources_per_stack").used == 501);
  CHECK(use("resources_per_stack").limit == 500);
  CHECK(use("outputs_per_stack").used == 185);
  bool over = false, near = false;
  for (const auto& d : sink.diagnostics()) {
    if (d.code == "E3001" &&
        d.message.find("resources: 501 of 500 (over by 1)") != std::string::npos)
      over = true;
    if (d.code == "W3002" && d.message.find("outputs: 185 of 200 (92%)") != std::string::npos)
      near = true;
  }
  CHECK(over);
  CHECK(near);
}

TEST_CASE("cycles are errors with their path", "[unit][analysis]") {
  auto l = Model(R"(Resources:
  A: {Type: AWS::SNS::Topic, DependsOn: B}
  B: {Type: AWS::SNS::Topic, DependsOn: A}
)");
  DiagnosticSink sink;
  Analysis a = Analyze(*l->model, BuiltinRules(), 10, sink);
  REQUIRE(a.cycles.size() == 1);
  REQUIRE(sink.diagnostics().size() >= 1);
  CHECK(sink.diagnostics()[0].code == "E2001");
  CHECK(sink.diagnostics()[0].message == "circular dependency: A -> B -> A");
}

TEST_CASE("more than five layers is a finding", "[unit][analysis]") {
  auto l = Model(R"(Resources:
  F:
    Type: AWS::Lambda::Function
    Properties: {Layers: [a, b, c, d, e, f]}
)");
  DiagnosticSink sink;
  Analyze(*l->model, BuiltinRules(), 10, sink);
  REQUIRE(sink.error_count() == 1);
  CHECK(sink.diagnostics()[0].code == "E3003");
}

TEST_CASE("each resource's JSON size is measured once, at its depth in the template",
          "[unit][analysis]") {
  auto l = Model(R"(Resources:
  Topic: {Type: AWS::SNS::Topic}
  Queue:
    Type: AWS::SQS::Queue
    Properties: {DelaySeconds: 5, Tags: [{Key: owner, Value: ml}]}
)");
  REQUIRE(l->model);
  DiagnosticSink sink;
  Analysis a = Analyze(*l->model, BuiltinRules(), 100, sink);
  // {"Type": "AWS::SNS::Topic"} two levels down (Resources.Topic): the map's braces and
  // indentation (2 + 6), the key with its quotes, colon and space (4 + 4), the string with its
  // quotes and indentation one level deeper (15 + 2 + 8).
  CHECK(a.info[l->model->ResourceIndex("Topic")].json_bytes == 41);
  CHECK(ApproxJsonBytes(*l->model->FindResource("Topic")->def, 2) == 41);
  // The packer and the plan check add these up rather than walk the tree again: the same
  // figure as a walk of each definition.
  for (std::size_t i = 0; i < l->model->resources.size(); ++i)
    CHECK(a.info[i].json_bytes == ApproxJsonBytes(*l->model->resources[i].def, 2));
  CHECK(a.info[l->model->ResourceIndex("Queue")].json_bytes > 41);
}
