// Exports-mode emission: independent stacks that Export and Fn::ImportValue, deployed in order.
#include "emit_test_util.hpp"

using namespace cfnsplit;
using namespace cfnsplit::testing;

namespace {

SplitPlan ExportsPlan() {
  return MakePlan({{"Base", {"Bucket", "Queue", "Role"}}, {"Functions", {"Fn", "Alarm", "Perm"}}});
}

EmitOptions Exports() {
  EmitOptions o;
  o.mode = WiringMode::kExports;
  return o;
}

}  // namespace

TEST_CASE("exports: producers export, consumers import through a stack-name parameter",
          "[unit][emit]") {
  Fixture f(kAppTemplate);
  EmitResult r = EmitOk(f, ExportsPlan(), Exports());
  REQUIRE(r.stacks.size() == 2);
  const Value& base = r.stacks[0].tmpl;
  const Value& fns = r.stacks[1].tmpl;
  CHECK(r.stacks[0].path == "stacks/Base.json");
  CHECK(r.stacks[0].stack_name == "app");
  CHECK(r.stacks[1].stack_name == "app-Functions");
  CHECK(r.deploy_order == std::vector<std::string>{"Base", "Functions"});
  CHECK(Json(At(base, "Outputs.RoleArn.Export.Name")) ==
        "{\"Fn::Sub\":\"${AWS::StackName}-RoleArn\"}\n");
  CHECK(Json(At(fns, "Resources.Fn.Properties.Role")) ==
        "{\"Fn::ImportValue\":{\"Fn::Sub\":\"${BaseStackName}-RoleArn\"}}\n");
  CHECK(Json(At(fns, "Parameters.BaseStackName.Default")) == "\"app\"\n");
  // Shared parameters are declared in full (types, defaults, NoEcho) in each stack.
  CHECK(Json(At(fns, "Parameters.Env")) == Json(At(f.model->root(), "Parameters.Env")));
  CHECK(Json(At(fns, "Parameters.Secret.NoEcho")) == "true\n");
  CHECK(Json(At(fns, "Resources.Fn.Properties.VpcConfig.SubnetIds")) == "{\"Ref\":\"Subnets\"}\n");
  // AWS::StackName keeps meaning the base stack's name.
  CHECK(Json(At(fns, "Resources.Fn.Properties.Environment.Variables.ARN")) ==
        "{\"Fn::Sub\":[\"${BucketArn}/x/${!Literal}/${BaseStackName}\",{\"BucketArn\":"
        "{\"Fn::ImportValue\":{\"Fn::Sub\":\"${BaseStackName}-BucketArn\"}}}]}\n");
  // The original output lives where its value is; its export name evaluates as before.
  CHECK(Json(At(fns, "Outputs.FnArn.Export.Name")) == "{\"Fn::Sub\":\"${BaseStackName}-FnArn\"}\n");
  CHECK(At(base, "Outputs.BucketName"));
  // Cross-stack DependsOn becomes deploy order.
  CHECK(!At(fns, "Resources.Fn.DependsOn"));
  bool lock = false;
  for (const auto& n : r.notes) lock = lock || n.find("export lock") != std::string::npos;
  CHECK(lock);
  std::string readme = DeploySummary(*f.model, ExportsPlan(), r, Exports());
  CHECK(readme.find("--stack-name app-Functions") != std::string::npos);
  CHECK(readme.find("two deploys") != std::string::npos);
  RequireVerified(f, r);
}

TEST_CASE("exports: one root-name parameter reaches every producer's exports", "[unit][emit]") {
  // Post reads from Base and from both function stacks; it declares a single parameter (the root
  // stack's name), so a stack reading from hundreds of others stays within the parameter quota.
  Fixture f(R"(Resources:
  Role: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {}}}
  A: {Type: AWS::SNS::Topic}
  B: {Type: AWS::SNS::Topic}
  Post:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: !Join [",", [!Ref A, !Ref B, !GetAtt Role.Arn]]
)");
  auto plan = MakePlan({{"Base", {"Role"}}, {"FnsA", {"A"}}, {"FnsB", {"B"}}, {"Post", {"Post"}}});
  EmitResult r = EmitOk(f, plan, Exports());
  REQUIRE(r.stacks.size() == 4);
  const Value& post = r.stacks[3].tmpl;
  REQUIRE(At(post, "Parameters"));
  CHECK(At(post, "Parameters")->size() == 1);
  CHECK(Json(At(post, "Parameters.BaseStackName.Default")) == "\"app\"\n");
  CHECK(Json(At(post, "Resources.Post.Properties.Value")) ==
        "{\"Fn::Join\":[\",\",[{\"Fn::ImportValue\":{\"Fn::Sub\":\"${BaseStackName}-FnsA-ARef\"}},"
        "{\"Fn::ImportValue\":{\"Fn::Sub\":\"${BaseStackName}-FnsB-BRef\"}},"
        "{\"Fn::ImportValue\":{\"Fn::Sub\":\"${BaseStackName}-RoleArn\"}}]]}\n");
  CHECK(Json(At(r.stacks[1].tmpl, "Outputs.ARef.Export.Name")) ==
        "{\"Fn::Sub\":\"${AWS::StackName}-ARef\"}\n");
  RequireVerified(f, r);
  SECTION("an output written with one parameter per producer (before 2026-12) still verifies") {
    Value old = Value::Map();
    old.AppendEntry("Type", Value::String("String"));
    old.AppendEntry("Description", Value::String("cfnsplit: name of the deployed stack FnsA"));
    old.AppendEntry("Default", Value::String(r.stacks[1].stack_name));
    MutableAt(r.stacks[3].tmpl, "Parameters")->AppendEntry("FnsAStackName", std::move(old));
    *MutableAt(r.stacks[3].tmpl, "Resources.Post.Properties.Value.Fn::Join.1.0") =
        Value::Intrinsic("Fn::ImportValue",
                         Value::Intrinsic("Fn::Sub", Value::String("${FnsAStackName}-ARef")));
    RequireVerified(f, r);
  }
  SECTION("verify resolves the name as CloudFormation would: a wrong stack part is caught") {
    Value* first = MutableAt(r.stacks[3].tmpl, "Resources.Post.Properties.Value.Fn::Join.1.0");
    REQUIRE(first);
    *first = Value::Intrinsic(
        "Fn::ImportValue",
        Value::Intrinsic("Fn::Sub", Value::String("${BaseStackName}-FnsB-ARef")));
    CHECK(Has(VerifyFails(f, r), "app-FnsB-ARef, which no stack of the split exports"));
  }
}

TEST_CASE("exports: AWS::StackId in another stack is the base's, exported", "[unit][emit]") {
  Fixture f(R"(Resources:
  T: {Type: AWS::SNS::Topic}
  P:
    Type: AWS::SSM::Parameter
    Properties: {Value: !Ref AWS::StackId, Name: !Sub "/${AWS::StackName}/x"}
)");
  EmitResult r = EmitOk(f, MakePlan({{"Base", {"T"}}, {"Other", {"P"}}}), Exports());
  CHECK(Json(At(r.stacks[0].tmpl, "Outputs.BaseStackId.Value")) == "{\"Ref\":\"AWS::StackId\"}\n");
  CHECK(Json(At(r.stacks[1].tmpl, "Resources.P.Properties.Name")) ==
        "{\"Fn::Sub\":\"/${BaseStackName}/x\"}\n");
  RequireVerified(f, r);
}

TEST_CASE("exports: a plan whose stacks import from each other is refused", "[unit][emit]") {
  Fixture f(kAppTemplate);
  auto plan =
      MakePlan({{"Base", {"Bucket", "Queue", "Role", "Perm"}}, {"Functions", {"Fn", "Alarm"}}});
  CHECK(!EmitStacks(*f.model, plan, f.rules, Exports(), f.sink));
  CHECK(f.HasCode("E5003"));
}

TEST_CASE("exports: emission is deterministic and YAML round-trips", "[unit][emit]") {
  Fixture f(kAppTemplate);
  EmitOptions o = Exports();
  o.format = TemplateFormat::kYaml;
  auto a = RenderFiles(EmitOk(f, ExportsPlan(), o), o);
  auto b = RenderFiles(EmitOk(f, ExportsPlan(), o), o);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].contents == b[i].contents);
  RequireVerified(f, EmitOk(f, ExportsPlan(), o));
}
