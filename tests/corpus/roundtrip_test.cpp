// Round trip over the real-template corpus: every template that loads and models is planned,
// emitted in both wiring modes and verified (flattened back and compared with the original).
// A refusal is only acceptable when it names a constraint that genuinely cannot be met.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "cfnsplit/emit.hpp"
#include "cfnsplit/partition.hpp"
#include "cfnsplit/pipeline.hpp"
#include "cfnsplit/verify.hpp"
#include "support/paths.hpp"
#include "support/text_run.hpp"

namespace fs = std::filesystem;
using namespace cfnsplit;

namespace {

fs::path Corpus() { return cfnsplit::testing::CorpusPath(); }

std::vector<std::string> GoodTemplates(const fs::path& corpus) {
  std::ifstream in(corpus / "INDEX.tsv");
  std::string line;
  std::getline(in, line);
  std::vector<std::string> out;
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::vector<std::string> f;
    for (std::string field; std::getline(row, field, '\t');) f.push_back(field);
    if (f.size() >= 9 && f[8] == "0" && f[7] == "1") out.push_back(f[0]);
  }
  return out;
}

const RuleSet& Rules() { return cfnsplit::testing::BuiltinRules(); }

// Refusals that are a correct answer: the template itself cannot be split that way.
bool AcceptableRefusal(const DiagnosticSink& sink) {
  for (const auto& d : sink.diagnostics())
    if (d.code == "E4012" || d.code == "E4013" || d.code == "E4005" || d.code == "E5002")
      return true;
  return false;
}

}  // namespace

TEST_CASE("corpus: every loadable template splits and verifies in both modes", "[corpus]") {
  fs::path corpus = Corpus();
  if (!fs::exists(corpus / "INDEX.tsv")) {
    WARN("corpus not found at " << corpus.string() << ": round trip skipped");
    SUCCEED();
    return;
  }
  std::map<std::string, int> counts;
  std::vector<std::string> failures;
  for (const auto& rel : GoodTemplates(corpus)) {
    SourceManager sources;
    DiagnosticSink load_sink, analysis_sink;
    PipelineInputs inputs;
    inputs.template_path = (corpus / rel).string();
    PipelineRun run{sources, load_sink, &Rules(), &analysis_sink};
    PipelineResult loaded = RunPipeline(inputs, Stage::kAnalysis, run);
    const auto& model = loaded.model;
    if (!loaded.ok || load_sink.has_errors()) {
      ++counts["not modeled (input findings)"];
      continue;
    }
    if (model->resources.empty()) {
      ++counts["no resources (nothing to place)"];
      continue;
    }
    for (WiringMode mode : {WiringMode::kNested, WiringMode::kExports}) {
      // The library's own later stages (pipeline.hpp): plan, check, emit, verify.
      inputs.plan.mode = mode;
      inputs.plan.allow_mixed_owners = true;
      inputs.emit.mode = mode;
      DiagnosticSink sink, quiet;
      PipelineRun split_run{sources, sink, &Rules(), &quiet};
      PipelineResult r = RunPipeline(inputs, Stage::kVerify, split_run);
      std::string where = rel + " (" + WiringModeName(mode) + ")";
      auto first = [&] { return sink.diagnostics().empty() ? "?" : sink.diagnostics()[0].message; };
      if (!r.plan || !r.emitted) {
        if (AcceptableRefusal(sink))
          ++counts["refused with a reason"];
        else
          failures.push_back(where + (r.plan ? ": emit failed: " : ": plan failed: ") + first());
        continue;
      }
      if (!r.verify || !r.verify->ok) {
        failures.push_back(
            where + ": verify: " +
            (!r.verify || r.verify->differences.empty() ? "?" : r.verify->differences[0]));
        continue;
      }
      const auto& plan = r.plan;
      ++counts[plan->stacks.size() > 1 ? "split and verified" : "one stack, verified"];
    }
  }
  std::ostringstream summary;
  for (const auto& [what, n] : counts) summary << what << ": " << n << "; ";
  summary << "failures: " << failures.size();
  INFO(summary.str());
  // CFNSPLIT_ROUNDTRIP_REPORT=FILE writes every failure, for investigation.
  if (const char* report = std::getenv("CFNSPLIT_ROUNDTRIP_REPORT"); report && *report) {
    std::ofstream out(report);
    for (const auto& f : failures) out << f << "\n";
  }
  for (std::size_t i = 0; i < failures.size() && i < 25; ++i) FAIL_CHECK(failures[i]);
  CHECK(failures.empty());
  CHECK(counts["split and verified"] > 500);
  WARN(summary.str());
}
