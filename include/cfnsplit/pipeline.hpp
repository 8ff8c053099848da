// The pipeline: the stages a template goes through, each handing the next one value, and the
// one entry that runs them up to a stage (docs/architecture.md draws the whole chain).
//
//   Source    the template's bytes, registered with the SourceManager (path, size, format)
//   Value     the parsed document (load.hpp): located nodes, no CloudFormation meaning yet
//   Model     TemplateModel (model.hpp): sections, resources, references, functions
//   Analysis  Analysis (analysis.hpp): graph, lifecycle classes, cycles, bonds, quota use
// and then, driven by the CLI's planning (src/cli/planning.cpp) because options and extra
// inputs steer them: PackageModel (sizing.hpp) → SplitPlan (partition.hpp) → PlanCheck
// (constraints.hpp) → EmitResult (emit.hpp) → VerifyReport (verify.hpp) → written files.
//
// Invariant: a stage runs only when the one before it succeeded without input errors; every
// finding goes to the run's sinks, never to a stream.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "cfnsplit/analysis.hpp"
#include "cfnsplit/diagnostics.hpp"
#include "cfnsplit/load.hpp"
#include "cfnsplit/model.hpp"
#include "cfnsplit/ruleset.hpp"
#include "cfnsplit/value.hpp"

namespace cfnsplit {

/// The stages RunPipeline can stop after, in order.
enum class Stage { kSource, kValue, kModel, kAnalysis };

/// The template's bytes as registered: what every later stage points its diagnostics into.
struct Source {
  std::string path;
  std::uint32_t file = 0;  ///< SourceManager id; 0 when the file could not be read
  std::uint64_t bytes = 0;
  TemplateFormat format = TemplateFormat::kYaml;
};

/// What to run the pipeline on.
struct PipelineInputs {
  std::string template_path;
  /// Set: the template's text, registered under `template_path` instead of reading the file
  /// (tests, fuzz targets).
  std::optional<std::string> template_text;
  LoadLimits limits;
  ModelOptions model;
};

/// Where one run reports, and what it reads besides the template.
struct PipelineRun {
  SourceManager& sources;
  DiagnosticSink& sink;                     ///< load and model findings
  const RuleSet* rules = nullptr;           ///< required for Stage::kAnalysis
  DiagnosticSink* analysis_sink = nullptr;  ///< the analysis's findings; null: `sink`
};

/// Every value the stages made, up to the one the run stopped after (or failed in).
struct PipelineResult {
  Source source;
  std::optional<Value> value;  ///< kept only when the run stops after Stage::kValue
  std::unique_ptr<TemplateModel> model;
  std::optional<Analysis> analysis;  ///< points into `model`: keep them together
  /// True when every stage up to `stop_after` produced its value.
  bool ok = false;
};

/// Runs the stages Source → Value → Model → Analysis, stopping after `stop_after` or at the first
/// stage that cannot produce its value. A model with input errors (codes.hpp) is dropped.
PipelineResult RunPipeline(const PipelineInputs& inputs, Stage stop_after, PipelineRun& run);

}  // namespace cfnsplit
