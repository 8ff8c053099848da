// What `plan`, `review`, `emit` and `split` share: options, loading inputs, making a plan.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cfnsplit/constraints.hpp"
#include "cfnsplit/migrate.hpp"
#include "cfnsplit/pipeline.hpp"
#include "cfnsplit/plan.hpp"
#include "cfnsplit/sizing.hpp"
#include "cfnsplit/sizing_inputs.hpp"
#include "cli/session.hpp"

namespace cfnsplit::cli {

struct PlanningOptions {
  std::string mode = "nested";
  std::string strategy;  ///< "" = not asked for: "auto", and a template that fits is not split
  std::string effort = "fast";  ///< fast | thorough (packing search)
  double headroom = 0.9;
  std::uint32_t max_stacks = 0;
  bool allow_mixed_owners = false;
  std::vector<std::string> pins;              ///< ID=STACK
  std::string previous;                       ///< an earlier plan whose placements are kept
  std::string deployed;                       ///< the deployed template: what cannot move is pinned
  SizingOptions packages = SizingDefaults();  ///< the sizing inputs (sizing_inputs.hpp)
};

/// The sizing inputs' flags (one per row of SizingInputs(); one already registered is kept).
void AddSizingOptions(CLI::App& cmd, SizingOptions& o);
void AddPlanningOptions(CLI::App& cmd, PlanningOptions& o);

/// The sizing stage's model of what each function ships (errors go to the session's sink).
std::optional<struct PackageModel> LoadPackageModel(Session& s, const TemplateModel& model,
                                                    const SizingOptions& options,
                                                    DiagnosticSink* sink = nullptr);

/// Package sizes for the template's functions; an empty view when no sizing input is given.
std::optional<PackageView> LoadPackages(Session& s, const TemplateModel& model,
                                        const SizingOptions& options,
                                        std::vector<PlanInput>* inputs,
                                        std::shared_ptr<PackageModel>* model_out = nullptr);

/// The deployed template (`get-template` output, the template, or a previous output directory,
/// whose layout goes to `layout`) as a model; null after an error (cmd_migrate.cpp).
std::unique_ptr<TemplateModel> LoadDeployedModel(Session& s, const std::string& path,
                                                 DeployedLayout* layout = nullptr,
                                                 const TemplateModel* target = nullptr);

std::optional<SplitPlan> ReadPlanFile(Session& s, const std::string& path);

/// Says that a template needs no split (`why`: CommandStages::nothing_to_split) and ends the run
/// cleanly; nothing is written.
int NothingToSplit(Session& s, const TemplateModel& model, const std::string& why,
                   const std::string& format = "text");

}  // namespace cfnsplit::cli

namespace cfnsplit::cli {

/// Where `emit`/`split`/`package` write, and how.
struct EmitFlags {
  std::string output;
  std::string mode;        // "" = the plan's
  std::string format;      // "" = the input's
  std::string stack_name;  // "" = DefaultStackName
  bool force = false;
  bool shared_artifact = false;  // functions keep their code key (no per-stack artifact)
};

/// `package` and `split --build`: what builds each stack's artifact (docs/package.md).
struct BuildFlags {
  std::vector<std::string> code;  ///< --code DIR (repeatable)
  bool slim = false;
  unsigned jobs = 0;
};
void AddBuildFlags(CLI::App& cmd, BuildFlags& f);

struct BuiltPackages;  // emit_planned.cpp

/// Stages 4b–9 as the commands make them (pipeline.hpp's LaterStages; RunPipeline keeps their
/// order). The plan is made from a template (`plan`, `split`: PlanTemplate) or read from a plan
/// file that names the template (`review`, `emit`, `package`, `migrate`: ReadPlan). Sizing reads
/// the sizing inputs; emit, verify and write follow `emit`, and with `build` every stack's
/// artifact is built between emit and verify, so that the keys carry its SHA-256.
/// planning.cpp makes Admit, Size and Plan; emit_planned.cpp makes Emit, Verify and Write.
class CommandStages : public LaterStages {
 public:
  explicit CommandStages(Session& s);
  ~CommandStages() override;

  /// `plan`, `split`: the plan is made from the template.
  void PlanTemplate(std::string template_path, const PlanningOptions& options);
  /// `review`, `emit`, `package`, `migrate`: the plan is read from `plan_path` (refusing a changed
  /// template unless `rebase`). Sizing inputs the plan records (manifest, requirements,
  /// serverless.yml) are used unless `overrides` gives them.
  void ReadPlan(std::string plan_path, bool rebase, const SizingOptions& overrides);

  /// Loads the rules and runs the pipeline (Session::RunTemplate) up to `stop_after`.
  PipelineResult Run(Stage stop_after);
  /// The exit code of a run that stopped before its last stage (Session::Finish).
  int Fail();
  /// After Stage::kWrite: says what was written (and built) and ends the run.
  int FinishWritten(const PipelineResult& r);

  /// Whether `path` is one of the run's inputs (the same file).
  bool IsInput(const std::string& path) const;

  EmitFlags emit;                     ///< Emit and Write (mode overrides the plan's)
  const BuildFlags* build = nullptr;  ///< set: build every stack's artifact (package, --build)
  /// Trees read besides the inputs above, which OUTDIR must not hold (package: --site-packages,
  /// --code).
  std::vector<std::string> also_inputs;
  /// The plan file is rewritten with OUTDIR (package): not an input OUTDIR must not hold.
  bool plan_rewritten = false;

  // What the run found out.
  /// Set (and the plan left unset) when the template fits every quota and package limit and
  /// the user asked for no particular split: the reason, for the user.
  std::string nothing_to_split;
  SizingOptions package_options;  ///< the sizing inputs in effect
  std::vector<std::string> input_paths;

  bool Admit(const PipelineInputs&, PipelineRun&, PipelineResult& r) override;
  bool Size(const PipelineInputs&, PipelineRun&, PipelineResult& r) override;
  bool Plan(const PipelineInputs&, PipelineRun&, PipelineResult& r) override;
  bool Emit(const PipelineInputs&, PipelineRun&, PipelineResult& r) override;
  bool Verify(const PipelineInputs&, PipelineRun&, PipelineResult& r) override;
  bool Write(const PipelineInputs&, PipelineRun&, PipelineResult& r) override;

 private:
  bool AdmitTemplate(PipelineResult& r);
  bool AdmitPlanned(PipelineResult& r);
  bool MakePlan(PipelineResult& r);
  bool Failed(bool input_ok);

  Session& s_;
  // PlanTemplate
  std::string template_path_;
  PlanningOptions planning_;
  PlanOptions plan_options_;
  std::map<std::string, std::string> deployed_pins_;  ///< resource → why it is pinned
  // ReadPlan
  std::string plan_path_;
  bool rebase_ = false;
  SizingOptions overrides_;
  std::optional<SplitPlan> read_plan_;
  const PlanInput* template_input_ = nullptr;  ///< points into read_plan_
  std::string template_sha_;

  DiagnosticSink analysis_sink_;  ///< the unsplit template's quota findings: why one splits
  std::vector<PlanInput> inputs_;
  EmitOptions emit_options_;
  std::shared_ptr<BuiltPackages> built_;
  bool input_ok_ = true;  ///< what Fail tells Session::Finish
};

}  // namespace cfnsplit::cli
