// The formatter registry: every report format (name, the commands that accept it, how it
// renders) in one list, so a new format is one row plus its render function.
//
// Input: a ReportSubject, holding what a command has (an Analysis with optional package sizes,
// or a plan with its check and moves). Output: the report on a stream. Invariant: the commands'
// --format choices and help text come from this list, never from a list of their own.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cfnsplit/report.hpp"
#include "cfnsplit/sizing.hpp"

namespace cfnsplit {

/// The commands whose reports go through the registry (a bit each).
enum ReportCommand : unsigned {
  kAnalyzeReport = 1u << 0,
  kPlanReport = 1u << 1,
  kReviewReport = 1u << 2
};

/// What a report is about; null members are absent. With `plan` set the report is about the
/// plan (plan, review), otherwise about the analysis (analyze).
struct ReportSubject {
  const DiagnosticSink* sink = nullptr;
  const SourceManager* sources = nullptr;
  const RuleSet* rules = nullptr;
  const TemplateModel* model = nullptr;  ///< null: the template could not be loaded
  const Analysis* analysis = nullptr;
  const PackageModel* sizes = nullptr;  ///< analyze with sizing inputs
  const SplitPlan* plan = nullptr;
  const PlanCheck* check = nullptr;              ///< set with `plan`
  const std::vector<PlanMove>* moves = nullptr;  ///< review --against
  /// Set (and no plan) when `plan` found the template needs no split: why, for the user.
  const std::string* nothing_to_split = nullptr;
};

struct Formatter {
  std::string_view name;
  unsigned commands;  ///< ReportCommand bits
  void (*render)(const ReportSubject& subject, std::ostream& out);
};

/// Every format, in the order --help lists them.
const std::vector<Formatter>& Formatters();
/// The names `command` accepts, in registry order.
std::vector<std::string> FormatNames(ReportCommand command);
/// "text, json, markdown or sarif": the names for a --format help line.
std::string FormatChoices(ReportCommand command);
/// Renders `subject` in the format `name`; false when `command` does not accept it.
bool RenderReport(std::string_view name, ReportCommand command, const ReportSubject& subject,
                  std::ostream& out);

}  // namespace cfnsplit
