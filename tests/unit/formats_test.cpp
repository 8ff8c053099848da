// The formatter registry: which commands accept which format, and the --format help it makes.
#include "cfnsplit/formats.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <sstream>

#include "support/text_run.hpp"

using namespace cfnsplit;

TEST_CASE("formats: each command's choices come from the one list", "[unit][formats]") {
  CHECK(FormatChoices(kAnalyzeReport) == "text, json, markdown or sarif");
  CHECK(FormatChoices(kPlanReport) == "text, json, markdown or html");
  CHECK(FormatChoices(kReviewReport) == "text, json, markdown, sarif or html");
  std::set<std::string_view> names;
  for (const Formatter& f : Formatters()) {
    INFO(f.name);
    CHECK(names.insert(f.name).second);  // one row per format
    CHECK(f.commands != 0);
    CHECK(f.render != nullptr);
  }
}

TEST_CASE("formats: a format a command does not accept renders nothing", "[unit][formats]") {
  std::ostringstream out;
  CHECK_FALSE(RenderReport("html", kAnalyzeReport, ReportSubject{}, out));
  CHECK_FALSE(RenderReport("pdf", kReviewReport, ReportSubject{}, out));
  CHECK(out.str().empty());
}

TEST_CASE("formats: SARIF renders a run whose template did not load", "[unit][formats]") {
  SourceManager sources;
  DiagnosticSink sink;
  sink.Error("E0001", {}, "cannot read 'missing.yaml'");
  ReportSubject subject;
  subject.sink = &sink;
  subject.sources = &sources;
  std::ostringstream out;
  REQUIRE(RenderReport("sarif", kAnalyzeReport, subject, out));
  auto sarif = nlohmann::json::parse(out.str());
  CHECK(sarif["version"] == "2.1.0");
  CHECK(out.str().find("E0001") != std::string::npos);
}

TEST_CASE("formats: 'nothing to split' is a valid document of every plan format",
          "[unit][formats]") {
  cfnsplit::testing::TextRun run;
  auto loaded = run.Run("Resources:\n  B: {Type: AWS::S3::Bucket}\n", Stage::kModel, "t<1>.yaml");
  REQUIRE(loaded.ok);
  const std::string why = "t<1>.yaml is within every stack quota (resources 1 of 500)";
  ReportSubject subject;
  subject.model = loaded.model.get();
  subject.nothing_to_split = &why;
  for (const std::string& name : FormatNames(kPlanReport)) {
    INFO(name);
    std::ostringstream out;
    REQUIRE(RenderReport(name, kPlanReport, subject, out));
    if (name != "json") CHECK(out.str().find("Nothing was written") != std::string::npos);
    if (name == "json") {
      auto doc = nlohmann::json::parse(out.str());
      CHECK(doc["nothing_to_split"] == true);
      CHECK(doc["template"] == "t<1>.yaml");
    } else if (name == "html") {
      CHECK(out.str().rfind("<!DOCTYPE html>", 0) == 0);
      CHECK(out.str().find("t&lt;1&gt;.yaml") != std::string::npos);  // escaped
    } else if (name == "markdown") {
      CHECK(out.str().rfind("# Nothing to split", 0) == 0);
    }
  }
}
