// Test helpers for emit and verify tests: load template text through the real loader and model,
// build plans by hand.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cfnsplit/emit.hpp"
#include "cfnsplit/load.hpp"
#include "cfnsplit/model.hpp"
#include "cfnsplit/plan.hpp"
#include "cfnsplit/ruleset.hpp"
#include "cfnsplit/verify.hpp"
#include "cfnsplit/writer.hpp"
#include "support/diagnostics.hpp"

namespace cfnsplit::testing {

struct Fixture {
  SourceManager sources;
  DiagnosticSink sink;
  std::unique_ptr<TemplateModel> model;
  RuleSet rules;

  explicit Fixture(const std::string& text, const std::string& path = "app.yaml") {
    std::uint32_t id = sources.Add(path, text);
    auto v = ParseDocument(id, sources, sink);
    REQUIRE(v);
    model = BuildModel(std::move(*v), path, id, sink);
    REQUIRE(model);
    model->format = DetectFormat(path, text);
    auto r = LoadRuleSet("", sources, sink);
    REQUIRE(r);
    rules = *r;
    INFO(Diags());
    REQUIRE(!sink.has_errors());
  }

  std::string Diags() const {
    std::string out;
    for (const auto& d : sink.diagnostics()) out += FormatDiagnostic(d, sources);
    return out;
  }

  bool HasCode(const std::string& code) const { return testing::HasCode(sink, code); }
};

inline SplitPlan MakePlan(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& stacks) {
  SplitPlan plan;
  for (std::size_t i = 0; i < stacks.size(); ++i) {
    StackPlan s;
    s.name = stacks[i].first;
    s.role = i == 0 ? StackRole::kBase : StackRole::kFunctions;
    s.resources = stacks[i].second;
    plan.stacks.push_back(std::move(s));
  }
  return plan;
}

inline const EmittedStack& StackNamed(const EmitResult& r, const std::string& name) {
  for (const auto& s : r.stacks)
    if (s.name == name) return s;
  FAIL("no stack " << name);
  return r.stacks.front();
}

/// The value at a dotted path ("Resources.Fn.Properties.Role"); null when absent.
inline const Value* At(const Value& root, const std::string& path) {
  const Value* v = &root;
  std::size_t start = 0;
  while (v && start <= path.size()) {
    std::size_t dot = path.find('.', start);
    std::string part =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (v->is_list()) {
      std::size_t i = std::stoul(part);
      v = i < v->size() ? &v->items()[i] : nullptr;
    } else {
      v = v->Find(part);
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return v;
}

inline std::string Json(const Value* v) { return v ? WriteJson(*v, 0) : std::string("<absent>"); }
inline std::string Json(const Value& v) { return WriteJson(v, 0); }

}  // namespace cfnsplit::testing

namespace cfnsplit::testing {

/// A template exercising Ref, GetAtt, Sub (with ${!Literal}), list and NoEcho parameters,
/// conditions over conditions, mappings, DependsOn, pseudo parameters, an exported output and a
/// bare string equal to a logical ID.
inline const char* kAppTemplate = R"(AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, AllowedValues: [dev, prod], Default: dev}
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>"}
  Secret: {Type: String, NoEcho: true}
Mappings:
  Sizes: {dev: {Mem: 128}, prod: {Mem: 1024}}
  Unused: {a: {b: c}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
  Queue:
    Type: AWS::SQS::Queue
  Role:
    Type: AWS::IAM::Role
    Properties: {AssumeRolePolicyDocument: {}}
  Fn:
    Type: AWS::Lambda::Function
    DependsOn: [Role, Queue]
    Properties:
      Role: !GetAtt Role.Arn
      MemorySize: !FindInMap [Sizes, !Ref Env, Mem]
      Code: {S3Bucket: b, S3Key: "app/code.zip"}
      Environment:
        Variables:
          BUCKET: !Ref Bucket
          ARN: !Sub "${Bucket.Arn}/x/${!Literal}/${AWS::StackName}"
          SECRET: !Ref Secret
          NAME: Bucket
      VpcConfig: {SubnetIds: !Ref Subnets}
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Condition: NotProd
    Properties: {Fn: !Ref Fn}
  Perm:
    Type: AWS::Lambda::Permission
    Properties: {FunctionName: !GetAtt Fn.Arn, Sub: !Sub "${Fn}-${AWS::Region}"}
Outputs:
  FnArn:
    Value: !GetAtt Fn.Arn
    Export: {Name: !Sub "${AWS::StackName}-FnArn"}
  BucketName:
    Value: !Ref Bucket
)";

inline EmitResult EmitOk(Fixture& f, const SplitPlan& plan, const EmitOptions& options) {
  auto r = EmitStacks(*f.model, plan, f.rules, options, f.sink);
  INFO(f.Diags());
  REQUIRE(r);
  return *r;
}

/// Verifies and requires success, printing every difference on failure.
inline void RequireVerified(Fixture& f, const EmitResult& r) {
  DiagnosticSink vs;
  VerifyReport rep = VerifyEmitted(*f.model, r, f.rules, {}, vs);
  std::string diffs;
  for (const auto& d : vs.diagnostics()) diffs += FormatDiagnostic(d, f.sources);
  INFO(diffs);
  REQUIRE(rep.ok);
  REQUIRE(rep.resources_checked == f.model->resources.size());
}

/// Verifies, requires failure, and returns the diagnostics' text (codes included).
inline std::string VerifyFails(Fixture& f, const EmitResult& r) {
  DiagnosticSink vs;
  VerifyReport rep = VerifyEmitted(*f.model, r, f.rules, {}, vs);
  std::string diffs;
  for (const auto& d : vs.diagnostics()) diffs += FormatDiagnostic(d, f.sources);
  INFO(diffs);
  CHECK(!rep.ok);
  CHECK(!rep.differences.empty());
  return diffs;
}

inline bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

inline Value* MutableAt(Value& root, const std::string& path) {
  return const_cast<Value*>(At(root, path));
}

}  // namespace cfnsplit::testing
