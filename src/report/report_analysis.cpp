#include <algorithm>
#include <iomanip>
#include <map>
#include <sstream>

#include "cfnsplit/report.hpp"

namespace cfnsplit {

namespace {

std::string Percent(double share) {
  std::ostringstream out;
  out << static_cast<int>(share * 100 + 0.5) << '%';
  return out.str();
}

std::string QuotaFlag(const QuotaUse& q) {
  if (q.over()) return "OVER";
  if (q.near) return "near";
  return "";
}

void PrintQuotas(const Analysis& a, std::ostream& out) {
  out << "Quotas (per stack)\n";
  out << "  " << std::left << std::setw(30) << "quota" << std::right << std::setw(12) << "used"
      << std::setw(12) << "limit" << std::setw(7) << "use"
      << "\n";
  for (const auto& q : a.quotas) {
    out << "  " << std::left << std::setw(30) << q.what << std::right << std::setw(12)
        << GroupDigits(q.used) << std::setw(12) << GroupDigits(q.limit) << std::setw(7)
        << Percent(q.share()) << "  " << QuotaFlag(q);
    if (!q.detail.empty()) out << "  (" << q.detail << ")";
    out << "\n";
  }
}

void PrintClasses(const Analysis& a, std::ostream& out) {
  std::map<std::string, std::map<std::string, int>> by_class;
  for (std::size_t i = 0; i < a.info.size(); ++i)
    ++by_class[LifecycleName(a.info[i].cls)][a.model->resources[i].type];
  out << "\nResources by lifecycle class\n";
  for (const char* cls : {"stateful", "shared", "function", "satellite", "other"}) {
    auto it = by_class.find(cls);
    if (it == by_class.end()) continue;
    int total = 0;
    for (const auto& [_, n] : it->second) total += n;
    out << "  " << std::left << std::setw(10) << cls << std::right << std::setw(7) << total << "  ";
    std::vector<std::pair<int, std::string>> types;
    for (const auto& [t, n] : it->second) types.emplace_back(-n, t);
    std::sort(types.begin(), types.end());
    for (std::size_t k = 0; k < types.size() && k < 4; ++k)
      out << (k ? ", " : "") << types[k].second << " " << -types[k].first;
    if (types.size() > 4) out << ", … (" << types.size() - 4 << " more types)";
    out << "\n";
  }
}

void PrintFunctions(const Analysis& a, std::ostream& out) {
  const auto& fns = a.model->functions;
  out << "\nFunctions (" << fns.size() << ")\n";
  if (fns.empty()) return;
  std::size_t width = 8;
  for (const auto& f : fns) width = std::max(width, f.resource_id.size());
  width = std::min<std::size_t>(width, 48);
  out << "  " << std::left << std::setw(static_cast<int>(width)) << "function"
      << "  " << std::setw(12) << "runtime" << std::setw(8) << "package" << std::setw(8) << "arch"
      << std::setw(7) << "layers"
      << "handler / code\n";
  constexpr std::size_t kMaxRows = 40;
  for (std::size_t i = 0; i < fns.size() && i < kMaxRows; ++i) {
    const auto& f = fns[i];
    out << "  " << std::left << std::setw(static_cast<int>(width)) << f.resource_id << "  "
        << std::setw(12) << (f.runtime.empty() ? "-" : f.runtime) << std::setw(8) << f.package_type
        << std::setw(8) << f.architecture << std::setw(7) << f.layers.size()
        << (f.handler.empty() ? "-" : f.handler) << "  " << f.code_location << "\n";
  }
  if (fns.size() > kMaxRows) out << "  [" << fns.size() - kMaxRows << " more functions]\n";
}

void PrintOwners(const Analysis& a, std::ostream& out) {
  std::map<std::string, std::pair<int, int>> owners;  // resources, functions
  for (const auto& info : a.info) {
    auto& o = owners[info.owner.empty() ? "(none)" : info.owner];
    ++o.first;
    if (info.cls == LifecycleClass::kFunction) ++o.second;
  }
  out << "\nOwners\n";
  for (const auto& [owner, n] : owners)
    out << "  " << std::left << std::setw(24) << owner << std::right << std::setw(7) << n.first
        << " resources" << std::setw(7) << n.second << " functions\n";
}

void PrintFindings(const Analysis& a, const DiagnosticSink& sink, std::ostream& out) {
  out << "\nCycles: ";
  if (a.cycles.empty()) out << "none\n";
  for (const auto& c : a.cycles) out << "\n  " << FormatCycle(*a.model, c) << "\n";
  std::vector<const Diagnostic*> unresolved;
  for (const auto& d : sink.diagnostics())
    if (d.code == "E1101" || d.code == "W1102") unresolved.push_back(&d);
  out << "Unresolved references: "
      << (unresolved.empty() ? "none" : std::to_string(unresolved.size())) << "\n";
  for (const auto* d : unresolved) out << "  " << d->message << "\n";
  out << "Findings: " << sink.error_count() << " error(s), " << sink.warning_count()
      << " warning(s)" << (sink.diagnostics().empty() ? "" : " (details on stderr)") << "\n";
}

}  // namespace

void PrintAnalysisText(const Analysis& a, const DiagnosticSink& sink, std::ostream& out) {
  const TemplateModel& m = *a.model;
  out << "Template " << m.path() << " (" << (m.format == TemplateFormat::kJson ? "JSON" : "YAML")
      << ", " << GroupDigits(a.template_bytes) << " bytes)\n";
  out << "  " << GroupDigits(m.resources.size()) << " resources";
  if (a.expanded_resources != m.resources.size())
    out << " (" << GroupDigits(a.expanded_resources) << " after the SAM transform, estimated)";
  out << ", " << m.parameters.size() << " parameters, " << m.outputs.size() << " outputs, "
      << m.mapping_names.size() << " mappings, " << m.condition_names.size() << " conditions\n";
  if (!m.transforms.empty()) {
    out << "  transforms:";
    for (const auto& t : m.transforms) out << ' ' << t;
    out << "\n";
  }
  out << "\n";
  PrintQuotas(a, out);
  PrintClasses(a, out);
  PrintFunctions(a, out);
  PrintOwners(a, out);
  PrintFindings(a, sink, out);
}

nlohmann::json DiagnosticsJson(const DiagnosticSink& sink, const SourceManager& sources) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : sink.diagnostics()) {
    nlohmann::json j = {{"code", d.code},
                        {"severity", d.severity == Severity::kError     ? "error"
                                     : d.severity == Severity::kWarning ? "warning"
                                                                        : "note"},
                        {"message", d.message}};
    if (d.loc.file) j["file"] = sources.path(d.loc.file);
    if (d.loc.line) {
      j["line"] = d.loc.line;
      j["column"] = d.loc.column;
    }
    if (!d.notes.empty()) j["notes"] = d.notes;
    list.push_back(std::move(j));
  }
  return list;
}

nlohmann::json AnalysisJson(const Analysis& a, const DiagnosticSink& sink,
                            const SourceManager& sources) {
  const TemplateModel& m = *a.model;
  nlohmann::json j;
  j["schema_version"] = kJsonSchemaVersion;
  j["command"] = "analyze";
  j["template"] = {{"path", m.path()},
                   {"format", m.format == TemplateFormat::kJson ? "json" : "yaml"},
                   {"bytes", a.template_bytes},
                   {"resources", m.resources.size()},
                   {"resources_expanded", a.expanded_resources},
                   {"parameters", m.parameters.size()},
                   {"outputs", m.outputs.size()},
                   {"mappings", m.mapping_names.size()},
                   {"conditions", m.condition_names.size()},
                   {"transforms", m.transforms}};
  for (const auto& q : a.quotas)
    j["quotas"].push_back({{"key", q.key},
                           {"what", q.what},
                           {"used", q.used},
                           {"limit", q.limit},
                           {"status", q.over() ? "over"
                                      : q.near ? "near"
                                               : "ok"}});
  std::map<std::string, std::map<std::string, int>> classes;
  std::map<std::string, int> types;
  for (std::size_t i = 0; i < a.info.size(); ++i) {
    ++classes[LifecycleName(a.info[i].cls)][m.resources[i].type];
    ++types[m.resources[i].type];
  }
  j["classes"] = classes;
  j["types"] = types;
  j["resources"] = nlohmann::json::array();
  for (std::size_t i = 0; i < a.info.size(); ++i) {
    const auto& info = a.info[i];
    nlohmann::json r = {{"id", m.resources[i].id},
                        {"type", m.resources[i].type},
                        {"class", LifecycleName(info.cls)},
                        {"reason", info.reason}};
    if (!info.owner.empty()) r["owner"] = info.owner;
    if (info.function >= 0 && info.cls != LifecycleClass::kFunction)
      r["function"] = m.resources[info.function].id;
    j["resources"].push_back(std::move(r));
  }
  j["functions"] = nlohmann::json::array();
  for (const auto& f : m.functions)
    j["functions"].push_back({{"id", f.resource_id},
                              {"runtime", f.runtime},
                              {"handler", f.handler},
                              {"package_type", f.package_type},
                              {"architecture", f.architecture},
                              {"code", f.code_location},
                              {"layers", f.layers.size()},
                              {"memory_mb", f.memory_mb},
                              {"ephemeral_storage_mb", f.ephemeral_storage_mb}});
  std::map<std::string, int> owners;
  for (const auto& info : a.info) ++owners[info.owner.empty() ? "" : info.owner];
  j["owners"] = owners;
  j["cycles"] = nlohmann::json::array();
  for (const auto& c : a.cycles) {
    nlohmann::json path = nlohmann::json::array();
    for (auto n : c) path.push_back(m.resources[n].id);
    j["cycles"].push_back(path);
  }
  j["findings"] = DiagnosticsJson(sink, sources);
  return j;
}

void WriteGraphDot(const Analysis& a, std::ostream& out) {
  static const std::map<LifecycleClass, const char*> kColors = {
      {LifecycleClass::kStateful, "#f4cccc"},
      {LifecycleClass::kShared, "#cfe2f3"},
      {LifecycleClass::kFunction, "#d9ead3"},
      {LifecycleClass::kSatellite, "#fff2cc"},
      {LifecycleClass::kOther, "#eeeeee"}};
  const TemplateModel& m = *a.model;
  out << "digraph resources {\n  rankdir=LR;\n  node [shape=box, style=filled, "
         "fontname=Helvetica];\n";
  for (std::size_t i = 0; i < m.resources.size(); ++i)
    out << "  \"" << m.resources[i].id << "\" [label=\"" << m.resources[i].id << "\\n"
        << m.resources[i].type << "\\n(" << LifecycleName(a.info[i].cls) << ")\", fillcolor=\""
        << kColors.at(a.info[i].cls) << "\"];\n";
  for (std::uint32_t u = 0; u < a.graph.node_count(); ++u)
    for (std::uint32_t v : a.graph.dependencies(u)) {
      out << "  \"" << m.resources[u].id << "\" -> \"" << m.resources[v].id << "\"";
      if (a.graph.OnlyDependsOn(u, v)) out << " [style=dashed]";
      out << ";\n";
    }
  out << "}\n";
}

nlohmann::json GraphJson(const Analysis& a) {
  const TemplateModel& m = *a.model;
  nlohmann::json j;
  j["schema_version"] = kJsonSchemaVersion;
  j["nodes"] = nlohmann::json::array();
  for (std::size_t i = 0; i < m.resources.size(); ++i)
    j["nodes"].push_back({{"id", m.resources[i].id},
                          {"type", m.resources[i].type},
                          {"class", LifecycleName(a.info[i].cls)}});
  j["edges"] = nlohmann::json::array();
  for (std::uint32_t u = 0; u < a.graph.node_count(); ++u)
    for (std::uint32_t v : a.graph.dependencies(u)) {
      nlohmann::json kinds = nlohmann::json::array();
      std::uint32_t bits = a.graph.EdgeKinds(u, v);
      for (int k = 0; k <= static_cast<int>(RefKind::kImportValue); ++k)
        if (bits & (1u << k)) kinds.push_back(RefKindName(static_cast<RefKind>(k)));
      j["edges"].push_back(
          {{"from", m.resources[u].id}, {"to", m.resources[v].id}, {"kinds", kinds}});
    }
  return j;
}

}  // namespace cfnsplit
