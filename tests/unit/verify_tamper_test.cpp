// Verify must catch every kind of damage to emitted stacks: each test breaks one thing.
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "cfnsplit/graph.hpp"
#include "emit_test_util.hpp"
#include "verify/flatten.hpp"

using namespace cfnsplit;
using namespace cfnsplit::testing;

namespace {

EmitResult Nested(Fixture& f) {
  return EmitOk(
      f, MakePlan({{"Base", {"Bucket", "Queue", "Role", "Perm"}}, {"Functions", {"Fn", "Alarm"}}}),
      {});
}

EmitResult Exports(Fixture& f) {
  EmitOptions o;
  o.mode = WiringMode::kExports;
  return EmitOk(
      f, MakePlan({{"Base", {"Bucket", "Queue", "Role"}}, {"Functions", {"Fn", "Alarm", "Perm"}}}),
      o);
}

// `plan` emitted in exports mode; the clean split must verify.
EmitResult VerifiedExports(Fixture& f, const SplitPlan& plan) {
  EmitOptions o;
  o.mode = WiringMode::kExports;
  EmitResult r = EmitOk(f, plan, o);
  RequireVerified(f, r);
  return r;
}

}  // namespace

TEST_CASE("verify: a dropped property is reported with both paths", "[unit][verify]") {
  Fixture f(kAppTemplate);
  EmitResult r = Nested(f);
  MutableAt(r.stacks[1].tmpl, "Resources.Fn.Properties")->Erase("MemorySize");
  std::string d = VerifyFails(f, r);
  CHECK(Has(d, "original: Resources.Fn.Properties.MemorySize"));
  CHECK(Has(d, "stacks/Functions.json: Resources.Fn.Properties.MemorySize is missing"));
  CHECK(Has(d, "[E5101]"));
}

TEST_CASE("verify: a changed value is reported", "[unit][verify]") {
  Fixture f(kAppTemplate);
  EmitResult r = Nested(f);
  *MutableAt(r.stacks[1].tmpl, "Resources.Fn.Properties.Environment.Variables.NAME") =
      Value::String("Other");
  CHECK(Has(VerifyFails(f, r), "Resources.Fn.Properties.Environment.Variables.NAME"));
}

TEST_CASE("verify: a parameter passed wrongly by the parent is reported", "[unit][verify]") {
  Fixture f(kAppTemplate);
  EmitResult r = Nested(f);
  *MutableAt(r.stacks[0].tmpl, "Resources.Functions.Properties.Parameters.RoleArn") =
      Value::Intrinsic("Fn::GetAtt", Value::String("Queue.Arn"));
  CHECK(Has(VerifyFails(f, r), "Resources.Fn.Properties.Role"));
}

TEST_CASE("verify: a cycle added between parent and child is reported", "[unit][verify]") {
  Fixture f(kAppTemplate);
  EmitResult r = Nested(f);
  MutableAt(r.stacks[0].tmpl, "Resources.Bucket")->Set("DependsOn", Value::String("Functions"));
  std::string d = VerifyFails(f, r);
  CHECK(Has(d, "[E5105]"));
}

TEST_CASE("verify: a NoEcho parameter in an Output is refused", "[unit][verify]") {
  Fixture f(kAppTemplate);
  EmitResult r = Nested(f);
  Value out = Value::Map();
  out.AppendEntry("Value", Value::Intrinsic("Ref", Value::String("Secret")));
  MutableAt(r.stacks[1].tmpl, "Outputs")->AppendEntry("Leak", out);
  CHECK(Has(VerifyFails(f, r), "[E5106]"));
}

TEST_CASE("verify: a missing child parameter declaration is reported", "[unit][verify]") {
  Fixture f(kAppTemplate);
  EmitResult r = Nested(f);
  MutableAt(r.stacks[1].tmpl, "Parameters")->Erase("RoleArn");
  std::string d = VerifyFails(f, r);
  CHECK(Has(d, "[E5102]"));
  CHECK(Has(d, "RoleArn"));
}

TEST_CASE("verify: a missing child condition or mapping is reported", "[unit][verify]") {
  Fixture f(kAppTemplate);
  EmitResult r = Nested(f);
  SECTION("condition") {
    MutableAt(r.stacks[1].tmpl, "Conditions")->Erase("IsProd");
    CHECK(Has(VerifyFails(f, r), "condition IsProd"));
  }
  SECTION("mapping") {
    r.stacks[1].tmpl.Erase("Mappings");
    CHECK(Has(VerifyFails(f, r), "mapping Sizes"));
  }
}

TEST_CASE("verify: NoEcho dropped from a child parameter is reported", "[unit][verify]") {
  Fixture f(kAppTemplate);
  EmitResult r = Nested(f);
  MutableAt(r.stacks[1].tmpl, "Parameters.Secret")->Erase("NoEcho");
  CHECK(Has(VerifyFails(f, r), "[E5109]"));
}

TEST_CASE("verify: lost DependsOn is reported", "[unit][verify]") {
  Fixture f(kAppTemplate);
  EmitResult r = Nested(f);
  MutableAt(r.stacks[0].tmpl, "Resources.Functions")->Erase("DependsOn");
  CHECK(Has(VerifyFails(f, r), "[E5104]"));
}

TEST_CASE("verify: duplicated, extra and missing resources are reported", "[unit][verify]") {
  Fixture f(kAppTemplate);
  EmitResult r = Nested(f);
  SECTION("duplicated") {
    MutableAt(r.stacks[1].tmpl, "Resources")
        ->AppendEntry("Queue", *At(r.stacks[0].tmpl, "Resources.Queue"));
    CHECK(Has(VerifyFails(f, r), "declared 2 times"));
  }
  SECTION("missing") {
    MutableAt(r.stacks[1].tmpl, "Resources")->Erase("Alarm");
    CHECK(Has(VerifyFails(f, r), "Resources.Alarm is in no emitted stack"));
  }
  SECTION("output export changed") {
    *MutableAt(r.stacks[0].tmpl, "Outputs.FnArn.Export.Name") = Value::String("renamed");
    CHECK(Has(VerifyFails(f, r), "Outputs.FnArn.Export.Name"));
  }
}

TEST_CASE("verify: a pseudo parameter left in a child changes meaning", "[unit][verify]") {
  Fixture f(kAppTemplate);
  EmitResult r = Nested(f);
  *MutableAt(r.stacks[1].tmpl, "Resources.Fn.Properties.Environment.Variables.ARN") =
      Value::Intrinsic("Fn::Sub", Value::String("${BucketArn}/x/${!Literal}/${AWS::StackName}"));
  CHECK(Has(VerifyFails(f, r), "ARN"));
}

TEST_CASE("verify: quotas come from the rules, scaled by headroom", "[unit][verify]") {
  Fixture f(kAppTemplate);
  EmitResult r = Nested(f);
  DiagnosticSink vs;
  VerifyOptions o;
  o.headroom = 0.004;  // two resources per stack
  VerifyReport rep = VerifyEmitted(*f.model, r, f.rules, o, vs);
  CHECK(!rep.ok);
  bool quota = false;
  for (const auto& d : vs.diagnostics()) quota = quota || d.code == "E5107";
  CHECK(quota);
}

TEST_CASE("verify: exports tampering is reported", "[unit][verify]") {
  Fixture f(kAppTemplate);
  EmitResult r = Exports(f);
  SECTION("renamed export") {
    *MutableAt(r.stacks[0].tmpl, "Outputs.RoleArn.Export.Name") =
        Value::Intrinsic("Fn::Sub", Value::String("${AWS::StackName}-Other"));
    CHECK(Has(VerifyFails(f, r), "which no stack of the split exports"));
  }
  SECTION("changed exported value") {
    *MutableAt(r.stacks[0].tmpl, "Outputs.RoleArn.Value") =
        Value::Intrinsic("Ref", Value::String("Role"));
    CHECK(Has(VerifyFails(f, r), "Resources.Fn.Properties.Role"));
  }
  SECTION("import cycle") {
    // The base imports back from the functions stack, which imports from the base.
    Value p = Value::Map();
    p.AppendEntry("Type", Value::String("String"));
    p.AppendEntry("Default", Value::String(r.stacks[1].stack_name));
    MutableAt(r.stacks[0].tmpl, "Parameters")->AppendEntry("FunctionsStackName", p);
    Value loop = Value::Map();
    loop.AppendEntry(
        "Value", Value::Intrinsic(
                     "Fn::ImportValue",
                     Value::Intrinsic("Fn::Sub", Value::String("${FunctionsStackName}-FnArn"))));
    MutableAt(r.stacks[0].tmpl, "Outputs")->AppendEntry("Loop", loop);
    Value exported = Value::Map();
    exported.AppendEntry("Value", Value::Intrinsic("Fn::GetAtt", Value::String("Fn.Arn")));
    Value name = Value::Map();
    name.AppendEntry("Name", Value::Intrinsic("Fn::Sub", Value::String("${AWS::StackName}-FnArn")));
    exported.AppendEntry("Export", std::move(name));
    Value* outputs = r.stacks[1].tmpl.Find("Outputs");
    if (!outputs) {
      r.stacks[1].tmpl.AppendEntry("Outputs", Value::Map());
      outputs = r.stacks[1].tmpl.Find("Outputs");
    }
    outputs->AppendEntry("FnArnOut", std::move(exported));
    CHECK(Has(VerifyFails(f, r), "[E5105]"));
  }
  SECTION("changed shared parameter") {
    MutableAt(r.stacks[1].tmpl, "Parameters.Env")->Erase("Default");
    CHECK(Has(VerifyFails(f, r), "Parameters.Env.Default"));
  }
}

TEST_CASE("verify: normalising in place gives what the copying Normalize gives", "[unit][verify]") {
  // Every form Normalize rewrites: YAML 1.1 booleans, Sub bindings, "A.B" GetAtt strings and
  // Split of a Join with the same delimiter (which collapses to the joined list), nested.
  Fixture f(R"(
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Flag: yes
      Name: !Sub ["${B}-x", {B: !Ref Bucket}]
      Arn: !GetAtt Bucket.Arn
      Parts: !Split [",", !Join [",", [a, !GetAtt Bucket.Arn]]]
      Other: !Split [",", !Join [";", [a, b]]]
  Bucket:
    Type: AWS::S3::Bucket
)");
  const Value& def = *f.model->FindResource("Fn")->def;
  Value copy = verify::Normalize(def);
  Value in_place = def;
  verify::NormalizeInPlace(in_place);
  CHECK(copy.Equals(in_place));
  // IsNormalized answers "Normalize leaves it as it is" only where that holds: checked on
  // every subtree of the definition and of its normalized form.
  const Value* original_props = def.Find("Properties");
  REQUIRE(original_props);
  for (const char* rewritten : {"Flag", "Name", "Parts", "Other"}) {
    INFO(rewritten);
    CHECK_FALSE(verify::IsNormalized(*original_props->Find(rewritten)));
  }
  std::size_t normalized = 0;
  std::function<void(const Value&)> each = [&](const Value& v) {
    if (verify::IsNormalized(v)) {
      ++normalized;
      CHECK(verify::Normalize(v).Equals(v));
    }
    for (const Value& item : v.items()) each(item);
  };
  each(def);
  each(in_place);
  CHECK(normalized > 10);
  CHECK(verify::IsNormalized(*At(def, "Type")));
  Value plain_ref = Value::Intrinsic("Ref", Value::String("Bucket"));
  CHECK(verify::IsNormalized(plain_ref));
  const Value* props = in_place.Find("Properties");
  REQUIRE(props);
  CHECK(props->Find("Flag")->is_bool());
  CHECK(props->Find("Name")->IntrinsicArg().text() == "${Bucket}-x");
  CHECK(props->Find("Arn")->IntrinsicArg().is_list());
  CHECK(props->Find("Parts")->is_list());
  CHECK(props->Find("Other")->IntrinsicName() == "Fn::Split");
}

// Most resources are shown equal by walking both definitions side by side (same.cpp); these
// changes sit where that walk must hand over to the full comparison, which words them.
TEST_CASE("verify: changes the side-by-side comparison must not pass", "[unit][verify]") {
  Fixture f(kAppTemplate);
  EmitResult r = Nested(f);
  SECTION("an intrinsic function's argument") {
    Value args = Value::List();
    for (const char* a : {"Sizes", "prod", "Mem"}) args.Append(Value::String(a));
    *MutableAt(r.stacks[1].tmpl, "Resources.Fn.Properties.MemorySize") =
        Value::Intrinsic("Fn::FindInMap", std::move(args));
    CHECK(Has(VerifyFails(f, r), "Resources.Fn.Properties.MemorySize"));
  }
  SECTION("plain data turned into a function") {
    *MutableAt(r.stacks[1].tmpl, "Resources.Fn.Properties.Code.S3Key") =
        Value::Intrinsic("Ref", Value::String("AWS::Region"));
    CHECK(Has(VerifyFails(f, r), "Resources.Fn.Properties.Code.S3Key"));
  }
  SECTION("an added key") {
    MutableAt(r.stacks[1].tmpl, "Resources.Fn.Properties")
        ->AppendEntry("Timeout", Value::Number("30"));
    CHECK(Has(VerifyFails(f, r), "Resources.Fn.Properties.Timeout"));
  }
  SECTION("a map turned into a list") {
    *MutableAt(r.stacks[1].tmpl, "Resources.Fn.Properties.Code") = Value::List();
    CHECK(Has(VerifyFails(f, r), "Resources.Fn.Properties.Code"));
  }
  SECTION("a scalar's kind") {
    *MutableAt(r.stacks[1].tmpl, "Resources.Fn.Properties.Environment.Variables.NAME") =
        Value::Bool(true);
    CHECK(Has(VerifyFails(f, r), "Resources.Fn.Properties.Environment.Variables.NAME"));
  }
}

TEST_CASE("verify: a YAML 1.1 boolean equals the boolean it means", "[unit][verify]") {
  Fixture f(R"(
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: {FifoQueue: yes, Tags: [{Key: a, Value: !Ref AWS::StackName}]}
  Topic:
    Type: AWS::SNS::Topic
)");
  EmitResult r = EmitOk(f, MakePlan({{"A", {"Queue"}}, {"B", {"Topic"}}}), {});
  Value* fifo = nullptr;
  for (auto& s : r.stacks)
    if (!fifo) fifo = MutableAt(s.tmpl, "Resources.Queue.Properties.FifoQueue");
  REQUIRE(fifo);
  *fifo = Value::Bool(true);
  RequireVerified(f, r);
  *fifo = Value::Bool(false);
  CHECK(Has(VerifyFails(f, r), "Resources.Queue.Properties.FifoQueue"));
}

// The flattener resolves an import met at the top of a value once per stack (flatten.cpp); every
// later reader of that import must still see what the export carries, tampered or not.
TEST_CASE("verify: an import read by many resources is checked for each", "[unit][verify]") {
  Fixture f(R"(
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties: {AssumeRolePolicyDocument: {}}
  FnA: {Type: AWS::Lambda::Function, Properties: {Role: !GetAtt Role.Arn, Handler: a}}
  FnB: {Type: AWS::Lambda::Function, Properties: {Role: !GetAtt Role.Arn, Handler: b}}
  FnC: {Type: AWS::Lambda::Function, Properties: {Role: !GetAtt Role.Arn, Handler: c}}
)");
  EmitResult r =
      VerifiedExports(f, MakePlan({{"Base", {"Role"}}, {"Functions", {"FnA", "FnB", "FnC"}}}));
  Value* outputs = r.stacks[0].tmpl.Find("Outputs");
  REQUIRE(outputs);
  REQUIRE(outputs->size() == 1);
  outputs->items()[0].Set("Value", Value::Intrinsic("Fn::GetAtt", Value::String("Role.RoleId")));
  std::string diffs = VerifyFails(f, r);
  for (const char* fn : {"FnA", "FnB", "FnC"}) {
    INFO(fn);
    CHECK(Has(diffs, std::string("Resources.") + fn + ".Properties.Role"));
  }
}

// The side-by-side comparison reads an import's resolved value where the flattener keeps it
// (Flattener::ImportedValue): the value of that very export, not of another the stack imports.
TEST_CASE("verify: an import switched to another export of the same stack is reported",
          "[unit][verify]") {
  Fixture f(R"(
Resources:
  RoleA: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {}}}
  RoleB: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {}}}
  FnA: {Type: AWS::Lambda::Function, Properties: {Role: !GetAtt RoleA.Arn, Handler: a}}
  FnB: {Type: AWS::Lambda::Function, Properties: {Role: !GetAtt RoleA.Arn, Handler: b}}
  FnC: {Type: AWS::Lambda::Function, Properties: {Role: !GetAtt RoleB.Arn, Handler: c}}
)");
  EmitResult r = VerifiedExports(
      f, MakePlan({{"Base", {"RoleA", "RoleB"}}, {"Functions", {"FnA", "FnB", "FnC"}}}));
  // FnB now reads RoleB's export, which the stack imports for FnC; FnA still reads RoleA's.
  const Value role_b = *MutableAt(r.stacks[1].tmpl, "Resources.FnC.Properties.Role");
  REQUIRE(role_b.IntrinsicName() == "Fn::ImportValue");
  *MutableAt(r.stacks[1].tmpl, "Resources.FnB.Properties.Role") = role_b;
  std::string diffs = VerifyFails(f, r);
  CHECK(Has(diffs, "Resources.FnB.Properties.Role"));
  CHECK_FALSE(Has(diffs, "Resources.FnA.Properties.Role"));
  CHECK_FALSE(Has(diffs, "Resources.FnC.Properties.Role"));
}

// verify searches each stack's resource graph over indexes (checks.cpp, ResourceCycle); the
// cycle it reports must be the one FindCycle reports for the graph keyed by name.
TEST_CASE("verify: a stack's dependency cycle is the one FindCycle finds", "[unit][verify]") {
  const std::vector<std::string> names = {"Zed", "Alpha", "Mid", "Beta", "Omega", "Kappa", "Delta"};
  std::string yaml = "Resources:\n  Base: {Type: AWS::SQS::Queue}\n";
  for (const auto& n : names) yaml += "  " + n + ": {Type: AWS::SQS::Queue}\n";
  Fixture f(yaml);
  EmitResult clean = EmitOk(f, MakePlan({{"Base", {"Base"}}, {"Rest", names}}), {});
  std::mt19937 rng(11);
  int cycles = 0;
  for (int trial = 0; trial < 150; ++trial) {
    EmitResult r = clean;
    std::map<std::string, std::set<std::string>> graph;
    for (const auto& from : names) {
      graph[from];
      Value depends = Value::List();
      for (const auto& to : names)
        if (rng() % 100 < 12) {
          depends.Append(Value::String(to));
          graph[from].insert(to);
        }
      if (depends.size() > 0)
        MutableAt(r.stacks[1].tmpl, "Resources." + from)->Set("DependsOn", std::move(depends));
    }
    std::vector<std::string> expected = FindCycle(graph);
    DiagnosticSink vs;
    VerifyEmitted(*f.model, r, f.rules, {}, vs);
    std::string text;
    for (const auto& d : vs.diagnostics()) text += d.message + "\n";
    INFO(text);
    if (expected.empty()) {
      CHECK_FALSE(Has(text, "dependency cycle"));
      continue;
    }
    ++cycles;
    std::string path;
    for (const auto& n : expected) path += (path.empty() ? "" : " -> ") + n;
    CHECK(Has(text, "dependency cycle " + path + "\n"));
  }
  CHECK(cycles > 30);  // the draw makes cycles, not only acyclic graphs
}

// A cycle the original already has is its own finding, not the split's; a stack's graph
// without any cycle is never compared with the original's (ResourceCycle's shortcut), and one
// whose only cycle is the original's is not reported, while a cycle added next to it is.
TEST_CASE("verify: the original's own cycle is left out, one added beside it is reported",
          "[unit][verify]") {
  Fixture f(R"(Resources:
  Base: {Type: AWS::SQS::Queue}
  A: {Type: AWS::SQS::Queue, DependsOn: B}
  B: {Type: AWS::SQS::Queue, DependsOn: A}
  C: {Type: AWS::SQS::Queue}
  D: {Type: AWS::SQS::Queue}
)");
  EmitResult clean = EmitOk(f, MakePlan({{"Base", {"Base"}}, {"Rest", {"A", "B", "C", "D"}}}), {});
  RequireVerified(f, clean);
  EmitResult tampered = clean;
  MutableAt(tampered.stacks[1].tmpl, "Resources.C")->Set("DependsOn", Value::String("D"));
  MutableAt(tampered.stacks[1].tmpl, "Resources.D")->Set("DependsOn", Value::String("C"));
  std::string text = VerifyFails(f, tampered);
  INFO(text);
  CHECK(Has(text, "dependency cycle C -> D -> C [E5105]"));
  CHECK_FALSE(Has(text, "dependency cycle A"));
}

TEST_CASE("verify: names a stack leaves undeclared are reported with where they are written",
          "[unit][verify]") {
  Fixture f(kAppTemplate);
  EmitResult r = Exports(f);
  Value& alarm = *MutableAt(r.stacks[1].tmpl, "Resources.Alarm");
  MutableAt(alarm, "Properties")->Set("Other", Value::Intrinsic("Ref", Value::String("Queue")));
  alarm.Set("DependsOn", Value::String("Bucket"));
  MutableAt(alarm, "Properties")->Set("Lost", Value::Intrinsic("Ref", Value::String("Nowhere")));
  MutableAt(r.stacks[1].tmpl, "Conditions")->Erase("NotProd");
  std::string d = VerifyFails(f, r);
  CHECK(Has(d,
            "Resources.Alarm refers to resource or parameter Queue, which that template "
            "does not declare"));
  CHECK(Has(d, "Resources.Alarm.DependsOn names Bucket, which that template does not declare"));
  CHECK(Has(d, "Resources.Alarm.Condition names undeclared condition NotProd"));
  // A name the original does not resolve either is not the split's doing.
  CHECK_FALSE(Has(d, "resource or parameter Nowhere"));
}
