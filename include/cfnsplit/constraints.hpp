// Constraints: the hard rules every plan must keep, and the figures of each planned stack.
//
// Input: the Analysis of a template, a SplitPlan (made by the partitioner or edited by hand),
// optional package sizes and the RuleSet. Output: per-stack figures (resources, parameters and
// outputs including those the wiring will create, template bytes, package bytes) and every
// violation with the smallest fix cfnsplit can name. The partitioner runs the same check on its
// own result before it returns, so a plan it writes always passes `review`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cfnsplit/analysis.hpp"
#include "cfnsplit/plan.hpp"

namespace cfnsplit {

/// Sizes of what functions ship, by function resource ID (filled from the sizing stage).
struct PackageView {
  std::string packaging = "shared";  ///< shared | individual | layer
  std::vector<std::string> dist_names;
  std::vector<std::uint64_t> dist_bytes;
  std::vector<std::string> dist_requirements;  ///< pinned line per dist ("numpy==1.26.4")
  struct Function {
    std::vector<std::uint32_t> dists;  ///< sorted indexes into dist_names
    std::uint64_t code_bytes = 0;
    std::uint64_t layer_bytes = 0;
  };
  std::map<std::string, Function> functions;
  /// Functions that move to a container image: no zip, so no package size.
  std::set<std::string> images;
  bool empty() const { return functions.empty(); }
  /// True when each stack ships one artifact for all its functions (size constrains stacks).
  bool shared_artifact() const { return packaging != std::string_view("individual"); }
};

/// Unzipped bytes of one artifact for these functions: union of dists + all code + the largest
/// layer set (layers attach per function, the artifact is shared).
std::uint64_t StackPackageBytes(const PackageView& view,
                                const std::vector<std::string>& function_ids);

struct Violation {
  std::string code;      ///< E4xxx
  std::string message;   ///< what is wrong
  std::string fix;       ///< the smallest change that fixes it
  std::string stack;     ///< the stack concerned, if one
  std::string resource;  ///< the resource to point at in the template, if one
};

struct PlanCheck {
  std::vector<StackFigures> figures;              ///< parallel to plan.stacks
  std::vector<std::vector<std::string>> imports;  ///< per stack: "Producer:Value" it reads
  std::vector<std::vector<std::string>> exports;  ///< per stack: values others read from it
  std::vector<Violation> violations;
  std::uint32_t cross_stack_values = 0;  ///< distinct values passed between stacks
  std::vector<std::string> notes;        ///< facts that are not violations (nested-operation size)
  bool ok() const { return violations.empty(); }
};

/// "Res" for Ref, "Res.Attr" for GetAtt and Sub's ${Res.Attr}: the key of a value passed
/// between stacks, as the figures and the packer count them.
std::string ValueKey(const Reference& r);

/// Quota budget of one stack for `measure`: the smallest stack or function quota on it × headroom,
/// rounded down; UINT64_MAX when no quota counts it.
std::uint64_t Budget(const RuleSet& rules, QuotaMeasure measure, double headroom);

/// What a planned stack uses of `measure`; nullopt for measures stack figures do not hold.
std::optional<std::uint64_t> StackFigure(const StackFigures& f, QuotaMeasure measure);

/// Every value a set of resources takes from outside it ("Bucket", "Role.Arn", "param:Stage",
/// "pseudo:AWS::StackName"), and conditions and mappings it uses.
struct ExternalUse {
  std::set<std::string> values;
  std::set<std::string> parameters;
  std::set<std::string> conditions;
  std::set<std::string> mappings;
};
/// Computed for every stack at once (stack_of: per resource, its stack or -1).
std::vector<ExternalUse> ExternalUsesByStack(const Analysis& a, const std::vector<int>& stack_of,
                                             std::size_t stacks);

/// Stack indexes in deploy order: each after every stack in `after[s]` (ties keep the index
/// order); empty when `after` has a cycle.
std::vector<int> DeployOrder(const std::vector<std::set<int>>& after);

/// Per template output, the stacks (indexes, from `stack_of` per resource) its value reads.
std::vector<std::vector<int>> OutputReads(const TemplateModel& m, const std::vector<int>& stack_of);

/// Where each of the template's outputs lives, as the emitter writes it: in exports mode the
/// last-deployed stack among those its value reads (the base when none); in nested mode the
/// parent, unless it would hold more than `root_budget`: then outputs whose value comes from a
/// single child move there, exported ones first. One decision for packer, figures and emitter.
std::vector<int> RootOutputHomes(const TemplateModel& m, const std::vector<int>& stack_of,
                                 WiringMode mode, std::size_t root_budget,
                                 const std::vector<int>& deploy_order);

/// Checks `plan` against the template: coverage, cycles, satellites, lifecycle, owners, quotas,
/// package sizes, the stack graph. `pinned` resources may break the satellite/lifecycle rules.
PlanCheck CheckPlan(const Analysis& a, const SplitPlan& plan, const PackageView& packages,
                    const RuleSet& rules);

}  // namespace cfnsplit
