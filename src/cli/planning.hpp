// What `plan`, `review`, `emit` and `split` share: options, loading inputs, making a plan.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cfnsplit/constraints.hpp"
#include "cfnsplit/migrate.hpp"
#include "cfnsplit/plan.hpp"
#include "cfnsplit/sizing.hpp"
#include "cli/session.hpp"

namespace cfnsplit::cli {

/// Where package sizes come from (see docs/sizing.md).
struct PackageOptions {
  std::string manifest;
  std::vector<std::string> requirements;
  std::string site_packages;
  std::string wheelhouse;
  std::vector<std::string> artifacts;  ///< NAME=path.zip
  std::string serverless_config;
  std::string packaging;
  std::string infer_imports = "auto";  ///< on|off|auto (docs/imports.md)
  std::vector<std::string> code;       ///< --code DIR: where handlers are (repeatable)
  bool any() const {
    return !manifest.empty() || !requirements.empty() || !site_packages.empty() ||
           !wheelhouse.empty() || !artifacts.empty() || !serverless_config.empty();
  }
};

struct PlanningOptions {
  std::string mode = "nested";
  std::string strategy;  ///< "" = not asked for: "auto", and a template that fits is not split
  std::string effort = "fast";  ///< fast | thorough (packing search)
  double headroom = 0.9;
  std::uint32_t max_stacks = 0;
  bool allow_mixed_owners = false;
  std::vector<std::string> pins;  ///< ID=STACK
  std::string previous;           ///< an earlier plan whose placements are kept
  std::string deployed;           ///< the deployed template: what cannot move is pinned
  PackageOptions packages;
};

void AddPackageOptions(CLI::App& cmd, PackageOptions& o);
void AddPlanningOptions(CLI::App& cmd, PlanningOptions& o);

/// Everything a plan was made from, kept alive together.
struct Planned {
  std::unique_ptr<TemplateModel> model;
  Analysis analysis;
  PackageView packages;
  std::shared_ptr<PackageModel> package_model;  ///< null when no sizing input was given
  PackageOptions package_options;               ///< the sizing inputs in effect
  SplitPlan plan;
  PlanCheck check;
  /// `check` is CheckPlan of `plan` as it stands (MakePlan): EmitPlanned need not check again
  /// unless it changes the plan's mode.
  bool check_current = false;
  std::vector<std::string> input_paths;
  /// Set (and the plan left empty) when the template fits every quota and package limit and
  /// the user asked for no particular split: the reason, for the user.
  std::string nothing_to_split;
  bool IsInput(const std::string& path) const;
};

/// The sizing stage's model of what each function ships (errors go to the session's sink).
std::optional<struct PackageModel> LoadPackageModel(Session& s, const TemplateModel& model,
                                                    const PackageOptions& options,
                                                    DiagnosticSink* sink = nullptr);

/// Package sizes for the template's functions; an empty view when no sizing input is given.
std::optional<PackageView> LoadPackages(Session& s, const TemplateModel& model,
                                        const PackageOptions& options,
                                        std::vector<PlanInput>* inputs,
                                        std::shared_ptr<PackageModel>* model_out = nullptr);

/// Loads the template and package data and partitions it.
std::optional<Planned> MakePlan(Session& s, const std::string& template_path,
                                const PlanningOptions& options);

/// The deployed template (`get-template` output, the template, or a previous output directory,
/// whose layout goes to `layout`) as a model; null after an error (cmd_migrate.cpp).
std::unique_ptr<TemplateModel> LoadDeployedModel(Session& s, const std::string& path,
                                                 DeployedLayout* layout = nullptr,
                                                 const TemplateModel* target = nullptr);

std::optional<SplitPlan> ReadPlanFile(Session& s, const std::string& path);

/// Says that a template needs no split (Planned::nothing_to_split) and ends the run cleanly;
/// nothing is written.
int NothingToSplit(Session& s, const Planned& p, const std::string& format = "text");

/// Reads a plan and the template it names (refusing a changed template unless `rebase`). Sizing
/// inputs the plan records (manifest, requirements, serverless.yml) are used unless `overrides`
/// gives them.
std::optional<Planned> LoadPlanAndTemplate(Session& s, const std::string& plan_path, bool rebase,
                                           const PackageOptions& overrides);

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

/// Emits, verifies (refusing to write a wrong result) and writes OUTDIR; with `build`, first
/// builds every stack's artifact and emits the keys with their SHA-256.
int EmitPlanned(Session& s, Planned& p, const EmitFlags& flags, const BuildFlags* build);

}  // namespace cfnsplit::cli
