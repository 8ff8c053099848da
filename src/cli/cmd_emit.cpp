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

struct EmitFlags {
  std::string output;
  std::string mode;    // "" = the plan's
  std::string format;  // "" = the input's
  bool force = false;
};

void AddEmitFlags(CLI::App& cmd, EmitFlags& f, bool with_mode) {
  cmd.add_option("-o,--output", f.output, "Output directory (written atomically)")->required();
  if (with_mode)
    cmd.add_option("--mode", f.mode, "nested or exports (default: the plan's)")
        ->check(CLI::IsMember({"nested", "exports"}));
  cmd.add_option("--format", f.format, "json or yaml (default: the input's)")
      ->check(CLI::IsMember({"json", "yaml"}));
  cmd.add_flag("--force", f.force, "Replace an existing non-empty output directory");
}

// OUTDIR is replaced whole with --force: it must not hold any input.
bool OutputHoldsInput(Session& s, const Planned& p, const std::string& outdir) {
  char resolved_out[4096];
  if (!realpath(outdir.c_str(), resolved_out)) return false;
  std::string out = std::string(resolved_out) + "/";
  for (const auto& in : p.input_paths) {
    char resolved_in[4096];
    if (realpath(in.c_str(), resolved_in) && std::string(resolved_in).rfind(out, 0) == 0) {
      s.sink().Error("E5002", {},
                     "the output directory '" + outdir + "' holds the input '" + in +
                         "'; choose another directory");
      return true;
    }
  }
  return false;
}

// Emits, verifies (refusing to write a wrong result) and writes OUTDIR.
int EmitPlanned(Session& s, Planned& p, const EmitFlags& flags) {
  if (!flags.mode.empty()) p.plan.options.mode = *ParseWiringMode(flags.mode);
  p.check = CheckPlan(p.analysis, p.plan, p.packages, s.rules());
  if (!p.check.ok()) {
    PrintPlanText(p.plan, p.check, s.rules(), std::cerr);
    s.sink().Error("E4017", {},
                   "the plan breaks hard constraints; fix it (see `cfnsplit review`) "
                   "before emitting");
    return s.Finish(true);
  }
  if (OutputHoldsInput(s, p, flags.output)) return s.Finish(false);
  EmitOptions options;
  options.mode = p.plan.options.mode;
  options.format = flags.format.empty()     ? p.model->format
                   : flags.format == "yaml" ? TemplateFormat::kYaml
                                            : TemplateFormat::kJson;
  options.max_root_outputs = Budget(s.rules(), "outputs_per_stack", 1.0);
  options.max_root_parameters = Budget(s.rules(), "parameters_per_stack", 1.0);
  options.output_dir = std::filesystem::absolute(flags.output).lexically_normal().string();
  auto result = EmitStacks(*p.model, p.plan, s.rules(), options, s.sink());
  if (!result) return s.Finish(true);
  VerifyOptions verify_options;
  verify_options.output_dir = options.output_dir;
  VerifyReport report = VerifyEmitted(*p.model, *result, s.rules(), verify_options, s.sink());
  if (!report.ok) {
    s.sink().Error("E5100", {},
                   "verification failed (" + std::to_string(report.differences.size()) +
                       " difference(s)); nothing was written");
    return s.Finish(true);
  }
  std::vector<EmittedFile> files = RenderFiles(*result, options);
  files.push_back({"README.md", DeploySummary(*p.model, p.plan, *result, options)});
  ApplyFigures(p.plan, p.check);
  files.push_back({"plan.yaml", PlanToYaml(p.plan)});
  if (!WriteOutputDir(flags.output, files, flags.force, s.sink())) return s.Finish(true);
  std::cout << "Wrote " << result->stacks.size()
            << (result->stacks.size() == 1 ? " template (" : " templates (")
            << WiringModeName(options.mode)
            << " mode) to " << flags.output << "; verified " << report.resources_checked
            << " resources against " << p.model->path() << ".\nDeploy order:";
  for (const auto& name : result->deploy_order) std::cout << ' ' << name;
  std::cout << "\nSee " << flags.output << "/README.md for the commands.\n";
  return s.Finish(true);
}

class EmitCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    app_ =
        app.add_subcommand("emit", "Write split or nested-stack templates from a plan, verified");
    app_->add_option("plan", plan_, "Plan file")->required();
    AddEmitFlags(*app_, flags_, true);
    app_->add_flag("--rebase", rebase_, "Emit against a template that changed since the plan");
    AddPackageOptions(*app_, packages_);
    return app_;
  }
  int Run(Session& s) override {
    auto p = LoadPlanAndTemplate(s, plan_, rebase_, packages_);
    if (!p) return s.Finish(false);
    return EmitPlanned(s, *p, flags_);
  }

 private:
  std::string plan_;
  EmitFlags flags_;
  bool rebase_ = false;
  PackageOptions packages_;
};

class SplitCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    app_ = app.add_subcommand("split", "Plan and emit in one run (also writes the plan it used)");
    app_->add_option("template", template_, "Template (JSON or YAML)")->required();
    AddPlanningOptions(*app_, planning_);
    AddEmitFlags(*app_, flags_, false);
    return app_;
  }
  int Run(Session& s) override {
    auto p = MakePlan(s, template_, planning_);
    if (!p) return s.Finish(!s.HasInputErrors());
    if (!p->nothing_to_split.empty()) return NothingToSplit(s, *p);
    return EmitPlanned(s, *p, flags_);
  }

 private:
  std::string template_;
  PlanningOptions planning_;
  EmitFlags flags_;
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
