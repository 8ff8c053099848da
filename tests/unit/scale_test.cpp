// A Serverless-shaped service of 2,000 functions (about 12,000 resources and 2,001 outputs, as
// `sls package` emits): it must split, in both wiring modes, into stacks that are all within
// every quota, with the root's outputs under 200, and verify.
#include <catch2/catch.hpp>

#include "cfnsplit/emit.hpp"
#include "cfnsplit/partition.hpp"
#include "cfnsplit/verify.hpp"
#include "support/text_run.hpp"

using namespace cfnsplit;

namespace {

std::string ServerlessLike(int functions) {
  std::string r = R"("ServerlessDeploymentBucket": {"Type": "AWS::S3::Bucket"},
"IamRoleLambdaExecution": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
"ApiGatewayRestApi": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "svc"}})";
  std::string outputs =
      R"("ServiceEndpoint": {"Value": {"Fn::Join": ["", ["https://", {"Ref": "ApiGatewayRestApi"}]]}})";
  std::string methods;
  for (int i = 0; i < functions; ++i) {
    std::string f = "Fn" + std::to_string(i);
    std::string owner = i % 2 ? "web" : "data";
    r += ",\n\"" + f +
         "LogGroup\": {\"Type\": \"AWS::Logs::LogGroup\", \"Properties\": {\"LogGroupName\": "
         "\"/aws/lambda/svc-" +
         f + "\"}}";
    r += ",\n\"" + f +
         "LambdaFunction\": {\"Type\": \"AWS::Lambda::Function\", \"DependsOn\": [\"" + f +
         "LogGroup\"], \"Properties\": {\"Code\": {\"S3Bucket\": {\"Ref\": "
         "\"ServerlessDeploymentBucket\"}, "
         "\"S3Key\": \"serverless/svc/dev/1/svc.zip\"}, \"Handler\": \"h.main\", \"Runtime\": "
         "\"python3.11\", "
         "\"Role\": {\"Fn::GetAtt\": [\"IamRoleLambdaExecution\", \"Arn\"]}, \"Tags\": [{\"Key\": "
         "\"owner\", "
         "\"Value\": \"" +
         owner + "\"}]}}";
    r += ",\n\"" + f +
         "LambdaVersionX\": {\"Type\": \"AWS::Lambda::Version\", \"DeletionPolicy\": \"Retain\", "
         "\"Properties\": {\"FunctionName\": {\"Ref\": \"" +
         f + "LambdaFunction\"}}}";
    r += ",\n\"ApiGatewayResource" + f +
         "\": {\"Type\": \"AWS::ApiGateway::Resource\", \"Properties\": "
         "{\"ParentId\": {\"Fn::GetAtt\": [\"ApiGatewayRestApi\", \"RootResourceId\"]}, "
         "\"PathPart\": \"" +
         f + "\", \"RestApiId\": {\"Ref\": \"ApiGatewayRestApi\"}}}";
    r += ",\n\"ApiGatewayMethod" + f +
         "Get\": {\"Type\": \"AWS::ApiGateway::Method\", \"DependsOn\": [\"" + f +
         "LambdaPermissionApiGateway\"], \"Properties\": {\"HttpMethod\": \"GET\", \"ResourceId\": "
         "{\"Ref\": "
         "\"ApiGatewayResource" +
         f +
         "\"}, \"RestApiId\": {\"Ref\": \"ApiGatewayRestApi\"}, \"Integration\": "
         "{\"Uri\": {\"Fn::Join\": [\"\", [\"arn:aws:apigateway:\", {\"Ref\": \"AWS::Region\"}, "
         "\":lambda:path/\", "
         "{\"Fn::GetAtt\": [\"" +
         f + "LambdaFunction\", \"Arn\"]}, \"/invocations\"]]}}}}";
    r += ",\n\"" + f +
         "LambdaPermissionApiGateway\": {\"Type\": \"AWS::Lambda::Permission\", \"Properties\": "
         "{\"FunctionName\": {\"Fn::GetAtt\": [\"" +
         f +
         "LambdaFunction\", \"Arn\"]}, \"Action\": "
         "\"lambda:InvokeFunction\", \"Principal\": \"apigateway.amazonaws.com\", \"SourceArn\": "
         "{\"Fn::Sub\": "
         "\"arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ApiGatewayRestApi}"
         "/*/*\"}}}";
    outputs += ",\n\"" + f + "LambdaFunctionQualifiedArn\": {\"Value\": {\"Ref\": \"" + f +
               "LambdaVersionX\"}, \"Export\": {\"Name\": {\"Fn::Sub\": \"${AWS::StackName}-" + f +
               "QualifiedArn\"}}}";
    methods += std::string(methods.empty() ? "" : ", ") + "\"ApiGatewayMethod" + f + "Get\"";
  }
  r += ",\n\"ApiGatewayDeployment\": {\"Type\": \"AWS::ApiGateway::Deployment\", \"DependsOn\": [" +
       methods +
       "], \"Properties\": {\"RestApiId\": {\"Ref\": \"ApiGatewayRestApi\"}, \"StageName\": "
       "\"dev\"}}";
  return "{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {" + r +
         "}, \"Outputs\": {" + outputs + "}}";
}

}  // namespace

TEST_CASE("a 2,000-function Serverless service splits within every quota", "[unit][scale]") {
  auto l = cfnsplit::testing::Model(ServerlessLike(2000), "svc.json");
  REQUIRE(l->model);
  REQUIRE(l->model->resources.size() == 12004);
  REQUIRE(l->model->outputs.size() == 2001);
  const RuleSet& rules = cfnsplit::testing::BuiltinRules();
  DiagnosticSink analysis_sink;
  Analysis a = Analyze(*l->model, rules, 0, analysis_sink);
  {
    // One nested tree would create 12,004 resources in its first operation: past CloudFormation's
    // 2,500 per nested-stack operation, so nested mode refuses and names exports mode.
    PlanOptions options;
    options.mode = WiringMode::kNested;
    DiagnosticSink sink;
    CHECK_FALSE(PartitionTemplate(a, {}, rules, options, sink));
    bool refused = false;
    for (const auto& d : sink.diagnostics())
      refused |= d.code == "E4018" && d.message.find("2500") != std::string::npos;
    CHECK(refused);
  }
  for (WiringMode mode : {WiringMode::kExports}) {
    INFO(WiringModeName(mode));
    PlanOptions options;
    options.mode = mode;
    DiagnosticSink sink;
    auto plan = PartitionTemplate(a, {}, rules, options, sink);
    REQUIRE(plan);
    CHECK(plan->stacks.size() >= 27);  // 12,000 movable resources at 450 a stack
    EmitOptions emit_options;
    emit_options.mode = mode;
    auto emitted = EmitStacks(*l->model, *plan, rules, emit_options, sink);
    REQUIRE(emitted);
    VerifyReport report = VerifyEmitted(*l->model, *emitted, rules, VerifyOptions{}, sink);
    for (const auto& d : report.differences) FAIL_CHECK(d);
    CHECK(report.ok);
    CHECK(report.resources_checked == 12004);
    for (const auto& stack : emitted->stacks) {
      const Value* outputs = stack.tmpl.Find("Outputs");
      const Value* resources = stack.tmpl.Find("Resources");
      CHECK((outputs ? outputs->size() : 0) <= 200);
      CHECK(resources->size() <= 500);
    }
  }
}
