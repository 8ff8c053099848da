// PartitionTemplate: assignment, packing, explanations, lower bounds and the final check.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "cfnsplit/numbers.hpp"
#include "cfnsplit/timings.hpp"
#include "partition/internal.hpp"
#include "partition/pairs.hpp"

namespace cfnsplit {
namespace {

// Reports clusters that cannot fit into any stack on their own: no packing can help them.
bool CheckClustersFit(const Analysis& a, const std::vector<Cluster>& clusters,
                      const PackageView& packages, const RuleSet& rules, const PlanOptions& options,
                      DiagnosticSink& sink) {
  const TemplateModel& m = *a.model;
  bool ok = true;
  std::uint64_t package_budget = Budget(rules, QuotaMeasure::kPackageBytes, options.headroom);
  std::uint64_t package_limit = Budget(rules, QuotaMeasure::kPackageBytes, 1.0);
  std::uint64_t resource_budget = Budget(rules, QuotaMeasure::kResources, options.headroom);
  std::uint64_t parameter_budget = Budget(rules, QuotaMeasure::kParameters, options.headroom);
  std::uint64_t output_budget = Budget(rules, QuotaMeasure::kOutputs, options.headroom);
  for (const Cluster& c : clusters) {
    SourceLoc loc = c.functions.empty() ? m.resources[c.members.front()].loc
                                        : m.FindResource(c.functions.front())->loc;
    std::string what = c.functions.empty() ? m.resources[c.members.front()].id
                                           : (c.functions.size() == 1
                                                  ? "function " + c.functions.front()
                                                  : "functions " + c.functions.front() + " and " +
                                                        std::to_string(c.functions.size() - 1) +
                                                        " more that must stay together");
    if (!packages.empty() && c.package_bytes > package_limit) {
      sink.Error(
          "E4008", loc,
          what + " ships " + GroupDigits(c.package_bytes) +
              " bytes unzipped on its own, over Lambda's limit of " + GroupDigits(package_limit) +
              "; no stack split can fix that",
          {"see `cfnsplit analyze` with the same sizing options for its recommendations (slim, "
           "noDeploy, zip, or a container image: an existing zip function cannot be converted; "
           "create a new one, or declare `image: true` for it in the manifest to plan for that)"});
      ok = false;
    } else if (!packages.empty() && packages.shared_artifact() &&
               c.package_bytes > package_budget) {
      sink.Warning("W4014", loc,
                   what + " ships " + GroupDigits(c.package_bytes) +
                       " bytes unzipped: within Lambda's limit "
                       "but over the headroom budget of " +
                       GroupDigits(package_budget) +
                       "; it shares a stack only with functions that ship nothing more");
    }
    WiringLoad load = LoadOf(c.takes.size(), c.params.size(), c.gives.size(), c.root_outputs,
                             options.mode == WiringMode::kNested);
    for (const auto& [used, budget, unit] :
         {std::tuple{std::uint64_t{c.resources}, resource_budget, "resources"},
          std::tuple{std::uint64_t{load.parameters}, parameter_budget, "parameters"},
          std::tuple{std::uint64_t{load.outputs}, output_budget, "outputs"}})
      if (used > budget) {
        sink.Error("E4012", loc,
                   what + " needs " + std::to_string(used) + " " + unit +
                       " in one stack, over one stack's budget of " + std::to_string(budget),
                   {"break the reference chain that ties them, or raise --headroom"});
        ok = false;
      }
    if (c.mixed_owners && !options.allow_mixed_owners) {
      // `what` already says "that must stay together" when several functions are tied.
      sink.Error("E4005", loc,
                 what + (c.functions.size() > 1 ? " have" : " has") +
                     " several owners and cannot be split",
                 {"give them one owner, or pass --allow-mixed-owners"});
      ok = false;
    }
  }
  return ok;
}

std::string DescribeStack(const StackPlan& s, const PackageView& packages) {
  std::string why = "in " + s.name;
  if (!s.owner.empty()) why += " (owner " + s.owner + ")";
  if (!s.distributions.empty() && !packages.empty()) {
    std::vector<std::pair<std::uint64_t, std::string>> heavy;
    for (const auto& d : s.distributions) {
      auto it = std::find(packages.dist_names.begin(), packages.dist_names.end(), d);
      heavy.emplace_back(
          packages.dist_bytes[static_cast<std::size_t>(it - packages.dist_names.begin())], d);
    }
    std::sort(heavy.rbegin(), heavy.rend());
    why += ", whose artifact ships " + heavy.front().second;
    if (heavy.size() > 1) why += "+" + heavy[1].second;
  }
  return why;
}

void Explain(const Analysis& a, const Assignment& asg, SplitPlan& plan,
             const PackageView& packages) {
  const TemplateModel& m = *a.model;
  plan.explanations.reserve(m.resources.size());
  for (std::size_t s = 0; s < plan.stacks.size(); ++s) {
    std::string where = DescribeStack(plan.stacks[s], packages);
    for (const auto& id : plan.stacks[s].resources) {
      auto i = static_cast<std::size_t>(m.ResourceIndex(id));
      std::string why = asg.reason[i];
      if (a.info[i].cls == LifecycleClass::kFunction && why.empty()) why = "function";
      if (a.info[i].cls == LifecycleClass::kSatellite && a.info[i].function >= 0)
        why = a.info[i].reason;
      if (why.empty()) why = a.info[i].reason;
      plan.explanations[id] = s == 0 ? why : why + "; " + where;
    }
  }
}

// Bounds no plan can beat, so the user sees how close this one is to optimal.
void LowerBounds(const std::vector<Cluster>& clusters, const PackageView& packages,
                 const RuleSet& rules, const PlanOptions& options, const LpBound& lp,
                 SplitPlan& plan) {
  // The set-covering LP bound (column generation, Farley's bound from its duals): proven for
  // any plan that keeps the budgets, whatever the pricer found (docs/packing.md).
  if (lp.computed && !clusters.empty())
    plan.lower_bounds["function_stacks_by_lp"] =
        static_cast<std::uint64_t>(std::ceil(lp.value - 1e-6));
  // Owners never share a stack: with every cluster owned, each owner's stacks are bounded alone.
  if (lp.owner_groups > 0)
    plan.lower_bounds["function_stacks_by_owner_groups"] =
        static_cast<std::uint64_t>(std::ceil(lp.owner_groups - 1e-6));
  std::uint64_t resources = 0;
  for (const auto& c : clusters) resources += c.resources;
  std::uint64_t rb = Budget(rules, QuotaMeasure::kResources, options.headroom);
  plan.lower_bounds["function_stacks_by_resources"] =
      (resources + rb - 1) / std::max<std::uint64_t>(rb, 1);
  if (packages.empty() || !packages.shared_artifact()) return;
  std::vector<std::string> all;
  for (const auto& c : clusters) all.insert(all.end(), c.functions.begin(), c.functions.end());
  std::uint64_t pb = Budget(rules, QuotaMeasure::kPackageBytes, options.headroom);
  std::uint64_t limit = Budget(rules, QuotaMeasure::kPackageBytes, 1.0);
  // A stack holds more than the headroom budget only when a cluster alone is over it (the
  // packer then adds to it only what adds nothing, up to the limit): with such a cluster, a
  // stack's capacity is the limit, or this bound would count stacks no plan needs (one
  // function of 240 MB is one stack, not two).
  bool oversized = std::any_of(clusters.begin(), clusters.end(),
                               [&](const Cluster& c) { return c.package_bytes > pb; });
  std::uint64_t capacity = oversized ? limit : pb;
  plan.lower_bounds["function_stacks_by_package"] =
      (StackPackageBytes(packages, all) + capacity - 1) / capacity;
  plan.lower_bounds["function_stacks_by_conflicts"] =
      ConflictClique(clusters, packages, options.allow_mixed_owners, pb, limit);
}

// When the base stack would exceed its resource budget, resources that nothing needs and that
// hold no data (alarms, dashboards, unused topics) move out to ordinary stacks: keeping them in
// the base buys nothing, and a base over the quota is no plan at all.
void RelieveBase(const Analysis& a, const RuleSet& rules, const PlanOptions& options,
                 Assignment& asg) {
  const TemplateModel& m = *a.model;
  std::uint64_t budget = Budget(rules, QuotaMeasure::kResources, options.headroom);
  std::uint64_t used = 0;
  for (std::size_t i = 0; i < m.resources.size(); ++i)
    if (asg.placement[i] == Placement::kBase) used += a.info[i].expanded;
  // In nested mode the parent also gets post resources and a stack resource per child, which
  // are not known yet: once the base is over, every such resource moves out.
  if (used <= budget) return;
  for (std::uint32_t i = 0; i < m.resources.size(); ++i) {
    const Resource& r = m.resources[i];
    bool free = asg.placement[i] == Placement::kBase &&
                a.info[i].cls != LifecycleClass::kStateful && asg.forced_stack[i].empty() &&
                !r.is_foreach() && r.type != "AWS::CloudFormation::Stack" &&
                a.graph.dependents(i).empty() && !a.graph.EdgeKinds(i, i) &&
                a.info[i].function < 0;  // functions and satellites move as a unit, not alone
    if (!free) continue;
    asg.placement[i] = Placement::kCluster;
    asg.cluster[i] = i;
    asg.reason[i] =
        "nothing needs it and it holds no data: moved out to keep the base stack within quota";
  }
}

// A pin the plan could not keep (the resource is bound to something that must sit elsewhere) is
// the user's constraint failing, said at once, never a silently moved resource. Placements kept
// from a previous plan (`--previous`) are preferences: `review --against` shows their moves.
bool PinsHold(const Analysis& a, const SplitPlan& plan, DiagnosticSink& sink) {
  // Most plans have no pin of the user's: then the index of every resource's stack (a tree of
  // 59,000 names at 10,000 functions) is not worth building.
  if (std::all_of(plan.options.pins.begin(), plan.options.pins.end(),
                  [](const Pin& pin) { return pin.source == "plan"; }))
    return true;
  std::map<std::string, int> stack_of = plan.StackIndex();
  bool ok = true;
  for (const Pin& pin : plan.options.pins) {
    if (pin.source == "plan") continue;
    auto it = stack_of.find(pin.resource);
    if (it == stack_of.end() || it->second < 0) continue;  // unknown resource: reported elsewhere
    const std::string& where = plan.stacks[static_cast<std::size_t>(it->second)].name;
    if (where == pin.stack) continue;
    const Resource* r = a.model->FindResource(pin.resource);
    auto why = plan.explanations.find(pin.resource);
    sink.Error("E4015", r ? r->loc : SourceLoc{},
               "cannot keep the pin of " + pin.resource + " in " + pin.stack + ": it must sit in " +
                   where + (why == plan.explanations.end() ? "" : " (" + why->second + ")"),
               {"pin what it is bound to into the same stack, or drop the pin"});
    ok = false;
  }
  return ok;
}

SplitPlan AssemblePlan(const Analysis& a, const Assignment& asg,
                       const std::vector<Cluster>& clusters, const PackageView& packages,
                       const RuleSet& rules, const PlanOptions& options, double tighten,
                       LpBound* lp) {
  const TemplateModel& m = *a.model;
  SplitPlan plan;
  plan.options = options;
  StackPlan base;
  base.name = "Base";
  base.role = StackRole::kBase;
  StackPlan post;
  post.name = "Post";
  post.role = StackRole::kPost;
  bool nested = options.mode == WiringMode::kNested;
  for (std::size_t i = 0; i < m.resources.size(); ++i) {
    if (asg.placement[i] == Placement::kBase) base.resources.push_back(m.resources[i].id);
    if (asg.placement[i] == Placement::kPost)
      (nested ? base : post).resources.push_back(m.resources[i].id);
  }
  plan.stacks.push_back(std::move(base));
  for (auto& s : PackClusters(a, clusters, packages, rules, options, tighten, lp))
    plan.stacks.push_back(std::move(s));
  if (!post.resources.empty()) plan.stacks.push_back(std::move(post));
  return plan;
}

}  // namespace

void ApplyFigures(SplitPlan& plan, const PlanCheck& check) {
  for (std::size_t s = 0; s < plan.stacks.size() && s < check.figures.size(); ++s) {
    plan.stacks[s].figures = check.figures[s];
    plan.stacks[s].imports = check.imports[s];
    plan.stacks[s].exports = check.exports[s];
  }
}

std::optional<SplitPlan> PartitionTemplate(const Analysis& a, const PackageView& packages,
                                           const RuleSet& rules, const PlanOptions& options,
                                           DiagnosticSink& sink, PlanCheck* final_check) {
  timings::Scope timing("partition");
  Assignment asg = AssignResources(a, options);
  if (options.mode == WiringMode::kExports && !asg.pin_conflicts.empty()) {
    // In exports mode the base stack deploys first and cannot import from a later stack.
    for (const auto& c : asg.pin_conflicts)
      sink.Error("E4015", {}, "cannot keep the pin of " + c + ": the base stack needs it",
                 {"pin what needs it to the same stack, drop the pin, or use --mode nested"});
    return std::nullopt;
  }
  RelieveBase(a, rules, options, asg);
  std::vector<Cluster> clusters = BuildClusters(a, asg, packages, rules, options);
  if (!CheckClustersFit(a, clusters, packages, rules, options, sink)) return std::nullopt;

  // The packer counts what the final check counts (RootOutputHomes, the same wiring rules); should
  // a stack still come out over a quota, it packs again aiming lower rather than fail.
  SplitPlan plan;
  PlanCheck check;
  LpBound lp;
  for (double tighten : {1.0, 0.9, 0.75, 0.5}) {
    // The bound is computed with the real budgets, on the first pass only.
    plan = AssemblePlan(a, asg, clusters, packages, rules, options, tighten,
                        tighten == 1.0 ? &lp : nullptr);
    check = CheckPlan(a, plan, packages, rules);
    bool function_stack_over =
        std::any_of(check.violations.begin(), check.violations.end(),
                    [&](const Violation& v) { return v.code == "E4007" && v.stack != "Base"; });
    if (!function_stack_over) break;
  }
  if (options.max_stacks && plan.stacks.size() > options.max_stacks) {
    sink.Error("E4011", {},
               "the plan needs " + std::to_string(plan.stacks.size()) +
                   " stacks, more than --max-stacks " + std::to_string(options.max_stacks));
    return std::nullopt;
  }
  Explain(a, asg, plan, packages);
  LowerBounds(clusters, packages, rules, options, lp, plan);
  if (!PinsHold(a, plan, sink)) return std::nullopt;
  for (StackPlan& stack : plan.stacks)
    for (const std::string& id : stack.resources)
      if (packages.images.count(id)) stack.images.push_back(id);
  ApplyFigures(plan, check);
  for (const auto& v : check.violations) {
    // The base stack holds what cannot move; over its budget, no packing of functions helps.
    if (v.code == "E4007" && v.stack == plan.stacks[0].name)
      sink.Error(
          "E4013", {}, "the base stack cannot fit: " + v.message,
          {options.mode == WiringMode::kNested
               ? "data, shared infrastructure and what they need stay in the base stack, and "
                 "a nested parent also holds one stack resource per child (" +
                     std::to_string(plan.stacks.size() - 1) +
                     " here): --mode exports has no such limit"
               : "data, shared infrastructure and what they need stay in the base stack; "
                 "raise --headroom, or --pin shared resources to function stacks"});
    else if (v.code == "E4018")
      sink.Error(v.code, {}, v.message, {v.fix});
    else if (v.code == "E4007")
      sink.Error(v.code, {}, "no packing found within the budgets: " + v.message,
                 {"raise --headroom, or allow fewer values between stacks (--pin related "
                  "resources together)"});
    else
      sink.Error(v.code, {}, "internal: the plan breaks a constraint: " + v.message,
                 {"fix: " + v.fix});
  }
  if (!check.ok()) return std::nullopt;
  // What follows the packing loop (explanations, bounds, images, figures) changes nothing
  // CheckPlan reads (stack names and resources, the plan's options): the check still holds.
  if (final_check) *final_check = std::move(check);
  return plan;
}

}  // namespace cfnsplit
