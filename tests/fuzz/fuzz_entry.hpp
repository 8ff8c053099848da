// The one function the libFuzzer target and the replay test both run on an input: parse the
// bytes as YAML and as strict JSON through ParseDocument, render every diagnostic, and check the
// loader's contract; then run the bytes through the pipeline (source to analysis). Shared so
// that a crasher kept in tests/fuzz/corpus/ is re-checked by the ordinary test suite exactly as
// the fuzzer ran it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "cfnsplit/codes.hpp"
#include "cfnsplit/diagnostics.hpp"
#include "cfnsplit/load.hpp"
#include "cfnsplit/pipeline.hpp"
#include "cfnsplit/ruleset.hpp"
#include "cfnsplit/value.hpp"
#include "fuzz/yaml_fast_check.hpp"

namespace cfnsplit::fuzz {

/// Small budgets keep each run fast; the contract is the same at any size.
inline LoadLimits FuzzLimits() {
  LoadLimits limits;
  limits.max_nodes = 200'000;
  limits.max_depth = 128;
  return limits;
}

/// Empty when `v` and everything under it (map keys included) is located inside `file`, which
/// has `lines` lines; otherwise what is not. Recursion is bounded by FuzzLimits().max_depth.
inline std::string CheckLocations(const Value& v, std::uint32_t file, std::size_t lines) {
  auto inside = [&](SourceLoc loc) {
    return loc.file == file && loc.line >= 1 && loc.line <= lines + 1 && loc.column >= 1;
  };
  if (!inside(v.loc())) return "a node without a location in the file";
  for (const auto& key : v.keys())
    if (!inside(key.loc)) return "map key '" + key.name + "' without a location in the file";
  for (const auto& child : v.items()) {
    std::string problem = CheckLocations(child, file, lines);
    if (!problem.empty()) return problem;
  }
  return {};
}

/// Empty when the loader kept its contract on `text` parsed as `path`, otherwise what it broke:
/// a value and errors together, no value and no error, an error without a code or with a
/// location outside the file, or a node or key without a location.
inline std::string CheckOneFormat(const std::string& text, const char* path) {
  SourceManager sources;
  DiagnosticSink sink;
  std::uint32_t file = sources.Add(path, text);
  auto value = ParseDocument(file, sources, sink, FuzzLimits());
  std::size_t lines = 1 + static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  if (value && sink.has_errors()) return std::string(path) + ": a value and an error";
  if (!value && !sink.has_errors()) return std::string(path) + ": no value and no error";
  for (const auto& d : sink.diagnostics()) {
    if (d.code.empty()) return std::string(path) + ": diagnostic without a code: " + d.message;
    if (d.loc.file != file) return std::string(path) + ": diagnostic not in the file: " + d.message;
    // A location may sit one past the last line (end of file), never further.
    if (d.loc.line > lines + 1)
      return std::string(path) + ": diagnostic line out of range: " + d.message;
    std::string rendered = FormatDiagnostic(d, sources);
    if (rendered.find(d.message) == std::string::npos)
      return std::string(path) + ": rendering lost the message";
  }
  if (value) {
    if (value->NodeCount() > FuzzLimits().max_nodes + 1)
      return std::string(path) + ": node budget exceeded without an error";
    std::string problem = CheckLocations(*value, file, lines);
    if (!problem.empty()) return std::string(path) + ": " + problem;
  }
  return {};
}

/// The built-in rules, loaded once (the analysis stage needs them).
inline const RuleSet& FuzzRules() {
  static SourceManager sources;
  static DiagnosticSink sink;
  static const RuleSet rules = *LoadRuleSet("", sources, sink);
  return rules;
}

/// Empty when the whole pipeline (pipeline.hpp) kept its contract on `text` as a YAML template:
/// a result that is ok has a model and an analysis of it and no input error; one that is not
/// has reported an error.
inline std::string CheckPipeline(const std::string& text) {
  SourceManager sources;
  DiagnosticSink sink, analysis_sink;
  PipelineInputs inputs;
  inputs.template_path = "fuzz.yaml";
  inputs.template_text = text;
  inputs.limits = FuzzLimits();
  PipelineRun run{sources, sink, &FuzzRules(), &analysis_sink};
  PipelineResult result = RunPipeline(inputs, Stage::kAnalysis, run);
  if (!result.ok) return sink.has_errors() ? "" : "pipeline: stopped without an error";
  if (!result.model || !result.analysis) return "pipeline: ok without a model and analysis";
  if (result.analysis->model != result.model.get()) return "pipeline: analysis of another model";
  for (const auto& d : sink.diagnostics())
    if (IsInputError(d)) return "pipeline: ok with an input error: " + d.message;
  return {};
}

/// Codes that only a bug in cfnsplit can raise once a template has loaded: a plan of its own
/// that does not fit the template or needs a cycle (E5001, E5003), an internal error (E5006),
/// and every verify finding (E5100-E5113 but E5110, the output directory unreadable): the plan
/// check accepted what emit then wrote, so verify must find it equivalent.
inline bool IsSplitBug(const std::string& code) {
  if (code == "E5001" || code == "E5003" || code == "E5006") return true;
  return code.size() == 5 && code.compare(0, 3, "E51") == 0 && code != "E5110";
}

/// The CLI's admission (CommandStages::AdmitTemplate): a template with errors, from loading,
/// the model or the analysis, is not split.
struct AdmitWithoutErrors : LaterStages {
  bool Admit(const PipelineInputs&, PipelineRun& run, PipelineResult&) override {
    return !run.sink.has_errors();
  }
};

/// Empty when a split of `text` to Stage::kVerify (in memory, `mode`, the lifecycle strategy so
/// that small templates split too, admitted as the CLI admits) kept its contract: nothing but
/// an error stops it, no error is one only a bug raises, and a split that went through was
/// verified (counted in `verified` when given).
inline std::string CheckSplit(const std::string& text, WiringMode mode, std::size_t* verified) {
  const char* name = mode == WiringMode::kNested ? "nested" : "exports";
  SourceManager sources;
  DiagnosticSink sink;
  PipelineInputs inputs;
  inputs.template_path = "fuzz.yaml";
  inputs.template_text = text;
  inputs.limits = FuzzLimits();
  inputs.plan.mode = mode;
  inputs.plan.strategy = "lifecycle";
  AdmitWithoutErrors stages;
  PipelineRun run{sources, sink, &FuzzRules(), nullptr, &stages};
  PipelineResult result = RunPipeline(inputs, Stage::kVerify, run);
  for (const auto& d : sink.diagnostics())
    if (d.severity == Severity::kError && IsSplitBug(d.code))
      return std::string("split (") + name + "): " + d.code + ": " + d.message;
  if (!result.ok && !sink.has_errors())
    return std::string("split (") + name + "): stopped without an error";
  if (result.ok && result.plan && (!result.verify || !result.verify->ok))
    return std::string("split (") + name + "): written without a passed verify";
  if (verified && result.ok && result.plan) ++*verified;
  return {};
}

/// The input as a template, split in both wiring modes (CheckSplit); empty when both kept the
/// contract. `verified` (optional) counts the splits that went through verify.
inline std::string RunSplitOnce(const std::uint8_t* data, std::size_t size,
                                std::size_t* verified = nullptr) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string problem = CheckSplit(text, WiringMode::kExports, verified);
  if (problem.empty()) problem = CheckSplit(text, WiringMode::kNested, verified);
  return problem;
}

/// Runs the input through both formats, then the pipeline; empty when every contract held.
/// First, the fast YAML scanner against yaml-cpp (yaml_fast_check.hpp).
inline std::string RunLoadOnce(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string problem = CheckYamlFast(text).problem;
  if (problem.empty()) problem = CheckOneFormat(text, "fuzz.yaml");
  if (problem.empty()) problem = CheckOneFormat(text, "fuzz.json");
  if (problem.empty()) problem = CheckPipeline(text);
  return problem;
}

}  // namespace cfnsplit::fuzz
