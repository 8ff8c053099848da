// rules/python-stdlib.yaml: the standard library per Python version and what the Lambda Python
// runtimes provide. Parsed with the project's positioned YAML loader, so a broken override points
// at its line (E6240).
#include <filesystem>

#include "cfnsplit/imports.hpp"
#include "cfnsplit/load.hpp"
#include "cfnsplit/ruleset.hpp"

namespace cfnsplit::imports {
namespace {

std::optional<Value> ParseRulesFile(const std::string& rules_dir, SourceManager& sources,
                                    DiagnosticSink& sink) {
  const std::string name = "python-stdlib.yaml";
  if (!rules_dir.empty()) {
    std::string path = rules_dir + "/" + name;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::nullopt;
    return LoadFile(path, sources, sink);
  }
  for (const auto& file : EmbeddedRuleFiles())
    if (name == file.name) return ParseYaml(sources.Add("rules/" + name, file.text), sources, sink);
  return std::nullopt;
}

std::set<std::string> Names(const Value* v, DiagnosticSink& sink) {
  std::set<std::string> out;
  if (!v || !v->is_list()) {
    sink.Error("E6240", v ? v->loc() : SourceLoc{}, "python-stdlib: expected a list of names");
    return out;
  }
  for (const auto& item : v->items()) {
    if (item.is_scalar() && !item.text().empty())
      out.insert(item.text());
    else
      sink.Error("E6240", item.loc(), "python-stdlib: expected a module name");
  }
  return out;
}

void ReadStdlib(const Value& stdlib, ImportRules& rules, DiagnosticSink& sink) {
  std::set<std::string> base = Names(stdlib.Find("modules"), sink);
  const Value* base_version = stdlib.Find("base");
  if (base_version) rules.stdlib[base_version->text()] = base;
  const Value* versions = stdlib.Find("versions");
  if (!versions || !versions->is_map()) {
    sink.Error("E6240", stdlib.loc(), "python-stdlib: 'stdlib.versions' must be a mapping");
    return;
  }
  for (std::size_t i = 0; i < versions->size(); ++i) {
    const Value& v = versions->items()[i];
    if (!v.is_map() || !v.Find("source")) {
      sink.Error("E6240", v.loc(), "python-stdlib: each version needs added, removed and a source");
      continue;
    }
    std::set<std::string> names = base;
    for (const auto& n : Names(v.Find("added"), sink)) names.insert(n);
    for (const auto& n : Names(v.Find("removed"), sink)) names.erase(n);
    rules.stdlib[versions->keys()[i].name] = std::move(names);
  }
}

void ReadRuntime(const Value& runtime, ImportRules& rules, DiagnosticSink& sink) {
  const Value* runtimes = runtime.Find("runtimes");
  const Value* modules = runtime.Find("modules");
  if (!runtimes || !runtimes->is_list() || !modules || !modules->is_map() ||
      !runtime.Find("source")) {
    sink.Error("E6240", runtime.loc(),
               "python-stdlib: 'lambda_runtime' needs runtimes (a list), modules (a mapping) and "
               "a source");
    return;
  }
  std::map<std::string, std::string> by_module;
  for (std::size_t i = 0; i < modules->size(); ++i)
    by_module[modules->keys()[i].name] = modules->items()[i].text();
  for (const auto& r : runtimes->items()) {
    const Value* name = r.is_map() ? r.Find("name") : nullptr;
    if (!name || !r.Find("source")) {
      sink.Error("E6240", r.loc(), "python-stdlib: each runtime needs a name and a source");
      continue;
    }
    rules.runtime_modules[name->text()] = by_module;
  }
}

}  // namespace

ImportRules LoadImportRules(SourceManager& sources, DiagnosticSink& sink,
                            const std::string& rules_dir) {
  ImportRules rules;
  auto root = ParseRulesFile(rules_dir, sources, sink);
  if (!root || !root->is_map()) return rules;
  if (const Value* stdlib = root->Find("stdlib"); stdlib && stdlib->is_map())
    ReadStdlib(*stdlib, rules, sink);
  else
    sink.Error("E6240", root->loc(), "python-stdlib: no 'stdlib' mapping");
  if (const Value* runtime = root->Find("lambda_runtime"); runtime && runtime->is_map())
    ReadRuntime(*runtime, rules, sink);
  return rules;
}

}  // namespace cfnsplit::imports
