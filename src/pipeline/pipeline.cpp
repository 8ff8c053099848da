// RunPipeline: the stages of pipeline.hpp in order, each only after the one before succeeded.
#include "cfnsplit/pipeline.hpp"

#include <stdexcept>

#include "cfnsplit/codes.hpp"
#include "cfnsplit/timings.hpp"

namespace cfnsplit {
namespace {

// Source and Value: read (or take) the text, register it, parse it. One timing scope, "parse",
// as the loader always reported it.
std::optional<Value> LoadSource(const PipelineInputs& in, Stage stop_after, PipelineRun& run,
                                PipelineResult& out) {
  timings::Scope timing("parse");
  std::string text;
  if (in.template_text)
    text = *in.template_text;
  else if (!ReadFileText(in.template_path, text, run.sink, in.limits.max_bytes))
    return std::nullopt;
  out.source.path = in.template_path;
  out.source.bytes = text.size();
  out.source.format = DetectFormat(in.template_path, text);
  out.source.file = run.sources.Add(in.template_path, std::move(text));
  if (stop_after == Stage::kSource) {
    out.ok = true;
    return std::nullopt;
  }
  return ParseTemplate(out.source.file, run.sources, run.sink, in.limits);
}

}  // namespace

PipelineResult RunPipeline(const PipelineInputs& in, Stage stop_after, PipelineRun& run) {
  PipelineResult out;
  const std::size_t first_diagnostic = run.sink.diagnostics().size();
  std::optional<Value> value = LoadSource(in, stop_after, run, out);
  if (!value) return out;
  if (stop_after == Stage::kValue) {
    out.value = std::move(value);
    out.ok = true;
    return out;
  }
  out.model = BuildModel(std::move(*value), in.template_path, out.source.file, run.sink, in.model);
  // A template with input errors (an intrinsic with the wrong arguments, ...) is not analyzed:
  // the model is dropped, as a command would drop it.
  for (std::size_t i = first_diagnostic; out.model && i < run.sink.diagnostics().size(); ++i)
    if (IsInputError(run.sink.diagnostics()[i])) out.model.reset();
  if (!out.model) return out;
  out.model->format = out.source.format;
  if (stop_after == Stage::kModel) {
    out.ok = true;
    return out;
  }
  if (!run.rules) throw std::logic_error("RunPipeline: Stage::kAnalysis needs rules");
  out.analysis = Analyze(*out.model, *run.rules, out.source.bytes,
                         run.analysis_sink ? *run.analysis_sink : run.sink);
  out.ok = true;
  return out;
}

}  // namespace cfnsplit
