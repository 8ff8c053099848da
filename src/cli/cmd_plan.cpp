// `cfnsplit plan` and `cfnsplit review`.
#include <iostream>

#include "cfnsplit/files.hpp"
#include "cfnsplit/partition.hpp"
#include "cfnsplit/report.hpp"
#include "cli/commands.hpp"
#include "cli/planning.hpp"

namespace cfnsplit::cli {
namespace {

class PlanCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    app_ = app.add_subcommand("plan", "Propose which resources go into which stack; write a plan file");
    app_->add_option("template", template_, "Template (JSON or YAML)")->required();
    AddPlanningOptions(*app_, planning_);
    app_->add_option("-o,--output", output_, "Write the plan here (default: print it)");
    app_->add_flag("--explain", explain_, "Print why every resource landed where it did");
    app_->add_option("--format", format_, "Summary format: text or json")
        ->check(CLI::IsMember({"text", "json"}));
    return app_;
  }

  int Run(Session& s) override {
    auto planned = MakePlan(s, template_, planning_);
    if (!planned) return s.Finish(!s.HasInputErrors());
    if (output_.empty()) {
      std::cout << PlanToYaml(planned->plan);
    } else {
      if (planned->IsInput(output_)) {
        s.sink().Error("E5002", {}, "refusing to overwrite the input '" + output_ + "' with the plan");
        return s.Finish(false);
      }
      if (!WriteFileAtomic(output_, PlanToYaml(planned->plan), s.sink())) return s.Finish(false);
      if (format_ == "json") std::cout << PlanJson(planned->plan, planned->check, s.rules()).dump(2) << "\n";
      else PrintPlanText(planned->plan, planned->check, s.rules(), std::cout);
    }
    if (explain_) PrintExplanations(planned->plan, output_.empty() ? std::cerr : std::cout);
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
    AddPackageOptions(*app_, packages_);
    app_->add_option("--format", format_, "text or json")->check(CLI::IsMember({"text", "json"}));
    return app_;
  }

  int Run(Session& s) override {
    auto loaded = LoadPlanAndTemplate(s, plan_path_, rebase_, packages_);
    if (!loaded) return s.Finish(false);
    PlanCheck check = CheckPlan(loaded->analysis, loaded->plan, loaded->packages, s.rules());
    std::vector<PlanMove> moves;
    if (!against_.empty()) {
      auto old = ReadPlanFile(s, against_);
      if (!old) return s.Finish(false);
      moves = DiffPlans(loaded->analysis, *old, loaded->plan);
    }
    if (format_ == "json") {
      auto j = PlanJson(loaded->plan, check, s.rules());
      if (!against_.empty()) j["moves"] = MovesJson(moves);
      std::cout << j.dump(2) << "\n";
    } else {
      PrintPlanText(loaded->plan, check, s.rules(), std::cout);
      if (!against_.empty()) PrintMoves(moves, std::cout);
    }
    int code = s.Finish(true);
    return check.ok() ? code : std::max(code, static_cast<int>(kExitFindings));
  }

 private:
  std::string plan_path_;
  bool rebase_ = false;
  std::string against_;
  PackageOptions packages_;
  std::string format_ = "text";
};

}  // namespace

std::unique_ptr<Command> MakePlanCommand() { return std::make_unique<PlanCommand>(); }
std::unique_ptr<Command> MakeReviewCommand() { return std::make_unique<ReviewCommand>(); }

}  // namespace cfnsplit::cli
