// The embedded knowledge of the sizing stage: rules/package-sizes.yaml (estimates with sources)
// and rules/runtime-packages.yaml (what the Lambda Python runtime already provides). The files are
// parsed with the project's positioned YAML loader, so a broken rules file points at its line.
#include <filesystem>

#include "cfnsplit/load.hpp"
#include "cfnsplit/ruleset.hpp"
#include "sizing/internal.hpp"

namespace cfnsplit::sizing {
namespace {

std::optional<Value> ParseRules(const std::string& name, const std::string& rules_dir,
                                SourceManager& sources, DiagnosticSink& sink) {
  if (!rules_dir.empty()) {
    std::string path = JoinPath(rules_dir, name);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::nullopt;
    return LoadFile(path, sources, sink);
  }
  for (const auto& file : EmbeddedRuleFiles()) {
    if (name != file.name) continue;
    std::uint32_t id = sources.Add("rules/" + name, file.text);
    return ParseYaml(id, sources, sink);
  }
  return std::nullopt;
}

std::vector<std::string> StringList(const Value* v, DiagnosticSink& sink, bool normalize) {
  std::vector<std::string> out;
  if (!v || v->is_null()) return out;
  if (!v->is_list()) {
    sink.Error("E6040", v->loc(), "expected a list of names");
    return out;
  }
  for (const auto& item : v->items()) {
    if (!item.is_scalar()) {
      sink.Error("E6040", item.loc(), "expected a name");
      continue;
    }
    out.push_back(normalize ? NormalizeDistName(item.text()) : item.text());
  }
  return out;
}

std::optional<std::uint64_t> Bytes(const Value* v, DiagnosticSink& sink) {
  if (!v || v->is_null()) return std::nullopt;
  const std::string& t = v->text();
  if (!v->is_number() || t.empty() || t.size() > 19 ||
      t.find_first_not_of("0123456789") != std::string::npos) {
    sink.Error("E6040", v->loc(), "expected a byte count or null");
    return std::nullopt;
  }
  return std::stoull(t);
}

double Ratio(const Value* v, double fallback, DiagnosticSink& sink) {
  if (!v) return fallback;
  try {
    double r = std::stod(v->text());
    if (r > 0 && r <= 1) return r;
  } catch (const std::exception&) {
  }
  sink.Error("E6040", v->loc(), "expected a ratio between 0 and 1");
  return fallback;
}

void ReadPackageSizes(const Value& root, Catalog& catalog, DiagnosticSink& sink) {
  catalog.default_zip_ratio =
      Ratio(root.Find("default_zip_ratio"), catalog.default_zip_ratio, sink);
  catalog.slim_estimate_ratio =
      Ratio(root.Find("slim_estimate_ratio"), catalog.slim_estimate_ratio, sink);
  const Value* packages = root.Find("packages");
  if (!packages || !packages->is_list()) {
    sink.Error("E6040", root.loc(), "package-sizes: 'packages' must be a list");
    return;
  }
  static const std::vector<std::string> kKeys = {"name",      "version",  "unzipped", "zipped",
                                                 "top_level", "requires", "source"};
  for (const auto& item : packages->items()) {
    if (!item.is_map() || !item.Find("name") || !item.Find("source")) {
      sink.Error("E6040", item.loc(), "package-sizes: each package needs a name and a source");
      continue;
    }
    for (const auto& key : item.keys())
      if (std::find(kKeys.begin(), kKeys.end(), key.name) == kKeys.end())
        sink.Error("E6040", key.loc, "package-sizes: unknown key '" + key.name + "'");
    CatalogEntry entry;
    entry.name = NormalizeDistName(item.Find("name")->text());
    if (const Value* version = item.Find("version")) entry.version = version->text();
    entry.unzipped = Bytes(item.Find("unzipped"), sink);
    entry.zipped = Bytes(item.Find("zipped"), sink);
    entry.top_level = StringList(item.Find("top_level"), sink, false);
    entry.requires = StringList(item.Find("requires"), sink, true);
    entry.source = item.Find("source")->text();
    catalog.packages[entry.name] = std::move(entry);
  }
}

void ReadRuntimePackages(const Value& root, Catalog& catalog, DiagnosticSink& sink) {
  const Value* python = root.Find("python");
  const Value* packages = python ? python->Find("packages") : nullptr;
  if (!packages || !packages->is_list()) {
    sink.Error("E6040", root.loc(), "runtime-packages: 'python.packages' must be a list");
    return;
  }
  for (const auto& item : packages->items()) {
    const Value* name = item.is_map() ? item.Find("name") : nullptr;
    if (!name) {
      sink.Error("E6040", item.loc(), "runtime-packages: each package needs a name");
      continue;
    }
    catalog.runtime_packages[NormalizeDistName(name->text())] =
        StringList(item.Find("top_level"), sink, false);
  }
  catalog.spr_no_deploy_default = StringList(root.Find("spr_no_deploy_default"), sink, false);
}

}  // namespace

Catalog LoadCatalog(SourceManager& sources, DiagnosticSink& sink, const std::string& rules_dir) {
  Catalog catalog;
  try {
    if (auto sizes = ParseRules("package-sizes.yaml", rules_dir, sources, sink);
        sizes && sizes->is_map())
      ReadPackageSizes(*sizes, catalog, sink);
    if (auto runtime = ParseRules("runtime-packages.yaml", rules_dir, sources, sink);
        runtime && runtime->is_map())
      ReadRuntimePackages(*runtime, catalog, sink);
  } catch (const std::exception& e) {
    sink.Error("E6040", {}, std::string("cannot read the sizing rules: ") + e.what());
  }
  return catalog;
}

}  // namespace cfnsplit::sizing
