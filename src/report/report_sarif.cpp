// SARIF 2.1.0 output, so findings show up in code scanning next to cfn-lint's.
#include <map>

#include "cfnsplit/report.hpp"

namespace cfnsplit {
namespace {

const char* Level(Severity s) {
  return s == Severity::kError ? "error" : s == Severity::kWarning ? "warning" : "note";
}

nlohmann::json Location(const std::string& uri, SourceLoc loc) {
  nlohmann::json region = {{"startLine", std::max<std::uint32_t>(loc.line, 1)}};
  if (loc.column) region["startColumn"] = loc.column;
  return {{"physicalLocation", {{"artifactLocation", {{"uri", uri}}}, {"region", region}}}};
}

}  // namespace

nlohmann::json SarifReport(const DiagnosticSink& sink, const SourceManager& sources,
                           const TemplateModel* model, const std::vector<Violation>* violations) {
  nlohmann::json results = nlohmann::json::array();
  std::map<std::string, std::string> rules;  // id → first message, as the rule's description
  for (const auto& d : sink.diagnostics()) {
    nlohmann::json r = {{"ruleId", d.code.empty() ? "cfnsplit" : d.code},
                        {"level", Level(d.severity)},
                        {"message", {{"text", d.message}}}};
    if (d.loc.file) r["locations"] = {Location(sources.path(d.loc.file), d.loc)};
    results.push_back(std::move(r));
    rules.emplace(d.code.empty() ? "cfnsplit" : d.code, d.message);
  }
  if (violations) {
    for (const auto& v : *violations) {
      nlohmann::json r = {{"ruleId", v.code},
                          {"level", "error"},
                          {"message", {{"text", v.message + " (fix: " + v.fix + ")"}}}};
      const Resource* res =
          model && !v.resource.empty() ? model->FindResource(v.resource) : nullptr;
      if (res)
        r["locations"] = {Location(model->path(), res->loc)};
      else if (model)
        r["locations"] = {Location(model->path(), SourceLoc{model->file(), 1, 1})};
      results.push_back(std::move(r));
      rules.emplace(v.code, v.message);
    }
  }
  nlohmann::json rule_list = nlohmann::json::array();
  for (const auto& [id, text] : rules)
    rule_list.push_back({{"id", id},
                         {"shortDescription", {{"text", text}}},
                         {"helpUri", "https://github.com/cfnsplit/cfnsplit#diagnostic-codes"}});
  return {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       {{{"tool", {{"driver", {{"name", "cfnsplit"}, {"version", "0.1.0"}, {"rules", rule_list}}}}},
         {"results", results}}}}};
}

}  // namespace cfnsplit
