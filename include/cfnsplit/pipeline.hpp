// The pipeline: the stages a template goes through, each handing the next one value, and the
// one entry that runs them up to a stage (docs/architecture.md draws the whole chain).
//
//   Source    the template's bytes, registered with the SourceManager (path, size, format)
//   Value     the parsed document (load.hpp): located nodes, no CloudFormation meaning yet
//   Model     TemplateModel (model.hpp): sections, resources, references, functions
//   Analysis  Analysis (analysis.hpp): graph, lifecycle classes, cycles, bonds, quota use
//   Sizing    PackageModel (sizing.hpp) and its PackageView: what each function ships
//   Plan      SplitPlan (plan.hpp): stacks, members, pins, explanations
//   Check     PlanCheck (constraints.hpp): the plan checked once, figures per stack
//   Emit      EmitResult (emit.hpp) and the files it renders to
//   Verify    VerifyReport (verify.hpp): the stacks flattened back against the template
//   Write     the output directory, written atomically (WriteOutputDir)
//
// RunPipeline owns the order. Stages 1–4 and Check are the library's own; Sizing, Plan, Emit,
// Verify and Write are made by a `LaterStages` whose defaults are the library's plain stages
// (partition, emit, verify, write) and which the CLI overrides where options and extra inputs
// steer them (src/cli/stages.cpp: pins, a plan file, sizing inputs, --build).
//
// Invariant: a stage runs only when the one before it succeeded without input errors; every
// finding goes to the run's sinks, never to a stream.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cfnsplit/analysis.hpp"
#include "cfnsplit/constraints.hpp"
#include "cfnsplit/diagnostics.hpp"
#include "cfnsplit/emit.hpp"
#include "cfnsplit/load.hpp"
#include "cfnsplit/model.hpp"
#include "cfnsplit/plan.hpp"
#include "cfnsplit/ruleset.hpp"
#include "cfnsplit/value.hpp"
#include "cfnsplit/verify.hpp"

namespace cfnsplit {

/// The stages RunPipeline can stop after, in order.
enum class Stage {
  kSource,
  kValue,
  kModel,
  kAnalysis,
  kSizing,
  kPlan,
  kCheck,
  kEmit,
  kVerify,
  kWrite
};

struct PackageModel;  // sizing.hpp
class LaterStages;

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
  // What the library's own later stages (LaterStages' defaults) read.
  PlanOptions plan;
  EmitOptions emit;
  /// Unset: the stacks are emitted in the template's format (EmitOptions::format ignored).
  std::optional<TemplateFormat> emit_format;
  VerifyOptions verify;
  std::string output_dir;  ///< Stage::kWrite: where the files go
  bool force = false;      ///< replace a non-empty output directory
};

/// Where one run reports, and what it reads besides the template.
struct PipelineRun {
  SourceManager& sources;
  DiagnosticSink& sink;                     ///< load and model findings
  const RuleSet* rules = nullptr;           ///< required for Stage::kAnalysis
  DiagnosticSink* analysis_sink = nullptr;  ///< the analysis's findings; null: `sink`
  LaterStages* later = nullptr;             ///< stages after analysis; null: the defaults
};

/// Every value the stages made, up to the one the run stopped after (or failed in).
struct PipelineResult {
  Source source;
  std::optional<Value> value;  ///< kept only when the run stops after Stage::kValue
  std::unique_ptr<TemplateModel> model;
  std::optional<Analysis> analysis;             ///< points into `model`: keep them together
  std::shared_ptr<PackageModel> package_model;  ///< null without sizing inputs
  PackageView packages;                         ///< the packer's view of `package_model`
  /// Unset after a Plan stage that found nothing to split (the run ends there, ok).
  std::optional<SplitPlan> plan;
  /// CheckPlan of `plan` as it stands; whoever changes the plan resets it, so that it is
  /// checked once (the packer hands on the check it made).
  std::optional<PlanCheck> check;
  std::optional<EmitResult> emitted;
  std::vector<EmittedFile> files;  ///< what Write writes: the rendered stacks and the rest
  std::optional<VerifyReport> verify;
  bool written = false;
  /// True when every stage up to `stop_after` produced its value.
  bool ok = false;
};

/// The stages after analysis, each reading the values before it in `result` and setting its
/// own; false stops the run (after reporting why to the run's sink). The defaults are the
/// library's plain stages; a caller overrides those its options steer.
class LaterStages {
 public:
  virtual ~LaterStages() = default;
  /// Before sizing: the caller's acceptance of the analyzed template (default: none).
  virtual bool Admit(const PipelineInputs&, PipelineRun&, PipelineResult&) { return true; }
  /// Default: no sizing inputs, an empty PackageView.
  virtual bool Size(const PipelineInputs&, PipelineRun&, PipelineResult&) { return true; }
  /// Default: PartitionTemplate with `inputs.plan`, handing on its check.
  virtual bool Plan(const PipelineInputs& inputs, PipelineRun& run, PipelineResult& result);
  /// Default: EmitStacks with `inputs.emit`, then RenderFiles; refuses a plan that fails its
  /// check (E4017).
  virtual bool Emit(const PipelineInputs& inputs, PipelineRun& run, PipelineResult& result);
  /// Default: VerifyEmitted against the rendered files; a failed report stops the run.
  virtual bool Verify(const PipelineInputs& inputs, PipelineRun& run, PipelineResult& result);
  /// Default: WriteOutputDir(inputs.output_dir) of `result.files`.
  virtual bool Write(const PipelineInputs& inputs, PipelineRun& run, PipelineResult& result);
};

/// Runs the stages Source → … → Write in order, stopping after `stop_after` or at the first
/// stage that cannot produce its value. A model with input errors (codes.hpp) is dropped.
/// Stages after Model need `run.rules`.
PipelineResult RunPipeline(const PipelineInputs& inputs, Stage stop_after, PipelineRun& run);

}  // namespace cfnsplit
