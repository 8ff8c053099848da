#include "cli/session.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cfnsplit/codes.hpp"
#include "cfnsplit/timings.hpp"

namespace cfnsplit::cli {

bool Session::LoadRules() {
  rules_ = LoadRuleSet(options_.rules_dir, sources_, sink_);
  if (rules_ && !options_.owner_key.empty()) rules_->owner_key = options_.owner_key;
  return rules_.has_value();
}

PipelineResult Session::RunTemplate(const std::string& path, Stage stop_after,
                                    DiagnosticSink* analysis_sink, LaterStages* later) {
  PipelineInputs inputs;
  inputs.template_path = path;
  inputs.model.owner_key = rules_ ? rules_->owner_key : "owner";
  inputs.limits.max_bytes = options_.max_input_bytes;
  PipelineRun run{sources_, sink_, rules_ ? &*rules_ : nullptr, analysis_sink, later};
  PipelineResult result = RunPipeline(inputs, stop_after, run);
  // An input error reported earlier in the session (a bad option, ...) stops the run as well.
  if (stop_after <= Stage::kAnalysis && result.model && HasInputErrors()) {
    result.analysis.reset();
    result.model.reset();
    result.ok = false;
  }
  return result;
}

std::unique_ptr<TemplateModel> Session::LoadTemplate(const std::string& path) {
  return RunTemplate(path, Stage::kModel).model;
}

// Input errors (the registry's kInput codes: a file that cannot be read or modeled, an output
// directory that cannot be used, a hostile zip, ...) stop the run; everything else is a finding
// about a template that was understood.
bool Session::HasInputErrors() const {
  for (const auto& d : sink_.diagnostics())
    if (IsInputError(d)) return true;
  return false;
}

int Session::ExitWithoutTeardown(int code) {
  if (!options_.exit_without_teardown) return code;
  timings::Print(std::cerr);
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}

int Session::Finish(bool input_ok) {
  constexpr std::size_t kMaxPrinted = 50;
  auto sorted = sink_.Sorted();
  std::size_t printed = 0;
  for (const auto& d : sorted) {
    if (printed++ == kMaxPrinted) {
      std::cerr << "cfnsplit: " << sorted.size() - kMaxPrinted
                << " more diagnostics not shown (use --format json for all)\n";
      break;
    }
    std::cerr << FormatDiagnostic(d, sources_);
  }
  if (!input_ok || HasInputErrors()) return kExitInput;
  return sink_.has_errors() ? kExitFindings : kExitClean;
}

}  // namespace cfnsplit::cli
