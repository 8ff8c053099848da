// Shared state of one cfnsplit run: sources, diagnostics, rules, and how the run ends.
#pragma once

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cfnsplit/analysis.hpp"
#include "cfnsplit/load.hpp"
#include "cfnsplit/model.hpp"
#include "cfnsplit/pipeline.hpp"
#include "cfnsplit/ruleset.hpp"

namespace cfnsplit::cli {

/// Exit codes (README "Exit codes"): 0 clean, 1 an error-level finding, 2 usage or input error.
enum ExitCode { kExitClean = 0, kExitFindings = 1, kExitInput = 2 };

/// Options every command takes.
struct CommonOptions {
  std::string rules_dir;  ///< empty: built-in rules
  std::string owner_key;  ///< empty: the rules' owner_key
  std::uint64_t max_input_bytes = LoadLimits{}.max_bytes;
  bool timings = false;  ///< --timings: per-stage CPU/wall seconds and peak RSS to stderr
  /// Set by the command-line entry point only (never by tests that run commands in-process):
  /// a command that has written everything may end the process without freeing its data.
  bool exit_without_teardown = false;
};

class Session {
 public:
  explicit Session(CommonOptions options) : options_(std::move(options)) {}

  SourceManager& sources() { return sources_; }
  DiagnosticSink& sink() { return sink_; }
  const RuleSet& rules() const { return *rules_; }

  /// Loads the rules; false after an error.
  bool LoadRules();
  /// Runs a template through the pipeline (pipeline.hpp) up to `stop_after`, with the session's
  /// rules (LoadRules first) and limits; the analysis's findings go to `analysis_sink` (null: the
  /// session's sink), the stages after analysis are `later`'s (CommandStages). Up to analysis,
  /// after an input error the model and analysis are null (later stages check for themselves).
  PipelineResult RunTemplate(const std::string& path, Stage stop_after,
                             DiagnosticSink* analysis_sink = nullptr, LaterStages* later = nullptr);
  /// Loads and models a template (RunTemplate up to Stage::kModel); null after an input error.
  std::unique_ptr<TemplateModel> LoadTemplate(const std::string& path);

  /// Prints diagnostics to stderr (sorted, capped) and returns the exit code they call for.
  int Finish(bool input_ok);
  /// The last step of a command whose outputs are all written (atomically, flushed to disk):
  /// with `exit_without_teardown`, prints the timings, flushes stdout and stderr and ends the
  /// process with `code`, leaving the template, plan and emitted stacks to the kernel (freeing
  /// a 10,000-function split node by node costs as much as a stage). Otherwise returns `code`.
  int ExitWithoutTeardown(int code);
  /// True when any error is an input error (a kInput code of the registry, codes.def).
  bool HasInputErrors() const;

 private:
  CommonOptions options_;
  SourceManager sources_;
  DiagnosticSink sink_;
  std::optional<RuleSet> rules_;
};

}  // namespace cfnsplit::cli
