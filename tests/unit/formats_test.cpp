// The formatter registry: which commands accept which format, and the --format help it makes.
#include "cfnsplit/formats.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <sstream>

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
