// The one fixture from text to a run: a template given as a string goes through the pipeline
// (pipeline.hpp) exactly as a file would, with the built-in rules, up to the stage asked for.
// `Model` is the same text modeled without the pipeline's refusal of input errors, for the model
// tests that look at what an erroneous template still models to.
#pragma once

#include <memory>
#include <string>

#include "cfnsplit/load.hpp"
#include "cfnsplit/model.hpp"
#include "cfnsplit/pipeline.hpp"
#include "cfnsplit/ruleset.hpp"
#include "support/diagnostics.hpp"

namespace cfnsplit::testing {

/// The built-in rules (rules/), loaded once.
inline const RuleSet& BuiltinRules() {
  static SourceManager sources;
  static DiagnosticSink sink;
  static const RuleSet rules = *LoadRuleSet("", sources, sink);
  return rules;
}

struct Loaded {
  SourceManager sources;
  DiagnosticSink sink;
  std::unique_ptr<TemplateModel> model;
  bool HasCode(const std::string& code) const { return testing::HasCode(sink, code); }
  const Diagnostic* Find(const std::string& code) const { return FindCode(sink, code); }
};

/// Parses `text` as the file `name` (its extension picks JSON or YAML) and builds the model,
/// kept even when it has input errors.
inline std::unique_ptr<Loaded> Model(const std::string& text, const std::string& name = "t.yaml") {
  auto l = std::make_unique<Loaded>();
  std::uint32_t id = l->sources.Add(name, text);
  auto value = ParseDocument(id, l->sources, l->sink);
  if (value) l->model = BuildModel(std::move(*value), name, id, l->sink);
  return l;
}

struct TextRun {
  SourceManager sources;
  DiagnosticSink sink;           ///< load and model findings
  DiagnosticSink analysis_sink;  ///< the analysis's findings (quota use, cycles)

  /// Runs `text` registered as `path` (its extension picks JSON or YAML) up to `stop_after`.
  PipelineResult Run(const std::string& text, Stage stop_after,
                     const std::string& path = "t.yaml") {
    return Run(text, stop_after, PipelineInputs{}, nullptr, path);
  }
  /// The same with the later stages' options (`inputs`: plan, emit, ...) and, when given, the
  /// stages after analysis made by `later`.
  PipelineResult Run(const std::string& text, Stage stop_after, PipelineInputs inputs,
                     LaterStages* later, const std::string& path = "t.yaml") {
    inputs.template_path = path;
    inputs.template_text = text;
    PipelineRun run{sources, sink, &BuiltinRules(), &analysis_sink, later};
    return RunPipeline(inputs, stop_after, run);
  }
};

}  // namespace cfnsplit::testing
