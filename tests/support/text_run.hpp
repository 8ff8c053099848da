// The one fixture from text to a run: a template given as a string goes through the pipeline
// (pipeline.hpp) exactly as a file would, with the built-in rules, up to the stage asked for.
#pragma once

#include <string>

#include "cfnsplit/pipeline.hpp"
#include "unit/model_fixture.hpp"

namespace cfnsplit::testing {

struct TextRun {
  SourceManager sources;
  DiagnosticSink sink;           ///< load and model findings
  DiagnosticSink analysis_sink;  ///< the analysis's findings (quota use, cycles)

  /// Runs `text` registered as `path` (its extension picks JSON or YAML) up to `stop_after`.
  PipelineResult Run(const std::string& text, Stage stop_after,
                     const std::string& path = "t.yaml") {
    PipelineInputs inputs;
    inputs.template_path = path;
    inputs.template_text = text;
    PipelineRun run{sources, sink, &BuiltinRules(), &analysis_sink};
    return RunPipeline(inputs, stop_after, run);
  }
};

}  // namespace cfnsplit::testing
