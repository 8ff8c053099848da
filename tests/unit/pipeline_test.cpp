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
