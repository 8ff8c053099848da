// Regression tests for the defects of issue 10: outputs that verify called equivalent but that
// CloudFormation or SAM would reject, or that would behave differently once deployed. Each test
// failed before its fix.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

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
  CHECK(Json(At(StackNamed(r, "Base").tmpl,
                "Resources.Functions.Properties.Parameters.WorkerMemorySize")) ==
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
    for (const auto& d : sink.diagnostics())
      said = said || (d.code == "E4015" && d.message.find("Perm") != std::string::npos);
    CHECK(said);
  }
}

TEST_CASE("defect 4: SAM APIs stay with the functions whose events use them",
          "[unit][deployable]") {
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
    SplitPlan bad =
        MakePlan({{"Base", {"Api", "Implicit1"}}, {"Functions", {"Reader", "Implicit2"}}});
    DiagnosticSink analysis_sink;
    Analysis a = Analyze(*f.model, f.rules, 0, analysis_sink);
    PlanCheck check = CheckPlan(a, bad, {}, f.rules);
    int bonds = 0;
    for (const auto& v : check.violations) bonds += v.code == "E4016";
    CHECK(bonds == 2);
  }
  SECTION("verify notices an event whose API moved away") {
    EmitResult r = EmitOk(
        f, MakePlan({{"Base", {"Api"}}, {"Functions", {"Reader", "Implicit1", "Implicit2"}}}), {});
    CHECK(Has(VerifyFails(f, r), "[E5111]"));
  }
}

// Found by the deploy test (corpus connector_resource_attributes.yaml): a connector kept as
// data (DeletionPolicy Retain) stayed in Base while a pin moved a function it names away; SAM
// then failed on that stack ("Unable to find resource with logical ID").
TEST_CASE("a SAM connector stays with the resources its Ids name", "[unit][deployable]") {
  Fixture f(R"(Transform: AWS::Serverless-2016-10-31
Resources:
  Writer:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: a.h, InlineCode: x}
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      InlineCode: x
    Metadata:
      SamConnectors:
        ToWriter: {Properties: {Destination: {Id: Writer}, Permissions: [Write]}}
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {KeySchema: [{AttributeName: id, KeyType: HASH}]}
  Link:
    Type: AWS::Serverless::Connector
    DeletionPolicy: Retain
    Properties:
      Source: {Id: Writer}
      Destination: [{Id: Table}]
      Permissions: [Write]
)");
  DiagnosticSink analysis_sink;
  Analysis a = Analyze(*f.model, f.rules, 0, analysis_sink);
  PlanOptions options;
  options.strategy = "lifecycle";
  DiagnosticSink sink;
  auto plan = PartitionTemplate(a, {}, f.rules, options, sink);
  REQUIRE(plan);
  CHECK(StackOf(*plan, "Link") == StackOf(*plan, "Writer"));
  CHECK(StackOf(*plan, "Link") == StackOf(*plan, "Table"));
  CHECK(StackOf(*plan, "Reader") == StackOf(*plan, "Writer"));
  SECTION("a pin that would separate them is refused with the reason") {
    options.pins.push_back({"Writer", "Pinned", "cli"});
    DiagnosticSink pinned;
    auto refused = PartitionTemplate(a, {}, f.rules, options, pinned);
    bool said = false;
    for (const auto& d : pinned.diagnostics()) said = said || d.code == "E4015";
    CHECK(!refused);
    CHECK(said);
  }
  SECTION("verify notices a connector whose end moved away") {
    EmitResult r =
        EmitOk(f, MakePlan({{"Base", {"Table", "Link", "Reader"}}, {"Functions", {"Writer"}}}), {});
    std::string out = VerifyFails(f, r);
    CHECK(Has(out, "[E5111]"));
    CHECK(Has(out, "Source.Id names Writer"));
    CHECK(Has(out, "SamConnectors.*.Properties.Destination.Id names Writer"));
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
    Value* user_data =
        MutableAt(r.stacks[1].tmpl, "Resources.Instance.Properties.UserData.Fn::Base64");
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
    EmitResult r =
        EmitOk(f, MakePlan({{"Base", {"Pool", "Client"}}, {"Functions", {"Fn", "Fn2"}}}), nested);
    CHECK(Has(VerifyFails(f, r), "[E5106]"));
    EmitOptions exports;
    exports.mode = WiringMode::kExports;
    EmitResult e =
        EmitOk(f, MakePlan({{"Base", {"Pool", "Client"}}, {"Functions", {"Fn", "Fn2"}}}), exports);
    CHECK(Has(VerifyFails(f, e), "exposes secret attribute Client.ClientSecret"));
  }
}

}  // namespace cfnsplit::testing

namespace cfnsplit::testing {

TEST_CASE("defect 1: no stack is emitted without resources", "[unit][deployable]") {
  Fixture f(R"(Parameters:
  MemA: {Type: Number, Default: 128}
  MemB: {Type: Number, Default: 256}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties: {AssumeRolePolicyDocument: {}}
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Code: {ZipFile: x}, Role: !GetAtt Role.Arn, MemorySize: !Ref MemA, Timeout: !Ref MemB}
)");
  EmitOptions exports;
  exports.mode = WiringMode::kExports;
  EmitResult r = EmitOk(f, MakePlan({{"Base", {}}, {"Functions", {"Role", "Fn"}}}), exports);
  REQUIRE(r.stacks.size() == 1);
  CHECK(r.stacks[0].name == "Functions");
  CHECK(At(r.stacks[0].tmpl, "Resources.Fn") != nullptr);
  RequireVerified(f, r);
  SECTION("verify refuses an empty stack") {
    EmitResult two = r;
    two.stacks.push_back(r.stacks[0]);
    two.stacks[1].name = "Empty";
    two.stacks[1].path = "stacks/Empty.yaml";
    two.stacks[1].tmpl = Value::Map();
    two.stacks[1].tmpl.AppendEntry("Resources", Value::Map());
    CHECK(Has(VerifyFails(f, two), "[E5112]"));
  }
  SECTION("verify refuses names CloudFormation refuses") {
    EmitResult bad = r;
    Value& tmpl = bad.stacks[0].tmpl;
    Value params = tmpl.Find("Parameters") ? *tmpl.Find("Parameters") : Value::Map();
    Value decl = Value::Map();
    decl.AppendEntry("Type", Value::String("String"));
    decl.AppendEntry("Default", Value::String("x"));
    params.AppendEntry("Fn", decl);     // the name of a resource of the stack
    params.AppendEntry("Mem_C", decl);  // not alphanumeric
    tmpl.Set("Parameters", params);
    std::string out = VerifyFails(f, bad);
    CHECK(Has(out, "[E5113]"));
    CHECK(Has(out, "Parameters.Mem_C is not alphanumeric"));
    CHECK(Has(out, "Fn is both a parameter and a resource"));
  }
}

TEST_CASE("names under a macro cfnsplit does not know are judged neither at input nor by verify",
          "[unit][deployable]") {
  // The macro runs before CloudFormation reads the names and may rename them, so the model
  // checks none (E1004), and every emitted stack carries the same Transform: verify must not
  // refuse them either (the fuzzer found `split` reporting "verification failed" on such input).
  const std::string body = R"(
Resources:
  My_Role:
    Type: AWS::IAM::Role
    Properties: {AssumeRolePolicyDocument: {}}
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Code: {ZipFile: x}, Role: !GetAtt My_Role.Arn}
)";
  EmitOptions exports;
  exports.mode = WiringMode::kExports;
  const SplitPlan plan = MakePlan({{"Base", {}}, {"Functions", {"My_Role", "Fn"}}});
  for (const char* transform : {"MyMacro", "[AWS::Serverless-2016-10-31, MyMacro]",
                                "{Name: MyMacro, Parameters: {A: b}}"}) {
    INFO(transform);
    Fixture f(std::string("Transform: ") + transform + body);
    RequireVerified(f, EmitOk(f, plan, exports));
  }
  SECTION("SAM and LanguageExtensions keep the names: verify still judges them") {
    Fixture f("Transform: MyMacro" + body);
    EmitResult r = EmitOk(f, plan, exports);
    r.stacks[0].tmpl.Set("Transform", Value::String("AWS::LanguageExtensions"));
    CHECK(Has(VerifyFails(f, r), "Resources.My_Role is not alphanumeric"));
  }
}

TEST_CASE("verify asks the original the same question as the stack about a reference",
          "[unit][deployable]") {
  // Under LanguageExtensions a Condition to an undeclared condition is a warning (a loop may
  // declare it). Here it names a parameter: verify asked the original about every section, so
  // the original "resolved" it and the stack, which does not declare that condition either,
  // was reported (E5102), and split refused its own output (found by the split fuzzer).
  Fixture f(R"(Transform: AWS::LanguageExtensions
Parameters:
  Stage: {Type: String}
Conditions:
  IsOther: !Not [!Condition Stage]
Resources:
  Bucket: {Type: AWS::S3::Bucket}
  Queue: {Type: AWS::SQS::Queue, Condition: IsOther}
)");
  EmitOptions exports;
  exports.mode = WiringMode::kExports;
  RequireVerified(f, EmitOk(f, MakePlan({{"Base", {"Bucket"}}, {"Queues", {"Queue"}}}), exports));
  SECTION("a condition the original declares and a stack lacks is still reported") {
    EmitResult r = EmitOk(f, MakePlan({{"Base", {"Bucket"}}, {"Queues", {"Queue"}}}), exports);
    for (auto& stack : r.stacks)
      if (Value* conditions = stack.tmpl.Find("Conditions")) conditions->Erase("IsOther");
    CHECK(Has(VerifyFails(f, r), "IsOther"));
  }
}

TEST_CASE("defect 1: a stack whose every resource is conditional is never left empty",
          "[unit][deployable]") {
  Fixture f(R"(Parameters:
  Env: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [!Ref Env, dev]
Resources:
  Topic: {Type: AWS::SNS::Topic}
  A: {Type: AWS::SQS::Queue, Condition: IsProd}
  B: {Type: AWS::SQS::Queue, Condition: IsDev}
)");
  SplitPlan plan = MakePlan({{"Base", {"Topic"}}, {"Queues", {"A", "B"}}});
  SECTION("nested: the child stack is guarded by an Or of its resources' conditions") {
    EmitResult r = EmitOk(f, plan, {});
    const Value& parent = r.stacks[0].tmpl;
    std::string guard = At(parent, "Resources.Queues.Condition")->text();
    CHECK(Json(At(parent, "Conditions." + guard)) ==
          "{\"Fn::Or\":[{\"Condition\":\"IsDev\"},{\"Condition\":\"IsProd\"}]}\n");
    RequireVerified(f, r);
    *MutableAt(r.stacks[0].tmpl, "Conditions." + guard) =
        Value::Intrinsic("Condition", Value::String("IsProd"));
    CHECK(Has(VerifyFails(f, r), "has condition IsDev but its stack is created only when"));
  }
  SECTION("exports: a placeholder keeps the stack from being empty") {
    EmitOptions exports;
    exports.mode = WiringMode::kExports;
    EmitResult r = EmitOk(f, plan, exports);
    const Value& queues = StackNamed(r, "Queues").tmpl;
    CHECK(Json(At(queues, "Resources.CfnsplitPlaceholder.Type")) ==
          "\"AWS::CloudFormation::WaitConditionHandle\"\n");
    RequireVerified(f, r);
    MutableAt(r.stacks[1].tmpl, "Resources")->Erase("CfnsplitPlaceholder");
    CHECK(Has(VerifyFails(f, r), "[E5112]"));
  }
}

}  // namespace cfnsplit::testing

namespace cfnsplit::testing {

TEST_CASE("defect 6: plain YAML scalars keep their style", "[unit][deployable]") {
  Fixture f(R"(Parameters:
  Flag: {Type: String, AllowedValues: [Yes, No], Default: No}
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties: {DisplayName: on, TopicName: 'off'}
  Queue:
    Type: AWS::SQS::Queue
    Properties: {Tags: [{Key: k, Value: Yes}]}
)");
  EmitOptions yaml;
  yaml.format = TemplateFormat::kYaml;
  EmitOptions exports = yaml;
  exports.mode = WiringMode::kExports;
  SplitPlan plan = MakePlan({{"Base", {"Topic"}}, {"Queues", {"Queue"}}});
  EmitResult r = EmitOk(f, plan, exports);
  std::string base = WriteYaml(StackNamed(r, "Base").tmpl);
  CHECK(Has(base, "AllowedValues: [Yes, No]"));
  CHECK(Has(base, "Default: No\n"));
  CHECK(Has(base, "DisplayName: on\n"));
  CHECK(Has(base, "TopicName: 'off'\n"));  // quoted in the input: still a string
  CHECK(Has(WriteYaml(StackNamed(r, "Queues").tmpl), "Value: Yes"));
  CHECK(Has(WriteJson(StackNamed(r, "Base").tmpl), "\"DisplayName\": true"));
  RequireVerified(f, r);
  SECTION("verify notices a plain scalar turned into a quoted string") {
    Value* name = MutableAt(r.stacks[0].tmpl, "Resources.Topic.Properties.DisplayName");
    *name = Value::String("on");
    CHECK(Has(VerifyFails(f, r), "Resources.Topic.Properties.DisplayName"));
  }
}

}  // namespace cfnsplit::testing

namespace cfnsplit::testing {

TEST_CASE("defect 8: relative artifact paths still reach their files", "[unit][deployable]") {
  Fixture f(R"(Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: python3.12}
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {KeySchema: [{AttributeName: id, KeyType: HASH}]}
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: prod, DefinitionUri: ./api.yaml}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      CodeUri: ./src
      Environment: {Variables: {T: !Ref Table}}
  Bare:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler}
  Remote:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, CodeUri: s3://bucket/code.zip}
  Nested:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: nested/child.yaml}
)",
            "/srv/app/template.yaml");
  EmitOptions options;
  options.output_dir = "/srv/out";
  SplitPlan plan =
      MakePlan({{"Base", {"Table", "Nested"}}, {"Functions", {"Api", "Worker", "Bare", "Remote"}}});
  EmitResult r = EmitOk(f, plan, options);
  const Value& child = StackNamed(r, "Functions").tmpl;
  CHECK(At(child, "Resources.Worker.Properties.CodeUri")->text() == "../../app/src");
  CHECK(At(child, "Resources.Api.Properties.DefinitionUri")->text() == "../../app/api.yaml");
  CHECK(At(child, "Resources.Bare.Properties.CodeUri")->text() == "../../app");  // the folder
  CHECK(At(child, "Resources.Remote.Properties.CodeUri")->text() == "s3://bucket/code.zip");
  CHECK(At(r.stacks[0].tmpl, "Resources.Nested.Properties.TemplateURL")->text() ==
        "../app/nested/child.yaml");
  DiagnosticSink vs;
  VerifyOptions vo;
  vo.output_dir = options.output_dir;
  VerifyReport rep = VerifyEmitted(*f.model, r, f.rules, vo, vs);
  INFO(f.Diags());
  CHECK(rep.ok);
  SECTION("verify notices a path that no longer reaches its file") {
    *MutableAt(r.stacks[1].tmpl, "Resources.Worker.Properties.CodeUri") = Value::String("./src");
    DiagnosticSink bad;
    CHECK(!VerifyEmitted(*f.model, r, f.rules, vo, bad).ok);
  }
}

}  // namespace cfnsplit::testing

namespace cfnsplit::testing {

TEST_CASE("defect 9: CloudFormation itself enforces a cross-stack DependsOn in exports mode",
          "[unit][deployable]") {
  Fixture f(R"(Resources:
  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: a}}
  MethodA:
    Type: AWS::ApiGateway::Method
    Properties: {HttpMethod: GET, ResourceId: r, RestApiId: x}
  MethodB:
    Type: AWS::ApiGateway::Method
    Properties: {HttpMethod: GET, ResourceId: r, RestApiId: x}
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: [MethodA, MethodB]
    Properties: {RestApiId: !Ref Api}
)");
  EmitOptions exports;
  exports.mode = WiringMode::kExports;
  EmitResult r =
      EmitOk(f, MakePlan({{"Base", {"Api", "Deployment"}}, {"A", {"MethodA"}}, {"B", {"MethodB"}}}),
             exports);
  // Base imports nothing of A or B: only the ordering imports make it wait for them.
  std::string meta = Json(At(StackNamed(r, "Base").tmpl, "Resources.Deployment.Metadata"));
  CHECK(Has(meta, "cfnsplit:deploy-after"));
  CHECK(Has(meta, "-ADeployed"));
  CHECK(Has(meta, "-BDeployed"));
  CHECK(At(StackNamed(r, "A").tmpl, "Outputs.ADeployed.Export") != nullptr);
  CHECK(r.deploy_order.back() == "Base");
  RequireVerified(f, r);
  SECTION("verify notices a DependsOn nothing enforces any more") {
    MutableAt(r.stacks[0].tmpl, "Resources.Deployment")->Erase("Metadata");
    CHECK(Has(VerifyFails(f, r), "[E5104]"));
  }
}

TEST_CASE("defect 11: the packer and the final check count alike; no internal error",
          "[unit][deployable]") {
  std::ifstream in(std::string(CFNSPLIT_SOURCE_DIR) + "/samples/handwritten/template.yaml");
  std::stringstream text;
  text << in.rdbuf();
  Fixture f(text.str());
  for (WiringMode mode : {WiringMode::kNested, WiringMode::kExports})
    for (double headroom : {0.05, 0.2, 0.5, 0.9}) {
      PlanOptions options;
      options.mode = mode;
      options.headroom = headroom;
      options.allow_mixed_owners = true;
      DiagnosticSink sink;
      auto plan = Partition(f, options, sink);
      for (const auto& d : sink.diagnostics()) {
        INFO(d.message);
        CHECK(d.message.find("internal") == std::string::npos);
      }
      if (!plan) continue;
      DiagnosticSink analysis_sink;
      Analysis a = Analyze(*f.model, f.rules, 0, analysis_sink);
      CHECK(CheckPlan(a, *plan, {}, f.rules).ok());
    }
}

}  // namespace cfnsplit::testing

namespace cfnsplit::testing {

namespace {
const char* kServerlessPair = R"(Resources:
  Role: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {}}}
  TrainLambdaFunction:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: svc-prod-train
      Runtime: python3.12
      Handler: functions/train/handler.main
      Layers: [arn:aws:lambda:us-east-1:123456789012:layer:x:1]
      Role: !GetAtt Role.Arn
      Code: {S3Bucket: deploy-bucket, S3Key: serverless/svc/prod/1/svc.zip}
  TrainLambdaVersionAbc:
    Type: AWS::Lambda::Version
    DeletionPolicy: Retain
    Properties:
      FunctionName: !Ref TrainLambdaFunction
      CodeSha256: mVr0DeFUmAjbrRTWRsE+2DX6ZPH0VlkbRvn4CjnUEOQ=
)";
}  // namespace

TEST_CASE("defect 10: image functions are emitted as container images", "[unit][deployable]") {
  Fixture f(kServerlessPair);
  SplitPlan plan =
      MakePlan({{"Base", {"Role"}}, {"Train", {"TrainLambdaFunction", "TrainLambdaVersionAbc"}}});
  plan.stacks[1].images = {"TrainLambdaFunction"};
  EmitResult r = EmitOk(f, plan, {});
  const Value& child = StackNamed(r, "Train").tmpl;
  CHECK(At(child, "Resources.TrainLambdaFunction.Properties.PackageType")->text() == "Image");
  CHECK(Json(At(child, "Resources.TrainLambdaFunction.Properties.Code")) ==
        "{\"ImageUri\":{\"Ref\":\"TrainLambdaFunctionImageUri\"}}\n");
  CHECK(At(child, "Resources.TrainLambdaFunction.Properties.Runtime") == nullptr);
  CHECK(At(child, "Resources.TrainLambdaFunction.Properties.Layers") == nullptr);
  CHECK(Json(At(child, "Resources.TrainLambdaFunction.Properties.ImageConfig.Command")) ==
        "[\"functions/train/handler.main\"]\n");
  CHECK(At(child, "Resources.TrainLambdaVersionAbc.Properties.CodeSha256") == nullptr);
  CHECK(At(r.stacks[0].tmpl, "Parameters.TrainLambdaFunctionImageUri") != nullptr);
  CHECK(f.HasCode("W5012"));  // the fixed FunctionName clashes on a deployed stack
  REQUIRE(r.stacks[1].images.size() == 1);
  RequireVerified(f, r);
  SECTION("verify refuses an image that kept its zip runtime") {
    MutableAt(r.stacks[1].tmpl, "Resources.TrainLambdaFunction.Properties")
        ->Set("Runtime", Value::String("python3.12"));
    CHECK(Has(VerifyFails(f, r), "Runtime"));
  }
}

TEST_CASE("a version's CodeSha256 follows its function's own package", "[unit][deployable]") {
  Fixture f(kServerlessPair);
  SplitPlan plan =
      MakePlan({{"Base", {"Role"}}, {"Train", {"TrainLambdaFunction", "TrainLambdaVersionAbc"}}});
  plan.stacks[1].requirements = {"numpy==1.26.4"};
  SECTION("unknown until the package is built: dropped") {
    EmitResult r = EmitOk(f, plan, {});
    CHECK(At(StackNamed(r, "Train").tmpl,
             "Resources.TrainLambdaVersionAbc.Properties.CodeSha256") == nullptr);
    RequireVerified(f, r);
  }
  SECTION("built: the package's SHA-256, base64") {
    EmitOptions options;
    options.artifact_sha256["Train"] = std::string(64, '0');
    EmitResult r = EmitOk(f, plan, options);
    CHECK(At(StackNamed(r, "Train").tmpl, "Resources.TrainLambdaVersionAbc.Properties.CodeSha256")
              ->text() == "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    CHECK(Has(StackNamed(r, "Train").artifact->key, "svc-Train-" + std::string(64, '0') + ".zip"));
    RequireVerified(f, r);
  }
}

// A function whose only change is its per-stack package, and its version, are shown equal
// side by side (verify/same.cpp) on the full comparison's terms; what those terms refuse still
// fails.
TEST_CASE("verify accepts a per-stack package without the whole comparison", "[unit][deployable]") {
  Fixture f(kServerlessPair);
  SplitPlan plan =
      MakePlan({{"Base", {"Role"}}, {"Train", {"TrainLambdaFunction", "TrainLambdaVersionAbc"}}});
  plan.stacks[1].requirements = {"numpy==1.26.4"};
  EmitOptions options;
  options.artifact_sha256["Train"] = std::string(64, '0');
  EmitResult r = EmitOk(f, plan, options);
  auto verify = [&] {
    DiagnosticSink vs;
    return VerifyEmitted(*f.model, r, f.rules, {}, vs);
  };
  REQUIRE(Json(At(StackNamed(r, "Train").tmpl,
                  "Resources.TrainLambdaFunction.Properties.Code.S3Key")) ==
          "{\"Ref\":\"TrainArtifactKey\"}\n");
  VerifyReport report = verify();
  CHECK(report.ok);
  CHECK(report.resources_compared_whole == 0);
  Value& train = r.stacks[1].tmpl;
  REQUIRE(r.stacks[1].name == "Train");
  SECTION("a key parameter whose default is not the original key with the stack inserted") {
    for (auto& s : r.stacks)
      if (Value* d = MutableAt(s.tmpl, "Parameters.TrainArtifactKey.Default"))
        *d = Value::String("serverless/svc/prod/1/other.zip");
    CHECK(Has(VerifyFails(f, r), "Code.S3Key"));
  }
  SECTION("a key naming a parameter of another kind") {
    *MutableAt(train, "Resources.TrainLambdaFunction.Properties.Code.S3Key") =
        Value::Intrinsic("Ref", Value::String("AWS::Region"));
    CHECK(Has(VerifyFails(f, r), "Code.S3Key"));
  }
  SECTION("another change beside the new key") {
    MutableAt(train, "Resources.TrainLambdaFunction.Properties")
        ->Set("Handler", Value::String("other.main"));
    CHECK(Has(VerifyFails(f, r), "Resources.TrainLambdaFunction.Properties.Handler"));
  }
  SECTION("a version's other properties still count") {
    MutableAt(train, "Resources.TrainLambdaVersionAbc.Properties")
        ->Set("Description", Value::String("changed"));
    CHECK(Has(VerifyFails(f, r), "Resources.TrainLambdaVersionAbc.Properties"));
  }
  SECTION("a version's hash of code that did not change") {
    *MutableAt(train, "Resources.TrainLambdaFunction.Properties.Code.S3Key") =
        Value::String("serverless/svc/prod/1/svc.zip");
    MutableAt(train, "Resources.TrainLambdaVersionAbc.Properties")
        ->Set("CodeSha256", Value::String("changed"));
    CHECK(Has(VerifyFails(f, r), "Resources.TrainLambdaVersionAbc.Properties.CodeSha256"));
  }
}

TEST_CASE("a template parameter whose default is the stack's name keeps meaning itself",
          "[unit][deployable]") {
  // Found by the corpus: `AppName` defaulting to the folder name, which is also the default stack
  // name, was read back by verify as the base stack's name parameter.
  Fixture f(R"(Parameters:
  AppName: {Type: String, Default: my-app}
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {KeySchema: [{AttributeName: id, KeyType: HASH}]}
  Queue:
    Type: AWS::SQS::Queue
    Properties: {QueueName: !Sub '${AppName}-queue'}
)");
  EmitOptions options;
  options.mode = WiringMode::kExports;
  options.stack_name = "my-app";
  EmitResult r = EmitOk(f, MakePlan({{"Base", {"Table"}}, {"Queues", {"Queue"}}}), options);
  const EmittedStack& child = StackNamed(r, "Queues");
  CHECK(Json(At(child.tmpl, "Resources.Queue.Properties.QueueName")) ==
        "{\"Fn::Sub\":\"${AppName}-queue\"}\n");
  RequireVerified(f, r);
}

}  // namespace cfnsplit::testing

namespace cfnsplit::testing {

TEST_CASE("exports mode: a DependsOn is enforced through a chain of imports",
          "[unit][deployable]") {
  // Base imports from A (the topic's name), A from B (the queue's ARN): Base deploys after B
  // although it imports nothing of B.
  Fixture f(R"(Resources:
  Queue: {Type: AWS::SQS::Queue}
  Topic:
    Type: AWS::SNS::Topic
    Properties: {DisplayName: !GetAtt Queue.Arn}
  Alarm:
    Type: AWS::CloudWatch::Alarm
    DependsOn: Queue
    Properties: {AlarmActions: [!Ref Topic], ComparisonOperator: GreaterThanThreshold,
                 EvaluationPeriods: 1, MetricName: m, Namespace: n, Period: 60,
                 Statistic: Sum, Threshold: 1}
)");
  EmitOptions exports;
  exports.mode = WiringMode::kExports;
  EmitResult r =
      EmitOk(f, MakePlan({{"Base", {"Alarm"}}, {"A", {"Topic"}}, {"B", {"Queue"}}}), exports);
  RequireVerified(f, r);
  REQUIRE(StackNamed(r, "Base").name == r.stacks[0].name);
  // The emitter adds a direct ordering import of B (and B's export for it); without them the
  // chain through A still orders Base after B.
  MutableAt(r.stacks[0].tmpl, "Resources.Alarm")->Erase("Metadata");
  for (EmittedStack& s : r.stacks)
    if (s.name == "B") MutableAt(s.tmpl, "Outputs")->Erase("BDeployed");
  RequireVerified(f, r);
  SECTION("without the import of A as well, nothing orders the alarm after the queue") {
    MutableAt(r.stacks[0].tmpl, "Resources.Alarm.Properties")->Erase("AlarmActions");
    CHECK(Has(VerifyFails(f, r), "[E5104]"));
  }
}

}  // namespace cfnsplit::testing
