// Verify: proof that emitted stacks are the original template, split.
//
// Input: the original TemplateModel and the emitted stacks (in memory, or an output directory on
// disk, possibly edited by hand). Output: a VerifyReport whose `differences` each name both
// sides ("original: Resources.X.Properties.Y" vs "stacks/B.json: Resources.X.Properties.Y"), and
// diagnostics E5101–E5110 for each. Method: flatten the stacks back into one template (child
// parameters replaced by what the parent passes, GetAtt Child.Outputs.X by the child output's
// value, imports of our own exports by the producer's value; stack resources and generated
// parameters, outputs and conditions dropped), normalise both sides, compare. Also checked:
// every reference resolves inside its own template, quotas from the RuleSet, an acyclic stack
// graph, DependsOn kept or implied by stack order, and that no NoEcho parameter reaches an
// Output. Invariant: never throws; `ok` is false whenever any difference was found.
//
// Codes: E5101 resource missing/extra/different, E5102 reference that does not resolve in its
// template, E5103 output missing/extra/different, E5104 DependsOn lost, E5105 dependency cycle,
// E5106 NoEcho parameter in an Output, E5107 quota exceeded, E5108 nested-operation total,
// E5109 parameter/condition/mapping declaration differs, E5110 output directory unreadable.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "cfnsplit/diagnostics.hpp"
#include "cfnsplit/emit.hpp"
#include "cfnsplit/model.hpp"
#include "cfnsplit/ruleset.hpp"

namespace cfnsplit {

struct VerifyOptions {
  double headroom = 1.0;  ///< share of each quota a stack may use
  /// Where the stacks' files are (OUTDIR), so local artifact paths compare by the file they
  /// reach; empty compares them as written.
  std::string output_dir;
  /// The files as they will be written (RenderFiles): each stack's size is read from its file
  /// instead of rendering it again. Null: VerifyEmitted renders each stack itself.
  const std::vector<EmittedFile>* rendered = nullptr;
};

struct VerifyReport {
  bool ok = false;
  std::vector<std::string> differences;
  std::size_t resources_checked = 0;
  /// Of those, the ones not shown equal side by side, flattened and compared whole (a figure
  /// for tests and benchmarks: the full comparison copies, the side-by-side walk does not).
  std::size_t resources_compared_whole = 0;
};

/// Flattens `emitted` back into one template and compares it with `original`; checks quotas
/// and the stack graph.
VerifyReport VerifyEmitted(const TemplateModel& original, const EmitResult& emitted,
                           const RuleSet& rules, const VerifyOptions& options,
                           DiagnosticSink& sink);

/// The same for an output directory: reads OUTDIR/stacks.json when present; otherwise the
/// parent is the template whose AWS::CloudFormation::Stack resources name other templates of
/// OUTDIR (nested), or every *.json|*.yaml in OUTDIR/stacks is a stack (exports).
VerifyReport VerifyOutputDir(const TemplateModel& original, const std::string& outdir,
                             const RuleSet& rules, const VerifyOptions& options,
                             SourceManager& sources, DiagnosticSink& sink);

/// A split read back from an output directory (a previous cfnsplit OUTDIR, as deployed).
struct ReassembledSplit {
  struct Stack {
    std::string name;        ///< the plan's stack name ("Base", "Functions1", …)
    std::string stack_name;  ///< its CloudFormation stack name, from stacks.json ("" if unknown)
    std::string path;        ///< its template, relative to the directory
    std::vector<std::string> resources;  ///< logical IDs it holds (not placeholders or children)
    /// Nested: the logical ID of the parent's AWS::CloudFormation::Stack for this child ("" for
    /// the parent itself, and in exports mode).
    std::string resource_id;
    /// Nested: the stack's template as read (the parent and its children as deployed); exports
    /// mode leaves it null (nobody needs it, and a large split is not copied once more).
    Value deployed;
  };
  WiringMode mode = WiringMode::kExports;
  Value tmpl;                 ///< the one template the stacks are a split of (flattened)
  std::vector<Stack> stacks;  ///< [0] = base (exports) or parent (nested)
};

/// Reads OUTDIR as VerifyOutputDir does and flattens its stacks back into one template:
/// resources and conditions of every stack, the original parameters (those of the base or
/// parent), outputs that are not plumbing. E5110 when the directory cannot be read.
std::optional<ReassembledSplit> ReassembleOutputDir(const std::string& outdir,
                                                    SourceManager& sources, DiagnosticSink& sink);

}  // namespace cfnsplit
