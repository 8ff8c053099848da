// Nested-mode emission: the parent keeps the base, each child becomes an
// AWS::CloudFormation::Stack, and verify proves the result equivalent.
#include "emit_test_util.hpp"

using namespace cfnsplit;
using namespace cfnsplit::testing;

namespace {

SplitPlan AppPlan() {
  return MakePlan({{"Base", {"Bucket", "Queue", "Role", "Perm"}}, {"Functions", {"Fn", "Alarm"}}});
}

}  // namespace

TEST_CASE("nested: parent gets a stack resource and children get parameters", "[unit][emit]") {
  Fixture f(kAppTemplate);
  EmitResult r = EmitOk(f, AppPlan(), {});
  REQUIRE(r.stacks.size() == 2);
  const Value& parent = r.stacks[0].tmpl;
  const Value& child = r.stacks[1].tmpl;
  CHECK(r.stacks[0].path == "template.json");
  CHECK(r.stacks[1].path == "stacks/Functions.json");
  CHECK(Json(At(parent, "Resources.Functions.Type")) == "\"AWS::CloudFormation::Stack\"\n");
  CHECK(Json(At(parent, "Resources.Functions.Properties.TemplateURL")) ==
        "\"stacks/Functions.json\"\n");
  // Ref/GetAtt to the parent become parameters; the parent passes the original expression.
  CHECK(Json(At(child, "Resources.Fn.Properties.Role")) == "{\"Ref\":\"RoleArn\"}\n");
  CHECK(Json(At(parent, "Resources.Functions.Properties.Parameters.RoleArn")) ==
        "{\"Fn::GetAtt\":[\"Role\",\"Arn\"]}\n");
  CHECK(Json(At(child, "Resources.Fn.Properties.Environment.Variables.BUCKET")) ==
        "{\"Ref\":\"BucketRef\"}\n");
  // Sub: ${Bucket.Arn} → ${BucketArn}; ${!Literal} untouched; StackName from the parent.
  CHECK(Json(At(child, "Resources.Fn.Properties.Environment.Variables.ARN")) ==
        "{\"Fn::Sub\":\"${BucketArn}/x/${!Literal}/${ParentStackName}\"}\n");
  CHECK(Json(At(parent, "Resources.Functions.Properties.Parameters.ParentStackName")) ==
        "{\"Ref\":\"AWS::StackName\"}\n");
  // A bare string equal to a logical ID is not a reference.
  CHECK(Json(At(child, "Resources.Fn.Properties.Environment.Variables.NAME")) == "\"Bucket\"\n");
  // List parameter: String in the child, joined by the parent, split where used.
  CHECK(Json(At(child, "Parameters.Subnets.Type")) == "\"String\"\n");
  CHECK(Json(At(parent, "Resources.Functions.Properties.Parameters.Subnets")) ==
        "{\"Fn::Join\":[\",\",{\"Ref\":\"Subnets\"}]}\n");
  CHECK(Json(At(child, "Resources.Fn.Properties.VpcConfig.SubnetIds")) ==
        "{\"Fn::Split\":[\",\",{\"Ref\":\"Subnets\"}]}\n");
  // NoEcho stays NoEcho; conditions and mappings used are carried, unused ones are not.
  CHECK(Json(At(child, "Parameters.Secret.NoEcho")) == "true\n");
  CHECK(At(child, "Conditions.NotProd"));
  CHECK(At(child, "Conditions.IsProd"));
  CHECK(At(child, "Mappings.Sizes"));
  CHECK(!At(child, "Mappings.Unused"));
  // Fn's DependsOn targets are in the parent and already ordered by data edges.
  CHECK(!At(child, "Resources.Fn.DependsOn"));
  CHECK(Json(At(parent, "Resources.Functions.DependsOn")) == "[\"Queue\"]\n");
  // The parent reads child values through GetAtt Child.Outputs; outputs keep their exports.
  CHECK(Json(At(parent, "Resources.Perm.Properties.FunctionName")) ==
        "{\"Fn::GetAtt\":[\"Functions\",\"Outputs.FnArn2\"]}\n");
  CHECK(Json(At(parent, "Outputs.FnArn.Export.Name")) ==
        "{\"Fn::Sub\":\"${AWS::StackName}-FnArn\"}\n");
  CHECK(Json(At(parent, "Outputs.FnArn.Value")) ==
        "{\"Fn::GetAtt\":[\"Functions\",\"Outputs.FnArn2\"]}\n");
  // Sub in the parent binds a variable to the child output.
  CHECK(Json(At(parent, "Resources.Perm.Properties.Sub")) ==
        "{\"Fn::Sub\":[\"${Fn}-${AWS::Region}\",{\"Fn\":{\"Fn::GetAtt\":[\"Functions\",\"Outputs."
        "FnRef\"]}}]}\n");
  RequireVerified(f, r);
}

TEST_CASE("nested: emission never changes the model and is deterministic", "[unit][emit]") {
  Fixture f(kAppTemplate);
  std::string before = WriteJson(f.model->root());
  EmitOptions o;
  EmitResult a = EmitOk(f, AppPlan(), o);
  EmitResult b = EmitOk(f, AppPlan(), o);
  CHECK(WriteJson(f.model->root()) == before);
  auto fa = RenderFiles(a, o), fb = RenderFiles(b, o);
  REQUIRE(fa.size() == fb.size());
  for (std::size_t i = 0; i < fa.size(); ++i) {
    CHECK(fa[i].path == fb[i].path);
    CHECK(fa[i].contents == fb[i].contents);
  }
}

TEST_CASE("nested: conditional values and list attributes pass between siblings", "[unit][emit]") {
  Fixture f(R"(Parameters:
  Env: {Type: String}
Conditions:
  HasZone: !Equals [!Ref Env, prod]
Resources:
  Zone:
    Type: AWS::Route53::HostedZone
    Condition: HasZone
    Properties: {Name: example.com}
  Topic:
    Type: AWS::SNS::Topic
  Consumer:
    Type: AWS::SSM::Parameter
    Condition: HasZone
    DependsOn: Topic
    Properties:
      Value: !Join [",", !GetAtt Zone.NameServers]
      Id: !Ref Zone
)");
  auto plan =
      MakePlan({{"Base", {}}, {"Dns", {"Zone"}}, {"Ssm", {"Consumer"}}, {"Topics", {"Topic"}}});
  EmitResult r = EmitOk(f, plan, {});
  const Value& parent = r.stacks[0].tmpl;
  // Zone.NameServers is a list: joined with || in the producer, split in the consumer.
  CHECK(Json(At(StackNamed(r, "Dns").tmpl, "Outputs.ZoneNameServers.Value")) ==
        "{\"Fn::Join\":[\"||\",{\"Fn::GetAtt\":[\"Zone\",\"NameServers\"]}]}\n");
  CHECK(Json(At(StackNamed(r, "Dns").tmpl, "Outputs.ZoneNameServers.Condition")) ==
        "\"HasZone\"\n");
  CHECK(Json(At(StackNamed(r, "Ssm").tmpl, "Resources.Consumer.Properties.Value")) ==
        "{\"Fn::Join\":[\",\",{\"Fn::Split\":[\"||\",{\"Ref\":\"ZoneNameServers\"}]}]}\n");
  // The parent passes a conditional resource's value only when its condition holds.
  CHECK(Json(At(parent, "Resources.Ssm.Properties.Parameters.ZoneRef")) ==
        "{\"Fn::If\":[\"HasZone\",{\"Fn::GetAtt\":[\"Dns\",\"Outputs.ZoneRef\"]},\"\"]}\n");
  // Sibling DependsOn without a data edge orders the stack resources.
  CHECK(Json(At(parent, "Resources.Ssm.DependsOn")) == "[\"Topics\"]\n");
  RequireVerified(f, r);
}

TEST_CASE("nested: a parent resource depending on a child member depends on the child",
          "[unit][emit]") {
  Fixture f(R"(Resources:
  Table: {Type: AWS::DynamoDB::Table}
  Fn: {Type: AWS::Lambda::Function}
  Waiter:
    Type: AWS::CloudFormation::WaitConditionHandle
    DependsOn: [Fn, Table]
)");
  EmitResult r = EmitOk(f, MakePlan({{"Base", {"Table", "Waiter"}}, {"F", {"Fn"}}}), {});
  CHECK(Json(At(r.stacks[0].tmpl, "Resources.Waiter.DependsOn")) == "[\"F\",\"Table\"]\n");
  RequireVerified(f, r);
}

TEST_CASE("nested: root outputs over the quota move into the child, exports first",
          "[unit][emit]") {
  std::string text =
      "Resources:\n  Fn: {Type: AWS::Lambda::Function}\n  B: {Type: AWS::S3::Bucket}\nOutputs:\n";
  for (int i = 0; i < 6; ++i) text += "  Plain" + std::to_string(i) + ": {Value: !GetAtt Fn.Arn}\n";
  for (int i = 0; i < 4; ++i)
    text += "  Exp" + std::to_string(i) +
            ": {Value: !Ref Fn, Export: {Name: !Sub '${AWS::StackName}-E" + std::to_string(i) +
            "'}}\n";
  text += "  Mixed: {Value: !Sub '${Fn}-${B}', Export: {Name: mixed}}\n";
  Fixture f(text);
  EmitOptions o;
  o.max_root_outputs = 5;
  EmitResult r = EmitOk(f, MakePlan({{"Base", {"B"}}, {"F", {"Fn"}}}), o);
  const Value& parent = r.stacks[0].tmpl;
  const Value& child = r.stacks[1].tmpl;
  CHECK(At(parent, "Outputs")->size() == 5);
  REQUIRE(r.moved_outputs.size() == 6);
  CHECK(r.moved_outputs[0] == "Exp0 → F");  // exported outputs move first
  CHECK(At(child, "Outputs.Exp3"));
  CHECK(At(child, "Outputs.Plain1"));
  CHECK(At(parent, "Outputs.Mixed"));  // reads two stacks: stays
  // The export name keeps the parent's stack name through a parameter.
  CHECK(Json(At(child, "Outputs.Exp0.Export.Name")) == "{\"Fn::Sub\":\"${ParentStackName}-E0\"}\n");
  RequireVerified(f, r);
  std::string readme = DeploySummary(*f.model, MakePlan({{"Base", {"B"}}, {"F", {"Fn"}}}), r, o);
  CHECK(readme.find("Exp0 → F") != std::string::npos);
}

TEST_CASE("nested: per-stack package rewrites Code.S3Key and writes requirements", "[unit][emit]") {
  Fixture f(kAppTemplate);
  SplitPlan plan = AppPlan();
  plan.stacks[1].requirements = {"numpy==1.26.4", "pandas==2.2.0"};
  EmitResult r = EmitOk(f, plan, {});
  const Value& child = r.stacks[1].tmpl;
  CHECK(Json(At(child, "Resources.Fn.Properties.Code.S3Key")) ==
        "{\"Ref\":\"FunctionsArtifactKey\"}\n");
  CHECK(Json(At(r.stacks[0].tmpl, "Parameters.FunctionsArtifactKey.Default")) ==
        "\"app/code-Functions.zip\"\n");
  auto files = RenderFiles(r, {});
  bool found = false;
  for (const auto& file : files)
    if (file.path == "packages/Functions/requirements.txt") {
      found = true;
      CHECK(file.contents == "numpy==1.26.4\npandas==2.2.0\n");
    }
  CHECK(found);
  RequireVerified(f, r);
}

TEST_CASE("nested: YAML output reloads to the emitted templates", "[unit][emit]") {
  Fixture f(kAppTemplate);
  EmitOptions o;
  o.format = TemplateFormat::kYaml;
  EmitResult r = EmitOk(f, AppPlan(), o);
  CHECK(Json(At(r.stacks[0].tmpl, "Resources.Functions.Properties.TemplateURL")) ==
        "\"stacks/Functions.yaml\"\n");
  for (const auto& file : RenderFiles(r, o)) {
    if (file.path.find(".yaml") == std::string::npos) continue;
    SourceManager sources;
    DiagnosticSink sink;
    auto v = ParseYaml(sources.Add(file.path, file.contents), sources, sink);
    REQUIRE(v);
    bool matched = false;
    for (const auto& s : r.stacks)
      if (s.path == file.path) matched = v->Equals(s.tmpl);
    CHECK(matched);
  }
  RequireVerified(f, r);
}

TEST_CASE("nested: plan problems are reported", "[unit][emit]") {
  Fixture f(kAppTemplate);
  SECTION("a resource in no stack") {
    CHECK(!EmitStacks(*f.model, MakePlan({{"Base", {"Bucket"}}}), f.rules, {}, f.sink));
    CHECK(f.HasCode("E5001"));
  }
  SECTION("an unknown resource") {
    auto plan = AppPlan();
    plan.stacks[1].resources.push_back("Nope");
    CHECK(!EmitStacks(*f.model, plan, f.rules, {}, f.sink));
    CHECK(f.HasCode("E5001"));
  }
  SECTION("a cycle through the parent") {
    Fixture g(R"(Resources:
  A: {Type: AWS::SNS::Topic, Properties: {X: !Ref B}}
  B: {Type: AWS::SNS::Topic, Properties: {X: !Ref C}}
  C: {Type: AWS::SNS::Topic}
)");
    CHECK(!EmitStacks(*g.model, MakePlan({{"Base", {"B"}}, {"Child", {"A", "C"}}}), g.rules, {}, g.sink));
    CHECK(g.HasCode("E5003"));
  }
}

TEST_CASE("nested: shared_artifact keeps every Code.S3Key (one artifact for the service)",
          "[unit][emit]") {
  Fixture f(kAppTemplate);
  SplitPlan plan = AppPlan();
  plan.stacks[1].requirements = {"numpy==1.26.4"};
  plan.stacks[1].images = {"Fn"};
  EmitOptions o;
  o.shared_artifact = true;
  EmitResult r = EmitOk(f, plan, o);
  CHECK(Json(At(r.stacks[1].tmpl, "Resources.Fn.Properties.Code.S3Key")) == "\"app/code.zip\"\n");
  CHECK(!At(r.stacks[1].tmpl, "Resources.Fn.Properties.PackageType"));  // the image stays a zip
  CHECK(r.stacks[1].images.empty());
  CHECK(!At(r.stacks[0].tmpl, "Parameters.FunctionsArtifactKey"));
  CHECK(!r.stacks[1].artifact);
  // What the stack needs is still written for the user.
  bool requirements = false;
  for (const auto& file : RenderFiles(r, o))
    requirements |= file.path == "packages/Functions/requirements.txt";
  CHECK(requirements);
  RequireVerified(f, r);
}
