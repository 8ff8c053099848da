// Test helper: a template from a string, modeled as the CLI would.
#pragma once

#include <memory>
#include <string>

#include "cfnsplit/analysis.hpp"
#include "cfnsplit/load.hpp"
#include "cfnsplit/model.hpp"
#include "cfnsplit/ruleset.hpp"

namespace cfnsplit::testing {

struct Loaded {
  SourceManager sources;
  DiagnosticSink sink;
  std::unique_ptr<TemplateModel> model;
  bool HasCode(const std::string& code) const {
    for (const auto& d : sink.diagnostics())
      if (d.code == code) return true;
    return false;
  }
  const Diagnostic* Find(const std::string& code) const {
    for (const auto& d : sink.diagnostics())
      if (d.code == code) return &d;
    return nullptr;
  }
};

/// Parses `text` as the file `name` (its extension picks JSON or YAML) and builds the model.
inline std::unique_ptr<Loaded> Model(const std::string& text, const std::string& name = "t.yaml") {
  auto l = std::make_unique<Loaded>();
  std::uint32_t id = l->sources.Add(name, text);
  auto value = ParseDocument(id, l->sources, l->sink);
  if (value) l->model = BuildModel(std::move(*value), name, id, l->sink);
  return l;
}

inline const RuleSet& BuiltinRules() {
  static SourceManager sources;
  static DiagnosticSink sink;
  static const RuleSet rules = *LoadRuleSet("", sources, sink);
  return rules;
}

}  // namespace cfnsplit::testing
