// Reports of import inference: a summary for `analyze`, `--explain-imports FN`, and JSON.
#include <algorithm>
#include <iomanip>
#include <sstream>

#include "sizing/internal.hpp"

namespace cfnsplit {

namespace {

std::string Where(const imports::ImportOrigin& o) {
  return o.file + ":" + std::to_string(o.line) + " " + imports::ImportKindName(o.kind);
}

std::string Modules(const std::vector<imports::ImportOrigin>& origins, std::size_t max = 3) {
  std::set<std::string> names;
  for (const auto& o : origins) names.insert(o.module);
  std::string out;
  std::size_t n = 0;
  for (const auto& name : names) {
    if (n++ == max) return out + ", …";
    out += (out.empty() ? "" : ", ") + name;
  }
  return out;
}

std::uint64_t Charged(const PackageModel& model, std::uint32_t d) {
  return d < model.charged_bytes.size() ? model.charged_bytes[d] : model.dists[d].unzipped_bytes;
}

nlohmann::json OriginsJson(const std::vector<imports::ImportOrigin>& origins) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& o : origins)
    out.push_back({{"module", o.module},
                   {"file", o.file},
                   {"line", o.line},
                   {"column", o.column},
                   {"kind", imports::ImportKindName(o.kind)}});
  return out;
}

}  // namespace

void PrintImportsSummary(const PackageModel& model, std::ostream& out) {
  if (model.imports.empty()) return;
  std::size_t inferred = 0, fallback = 0, unresolved = 0, dynamic = 0;
  for (const auto& f : model.functions)
    if (f.requirements_from == "imports") ++inferred;
  std::map<std::string, std::size_t> reasons;
  for (const auto& [id, fi] : model.imports) {
    if (!fi.ok) {
      ++fallback;
      ++reasons[fi.fallback_reason];
    }
    unresolved += fi.unresolved.size();
    dynamic += fi.dynamic_unresolved.size();
  }
  out << "\nImports inferred for " << inferred << " function(s)";
  if (fallback) out << "; " << fallback << " fell back to declared requirements";
  out << " (docs/imports.md; `analyze --explain-imports FN` for one function)\n";
  std::size_t shown = 0;
  for (const auto& [reason, count] : reasons) {
    if (shown++ == 5) break;
    out << "  fallback: " << reason
        << (count > 1 ? " (" + std::to_string(count) + " functions)" : "") << "\n";
  }
  if (unresolved || dynamic)
    out << "  " << unresolved << " unresolved import(s), " << dynamic
        << " dynamic import(s) that cannot be resolved (warnings W6203, W6204)\n";
  if (model.unused_requirements.empty()) return;
  std::uint64_t total = 0;
  out << "Requirements no function imports (candidates for removal):\n";
  for (const auto& u : model.unused_requirements) {
    out << "  " << std::left << std::setw(34) << u.line << std::right << std::setw(16)
        << GroupDigits(u.bytes_saved) << " bytes";
    if (!u.also_removed.empty()) {
      out << "  with";
      for (const auto& d : u.also_removed) out << " " << d;
    }
    out << "\n";
    total += u.bytes_saved;
  }
  out << "  removing them saves " << GroupDigits(total) << " bytes unzipped\n";
}

bool ExplainImports(const PackageModel& model, const std::string& function, std::ostream& out) {
  const FunctionPackage* f = model.Find(function);
  if (!f) return false;
  auto it = model.imports.find(f->function_id);
  if (it == model.imports.end()) return false;
  const imports::FunctionImports& fi = it->second;
  out << "Imports of " << f->function_id << " (requirements from " << f->requirements_from << ")\n";
  if (!fi.ok) out << "  inference fell back: " << fi.fallback_reason << "\n";
  out << "  local modules (" << fi.local_files.size() << "):";
  for (const auto& file : fi.local_files) out << " " << file;
  out << "\n  standard library (" << fi.stdlib.size() << "):";
  for (const auto& m : fi.stdlib) out << " " << m;
  out << "\n\n  " << std::left << std::setw(26) << "DISTRIBUTION" << std::right << std::setw(16)
      << "BYTES"
      << "  WHY\n";
  std::uint64_t total = 0;
  for (std::uint32_t d : f->dists) {
    const std::string& name = model.dists[d].name;
    std::uint64_t bytes = Charged(model, d);
    total += bytes;
    std::string why;
    if (auto imported = fi.dists.find(name); imported != fi.dists.end()) {
      why = "import " + Modules(imported->second) + " (" + Where(imported->second.front()) +
            (imported->second.size() > 1
                 ? ", +" + std::to_string(imported->second.size() - 1) + " more"
                 : "") +
            ")";
    } else if (auto by = f->pulled_in_by.find(d); by != f->pulled_in_by.end()) {
      why = "required by " + by->second;
    }
    out << "  " << std::left << std::setw(26) << name << std::right << std::setw(16)
        << GroupDigits(bytes) << "  " << why << "\n";
  }
  out << "  " << std::left << std::setw(26) << "TOTAL (distributions)" << std::right
      << std::setw(16) << GroupDigits(total) << "\n";
  for (const auto& [dist, origins] : fi.runtime)
    out << "  runtime-provided, not shipped: " << dist << " (" << Where(origins.front()) << ")\n";
  for (const auto& o : fi.unresolved)
    out << "  unresolved: " << o.module << " (" << Where(o) << ")\n";
  for (const auto& o : fi.optional_missing)
    out << "  optional, not installed: " << o.module << " (" << Where(o) << ")\n";
  for (const auto& o : fi.type_only)
    out << "  type-only, not shipped: " << o.module << " (" << Where(o) << ")\n";
  for (const auto& o : fi.dynamic_unresolved)
    out << "  dynamic, not resolved: " << o.module << " (" << o.file << ":" << o.line << ")\n";
  return true;
}

nlohmann::json ImportsJson(const PackageModel& model) {
  nlohmann::json functions = nlohmann::json::object();
  for (const auto& [id, fi] : model.imports) {
    nlohmann::json dists = nlohmann::json::object();
    for (const auto& [dist, origins] : fi.dists) dists[dist] = OriginsJson(origins);
    nlohmann::json runtime = nlohmann::json::object();
    for (const auto& [dist, origins] : fi.runtime) runtime[dist] = OriginsJson(origins);
    functions[id] = {{"ok", fi.ok},
                     {"fallback_reason", fi.fallback_reason},
                     {"local_files", fi.local_files},
                     {"stdlib", fi.stdlib},
                     {"distributions", dists},
                     {"runtime_provided", runtime},
                     {"unresolved", OriginsJson(fi.unresolved)},
                     {"optional_missing", OriginsJson(fi.optional_missing)},
                     {"type_only", OriginsJson(fi.type_only)},
                     {"dynamic_unresolved", OriginsJson(fi.dynamic_unresolved)}};
  }
  nlohmann::json unused = nlohmann::json::array();
  for (const auto& u : model.unused_requirements)
    unused.push_back({{"name", u.name},
                      {"requirement", u.line},
                      {"bytes_saved", u.bytes_saved},
                      {"also_removed", u.also_removed}});
  return {{"functions", functions}, {"unused_requirements", unused}};
}

}  // namespace cfnsplit
