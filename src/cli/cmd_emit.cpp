// `cfnsplit emit`, `cfnsplit split` and `cfnsplit verify`.
#include <filesystem>
#include <iostream>

#include "cfnsplit/emit.hpp"
#include "cfnsplit/partition.hpp"
#include "cfnsplit/report.hpp"
#include "cfnsplit/verify.hpp"
#include "cli/commands.hpp"
#include "cli/planning.hpp"

namespace cfnsplit::cli {
namespace {

void AddEmitFlags(CLI::App& cmd, EmitFlags& f, bool with_mode) {
  cmd.add_option("-o,--output", f.output, "Output directory (written atomically)")->required();
  if (with_mode)
    cmd.add_option("--mode", f.mode, "nested or exports (default: the plan's)")
        ->check(CLI::IsMember({"nested", "exports"}));
  cmd.add_option("--format", f.format, "json or yaml (default: the input's)")
      ->check(CLI::IsMember({"json", "yaml"}));
  cmd.add_flag("--force", f.force, "Replace an existing non-empty output directory");
  cmd.add_option("--stack-name", f.stack_name,
                 "CloudFormation name of the root stack (default: what the template reveals, "
                 "e.g. Serverless' service-stage); the others are NAME-<Stack>");
  cmd.add_flag("--shared-artifact", f.shared_artifact,
               "Keep every function's code key: the stacks share the one artifact the deploy tool "
               "uploads (no per-stack artifact keys)");
}

class EmitCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    app_ =
        app.add_subcommand("emit", "Write split or nested-stack templates from a plan, verified");
    app_->add_option("plan", plan_, "Plan file")->required();
    AddEmitFlags(*app_, flags_, true);
    app_->add_flag("--rebase", rebase_, "Emit against a template that changed since the plan");
    AddSizingOptions(*app_, packages_);
    return app_;
  }
  int Run(Session& s) override {
    CommandStages stages(s);
    stages.ReadPlan(plan_, rebase_, packages_);
    stages.emit = flags_;
    PipelineResult r = stages.Run(Stage::kWrite);
    return r.ok ? stages.FinishWritten(r) : stages.Fail();
  }

 private:
  std::string plan_;
  EmitFlags flags_;
  bool rebase_ = false;
  SizingOptions packages_ = SizingDefaults();
};

class SplitCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    app_ = app.add_subcommand("split", "Plan and emit in one run (also writes the plan it used)");
    app_->add_option("template", template_, "Template (JSON or YAML)")->required();
    AddPlanningOptions(*app_, planning_);
    AddEmitFlags(*app_, flags_, false);
    app_->add_flag("--build", build_,
                   "Also build every stack's artifact (as `cfnsplit package`; needs "
                   "--site-packages)");
    AddBuildFlags(*app_, build_flags_);
    return app_;
  }
  int Run(Session& s) override {
    if (!build_ && build_flags_.slim) {
      s.sink().Error("E0020", {}, "--slim builds artifacts: add --build");
      return s.Finish(false);
    }
    // One --code serves both: where inference finds handlers and what --build zips.
    build_flags_.code = planning_.packages.code_dirs;
    if (build_ && flags_.shared_artifact) {
      s.sink().Error("E0020", {}, "--build makes per-stack artifacts; --shared-artifact keeps one");
      return s.Finish(false);
    }
    CommandStages stages(s);
    stages.PlanTemplate(template_, planning_);
    stages.emit = flags_;
    stages.build = build_ ? &build_flags_ : nullptr;
    PipelineResult r = stages.Run(Stage::kWrite);
    if (!r.ok) return stages.Fail();
    if (!r.plan) return NothingToSplit(s, *r.model, stages.nothing_to_split);
    return stages.FinishWritten(r);
  }

 private:
  std::string template_;
  PlanningOptions planning_;
  EmitFlags flags_;
  bool build_ = false;
  BuildFlags build_flags_;
};

class VerifyCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    app_ = app.add_subcommand("verify", "Check an output directory against the original template");
    app_->add_option("template", template_, "The original template")->required();
    app_->add_option("outdir", outdir_, "Directory written by emit or split (or edited by hand)")
        ->required()
        ->check(CLI::ExistingDirectory);
    app_->add_option("--headroom", headroom_, "Share of each quota a stack may use")
        ->check(CLI::Range(0.05, 1.0));
    return app_;
  }
  int Run(Session& s) override {
    if (!s.LoadRules()) return s.Finish(false);
    auto model = s.LoadTemplate(template_);
    if (!model) return s.Finish(false);
    VerifyOptions options;
    options.headroom = headroom_;
    options.output_dir = std::filesystem::absolute(outdir_).lexically_normal().string();
    VerifyReport report =
        VerifyOutputDir(*model, outdir_, s.rules(), options, s.sources(), s.sink());
    std::cout << (report.ok ? "verified: " : "NOT equivalent: ") << report.resources_checked
              << " resources checked, " << report.differences.size() << " difference(s)\n";
    for (const auto& d : report.differences) std::cout << "  " << d << "\n";
    int code = s.Finish(true);
    return report.ok ? code : std::max(code, static_cast<int>(kExitFindings));
  }

 private:
  std::string template_;
  std::string outdir_;
  double headroom_ = 1.0;
};

}  // namespace

std::unique_ptr<Command> MakeEmitCommand() { return std::make_unique<EmitCommand>(); }
std::unique_ptr<Command> MakeSplitCommand() { return std::make_unique<SplitCommand>(); }
std::unique_ptr<Command> MakeVerifyCommand() { return std::make_unique<VerifyCommand>(); }

}  // namespace cfnsplit::cli
