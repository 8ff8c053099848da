// Migrate: split a stack that is already deployed without replacing what it holds.
//
// Input: the deployed template (what `aws cloudformation get-template` returns, the bare template,
// or a previous cfnsplit OUTDIR flattened back, with the stack of each resource in a
// DeployedLayout), the deployed stack's name, and a plan (exports or nested mode) with the template
// it was made for (which may have grown since the deployment). Output: a Migration — every
// resource's move with its route (refactor, import, recreate, or impossible) and the reason, and
// the numbered steps that take the deployed stack to cfnsplit's verified split: prepare (ordinary
// update and new stacks holding a placeholder), refactor batches (CreateStackRefactor, at most 5
// stacks each), the gap (resources re-created or imported leave their old stack), import (IMPORT
// change sets), finish (the final templates). Invariants: every intermediate state is an emission
// of the deployed template verified equal to it (so no resource changes before the finish step);
// resources, parameters, conditions and mappings never appear in a refactor that the stack did not
// already have; rules come from rules/refactor.yaml (docs/migrate.md gives every source). A
// deployed nested split (parent + children) is un-nested first: two ordinary updates of the parent
// retain and then remove its AWS::CloudFormation::Stack resources, after which the children are
// stacks of their own (real names from the user) that the exports migration empties and deletes
// (unnest.cpp). A nested plan is reached through its exports-mode twin (same placements), after
// which an IMPORT change set nests the children into the parent as AWS::CloudFormation::Stack
// resources and two updates of the parent switch the wiring to the nested split's, the old exports
// kept in the first (nest.cpp).
// Diagnostics: E8001 (input not supported), E8002 (a move that would lose data or clash a name,
// without --allow-recreate), E8003 (a refactor batch cannot be formed), E8004 (an intermediate
// state fails verification), W8005 (a finish step that replaces a resource), E8006 (a nested
// plan that cannot be reached safely; a nested re-split that needs no migration; a nested
// parent that cannot be un-nested).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cfnsplit/diagnostics.hpp"
#include "cfnsplit/emit.hpp"
#include "cfnsplit/model.hpp"
#include "cfnsplit/plan.hpp"
#include "cfnsplit/ruleset.hpp"
#include "cfnsplit/value.hpp"

namespace cfnsplit {

/// How one resource gets from where it is deployed to where the plan puts it.
enum class MoveRoute {
  kStay,        ///< same stack before and after
  kRefactor,    ///< moved by stack refactoring, unchanged
  kImport,      ///< Retain, removed, imported into its new stack
  kRecreate,    ///< deleted and created anew (stateless, no fixed name; or --allow-recreate)
  kImpossible,  ///< none of the above without losing data or clashing a name
  kCreate,      ///< not deployed yet: created by the finish step
  kDelete,      ///< deployed but no longer in the template: deleted by the finish step
};
const char* MoveRouteName(MoveRoute r);

struct ResourceMove {
  std::string id;
  std::string type;
  std::string from_stack;  ///< deployed stack name; empty for kCreate
  std::string to_stack;    ///< final stack name; empty for kDelete
  MoveRoute route = MoveRoute::kStay;
  std::string reason;   ///< why this route: the rule and its source, or what the gap means
  bool forced = false;  ///< recreated only because the user said --allow-recreate
};

/// How the deployed resources are spread over stacks when a previous cfnsplit split is deployed.
struct DeployedLayout {
  WiringMode mode = WiringMode::kExports;
  std::vector<std::string> stacks;           ///< plan stack names; [0] = base (or parent)
  std::map<std::string, std::string> homes;  ///< resource → plan stack name holding it
  std::string base_stack;  ///< the base's (parent's) CloudFormation name per stacks.json, or ""
  /// Plan stack name → CloudFormation name where it is not `<base>-<Name>`: the children of a
  /// deployed nested split (`parent-Child-RANDOM` in AWS), from `--deployed-stack Child=NAME`.
  std::map<std::string, std::string> stack_names;
  /// Nested: child plan stack name → logical ID of its AWS::CloudFormation::Stack in the parent.
  std::map<std::string, std::string> child_resources;
  /// Nested: every stack's template as deployed, with its path (the parent first).
  std::vector<std::pair<std::string, Value>> deployed_templates;
  bool empty() const { return stacks.empty(); }
};

/// A deployed nested split migrated to an exports split: the children become stacks of their
/// own under their real names (`names`: the parent's stack resource logical ID → the child's
/// CloudFormation name). Renames the children's plan stacks where the plan uses the same names
/// (they are other stacks than the plan's) and records their names in `layout.stack_names`.
/// Returns the logical IDs of the children `names` lacks (nothing changed then).
std::vector<std::string> NameNestedChildren(DeployedLayout& layout,
                                            const std::map<std::string, std::string>& names,
                                            const SplitPlan& plan);

/// The parent as deployed with DeletionPolicy and UpdateReplacePolicy Retain on every child
/// stack resource (its first un-nesting update: nothing else changes).
Value RetainChildrenTemplate(const Value& parent);

/// The parent without its child stack resources (retained: each child stays as a stack of its
/// own): every `GetAtt Child.Outputs.X` (also in Fn::Sub) becomes `@OUTPUT:<child stack>:X@`,
/// which migrate.sh fills in from describe-stacks (the same value, so nothing changes), and a
/// DependsOn on a child goes. `names` maps a stack resource to the child's stack name. Another
/// use of a child stack resource (`Ref Child`, GetAtt of anything but an output) cannot be
/// resolved this way: it is said in `problem`.
Value UnnestedParentTemplate(const Value& parent, const std::map<std::string, std::string>& names,
                             std::string& problem);

/// Reads DEPLOYED: `get-template` output (`{"TemplateBody": …}`, the body a string or an
/// object), a bare template, or a previous cfnsplit output directory (stacks.json and
/// stacks/*; both modes), which is flattened back into one template and its layout given in
/// `layout`. E1001 for something that is not a template, E5110 for an unreadable directory.
std::optional<Value> ReadDeployedTemplate(const std::string& path, SourceManager& sources,
                                          DiagnosticSink& sink, DeployedLayout* layout = nullptr);

/// Every resource's route. `deployed` is the deployed stack's model, `target` the template the
/// plan was made for; the plan's stacks[0] keeps the deployed stack's name. Pure: no output.
/// With a deployed split, `layout` says where each resource is (stack names: the base is
/// `deployed_stack`, the others `deployed_stack-<Name>`, as emit names them).
std::vector<ResourceMove> ClassifyMoves(const TemplateModel& deployed,
                                        const std::string& deployed_stack,
                                        const TemplateModel& target, const SplitPlan& plan,
                                        const RuleSet& rules,
                                        const std::set<std::string>& allow_recreate,
                                        const DeployedLayout& layout = {});

/// Resources of `deployed` that can move neither by refactor, nor by import, nor by a safe
/// re-creation, with the reason: `plan --deployed` pins them to the base stack.
std::map<std::string, std::string> UnmovableResources(const TemplateModel& deployed,
                                                      const RuleSet& rules);

/// The route `migrate` would give resource `id` of `model` if it moved to another stack:
/// "refactor", "import", "recreate" or "impossible" ("" for an unknown resource).
std::string MoveRouteFor(const TemplateModel& model, const std::string& id, const RuleSet& rules);

/// One CloudFormation operation of a step.
struct MigrationOp {
  enum class Kind { kCreate, kUpdate, kRefactor, kImport, kDelete };
  Kind kind = Kind::kUpdate;
  /// Stacks touched and the template file (relative to MIGRATION/) each gets.
  std::vector<std::pair<std::string, std::string>> stacks;
  std::string stack_definitions;           ///< refactor: file of the StackDefinitions
  std::string resource_mappings;           ///< refactor: file of the ResourceMappings
  std::string resources_to_import;         ///< import: file of --resources-to-import
  std::vector<std::string> template_urls;  ///< stacks whose template goes by URL (> 51,200 B)
  std::vector<std::string> parameters;     ///< import: the template's parameter names
  std::vector<std::string> moved_types;    ///< refactor: resource types moved (preflight)
  bool stack_exists = true;                ///< import: false when the change set creates it
  /// update: the template names child templates by local paths (a nested parent as deployed):
  /// `aws cloudformation package` uploads them first.
  bool package_children = false;
  /// update: the template holds `@OUTPUT:<stack>:<key>@`, filled in from describe-stacks.
  bool resolve_outputs = false;
  /// Parameters without a default that the deployed stack cannot give (a container image's
  /// ImageUri, say): migrate.sh asks for them in PARAMETER_OVERRIDES.
  std::vector<std::string> user_parameters;
};

struct MigrationStep {
  std::string folder;  ///< "01-prepare", "02-refactor-1", …
  std::string title;
  std::string what;  ///< a paragraph for the README
  std::vector<MigrationOp> ops;
};

struct MigrateOptions {
  std::string deployed_stack;  ///< the deployed stack's name; the base stack keeps it
  std::set<std::string> allow_recreate;
  /// A deployed split (a previous cfnsplit OUTDIR, exports mode); empty for one deployed stack.
  DeployedLayout layout;
  /// Also prove every intermediate state equal to the deployed template (VerifyEmitted).
  bool verify_states = true;
};

struct Migration {
  std::vector<ResourceMove> moves;
  std::vector<MigrationStep> steps;
  std::vector<EmittedFile> files;  ///< every file under MIGRATION/ (README.md, migrate.sh, …)
  std::vector<std::string> warnings;
  std::size_t refactor_batches = 0;
  std::size_t states_verified = 0;
};

/// Plans the whole migration. `deployed` is the deployed template's model, `target`/`plan` the
/// split to reach (exports or nested mode). Returns nullopt after an error reported to `sink`.
std::optional<Migration> PlanMigration(const TemplateModel& deployed, const TemplateModel& target,
                                       const SplitPlan& plan, const RuleSet& rules,
                                       const MigrateOptions& options, DiagnosticSink& sink);

}  // namespace cfnsplit
