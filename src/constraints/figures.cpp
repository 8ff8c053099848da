// Figures of each planned stack, counting the parameters and outputs its wiring will create.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "constraints/internal.hpp"

namespace cfnsplit {

namespace {

// Rough bytes the wiring adds per generated parameter, output and child stack resource.
constexpr std::uint64_t kParameterBytes = 90;
constexpr std::uint64_t kOutputBytes = 160;
constexpr std::uint64_t kStackResourceBytes = 260;
constexpr std::uint64_t kPassedValueBytes = 90;

bool HasS3Code(const TemplateModel& m, const std::string& id) {
  const Resource* r = m.FindResource(id);
  const Value* code = r && r->properties ? r->properties->Find("Code") : nullptr;
  return code && code->is_map() && code->Find("S3Key");
}

struct Wiring {
  std::vector<std::set<std::string>> gives;  // values other stacks read from each stack
  std::vector<std::set<std::string>> takes;  // "Stack:Value" each stack reads from others
  std::vector<std::set<int>> producers;      // stacks each stack reads from (or deploys after)
  std::vector<std::uint32_t> outputs;        // root outputs living in each stack
};

// What crosses between the stacks of `plan`, as the emitter wires it: every value read across a
// boundary, the stacks each stack depends on, and where the template's outputs end up.
Wiring ComputeWiring(const Analysis& a, const SplitPlan& plan, const std::vector<int>& stack_of,
                     const RuleSet& rules) {
  const TemplateModel& m = *a.model;
  const bool exports = plan.options.mode == WiringMode::kExports;
  const std::size_t n = plan.stacks.size();
  Wiring w;
  w.gives.resize(n);
  w.producers.resize(n);
  w.takes.resize(n);
  w.outputs.assign(n, 0);
  std::vector<std::set<int>> depends(n);  // exports: DependsOn across stacks
  auto crosses = [](int site, int target) { return site != target && site >= 0 && target >= 0; };
  auto cross = [&](int site, int target, const std::string& value) {
    if (!crosses(site, target)) return;
    w.gives[target].insert(value);
    w.takes[site].insert(plan.stacks[target].name + ":" + value);
    w.producers[site].insert(target);
  };
  for (const Reference& r : m.references) {
    if (r.site != SiteKind::kResource) continue;
    long from = r.from_resource;
    int site = from < 0 ? -1 : stack_of[static_cast<std::size_t>(from)];
    if (site < 0) continue;
    if (r.target == TargetKind::kPseudo && exports && site != 0) {
      // AWS::StackName reads the base's name parameter; AWS::StackId is the base's export.
      if (r.to == "AWS::StackName") w.producers[site].insert(0);
      if (r.to == "AWS::StackId") cross(site, 0, "pseudo:AWS::StackId");
      continue;
    }
    long to = r.target == TargetKind::kResource ? r.to_resource : r.generated_by_resource;
    if (to < 0) continue;
    int target = stack_of[static_cast<std::size_t>(to)];
    if (r.kind != RefKind::kDependsOn) {
      // The value's key is built only for a reference that crosses stacks.
      if (crosses(site, target))
        cross(site, target, r.target == TargetKind::kResource ? ValueKey(r) : r.to);
    } else if (exports && target >= 0 && target != site) {
      w.producers[site].insert(target);
      depends[static_cast<std::size_t>(site)].insert(target);
    }
  }
  // A stack that deploys after another only for a DependsOn imports that stack's ordering export.
  for (std::size_t s = 0; s < n; ++s)
    for (int p : depends[s]) {
      const std::string prefix = plan.stacks[static_cast<std::size_t>(p)].name + ":";
      bool imports = std::any_of(w.takes[s].begin(), w.takes[s].end(),
                                 [&](const std::string& t) { return t.rfind(prefix, 0) == 0; });
      if (!imports) cross(static_cast<int>(s), p, "deployed");
    }
  std::vector<int> order = DeployOrder(w.producers);
  std::vector<int> homes = RootOutputHomes(
      m, stack_of, plan.options.mode,
      static_cast<std::size_t>(Budget(rules, QuotaMeasure::kOutputs, plan.options.headroom)),
      order);
  std::map<std::string, std::size_t> output_index;
  for (std::size_t o = 0; o < m.outputs.size(); ++o) output_index[m.outputs[o].name] = o;
  for (const Reference& r : m.references) {
    if (r.site != SiteKind::kOutput || r.kind == RefKind::kCondition ||
        r.kind == RefKind::kFindInMap || r.kind == RefKind::kImportValue)
      continue;
    long to = r.target == TargetKind::kResource ? r.to_resource : r.generated_by_resource;
    if (to < 0) continue;
    std::size_t o = output_index.at(r.from);
    if (o < homes.size() && crosses(homes[o], stack_of[static_cast<std::size_t>(to)]))
      cross(homes[o], stack_of[static_cast<std::size_t>(to)],
            r.target == TargetKind::kResource ? ValueKey(r) : r.to);
  }
  for (int h : homes) ++w.outputs[static_cast<std::size_t>(h)];
  return w;
}

}  // namespace

void ComputeFigures(const Analysis& a, const SplitPlan& plan, const std::vector<int>& stack_of,
                    const PackageView& packages, const RuleSet& rules, PlanCheck& out) {
  const TemplateModel& m = *a.model;
  bool nested = plan.options.mode == WiringMode::kNested;
  Wiring w = ComputeWiring(a, plan, stack_of, rules);
  out.figures.assign(plan.stacks.size(), {});
  out.imports.assign(plan.stacks.size(), {});
  out.exports.assign(plan.stacks.size(), {});
  std::set<std::string> all_values;
  std::vector<ExternalUse> uses = ExternalUsesByStack(a, stack_of, plan.stacks.size());
  std::vector<std::vector<std::uint32_t>> members(plan.stacks.size());
  for (std::uint32_t i = 0; i < m.resources.size(); ++i)
    if (stack_of[i] >= 0) members[static_cast<std::size_t>(stack_of[i])].push_back(i);
  for (std::size_t s = 0; s < plan.stacks.size(); ++s) {
    StackFigures& f = out.figures[s];
    std::vector<std::string> functions;
    bool s3_code = false;
    for (std::uint32_t i : members[s]) {
      f.resources += a.info[i].expanded;
      f.template_bytes += a.info[i].json_bytes + m.resources[i].id.size();
      if (a.info[i].cls == LifecycleClass::kFunction) {
        ++f.functions;
        functions.push_back(m.resources[i].id);
        s3_code = s3_code || HasS3Code(m, m.resources[i].id);
      }
    }
    const ExternalUse& use = uses[s];
    for (const auto& v : w.gives[s]) all_values.insert(plan.stacks[s].name + ":" + v);
    out.imports[s].assign(w.takes[s].begin(), w.takes[s].end());
    out.exports[s].assign(w.gives[s].begin(), w.gives[s].end());
    // A nested parent hands its values to children as parameters: no outputs for them.
    bool parent = nested && s == 0;
    f.outputs = (parent ? 0 : static_cast<std::uint32_t>(w.gives[s].size())) + w.outputs[s];
    if (s == 0) {
      f.parameters = static_cast<std::uint32_t>(m.parameters.size());
      f.mappings = static_cast<std::uint32_t>(m.mapping_names.size());
      if (nested) {
        f.resources += static_cast<std::uint32_t>(plan.stacks.size() - 1);
        f.template_bytes += (plan.stacks.size() - 1) * kStackResourceBytes;
      }
    } else {
      // Exports: one parameter carries the root stack's name, whatever the stack imports from
      // (every other stack is deployed as `<root>-<Stack>`).
      std::size_t taken = nested ? use.values.size() : (w.producers[s].empty() ? 0 : 1);
      f.parameters = static_cast<std::uint32_t>(taken + use.parameters.size() +
                                                (s3_code && packages.shared_artifact() ? 1 : 0));
      f.mappings = static_cast<std::uint32_t>(use.mappings.size());
      if (nested) out.figures[0].template_bytes += use.values.size() * kPassedValueBytes;
    }
    f.template_bytes += f.parameters * kParameterBytes + f.outputs * kOutputBytes;
    if (!packages.empty()) {
      for (const auto& id : functions)
        f.largest_function_package =
            std::max(f.largest_function_package, StackPackageBytes(packages, {id}));
      f.package_bytes = packages.shared_artifact() ? StackPackageBytes(packages, functions)
                                                   : f.largest_function_package;
    }
  }
  out.cross_stack_values = static_cast<std::uint32_t>(all_values.size());
  if (nested) {
    std::uint64_t total = 0;
    for (const auto& f : out.figures) total += f.resources;
    std::uint64_t limit = rules.Limit(quota::kNestedOperationResources);
    if (total > limit)
      out.violations.push_back({"E4018",
                                "the nested tree creates " + std::to_string(total) +
                                    " resources in one operation; CloudFormation allows " +
                                    std::to_string(limit) +
                                    " per nested-stack operation, so its first deploy would fail",
                                "use --mode exports (independent stacks, each deployed on its own)",
                                plan.stacks.empty() ? "" : plan.stacks[0].name, ""});
  }
}

void CheckQuotas(const SplitPlan& plan, const PackageView& packages, const RuleSet& rules,
                 PlanCheck& out) {
  double h = plan.options.headroom;
  for (std::size_t s = 0; s < plan.stacks.size(); ++s) {
    const StackFigures& f = out.figures[s];
    for (const Quota& quota : rules.quotas) {
      // Packages have their own check below: headroom binds only what packing adds.
      if (quota.scope != QuotaScope::kStack) continue;
      std::optional<std::uint64_t> used = StackFigure(f, quota.measure);
      std::uint64_t budget =
          static_cast<std::uint64_t>(std::floor(static_cast<double>(quota.value) * h + 1e-9));
      if (!used || *used <= budget) continue;
      out.violations.push_back(
          {"E4007",
           "stack " + plan.stacks[s].name + " has " + std::to_string(*used) + " " + quota.label +
               ", over its budget of " + std::to_string(budget) + " (quota × headroom " +
               std::to_string(static_cast<int>(h * 100)) + "%)",
           s == 0 ? "move movable resources out of " + plan.stacks[0].name + ", or raise --headroom"
                  : "move some functions of " + plan.stacks[s].name + " to another stack",
           plan.stacks[s].name, ""});
    }
    // Headroom applies to what packing adds: functions that fit the limit but not the headroom
    // may share a stack only with functions that ship nothing more (the planner warns).
    std::uint64_t package_budget = Budget(rules, QuotaMeasure::kPackageBytes, h);
    std::uint64_t package_limit = Budget(rules, QuotaMeasure::kPackageBytes, 1.0);
    bool over = f.package_bytes > package_limit ||
                (f.package_bytes > package_budget && f.package_bytes > f.largest_function_package);
    if (!packages.empty() && over)
      out.violations.push_back(
          {"E4008",
           "stack " + plan.stacks[s].name + " ships " + std::to_string(f.package_bytes) +
               " bytes unzipped, over its budget of " + std::to_string(package_budget),
           "move the function with the heaviest unshared dependencies to "
           "another stack; a function over the limit alone needs one of "
           "the recommendations of `cfnsplit analyze`",
           plan.stacks[s].name, ""});
  }
}

}  // namespace cfnsplit
