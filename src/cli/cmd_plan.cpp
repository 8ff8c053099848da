// `cfnsplit plan` and `cfnsplit review`.
#include <algorithm>
#include <iostream>
#include <map>

#include "cfnsplit/files.hpp"
#include "cfnsplit/formats.hpp"
#include "cfnsplit/migrate.hpp"
#include "cfnsplit/partition.hpp"
#include "cfnsplit/report.hpp"
#include "cli/commands.hpp"
#include "cli/planning.hpp"

namespace cfnsplit::cli {
namespace {

void PrintPlanSummary(const PipelineResult& p, const std::vector<PlanMove>* moves,
                      const std::string& format, ReportCommand command, Session& s,
                      std::ostream& out) {
  ReportSubject subject;
  subject.sink = &s.sink();
  subject.sources = &s.sources();
  subject.rules = &s.rules();
  subject.model = p.model.get();
  subject.analysis = &*p.analysis;
  subject.plan = &*p.plan;
  subject.check = &*p.check;
  subject.moves = moves;
  RenderReport(format, command, subject, out);
}

// When the old plan is deployed, each move has a route (rules/refactor.yaml): the hardest
// first — impossible, then recreate, import, refactor — keeping DiffPlans' order within each.
void RankByRoute(const TemplateModel& model, const RuleSet& rules, std::vector<PlanMove>& moves) {
  static const std::map<std::string, int> kRank = {
      {"impossible", 0}, {"recreate", 1}, {"import", 2}, {"refactor", 3}, {"", 4}};
  for (PlanMove& mv : moves)
    if (!mv.from.empty() && !mv.to.empty()) mv.route = MoveRouteFor(model, mv.resource, rules);
  std::stable_sort(moves.begin(), moves.end(), [&](const PlanMove& x, const PlanMove& y) {
    return kRank.at(x.route) < kRank.at(y.route);
  });
}

class PlanCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    app_ = app.add_subcommand("plan",
                              "Propose which resources go into which stack; write a plan file");
    app_->add_option("template", template_, "Template (JSON or YAML)")->required();
    AddPlanningOptions(*app_, planning_);
    app_->add_option("-o,--output", output_, "Write the plan here (default: print it)");
    app_->add_flag("--explain", explain_, "Print why every resource landed where it did");
    app_->add_option("--format", format_, "Summary format: " + FormatChoices(kPlanReport))
        ->check(CLI::IsMember(FormatNames(kPlanReport)));
    return app_;
  }

  int Run(Session& s) override {
    CommandStages stages(s);
    stages.PlanTemplate(template_, planning_);
    PipelineResult planned = stages.Run(Stage::kCheck);
    if (!planned.ok) return stages.Fail();
    if (!planned.plan) return NothingToSplit(s, *planned.model, stages.nothing_to_split, format_);
    if (output_.empty()) {
      std::cout << PlanToYaml(*planned.plan);
    } else {
      if (stages.IsInput(output_)) {
        s.sink().Error("E5007", {},
                       "refusing to overwrite the input '" + output_ + "' with the plan");
        return s.Finish(false);
      }
      if (!WriteFileAtomic(output_, PlanToYaml(*planned.plan), s.sink())) return s.Finish(false);
      PrintPlanSummary(planned, nullptr, format_, kPlanReport, s, std::cout);
    }
    if (explain_) PrintExplanations(*planned.plan, output_.empty() ? std::cerr : std::cout);
    return s.Finish(true);
  }

 private:
  std::string template_;
  PlanningOptions planning_;
  std::string output_;
  bool explain_ = false;
  std::string format_ = "text";
};

class ReviewCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    app_ = app.add_subcommand("review", "Check a (hand-edited) plan against every hard constraint");
    app_->add_option("plan", plan_path_, "Plan file")->required();
    app_->add_flag("--rebase", rebase_, "Check the plan against a template that changed since");
    app_->add_option("--against", against_, "Show what moves between this plan and an older one");
    AddSizingOptions(*app_, packages_);
    app_->add_option("--format", format_, FormatChoices(kReviewReport))
        ->check(CLI::IsMember(FormatNames(kReviewReport)));
    return app_;
  }

  int Run(Session& s) override {
    CommandStages stages(s);
    stages.ReadPlan(plan_path_, rebase_, packages_);
    PipelineResult loaded = stages.Run(Stage::kCheck);
    if (!loaded.ok) return stages.Fail();
    std::vector<PlanMove> moves;
    if (!against_.empty()) {
      auto old = ReadPlanFile(s, against_);
      if (!old) return s.Finish(false);
      moves = DiffPlans(*loaded.analysis, *old, *loaded.plan);
      RankByRoute(*loaded.model, s.rules(), moves);
    }
    PrintPlanSummary(loaded, against_.empty() ? nullptr : &moves, format_, kReviewReport, s,
                     std::cout);
    int code = s.Finish(true);
    return loaded.check->ok() ? code : std::max(code, static_cast<int>(kExitFindings));
  }

 private:
  std::string plan_path_;
  bool rebase_ = false;
  std::string against_;
  SizingOptions packages_ = SizingDefaults();
  std::string format_ = "text";
};

}  // namespace

std::unique_ptr<Command> MakePlanCommand() { return std::make_unique<PlanCommand>(); }
std::unique_ptr<Command> MakeReviewCommand() { return std::make_unique<ReviewCommand>(); }

}  // namespace cfnsplit::cli
