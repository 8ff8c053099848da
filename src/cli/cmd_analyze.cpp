// `cfnsplit analyze`, `cfnsplit graph` and `cfnsplit rules`.
#include <iostream>
#include <sstream>

#include "cfnsplit/codes.hpp"
#include "cfnsplit/formats.hpp"
#include "cfnsplit/report.hpp"
#include "cfnsplit/sizing.hpp"
#include "cli/commands.hpp"
#include "cli/planning.hpp"

namespace cfnsplit::cli {
namespace {

class AnalyzeCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    app_ = app.add_subcommand("analyze",
                              "Report quotas, lifecycle classes, functions, owners, cycles");
    app_->add_option("template", template_, "Template (JSON or YAML)")->required();
    app_->add_option("--format", format_, FormatChoices(kAnalyzeReport))
        ->check(CLI::IsMember(FormatNames(kAnalyzeReport)));
    AddSizingOptions(*app_, packages_);
    app_->add_option("--explain-imports", explain_imports_,
                     "Which import pulled in which distribution, and its bytes, for one function "
                     "(logical id or Serverless name)");
    return app_;
  }

  int Run(Session& s) override {
    if (!s.LoadRules()) return s.Finish(false);
    if (!explain_imports_.empty() && !AnySizingSource(packages_)) {
      s.sink().Error("E0020", {},
                     "--explain-imports needs sizing inputs (--site-packages, --manifest, "
                     "--requirements or --serverless-config)");
      return s.Finish(false);
    }
    PipelineResult run = s.RunTemplate(template_, Stage::kAnalysis);
    ReportSubject subject;
    subject.sink = &s.sink();
    subject.sources = &s.sources();
    if (!run.ok) {
      if (format_ == "sarif") RenderReport(format_, kAnalyzeReport, subject, std::cout);
      return s.Finish(false);
    }
    const auto& model = run.model;
    std::optional<PackageModel> sizes;
    if (AnySizingSource(packages_)) {
      // --explain-imports is about imports: the package-limit findings of every function would
      // bury its answer, so they are left to a plain `analyze`.
      DiagnosticSink sizing;
      sizes = LoadPackageModel(s, *model, packages_, &sizing);
      for (const auto& d : sizing.diagnostics())
        if (explain_imports_.empty() || !CodeHas(d.code, kPackageLimit)) s.sink().Report(d);
      if (!sizes) return s.Finish(!s.HasInputErrors());
    }
    if (!explain_imports_.empty()) return Explain(s, *sizes);
    subject.rules = &s.rules();
    subject.model = run.model.get();
    subject.analysis = &*run.analysis;
    subject.sizes = sizes ? &*sizes : nullptr;
    RenderReport(format_, kAnalyzeReport, subject, std::cout);
    return s.Finish(true);
  }

 private:
  int Explain(Session& s, const PackageModel& sizes) {
    if (!ExplainImports(sizes, explain_imports_, std::cout)) {
      const FunctionPackage* f = sizes.Find(explain_imports_);
      s.sink().Error("E0020", {},
                     f ? "imports were not inferred for '" + explain_imports_ +
                             "' (requirements from " + f->requirements_from +
                             "; --infer-imports on, --site-packages and --code control it)"
                       : "--explain-imports: no function '" + explain_imports_ + "'");
      return s.Finish(false);
    }
    return s.Finish(true);
  }

  std::string template_;
  std::string format_ = "text";
  std::string explain_imports_;
  SizingOptions packages_ = SizingDefaults();
};

class GraphCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    app_ = app.add_subcommand("graph", "Print the resource graph, or the stack graph of a plan");
    app_->add_option("template", template_, "Template (JSON or YAML)")->required();
    app_->add_option("--stacks", plan_, "Draw the stack-level graph of this plan");
    app_->add_option("--format", format_, "dot, svg or json")
        ->check(CLI::IsMember({"dot", "svg", "json"}));
    return app_;
  }

  int Run(Session& s) override {
    if (!s.LoadRules()) return s.Finish(false);
    DiagnosticSink quiet;  // graph prints the graph; quota findings belong to analyze
    PipelineResult run = s.RunTemplate(template_, Stage::kAnalysis, &quiet);
    if (!run.ok) return s.Finish(false);
    const Analysis& a = *run.analysis;
    if (!plan_.empty()) return RunStacks(s, a);
    if (format_ == "json")
      std::cout << GraphJson(a).dump(2) << "\n";
    else if (format_ == "svg")
      return Svg(
          s,
          [&] {
            std::ostringstream d;
            WriteGraphDot(a, d);
            return d.str();
          }(),
          "");
    else
      WriteGraphDot(a, std::cout);
    return s.Finish(true);
  }

 private:
  int RunStacks(Session& s, const Analysis& a) {
    auto plan = ReadPlanFile(s, plan_);
    if (!plan) return s.Finish(false);
    if (format_ == "json") {
      PlanCheck check = CheckPlan(a, *plan, {}, s.rules());
      std::cout << PlanJson(*plan, check, s.rules()).dump(2) << "\n";
    } else if (format_ == "svg") {
      return Svg(s, StackGraphDot(a, *plan), StackGraphSvg(a, *plan));
    } else {
      std::cout << StackGraphDot(a, *plan);
    }
    return s.Finish(true);
  }

  // Graphviz draws the SVG when installed; otherwise the built-in layout (stacks) or an error.
  int Svg(Session& s, const std::string& dot, const std::string& fallback) {
    std::string error;
    std::string svg = RenderWithGraphviz(dot, &error);
    if (svg.empty() && fallback.empty()) {
      s.sink().Error("E0030", {}, error + "; use --format dot");
      return s.Finish(false);
    }
    if (svg.empty()) {
      s.sink().Note("I0031", {}, error + "; drew the stack graph with the built-in layout");
      svg = fallback;
    }
    std::cout << svg;
    return s.Finish(true);
  }

  std::string template_;
  std::string plan_;
  std::string format_ = "dot";
};

class RulesCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    app_ = app.add_subcommand("rules", "Print the effective rules (quotas, lifecycle classes)");
    app_->add_flag("--dump", dump_, "Print the rule files verbatim");
    return app_;
  }

  int Run(Session& s) override {
    if (!s.LoadRules()) return s.Finish(false);
    const RuleSet& rules = s.rules();
    if (dump_) {
      for (const auto& [name, text] : rules.files) std::cout << "# ---- " << name << "\n" << text;
      return s.Finish(true);
    }
    std::cout << "Quotas\n";
    for (const Quota& q : rules.quotas)
      std::cout << "  " << q.key << " = " << GroupDigits(q.value) << "  (" << q.description << "; "
                << q.source << ")\n";
    std::cout << "Lifecycle rules (first match wins), owner key '" << rules.owner_key << "'\n";
    for (const auto& r : rules.lifecycle)
      std::cout << "  " << r.pattern << " -> " << LifecycleName(r.cls)
                << (r.stateful_when_shared ? " (stateful when shared)" : "") << "\n";
    return s.Finish(true);
  }

 private:
  bool dump_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeAnalyzeCommand() { return std::make_unique<AnalyzeCommand>(); }
std::unique_ptr<Command> MakeGraphCommand() { return std::make_unique<GraphCommand>(); }
std::unique_ptr<Command> MakeRulesCommand() { return std::make_unique<RulesCommand>(); }

}  // namespace cfnsplit::cli
