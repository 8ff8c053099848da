// Report: renders an Analysis for people (aligned text) and machines (versioned JSON, DOT).
//
// Input: an Analysis (and the diagnostics of the run). Output: text on a stream or a JSON value.
// Invariants: output is deterministic (every list sorted by a stable key); JSON carries
// "schema_version" (documented in docs/json-schema.md).
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <utility>

#include "cfnsplit/analysis.hpp"
#include "cfnsplit/numbers.hpp"

namespace cfnsplit {

constexpr int kJsonSchemaVersion = 1;

void PrintAnalysisText(const Analysis& a, const DiagnosticSink& sink, std::ostream& out);
nlohmann::json AnalysisJson(const Analysis& a, const DiagnosticSink& sink,
                            const SourceManager& sources);
nlohmann::json DiagnosticsJson(const DiagnosticSink& sink, const SourceManager& sources);

/// The resource graph: nodes in template order coloured by lifecycle class, edges by kind.
void WriteGraphDot(const Analysis& a, std::ostream& out);
nlohmann::json GraphJson(const Analysis& a);

}  // namespace cfnsplit

#include "cfnsplit/constraints.hpp"

namespace cfnsplit {

/// The binding lower bound on function stacks: the largest of plan.lower_bounds (ties: the first
/// by name), or {"", 0} when there is none.
std::pair<std::string, std::uint64_t> BindingLowerBound(const SplitPlan& plan);

/// Per-stack table (figures against budgets), lower bounds, cross-stack values, violations.
void PrintPlanText(const SplitPlan& plan, const PlanCheck& check, const RuleSet& rules,
                   std::ostream& out);
nlohmann::json PlanJson(const SplitPlan& plan, const PlanCheck& check, const RuleSet& rules);
/// One line per resource: "Id -> Stack: why".
void PrintExplanations(const SplitPlan& plan, std::ostream& out);

/// A resource that changes stack between two plans, and what that costs when deployed.
struct PlanMove {
  std::string resource;
  std::string type;
  std::string from;  ///< "" when new
  std::string to;    ///< "" when removed
  std::string risk;  ///< "data loss", "name clash", "replacement", or "" for new/removed
  std::string detail;
  /// How `cfnsplit migrate` would move it when deployed: refactor, import, recreate or
  /// impossible (set by `review --against`; empty for new or removed resources).
  std::string route;
};
/// Moves between `before` and `after`, riskiest first (data, then named resources).
std::vector<PlanMove> DiffPlans(const Analysis& a, const SplitPlan& before, const SplitPlan& after);
void PrintMoves(const std::vector<PlanMove>& moves, std::ostream& out);
nlohmann::json MovesJson(const std::vector<PlanMove>& moves);

}  // namespace cfnsplit

namespace cfnsplit {

/// Reports that read well as a pull-request comment: summary first, then tables.
std::string AnalysisMarkdown(const Analysis& a, const DiagnosticSink& sink);
std::string PlanMarkdown(const Analysis& a, const SplitPlan& plan, const PlanCheck& check,
                         const RuleSet& rules, const std::vector<PlanMove>* moves);

/// SARIF 2.1.0 for code scanning: every diagnostic, plus plan violations located at the
/// resource they concern.
nlohmann::json SarifReport(const DiagnosticSink& sink, const SourceManager& sources,
                           const TemplateModel* model, const std::vector<Violation>* violations);

/// The stack-level graph: stacks as clusters, cross-stack edges labelled with the values passed.
std::string StackGraphDot(const Analysis& a, const SplitPlan& plan);
/// A deterministic SVG of the stack graph drawn without external tools (layered layout).
std::string StackGraphSvg(const Analysis& a, const SplitPlan& plan);
/// Runs Graphviz `dot -Tsvg`; empty with `error` set when dot is missing or fails.
std::string RenderWithGraphviz(const std::string& dot, std::string* error);

/// One self-contained HTML page: stack graph picture, a size bar per stack, per-stack tables.
std::string PlanHtml(const Analysis& a, const SplitPlan& plan, const PlanCheck& check,
                     const RuleSet& rules, const std::vector<PlanMove>* moves);

}  // namespace cfnsplit
