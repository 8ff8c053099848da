#include "cli/planning.hpp"

#include <sys/stat.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cfnsplit/codes.hpp"
#include "cfnsplit/files.hpp"
#include "cfnsplit/formats.hpp"
#include "cfnsplit/migrate.hpp"
#include "cfnsplit/partition.hpp"

namespace cfnsplit::cli {

void AddSizingOptions(CLI::App& cmd, SizingOptions& o) {
  for (const SizingInput& in : SizingInputs()) {
    // split registers --code once for both inference and --build (see AddBuildFlags).
    if (cmd.get_option_no_throw(in.flag)) continue;
    if (!in.default_value.empty()) in.add(o, in.default_value);
    CLI::Option* option =
        in.repeatable ? cmd.add_option_function<std::vector<std::string>>(
                            in.flag,
                            [&o, &in](const std::vector<std::string>& values) {
                              for (const auto& v : values) in.add(o, v);
                            },
                            in.help)
                      : cmd.add_option_function<std::string>(
                            in.flag, [&o, &in](const std::string& v) { in.add(o, v); }, in.help);
    if (!in.choices.empty()) option->check(CLI::IsMember(in.choices));
  }
}

void AddPlanningOptions(CLI::App& cmd, PlanningOptions& o) {
  cmd.add_option("--mode", o.mode, "Wiring the plan is for: nested or exports")
      ->check(CLI::IsMember({"nested", "exports"}));
  cmd.add_option("--strategy", o.strategy,
                 "auto, lifecycle, ownership or size (asks for a split even when the template "
                 "fits every quota)")
      ->check(CLI::IsMember({"auto", "lifecycle", "ownership", "size"}));
  cmd.add_option("--effort", o.effort,
                 "Packing search: fast, or thorough (an integer program over the LP bound's "
                 "columns; a few seconds more, never more stacks)")
      ->check(CLI::IsMember({"fast", "thorough"}));
  cmd.add_option("--headroom", o.headroom, "Share of every quota a stack may use")
      ->check(CLI::Range(0.05, 1.0));
  cmd.add_option("--max-stacks", o.max_stacks, "Fail when the plan needs more stacks than this");
  cmd.add_flag("--allow-mixed-owners", o.allow_mixed_owners, "Let one stack hold several owners");
  cmd.add_option("--pin", o.pins, "ID=STACK: keep a resource in a stack (repeatable)");
  cmd.add_option("--previous", o.previous, "Keep the placements of an earlier plan");
  cmd.add_option("--deployed", o.deployed,
                 "The deployed template (get-template output): resources that can move neither "
                 "by refactoring, import nor safe re-creation stay in the base stack");
  AddSizingOptions(cmd, o.packages);
}

bool CommandStages::IsInput(const std::string& path) const {
  struct stat a {
  }, b{};
  if (stat(path.c_str(), &a) != 0) return false;
  for (const auto& in : input_paths)
    if (stat(in.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) return true;
  return false;
}

std::optional<SplitPlan> ReadPlanFile(Session& s, const std::string& path) {
  std::string text;
  if (!ReadFileText(path, text, s.sink())) return std::nullopt;
  std::uint32_t id = s.sources().Add(path, std::move(text));
  return PlanFromYaml(id, s.sources(), s.sink());
}

namespace {

bool ParsePins(Session& s, const PlanningOptions& o, std::vector<Pin>& pins) {
  for (const auto& p : o.pins) {
    auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == p.size()) {
      s.sink().Error("E0020", {}, "--pin takes ID=STACK, got '" + p + "'");
      return false;
    }
    pins.push_back({p.substr(0, eq), p.substr(eq + 1), "cli"});
  }
  if (o.previous.empty()) return true;
  auto previous = ReadPlanFile(s, o.previous);
  if (!previous) return false;
  for (const auto& stack : previous->stacks)
    for (const auto& id : stack.resources) pins.push_back({id, stack.name, "plan"});
  return true;
}

// Why a template needs no split, or "" when it does: every per-stack quota and Lambda's package
// limit hold for the template as it is.
std::string WhyNothingToSplit(const Analysis& a, const PackageView& packages,
                              const RuleSet& rules) {
  std::string figures;
  for (const QuotaUse& q : a.quotas) {
    const Quota* rule = rules.quotas.Find(q.key);
    if (!rule || rule->scope != QuotaScope::kStack) continue;
    if (q.used > q.limit) return "";
    if (q.measure == QuotaMeasure::kResources || q.measure == QuotaMeasure::kOutputs ||
        q.measure == QuotaMeasure::kParameters)
      figures += (figures.empty() ? "" : ", ") + q.what + " " + std::to_string(q.used) + " of " +
                 std::to_string(q.limit);
  }
  std::uint64_t limit = Budget(rules, QuotaMeasure::kPackageBytes, 1.0);
  std::vector<std::string> all;
  for (const auto& [id, f] : packages.functions) {
    if (StackPackageBytes(packages, {id}) > limit) return "";
    all.push_back(id);
  }
  if (packages.shared_artifact() && StackPackageBytes(packages, all) > limit) return "";
  return figures + (packages.empty() ? "" : ", every package within Lambda's limit");
}

}  // namespace

// `plan --deployed`: a deployed resource that can neither be refactored, imported nor safely
// re-created stays in the base stack, where it is deployed (rules/refactor.yaml).
static bool PinDeployed(Session& s, const std::string& path, const TemplateModel& model,
                        std::vector<Pin>& pins, std::map<std::string, std::string>& reasons) {
  DeployedLayout layout;
  auto deployed = LoadDeployedModel(s, path, &layout);
  if (!deployed) return false;
  for (const auto& [id, why] : UnmovableResources(*deployed, s.rules())) {
    if (!model.FindResource(id)) continue;
    // A deployed split's resource stays in the stack it is deployed in.
    auto home = layout.homes.find(id);
    std::string stack =
        home == layout.homes.end() || home->second == layout.stacks.front() ? "Base" : home->second;
    bool pinned = false;
    for (const Pin& pin : pins) pinned = pinned || pin.resource == id;
    if (!pinned) pins.push_back({id, stack, "deployed"});
    reasons[id] = "pinned to " + stack + ": " + why;
  }
  return true;
}

CommandStages::CommandStages(Session& s) : s_(s) {}
CommandStages::~CommandStages() = default;

void CommandStages::PlanTemplate(std::string template_path, const PlanningOptions& options) {
  template_path_ = std::move(template_path);
  planning_ = options;
}

void CommandStages::ReadPlan(std::string plan_path, bool rebase, const SizingOptions& overrides) {
  plan_path_ = std::move(plan_path);
  rebase_ = rebase;
  overrides_ = overrides;
}

// A plan's input path as given when it was made (relative to the working directory then), or
// relative to the plan file (plans written into OUTDIR store them so, to be independent of the
// working directory).
static std::string ResolvePlanInput(const std::string& plan_path, const std::string& input) {
  struct stat st {};
  if (input.empty() || input.front() == '/' || stat(input.c_str(), &st) == 0) return input;
  return DirName(plan_path) + "/" + input;
}

PipelineResult CommandStages::Run(Stage stop_after) {
  // Planning from a template that fails is a finding about it; a plan file that cannot be used
  // (with its template) is an input error, exit 2.
  input_ok_ = plan_path_.empty();
  if (!s_.LoadRules()) return {};
  if (plan_path_.empty()) return s_.RunTemplate(template_path_, stop_after, &analysis_sink_, this);
  read_plan_ = ReadPlanFile(s_, plan_path_);
  if (!read_plan_) return {};
  template_input_ = read_plan_->Input("template");
  if (!template_input_) {
    s_.sink().Error("E4101", {}, "plan '" + plan_path_ + "' names no template input");
    return {};
  }
  if (template_input_->path.empty()) {
    s_.sink().Error("E4101", {}, "plan '" + plan_path_ + "': the template input has an empty path");
    return {};
  }
  // review reports the plan's violations, not the template's quotas.
  return s_.RunTemplate(ResolvePlanInput(plan_path_, template_input_->path), stop_after,
                        &analysis_sink_, this);
}

bool CommandStages::Failed(bool input_ok) {
  input_ok_ = input_ok;
  return false;
}

int CommandStages::Fail() { return s_.Finish(input_ok_ && !s_.HasInputErrors()); }

bool CommandStages::Admit(const PipelineInputs&, PipelineRun&, PipelineResult& r) {
  if (s_.HasInputErrors()) return false;  // a bad option reported before the run
  return plan_path_.empty() ? AdmitTemplate(r) : AdmitPlanned(r);
}

// Planning: a template with errors is not split; pins (--pin, --previous, --deployed) are read.
bool CommandStages::AdmitTemplate(PipelineResult& r) {
  // A template CloudFormation would reject (a Ref to nothing, say) is not split: the error may
  // hide a dependency the plan needs to see.
  if (s_.sink().has_errors()) {
    s_.sink().Error("E4100", {},
                    "the template has errors (above); fix them before planning a split");
    return false;
  }
  const PlanningOptions& options = planning_;
  plan_options_.mode = *ParseWiringMode(options.mode);
  plan_options_.strategy = options.strategy.empty() ? "auto" : options.strategy;
  plan_options_.headroom = options.headroom;
  plan_options_.effort = options.effort;
  plan_options_.max_stacks = options.max_stacks;
  plan_options_.allow_mixed_owners = options.allow_mixed_owners;
  if (!ParsePins(s_, options, plan_options_.pins)) return false;
  // Pins from a previous plan may name resources that are gone; keep only those that exist.
  std::vector<Pin> kept;
  for (const auto& pin : plan_options_.pins) {
    if (r.model->FindResource(pin.resource))
      kept.push_back(pin);
    else if (pin.source == "cli")
      s_.sink().Error("E0021", {}, "--pin names no resource '" + pin.resource + "'");
  }
  plan_options_.pins = kept;
  if (s_.sink().has_errors()) return false;
  if (!options.deployed.empty() &&
      !PinDeployed(s_, options.deployed, *r.model, plan_options_.pins, deployed_pins_))
    return false;
  for (const auto& d : analysis_sink_.diagnostics())
    if (CodeHas(d.code, kDemotedWhenPlanning))
      s_.sink().Warning(DemotedCode(d.code), d.loc, d.message + " (kept together in one stack)");
  inputs_ = {{"template", template_path_, Sha256Hex(s_.sources().text(r.model->file()))}};
  package_options = options.packages;
  return true;
}

// A plan file: its template must be the one it was made from (or --rebase); the sizing inputs
// it records are used unless given again.
bool CommandStages::AdmitPlanned(PipelineResult& r) {
  const std::string& path = r.model->path();
  template_sha_ = Sha256Hex(s_.sources().text(r.model->file()));
  if (template_sha_ != template_input_->sha256) {
    if (!rebase_) {
      s_.sink().Error("E4102", {},
                      "the template '" + path +
                          "' changed since the plan was made; "
                          "pass --rebase to check the plan against it as it is now");
      return false;
    }
    s_.sink().Warning("W4103", {}, "checking the plan against the changed template '" + path + "'");
  }
  inputs_ = {{"template", path, template_sha_}};
  package_options = overrides_;
  // The sizing inputs the plan recorded, unless given again.
  for (const SizingInput& in : SizingInputs()) {
    if (in.plan_role.empty() || !in.values(overrides_).empty()) continue;
    for (const PlanInput& input : read_plan_->inputs)
      if (input.role == in.plan_role)
        in.add(package_options, ResolvePlanInput(plan_path_, input.path));
  }
  return true;
}

bool CommandStages::Size(const PipelineInputs&, PipelineRun&, PipelineResult& r) {
  auto packages = LoadPackages(s_, *r.model, package_options, &inputs_, &r.package_model);
  if (!packages) return false;
  r.packages = std::move(*packages);
  return true;
}

bool CommandStages::Plan(const PipelineInputs&, PipelineRun&, PipelineResult& r) {
  if (plan_path_.empty()) {
    if (!MakePlan(r)) return false;
  } else {
    r.plan = std::move(*read_plan_);
    read_plan_.reset();
    template_input_ = nullptr;
    for (PlanInput& i : r.plan->inputs) i.path = ResolvePlanInput(plan_path_, i.path);
  }
  for (const auto& in : inputs_) input_paths.push_back(in.path);
  if (!plan_path_.empty() && !plan_rewritten) input_paths.push_back(plan_path_);
  for (const auto& in : also_inputs) input_paths.push_back(in);
  if (!r.plan || emit.mode.empty()) return true;
  // Emitted in another mode than planned: the plan's check no longer holds.
  const WiringMode mode = *ParseWiringMode(emit.mode);
  if (r.plan->options.mode != mode) r.check.reset();
  r.plan->options.mode = mode;
  return true;
}

// From the template: nothing to split (the plan left unset), or the packer's plan and check.
bool CommandStages::MakePlan(PipelineResult& r) {
  const PlanningOptions& options = planning_;
  bool split_asked = !options.strategy.empty() || !options.pins.empty() ||
                     !options.previous.empty() || !deployed_pins_.empty();
  if (!split_asked) {
    nothing_to_split = WhyNothingToSplit(*r.analysis, r.packages, s_.rules());
    if (!nothing_to_split.empty()) return true;
  }
  PlanCheck check;
  r.plan = PartitionTemplate(*r.analysis, r.packages, s_.rules(), plan_options_, s_.sink(), &check);
  if (!r.plan) return false;
  r.check = std::move(check);
  r.plan->inputs = inputs_;  // inputs and explanations are not what CheckPlan reads
  for (const auto& [id, why] : deployed_pins_) r.plan->explanations[id] = why;
  return true;
}

int NothingToSplit(Session& s, const TemplateModel& model, const std::string& reason,
                   const std::string& format) {
  std::string why = model.path() + " is within every stack quota (" + reason + ")";
  ReportSubject subject;
  subject.model = &model;
  subject.nothing_to_split = &why;
  RenderReport(format, kPlanReport, subject, std::cout);
  return s.Finish(true);
}

}  // namespace cfnsplit::cli
