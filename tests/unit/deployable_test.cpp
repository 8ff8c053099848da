// Regression tests for the defects of issue 10: outputs that verify called equivalent but that
// CloudFormation or SAM would reject, or that would behave differently once deployed. Each test
// failed before its fix.
#include <catch2/catch.hpp>

#include "cfnsplit/analysis.hpp"
#include "cfnsplit/partition.hpp"
#include "unit/emit_test_util.hpp"

namespace cfnsplit::testing {
namespace {

std::optional<SplitPlan> Partition(Fixture& f, PlanOptions options, DiagnosticSink& sink) {
  DiagnosticSink analysis_sink;
  Analysis a = Analyze(*f.model, f.rules, 0, analysis_sink);
  return PartitionTemplate(a, {}, f.rules, options, sink);
}

std::string StackOf(const SplitPlan& plan, const std::string& id) {
  for (const auto& s : plan.stacks)
    for (const auto& r : s.resources)
      if (r == id) return s.name;
  return "";
}

const char* kSamParameterNamedLikeFunction = R"(Transform: AWS::Serverless-2016-10-31
Parameters:
  WorkerMemorySize: {Type: Number, Default: 256}
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {KeySchema: [{AttributeName: id, KeyType: HASH}]}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: s3://bucket/code.zip
      MemorySize: !Ref WorkerMemorySize
      Environment: {Variables: {T: !Ref Table}}
)";

}  // namespace

TEST_CASE("defect 2: a parameter named like a SAM function is a parameter", "[unit][deployable]") {
  Fixture f(kSamParameterNamedLikeFunction);
  CHECK(GeneratedOwner(*f.model, "WorkerMemorySize").empty());
  CHECK(GeneratedOwner(*f.model, "WorkerRole") == "Worker");
  CHECK(GeneratedOwner(*f.model, "WorkerSomethingElse").empty());
  EmitResult r = EmitOk(f, MakePlan({{"Base", {"Table"}}, {"Functions", {"Worker"}}}), {});
  const EmittedStack& child = StackNamed(r, "Functions");
  CHECK(At(child.tmpl, "Parameters.WorkerMemorySize.Type") != nullptr);
  CHECK(Json(At(StackNamed(r, "Base").tmpl, "Resources.Functions.Properties.Parameters.WorkerMemorySize")) ==
        "{\"Ref\":\"WorkerMemorySize\"}\n");
  RequireVerified(f, r);
  SECTION("verify notices the undeclared parameter") {
    MutableAt(r.stacks[1].tmpl, "Parameters")->Erase("WorkerMemorySize");
    CHECK(Has(VerifyFails(f, r), "[E5102]"));
  }
}

TEST_CASE("defect 3: a pin that cannot hold fails fast", "[unit][deployable]") {
  Fixture f(R"(Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Code: {ZipFile: x}, Role: r, Runtime: python3.12, Handler: i.h}
  Perm:
    Type: AWS::Lambda::Permission
    Properties: {Action: lambda:InvokeFunction, FunctionName: !Ref Fn, Principal: s3.amazonaws.com}
  Bucket:
    Type: AWS::S3::Bucket
    DependsOn: Perm
    Properties:
      NotificationConfiguration:
        LambdaConfigurations: [{Event: "s3:ObjectCreated:*", Function: !GetAtt Fn.Arn}]
)");
  for (WiringMode mode : {WiringMode::kNested, WiringMode::kExports}) {
    PlanOptions options;
    options.mode = mode;
    options.pins.push_back({"Perm", "Elsewhere", "cli"});
    DiagnosticSink sink;
    CHECK(!Partition(f, options, sink));  // returns at all: the closure used to loop forever
    bool said = false;
    for (const auto& d : sink.diagnostics()) said = said || (d.code == "E4015" &&
                                                             d.message.find("Perm") != std::string::npos);
    CHECK(said);
  }
}

TEST_CASE("defect 4: SAM APIs stay with the functions whose events use them", "[unit][deployable]") {
  Fixture f(R"(Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: prod}
  Reader:
    Type: AWS::Serverless::Function
    Metadata: {owner: a}
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: s3://bucket/code.zip
      Events: {Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /r, Method: get}}}
  Implicit1:
    Type: AWS::Serverless::Function
    Metadata: {owner: b}
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: s3://bucket/code.zip
      Events: {Get: {Type: Api, Properties: {Path: /i1, Method: get}}}
  Implicit2:
    Type: AWS::Serverless::Function
    Metadata: {owner: b}
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: s3://bucket/code.zip
      Events: {Get: {Type: Api, Properties: {Path: /i2, Method: get}}}
)");
  PlanOptions options;
  options.strategy = "lifecycle";
  DiagnosticSink sink;
  auto plan = Partition(f, options, sink);
  REQUIRE(plan);
  CHECK(StackOf(*plan, "Api") == StackOf(*plan, "Reader"));
  CHECK(StackOf(*plan, "Implicit1") == StackOf(*plan, "Implicit2"));
  SECTION("review names a plan that separates them") {
    SplitPlan bad = MakePlan({{"Base", {"Api", "Implicit1"}}, {"Functions", {"Reader", "Implicit2"}}});
    DiagnosticSink analysis_sink;
    Analysis a = Analyze(*f.model, f.rules, 0, analysis_sink);
    PlanCheck check = CheckPlan(a, bad, {}, f.rules);
    int bonds = 0;
    for (const auto& v : check.violations) bonds += v.code == "E4016";
    CHECK(bonds == 2);
  }
  SECTION("verify notices an event whose API moved away") {
    EmitResult r = EmitOk(f, MakePlan({{"Base", {"Api"}}, {"Functions", {"Reader", "Implicit1", "Implicit2"}}}), {});
    CHECK(Has(VerifyFails(f, r), "[E5111]"));
  }
}

TEST_CASE("defect 5: cfn-init and cfn-signal keep naming the instance's own stack",
          "[unit][deployable]") {
  Fixture f(R"(Resources:
  Topic:
    Type: AWS::SNS::Topic
  Instance:
    Type: AWS::EC2::Instance
    Metadata:
      AWS::CloudFormation::Init:
        config: {files: {/etc/cfn/cfn-hup.conf: {content: !Sub "stack=${AWS::StackId}"}}}
    Properties:
      ImageId: ami-1
      Tags: [{Key: Name, Value: !Sub "${AWS::StackName}-web"}, {Key: T, Value: !Ref Topic}]
      UserData:
        Fn::Base64: !Sub "cfn-signal --stack ${AWS::StackName} --resource Instance"
)");
  EmitResult r = EmitOk(f, MakePlan({{"Base", {"Topic"}}, {"Web", {"Instance"}}}), {});
  const Value& web = StackNamed(r, "Web").tmpl;
  CHECK(Json(At(web, "Resources.Instance.Properties.UserData.Fn::Base64")) ==
        "{\"Fn::Sub\":\"cfn-signal --stack ${AWS::StackName} --resource Instance\"}\n");
  CHECK(Has(Json(At(web, "Resources.Instance.Metadata.AWS::CloudFormation::Init.config.files")),
            "stack=${AWS::StackId}"));
  // Elsewhere the moved instance still reads the original stack's name.
  CHECK(Json(At(web, "Resources.Instance.Properties.Tags.0.Value")).find("ParentStackName") !=
        std::string::npos);
  RequireVerified(f, r);
  SECTION("verify notices a signal sent to the parent's stack") {
    Value* user_data = MutableAt(r.stacks[1].tmpl, "Resources.Instance.Properties.UserData.Fn::Base64");
    *user_data = Value::Intrinsic(
        "Fn::Sub", Value::String("cfn-signal --stack ${ParentStackName} --resource Instance"));
    CHECK(Has(VerifyFails(f, r), "Resources.Instance.Properties.UserData"));
  }
}

TEST_CASE("defect 7: a secret attribute never crosses a stack boundary", "[unit][deployable]") {
  Fixture f(R"(Resources:
  Pool:
    Type: AWS::Cognito::UserPool
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties: {UserPoolId: !Ref Pool, GenerateSecret: true}
  Fn:
    Type: AWS::Lambda::Function
    Metadata: {owner: x}
    Properties:
      Code: {ZipFile: x}
      Role: r
      Environment: {Variables: {SECRET: !GetAtt Client.ClientSecret}}
  Fn2:
    Type: AWS::Lambda::Function
    Metadata: {owner: y}
    Properties: {Code: {ZipFile: x}, Role: r}
)");
  for (WiringMode mode : {WiringMode::kNested, WiringMode::kExports}) {
    PlanOptions options;
    options.mode = mode;
    options.strategy = "lifecycle";
    DiagnosticSink sink;
    auto plan = Partition(f, options, sink);
    REQUIRE(plan);
    CHECK(StackOf(*plan, "Client") == StackOf(*plan, "Fn"));
  }
  SECTION("verify notices a secret passed to a child or exported") {
    EmitOptions nested;
    EmitResult r = EmitOk(f, MakePlan({{"Base", {"Pool", "Client"}}, {"Functions", {"Fn", "Fn2"}}}), nested);
    CHECK(Has(VerifyFails(f, r), "[E5106]"));
    EmitOptions exports;
    exports.mode = WiringMode::kExports;
    EmitResult e = EmitOk(f, MakePlan({{"Base", {"Pool", "Client"}}, {"Functions", {"Fn", "Fn2"}}}), exports);
    CHECK(Has(VerifyFails(f, e), "exposes secret attribute Client.ClientSecret"));
  }
}

}  // namespace cfnsplit::testing
