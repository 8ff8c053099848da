// RunPipeline: the stages of pipeline.hpp in order, each only after the one before succeeded.
#include "cfnsplit/pipeline.hpp"

#include <stdexcept>

#include "cfnsplit/codes.hpp"
#include "cfnsplit/partition.hpp"
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

// Stages 4b–9 in order, each made by `later`; Check is the library's, once per plan.
bool RunLaterStages(const PipelineInputs& in, Stage stop_after, PipelineRun& run,
                    LaterStages& later, PipelineResult& out) {
  if (!later.Admit(in, run, out) || !later.Size(in, run, out)) return false;
  if (stop_after == Stage::kSizing) return true;
  if (!later.Plan(in, run, out)) return false;
  if (!out.plan || stop_after == Stage::kPlan) return true;  // nothing to split, or asked
  if (!out.check) out.check = CheckPlan(*out.analysis, *out.plan, out.packages, *run.rules);
  if (stop_after == Stage::kCheck) return true;
  if (!later.Emit(in, run, out)) return false;
  if (stop_after == Stage::kEmit) return true;
  if (!later.Verify(in, run, out)) return false;
  if (stop_after == Stage::kVerify) return true;
  return later.Write(in, run, out);
}

}  // namespace

bool LaterStages::Plan(const PipelineInputs& in, PipelineRun& run, PipelineResult& out) {
  PlanCheck check;
  out.plan = PartitionTemplate(*out.analysis, out.packages, *run.rules, in.plan, run.sink, &check);
  if (out.plan) out.check = std::move(check);
  return out.plan.has_value();
}

bool LaterStages::Emit(const PipelineInputs& in, PipelineRun& run, PipelineResult& out) {
  if (!out.check->ok()) {
    run.sink.Error("E4017", {},
                   "the plan breaks hard constraints; fix it (see `cfnsplit review`) before "
                   "emitting");
    return false;
  }
  EmitOptions options = in.emit;
  options.format = in.emit_format.value_or(out.model->format);
  out.emitted = EmitStacks(*out.model, *out.plan, *run.rules, options, run.sink);
  if (!out.emitted) return false;
  out.files = RenderFiles(*out.emitted, options);
  return true;
}

bool LaterStages::Verify(const PipelineInputs& in, PipelineRun& run, PipelineResult& out) {
  VerifyOptions options = in.verify;
  options.rendered = &out.files;
  out.verify = VerifyEmitted(*out.model, *out.emitted, *run.rules, options, run.sink);
  return out.verify->ok;
}

bool LaterStages::Write(const PipelineInputs& in, PipelineRun& run, PipelineResult& out) {
  out.written = WriteOutputDir(in.output_dir, out.files, in.force, run.sink);
  return out.written;
}

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
  if (stop_after == Stage::kAnalysis) {
    out.ok = true;
    return out;
  }
  LaterStages defaults;
  out.ok = RunLaterStages(in, stop_after, run, run.later ? *run.later : defaults, out);
  return out;
}

}  // namespace cfnsplit
