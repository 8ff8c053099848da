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
