// The formatter registry's rows: each render function picks the plan report when the subject
// has a plan and the analysis report otherwise; sizing's reports join the analysis ones.
#include "cfnsplit/formats.hpp"

#include "report/format.hpp"

namespace cfnsplit {
namespace {

constexpr const char* kNothingWrittenHint =
    "Nothing was written; pass --strategy (or --pin) to split it anyway.";

// A template that needs no split: its reason, said in every format as a valid document of it.
void RenderNothingToSplit(std::string_view format, const ReportSubject& s, std::ostream& out) {
  const std::string& why = *s.nothing_to_split;
  const std::string hint = kNothingWrittenHint;
  if (format == "json") {
    nlohmann::ordered_json doc = {{"nothing_to_split", true},
                                  {"template", s.model->path()},
                                  {"reason", why},
                                  {"written", nlohmann::ordered_json::array()}};
    out << doc.dump(2) << "\n";
  } else if (format == "markdown") {
    out << "# Nothing to split\n\n" << why << ".\n\n" << hint << "\n";
  } else if (format == "html") {
    out << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Nothing to "
           "split</title></head>\n<body><h1>Nothing to split</h1>\n<p>"
        << report::XmlEscape(why) << ".</p>\n<p>" << report::XmlEscape(hint)
        << "</p>\n</body></html>\n";
  } else {
    out << "Nothing to split: " << why << ". " << hint << "\n";
  }
}

void RenderText(const ReportSubject& s, std::ostream& out) {
  if (s.nothing_to_split) return RenderNothingToSplit("text", s, out);
  if (s.plan) {
    PrintPlanText(*s.plan, *s.check, *s.rules, out);
    if (s.moves) PrintMoves(*s.moves, out);
    return;
  }
  PrintAnalysisText(*s.analysis, *s.sink, out);
  if (s.sizes) {
    out << "\n";
    PrintSizingText(*s.sizes, out);
    PrintImportsSummary(*s.sizes, out);
  }
}

void RenderJson(const ReportSubject& s, std::ostream& out) {
  if (s.nothing_to_split) return RenderNothingToSplit("json", s, out);
  nlohmann::json j;
  if (s.plan) {
    j = PlanJson(*s.plan, *s.check, *s.rules);
    if (s.moves) j["moves"] = MovesJson(*s.moves);
  } else {
    j = AnalysisJson(*s.analysis, *s.sink, *s.sources);
    if (s.sizes) j["sizing"] = SizingJson(*s.sizes);
    if (s.sizes && !s.sizes->imports.empty()) j["imports"] = ImportsJson(*s.sizes);
  }
  out << j.dump(2) << "\n";
}

void RenderMarkdown(const ReportSubject& s, std::ostream& out) {
  if (s.nothing_to_split) return RenderNothingToSplit("markdown", s, out);
  if (s.plan) {
    out << PlanMarkdown(*s.analysis, *s.plan, *s.check, *s.rules, s.moves);
    return;
  }
  out << AnalysisMarkdown(*s.analysis, *s.sink);
  if (s.sizes) {
    out << "\n### Package sizes\n\n```\n";
    PrintSizingText(*s.sizes, out);
    PrintImportsSummary(*s.sizes, out);
    out << "```\n";
  }
}

// SARIF also renders a template that could not be loaded: its diagnostics are the report.
void RenderSarif(const ReportSubject& s, std::ostream& out) {
  out << SarifReport(*s.sink, *s.sources, s.model, s.plan ? &s.check->violations : nullptr).dump(2)
      << "\n";
}

void RenderHtml(const ReportSubject& s, std::ostream& out) {
  if (s.nothing_to_split) return RenderNothingToSplit("html", s, out);
  out << PlanHtml(*s.analysis, *s.plan, *s.check, *s.rules, s.moves);
}

}  // namespace

const std::vector<Formatter>& Formatters() {
  static const std::vector<Formatter> kFormatters = {
      {"text", kAnalyzeReport | kPlanReport | kReviewReport, RenderText},
      {"json", kAnalyzeReport | kPlanReport | kReviewReport, RenderJson},
      {"markdown", kAnalyzeReport | kPlanReport | kReviewReport, RenderMarkdown},
      {"sarif", kAnalyzeReport | kReviewReport, RenderSarif},
      {"html", kPlanReport | kReviewReport, RenderHtml},
  };
  return kFormatters;
}

std::vector<std::string> FormatNames(ReportCommand command) {
  std::vector<std::string> names;
  for (const Formatter& f : Formatters())
    if (f.commands & command) names.emplace_back(f.name);
  return names;
}

std::string FormatChoices(ReportCommand command) {
  std::vector<std::string> names = FormatNames(command);
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return out;
}

bool RenderReport(std::string_view name, ReportCommand command, const ReportSubject& subject,
                  std::ostream& out) {
  for (const Formatter& f : Formatters())
    if (f.name == name && (f.commands & command)) {
      f.render(subject, out);
      return true;
    }
  return false;
}

}  // namespace cfnsplit
