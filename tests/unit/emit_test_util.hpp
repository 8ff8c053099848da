// Test helpers for emit and verify tests: load template text through the real loader and model,
// build plans by hand.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cfnsplit/emit.hpp"
#include "cfnsplit/load.hpp"
#include "cfnsplit/model.hpp"
#include "cfnsplit/plan.hpp"
#include "cfnsplit/ruleset.hpp"
#include "cfnsplit/verify.hpp"
#include "cfnsplit/writer.hpp"

namespace cfnsplit::testing {

struct Fixture {
  SourceManager sources;
  DiagnosticSink sink;
  std::unique_ptr<TemplateModel> model;
  RuleSet rules;

  explicit Fixture(const std::string& text, const std::string& path = "app.yaml") {
    std::uint32_t id = sources.Add(path, text);
    auto v = ParseDocument(id, sources, sink);
    REQUIRE(v);
    model = BuildModel(std::move(*v), path, id, sink);
    REQUIRE(model);
    model->format = DetectFormat(path, text);
    auto r = LoadRuleSet("", sources, sink);
    REQUIRE(r);
    rules = *r;
    INFO(Diags());
    REQUIRE(!sink.has_errors());
  }

  std::string Diags() const {
    std::string out;
    for (const auto& d : sink.diagnostics()) out += FormatDiagnostic(d, sources);
    return out;
  }

  bool HasCode(const std::string& code) const {
    for (const auto& d : sink.diagnostics())
      if (d.code == code) return true;
    return false;
  }
};

inline SplitPlan MakePlan(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& stacks) {
  SplitPlan plan;
  for (std::size_t i = 0; i < stacks.size(); ++i) {
    StackPlan s;
    s.name = stacks[i].first;
    s.role = i == 0 ? StackRole::kBase : StackRole::kFunctions;
    s.resources = stacks[i].second;
    plan.stacks.push_back(std::move(s));
  }
  return plan;
}

inline const EmittedStack& StackNamed(const EmitResult& r, const std::string& name) {
  for (const auto& s : r.stacks)
    if (s.name == name) return s;
  FAIL("no stack " << name);
  return r.stacks.front();
}

/// The value at a dotted path ("Resources.Fn.Properties.Role"); null when absent.
inline const Value* At(const Value& root, const std::string& path) {
  const Value* v = &root;
  std::size_t start = 0;
  while (v && start <= path.size()) {
    std::size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (v->is_list()) {
      std::size_t i = std::stoul(part);
      v = i < v->size() ? &v->items()[i] : nullptr;
    } else {
      v = v->Find(part);
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return v;
}

inline std::string Json(const Value* v) { return v ? WriteJson(*v, 0) : std::string("<absent>"); }
inline std::string Json(const Value& v) { return WriteJson(v, 0); }

}  // namespace cfnsplit::testing
