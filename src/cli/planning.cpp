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

void AddPackageOptions(CLI::App& cmd, PackageOptions& o) {
  cmd.add_option("--manifest", o.manifest, "Dependency manifest (YAML/JSON, see docs/sizing.md)");
  cmd.add_option("--requirements", o.requirements, "Service-wide requirements.txt (repeatable)");
  cmd.add_option("--site-packages", o.site_packages,
                 "Installed tree to measure (pip install -t DIR)");
  cmd.add_option("--wheelhouse", o.wheelhouse, "Directory of wheels to measure");
  cmd.add_option("--artifact", o.artifacts, "NAME=path.zip: a built artifact to measure");
  cmd.add_option("--serverless-config", o.serverless_config,
                 "serverless.yml (pythonRequirements options)");
  cmd.add_option("--packaging", o.packaging, "shared, individual or layer")
      ->check(CLI::IsMember({"shared", "individual", "layer"}));
  cmd.add_option("--infer-imports", o.infer_imports,
                 "Infer each function's requirements from its handler's imports: on, off, or "
                 "auto (on when the handler is found and an installed tree is given; a manifest "
                 "entry always wins)")
      ->check(CLI::IsMember({"on", "off", "auto"}));
  // split registers --code once for both inference and --build (see AddBuildFlags).
  if (!cmd.get_option_no_throw("--code"))
    cmd.add_option("--code", o.code,
                   "Code tree holding the handlers (repeatable; default: CodeUri, the manifest's "
                   "code, the serverless.yml folder, the template's folder)");
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
  AddPackageOptions(cmd, o.packages);
}

bool Planned::IsInput(const std::string& path) const {
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
std::string NothingToSplit(const Analysis& a, const PackageView& packages, const RuleSet& rules) {
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

std::optional<Planned> MakePlan(Session& s, const std::string& template_path,
                                const PlanningOptions& options) {
  if (!s.LoadRules()) return std::nullopt;
  Planned p;
  // Quota findings about the unsplit template are why the user splits: not errors here.
  DiagnosticSink analysis_sink;
  PipelineResult loaded = s.RunTemplate(template_path, Stage::kAnalysis, &analysis_sink);
  if (!loaded.ok) return std::nullopt;
  p.model = std::move(loaded.model);
  p.analysis = std::move(*loaded.analysis);
  // A template CloudFormation would reject (a Ref to nothing, say) is not split: the error may
  // hide a dependency the plan needs to see.
  if (s.sink().has_errors()) {
    s.sink().Error("E4100", {},
                   "the template has errors (above); fix them before planning a split");
    return std::nullopt;
  }
  PlanOptions plan_options;
  plan_options.mode = *ParseWiringMode(options.mode);
  plan_options.strategy = options.strategy.empty() ? "auto" : options.strategy;
  plan_options.headroom = options.headroom;
  plan_options.effort = options.effort;
  plan_options.max_stacks = options.max_stacks;
  plan_options.allow_mixed_owners = options.allow_mixed_owners;
  if (!ParsePins(s, options, plan_options.pins)) return std::nullopt;
  // Pins from a previous plan may name resources that are gone; keep only those that exist.
  std::vector<Pin> kept;
  for (const auto& pin : plan_options.pins) {
    if (p.model->FindResource(pin.resource))
      kept.push_back(pin);
    else if (pin.source == "cli")
      s.sink().Error("E0021", {}, "--pin names no resource '" + pin.resource + "'");
  }
  plan_options.pins = kept;
  if (s.sink().has_errors()) return std::nullopt;
  std::map<std::string, std::string> deployed_pins;
  if (!options.deployed.empty() &&
      !PinDeployed(s, options.deployed, *p.model, plan_options.pins, deployed_pins))
    return std::nullopt;
  const std::string& text = s.sources().text(p.model->file());
  for (const auto& d : analysis_sink.diagnostics())
    if (CodeHas(d.code, kDemotedWhenPlanning))
      s.sink().Warning(DemotedCode(d.code), d.loc, d.message + " (kept together in one stack)");
  std::vector<PlanInput> inputs = {{"template", template_path, Sha256Hex(text)}};
  p.package_options = options.packages;
  auto packages = LoadPackages(s, *p.model, options.packages, &inputs, &p.package_model);
  if (!packages) return std::nullopt;
  p.packages = std::move(*packages);
  for (const auto& in : inputs) p.input_paths.push_back(in.path);
  bool split_asked = !options.strategy.empty() || !options.pins.empty() ||
                     !options.previous.empty() || !deployed_pins.empty();
  if (!split_asked) {
    p.nothing_to_split = NothingToSplit(p.analysis, p.packages, s.rules());
    if (!p.nothing_to_split.empty()) return p;
  }
  auto plan =
      PartitionTemplate(p.analysis, p.packages, s.rules(), plan_options, s.sink(), &p.check);
  if (!plan) return std::nullopt;
  p.plan = std::move(*plan);
  p.plan.inputs = inputs;  // inputs and explanations are not what CheckPlan reads
  for (const auto& [id, why] : deployed_pins) p.plan.explanations[id] = why;
  p.check_current = true;
  return p;
}

int NothingToSplit(Session& s, const Planned& p, const std::string& format) {
  std::string why = p.model->path() + " is within every stack quota (" + p.nothing_to_split + ")";
  ReportSubject subject;
  subject.model = p.model.get();
  subject.nothing_to_split = &why;
  RenderReport(format, kPlanReport, subject, std::cout);
  return s.Finish(true);
}

// A plan's input path as given when it was made (relative to the working directory then), or
// relative to the plan file (plans written into OUTDIR store them so, to be independent of the
// working directory).
static std::string ResolvePlanInput(const std::string& plan_path, const std::string& input) {
  struct stat st {};
  if (input.empty() || input.front() == '/' || stat(input.c_str(), &st) == 0) return input;
  return DirName(plan_path) + "/" + input;
}

std::optional<Planned> LoadPlanAndTemplate(Session& s, const std::string& plan_path, bool rebase,
                                           const PackageOptions& overrides) {
  if (!s.LoadRules()) return std::nullopt;
  auto plan = ReadPlanFile(s, plan_path);
  if (!plan) return std::nullopt;
  const PlanInput* in = plan->Input("template");
  if (!in) {
    s.sink().Error("E4101", {}, "plan '" + plan_path + "' names no template input");
    return std::nullopt;
  }
  if (in->path.empty()) {
    s.sink().Error("E4101", {}, "plan '" + plan_path + "': the template input has an empty path");
    return std::nullopt;
  }
  std::string path = ResolvePlanInput(plan_path, in->path);
  Planned p;
  DiagnosticSink analysis_sink;  // review reports the plan's violations, not the template's quotas
  PipelineResult loaded = s.RunTemplate(path, Stage::kAnalysis, &analysis_sink);
  if (!loaded.ok) return std::nullopt;
  p.model = std::move(loaded.model);
  p.analysis = std::move(*loaded.analysis);
  const std::string& text = s.sources().text(p.model->file());
  const std::string sha = Sha256Hex(text);
  if (sha != in->sha256) {
    if (!rebase) {
      s.sink().Error("E4102", {},
                     "the template '" + path +
                         "' changed since the plan was made; "
                         "pass --rebase to check the plan against it as it is now");
      return std::nullopt;
    }
    s.sink().Warning("W4103", {}, "checking the plan against the changed template '" + path + "'");
  }
  std::vector<PlanInput> inputs = {{"template", path, sha}};
  PackageOptions package_options = overrides;
  if (const PlanInput* manifest = plan->Input("manifest"); manifest && overrides.manifest.empty())
    package_options.manifest = ResolvePlanInput(plan_path, manifest->path);
  if (const PlanInput* sls = plan->Input("serverless-config");
      sls && overrides.serverless_config.empty())
    package_options.serverless_config = ResolvePlanInput(plan_path, sls->path);
  if (overrides.requirements.empty())
    for (const PlanInput& input : plan->inputs)
      if (input.role == "requirements")
        package_options.requirements.push_back(ResolvePlanInput(plan_path, input.path));
  p.package_options = package_options;
  auto packages = LoadPackages(s, *p.model, package_options, &inputs, &p.package_model);
  if (!packages) return std::nullopt;
  p.packages = std::move(*packages);
  p.plan = std::move(*plan);
  for (PlanInput& i : p.plan.inputs) i.path = ResolvePlanInput(plan_path, i.path);
  for (const auto& i : inputs) p.input_paths.push_back(i.path);
  p.input_paths.push_back(plan_path);
  return p;
}

}  // namespace cfnsplit::cli
