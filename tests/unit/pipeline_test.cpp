// RunPipeline: each stage runs only after the one before it, and stops where asked.
#include "cfnsplit/pipeline.hpp"

#include <catch2/catch.hpp>

#include "support/text_run.hpp"

using namespace cfnsplit;

namespace {

using PipelineFixture = cfnsplit::testing::TextRun;

const char* kTemplate =
    "Resources:\n"
    "  Bucket: {Type: AWS::S3::Bucket}\n"
    "  Topic:\n"
    "    Type: AWS::SNS::Topic\n"
    "    Properties: {TopicName: !Ref Bucket}\n";

}  // namespace

TEST_CASE("pipeline: runs to the stage asked for, each value made once", "[unit][pipeline]") {
  PipelineFixture f;
  SECTION("source only: registered, not parsed") {
    auto r = f.Run(kTemplate, Stage::kSource);
    CHECK(r.ok);
    CHECK(r.source.file != 0);
    CHECK(r.source.bytes == std::string(kTemplate).size());
    CHECK(r.source.format == TemplateFormat::kYaml);
    CHECK_FALSE(r.value);
    CHECK_FALSE(r.model);
  }
  SECTION("value: the parsed document") {
    auto r = f.Run(kTemplate, Stage::kValue);
    REQUIRE(r.ok);
    REQUIRE(r.value);
    CHECK(r.value->Find("Resources") != nullptr);
    CHECK_FALSE(r.model);
  }
  SECTION("analysis: the model and its analysis, findings in the analysis sink") {
    auto r = f.Run(kTemplate, Stage::kAnalysis);
    REQUIRE(r.ok);
    REQUIRE(r.model);
    REQUIRE(r.analysis);
    CHECK(r.analysis->model == r.model.get());
    CHECK(r.model->resources.size() == 2);
    CHECK(r.analysis->template_bytes == r.source.bytes);
    CHECK(f.sink.diagnostics().empty());
  }
}

TEST_CASE("pipeline: a stage that fails stops the run with its error", "[unit][pipeline]") {
  PipelineFixture f;
  SECTION("syntax error: no value") {
    auto r = f.Run("Resources: [unclosed\n", Stage::kAnalysis);
    CHECK_FALSE(r.ok);
    CHECK_FALSE(r.model);
    CHECK(f.sink.has_errors());
  }
  SECTION("an input error in the model: no analysis") {
    auto r = f.Run("Resources:\n  T: 5\n  B: {Type: AWS::S3::Bucket}\n", Stage::kAnalysis);
    CHECK_FALSE(r.ok);
    CHECK_FALSE(r.analysis);
    REQUIRE(f.sink.has_errors());
    CHECK(f.sink.diagnostics()[0].code == "E1002");
  }
  SECTION("a missing file: E0001") {
    PipelineInputs inputs;
    inputs.template_path = "/nonexistent/template.yaml";
    PipelineRun run{f.sources, f.sink, &cfnsplit::testing::BuiltinRules(), nullptr};
    auto r = RunPipeline(inputs, Stage::kModel, run);
    CHECK_FALSE(r.ok);
    REQUIRE(f.sink.has_errors());
    CHECK(f.sink.diagnostics()[0].code == "E0001");
  }
}

namespace {

// Three independent resources, split by lifecycle: a plan with more than one stack.
const char* kSplittable =
    "Resources:\n"
    "  Table:\n"
    "    Type: AWS::DynamoDB::Table\n"
    "    DeletionPolicy: Retain\n"
    "    Properties:\n"
    "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"
    "      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
    "      BillingMode: PAY_PER_REQUEST\n"
    "  Role:\n"
    "    Type: AWS::IAM::Role\n"
    "    Properties: {AssumeRolePolicyDocument: {}}\n"
    "  Fn:\n"
    "    Type: AWS::Lambda::Function\n"
    "    Properties:\n"
    "      Role: !GetAtt Role.Arn\n"
    "      Runtime: python3.12\n"
    "      Handler: app.handler\n"
    "      Code: {S3Bucket: b, S3Key: k.zip}\n"
    "      Environment: {Variables: {TABLE: !Ref Table}}\n";

PipelineInputs SplitInputs() {
  PipelineInputs inputs;
  inputs.plan.strategy = "lifecycle";
  inputs.plan.allow_mixed_owners = true;
  return inputs;
}

// Records which later stages ran; the plan it makes has no check, so the library must make it.
struct CountingStages : LaterStages {
  std::vector<std::string> ran;
  bool Size(const PipelineInputs& in, PipelineRun& run, PipelineResult& r) override {
    ran.push_back("size");
    return LaterStages::Size(in, run, r);
  }
  bool Plan(const PipelineInputs& in, PipelineRun& run, PipelineResult& r) override {
    ran.push_back("plan");
    bool ok = LaterStages::Plan(in, run, r);
    r.check.reset();  // as a plan read from a file: not checked yet
    return ok;
  }
  bool Emit(const PipelineInputs& in, PipelineRun& run, PipelineResult& r) override {
    ran.push_back("emit");
    return LaterStages::Emit(in, run, r);
  }
  bool Verify(const PipelineInputs& in, PipelineRun& run, PipelineResult& r) override {
    ran.push_back("verify");
    return LaterStages::Verify(in, run, r);
  }
};

}  // namespace

TEST_CASE("pipeline: the later stages run in order up to verify", "[unit][pipeline]") {
  PipelineFixture f;
  auto r = f.Run(kSplittable, Stage::kVerify, SplitInputs(), nullptr);
  INFO((f.sink.diagnostics().empty() ? std::string() : f.sink.diagnostics()[0].message));
  REQUIRE(r.ok);
  REQUIRE(r.plan);
  CHECK(r.plan->stacks.size() > 1);
  REQUIRE(r.check);
  CHECK(r.check->ok());
  REQUIRE(r.emitted);
  CHECK(r.emitted->stacks.size() == r.plan->stacks.size());
  CHECK_FALSE(r.files.empty());
  REQUIRE(r.verify);
  CHECK(r.verify->ok);
  CHECK(r.verify->resources_checked == 3);
  CHECK_FALSE(r.written);
}

TEST_CASE("pipeline: a caller's later stages, the check made once by the library",
          "[unit][pipeline]") {
  PipelineFixture f;
  CountingStages stages;
  SECTION("stop after check: planned and checked, nothing emitted") {
    auto r = f.Run(kSplittable, Stage::kCheck, SplitInputs(), &stages);
    REQUIRE(r.ok);
    CHECK(stages.ran == std::vector<std::string>{"size", "plan"});
    REQUIRE(r.check);  // made by RunPipeline, since the plan came without one
    CHECK(r.check->ok());
    CHECK_FALSE(r.emitted);
  }
  SECTION("stop after emit: no verify") {
    auto r = f.Run(kSplittable, Stage::kEmit, SplitInputs(), &stages);
    REQUIRE(r.ok);
    CHECK(stages.ran == std::vector<std::string>{"size", "plan", "emit"});
    CHECK(r.emitted);
    CHECK_FALSE(r.verify);
  }
  SECTION("a plan that breaks a hard constraint is not emitted (E4017)") {
    struct BadPlan : CountingStages {
      bool Plan(const PipelineInputs& in, PipelineRun& run, PipelineResult& r) override {
        CountingStages::Plan(in, run, r);
        r.plan->stacks.back().resources.push_back("Nowhere");  // names no resource
        return true;
      }
    } bad;
    auto r = f.Run(kSplittable, Stage::kVerify, SplitInputs(), &bad);
    CHECK_FALSE(r.ok);
    REQUIRE(r.check);
    CHECK_FALSE(r.check->ok());
    CHECK_FALSE(r.emitted);
    CHECK(cfnsplit::testing::HasCode(f.sink, "E4017"));
  }
}
