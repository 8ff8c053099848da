// `cfnsplit migrate`: the steps that split a deployed stack without replacing its resources.
#include <chrono>
#include <iostream>

#include "cfnsplit/emit.hpp"
#include "cfnsplit/migrate.hpp"
#include "cfnsplit/partition.hpp"
#include "cfnsplit/report.hpp"
#include "cli/commands.hpp"
#include "cli/planning.hpp"

namespace cfnsplit::cli {

namespace {

// A deployed split shows a DependsOn across stacks only as the emitter's ordering import
// (Metadata cfnsplit:deploy-after, dropped when flattening): it is taken back from the plan's
// template, for the resources both have, so that every state orders the stacks as deployed.
void RestoreDependsOn(Value& root, const TemplateModel& target, bool restore) {
  Value* resources = root.Find("Resources");
  if (!resources || !resources->is_map()) return;
  for (std::size_t i = 0; i < resources->size(); ++i) {
    Value& def = resources->items()[i];
    // A nested parent's DependsOn on a child stack resource stands for the child's resources:
    // it is dropped, and the original's DependsOn taken back below.
    if (Value* d = def.is_map() ? def.Find("DependsOn") : nullptr) {
      Value kept = Value::List(d->loc());
      for (const Value& e : d->is_list() ? d->items() : std::vector<Value>{*d})
        if (!e.is_string() || resources->Find(e.text())) kept.Append(e);
      if (kept.items().empty())
        def.Erase("DependsOn");
      else if (kept.size() != (d->is_list() ? d->size() : 1))
        *d = std::move(kept);
    }
    if (!restore) continue;
    const Resource* now = target.FindResource(resources->keys()[i].name);
    const Value* wanted =
        now && now->def && now->def->is_map() ? now->def->Find("DependsOn") : nullptr;
    if (!def.is_map() || def.Find("DependsOn") || !wanted) continue;
    Value kept = Value::List();
    for (const Value& d : wanted->is_list() ? wanted->items() : std::vector<Value>{*wanted})
      if (d.is_string() && resources->Find(d.text())) kept.Append(d);
    if (!kept.items().empty()) def.Set("DependsOn", std::move(kept));
  }
}

}  // namespace

std::unique_ptr<TemplateModel> LoadDeployedModel(Session& s, const std::string& path,
                                                 DeployedLayout* layout,
                                                 const TemplateModel* target) {
  DeployedLayout own;
  if (!layout) layout = &own;
  auto root = ReadDeployedTemplate(path, s.sources(), s.sink(), layout);
  if (!root) return nullptr;
  // A nested parent's DependsOn on children is not taken back: the parent depends on them and
  // they read the parent, which exports mode cannot order (the intermediate states keep it out;
  // the finish step writes the plan's template, DependsOn included).
  if (target && !layout->empty())
    RestoreDependsOn(*root, *target, layout->mode != WiringMode::kNested);
  ModelOptions options;
  options.owner_key = s.rules().owner_key;
  std::uint32_t file = root->loc().file;
  auto model = BuildModel(std::move(*root), path, file, s.sink(), options);
  if (model && s.HasInputErrors()) return nullptr;
  return model;
}

namespace {

class MigrateCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    app_ = app.add_subcommand(
        "migrate", "Write the steps that split a deployed stack without replacing its resources");
    app_->add_option("plan", plan_, "Plan file (the split to reach, exports or nested mode)")
        ->required();
    app_->add_option("--deployed", deployed_,
                     "The deployed template: `aws cloudformation get-template` output, the "
                     "template itself, or a previous cfnsplit output directory (either mode)")
        ->required();
    app_->add_option("--deployed-stack", stacks_,
                     "The deployed (base or parent) stack's name (default: stacks.json's for an "
                     "OUTDIR, else from the template); for a deployed nested split also "
                     "Child=NAME for each child: the logical ID of its AWS::CloudFormation::Stack "
                     "in the parent and the child stack's real name (repeatable)")
        ->allow_extra_args(false);
    app_->add_option("-o,--output", output_, "Output directory MIGRATION/ (written atomically)")
        ->required();
    app_->add_option("--allow-recreate", allow_recreate_,
                     "Accept deleting and re-creating this resource although it holds data or a "
                     "fixed name (repeatable)")
        ->allow_extra_args(false);
    app_->add_flag("--force", force_, "Replace an existing non-empty output directory");
    app_->add_flag("--rebase", rebase_, "Use a template that changed since the plan");
    app_->add_flag("--no-verify-states", no_verify_,
                   "Do not prove every intermediate state (faster; the final split is always "
                   "verified)");
    return app_;
  }

  int Run(Session& s) override {
    CommandStages stages(s);
    stages.ReadPlan(plan_, rebase_, SizingDefaults());
    PipelineResult loaded = stages.Run(Stage::kPlan);
    if (!loaded.ok) return stages.Fail();
    PipelineResult* p = &loaded;
    MigrateOptions options;
    auto deployed = LoadDeployedModel(s, deployed_, &options.layout, p->model.get());
    if (!deployed) return s.Finish(false);
    std::string parent;
    std::map<std::string, std::string> children;  // stack resource → child stack name
    for (const std::string& arg : stacks_) {
      auto eq = arg.find('=');
      if (eq == std::string::npos) {
        parent = arg;
      } else if (!ValidStackName(arg.substr(eq + 1))) {
        s.sink().Error(
            "E8001", {},
            "--deployed-stack " + arg + ": '" + arg.substr(eq + 1) + "' is not a stack name");
        return s.Finish(false);
      } else {
        children[arg.substr(0, eq)] = arg.substr(eq + 1);
      }
    }
    options.deployed_stack = !parent.empty()                      ? parent
                             : !options.layout.base_stack.empty() ? options.layout.base_stack
                                                                  : DefaultStackName(*deployed);
    options.verify_states = !no_verify_;
    if (!ValidStackName(options.deployed_stack)) {
      s.sink().Error("E8001", {},
                     "'" + options.deployed_stack +
                         "' is not a stack name cfnsplit can use (a letter, then letters, digits "
                         "and hyphens, at most 100); give --deployed-stack");
      return s.Finish(false);
    }
    for (const std::string& id : allow_recreate_) {
      if (!deployed->FindResource(id)) {
        s.sink().Error("E8001", {}, "--allow-recreate names no deployed resource '" + id + "'");
        return s.Finish(false);
      }
      options.allow_recreate.insert(id);
    }
    if (!RefuseNested(s, options.layout, *p->plan)) return s.Finish(true);
    if (options.layout.mode == WiringMode::kNested && !options.layout.empty() &&
        !NameChildren(s, options.layout, children, *p->plan, options.deployed_stack))
      return s.Finish(false);
    p->check = CheckPlan(*p->analysis, *p->plan, p->packages, s.rules());
    if (!p->check->ok()) {
      PrintPlanText(*p->plan, *p->check, s.rules(), std::cerr);
      s.sink().Error("E4017", {},
                     "the plan breaks hard constraints; fix it (see `cfnsplit review`) "
                     "before migrating");
      return s.Finish(true);
    }
    auto started = std::chrono::steady_clock::now();
    auto migration = PlanMigration(*deployed, *p->model, *p->plan, s.rules(), options, s.sink());
    if (!migration) return s.Finish(true);
    if (!WriteOutputDir(output_, migration->files, force_, s.sink())) return s.Finish(true);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    PrintSummary(*migration, options.deployed_stack, seconds);
    return s.Finish(true);
  }

 private:
  // A nested child's real name is `parent-Child-RANDOM`: only the user (or describe-stack-
  // resources) knows it; every child must be named.
  static bool NameChildren(Session& s, DeployedLayout& layout,
                           const std::map<std::string, std::string>& children,
                           const SplitPlan& plan, const std::string& parent) {
    std::vector<std::string> missing = NameNestedChildren(layout, children, plan);
    if (missing.empty()) return true;
    std::string list;
    for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
    s.sink().Error("E8001", {},
                   "the deployed split is nested: give each child stack's real name with "
                   "--deployed-stack Child=NAME (missing: " +
                       list +
                       "). List them with: aws cloudformation describe-stack-resources "
                       "--stack-name " +
                       parent +
                       " --query \"StackResources[?ResourceType=='AWS::CloudFormation::Stack']."
                       "[LogicalResourceId,PhysicalResourceId]\" --output text (the name is "
                       "the part of the ID after 'stack/')");
    return false;
  }

  // A deployed nested split whose new nested plan moves no deployed resource needs no
  // migration: the new split deployed by its deploy.sh is an ordinary update of the parent
  // that only adds and updates children (said instead of a migration through exports mode,
  // which would un-nest and re-nest every child for nothing). Any other nested plan is reached
  // through its exports-mode twin and resource import (nest.cpp, docs/migrate.md).
  static bool RefuseNested(Session& s, const DeployedLayout& layout, const SplitPlan& plan) {
    if (layout.mode != WiringMode::kNested || layout.empty() ||
        plan.options.mode != WiringMode::kNested)
      return true;
    std::map<std::string, int> home = plan.StackIndex();
    for (const auto& [id, stack] : layout.homes) {
      auto it = home.find(id);
      if (it != home.end() && it->second >= 0 &&
          plan.stacks[static_cast<std::size_t>(it->second)].name != stack)
        return true;
    }
    s.sink().Error("E8006", {},
                   "the deployed split is nested and the plan moves no deployed resource to "
                   "another stack: no migration is needed; deploy the new split (`cfnsplit "
                   "emit`, then its deploy.sh) as an ordinary update of the parent stack, which "
                   "replaces nothing");
    return false;
  }

  void PrintSummary(const Migration& m, const std::string& stack, double seconds) const {
    std::map<MoveRoute, std::size_t> counts;
    for (const ResourceMove& mv : m.moves) ++counts[mv.route];
    std::cout << "Wrote " << m.steps.size() << " steps to " << output_ << " for stack " << stack
              << ": " << counts[MoveRoute::kRefactor] << " resource(s) moved by refactoring in "
              << m.refactor_batches << " batch(es), " << counts[MoveRoute::kImport] << " imported, "
              << counts[MoveRoute::kRecreate] << " re-created, " << counts[MoveRoute::kCreate]
              << " new, " << counts[MoveRoute::kDelete] << " deleted, " << counts[MoveRoute::kStay]
              << " staying; " << m.states_verified << " intermediate state(s) verified in "
              << std::fixed;
    std::cout.precision(2);
    std::cout << seconds << " s.\n";
    // Re-created resources are said one by one (README.md has the gap each leaves).
    std::size_t shown = 0, recreated = counts[MoveRoute::kRecreate];
    for (const ResourceMove& mv : m.moves)
      if (mv.route == MoveRoute::kRecreate && shown++ < 10)
        std::cout << "  recreate " << mv.id << " (" << mv.type << ")"
                  << (mv.forced ? ": forced by --allow-recreate" : "") << "\n";
    if (recreated > 10)
      std::cout << "  … and " << recreated - 10 << " more re-created (README.md lists them)\n";
    for (const std::string& w : m.warnings) std::cout << "  warning: " << w << "\n";
    std::cout << "Run: sh " << output_ << "/migrate.sh --dry-run (then without --dry-run)\n";
  }

  std::string plan_, deployed_, output_;
  std::vector<std::string> stacks_;
  std::vector<std::string> allow_recreate_;
  bool force_ = false, rebase_ = false, no_verify_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeMigrateCommand() { return std::make_unique<MigrateCommand>(); }

}  // namespace cfnsplit::cli
