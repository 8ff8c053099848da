// Package sizes for planning: the bridge from the sizing stage to the partitioner's PackageView.
#include <fstream>
#include <sstream>

#include "cfnsplit/codes.hpp"
#include "cfnsplit/files.hpp"
#include "cfnsplit/sizing.hpp"
#include "cfnsplit/sizing_inputs.hpp"
#include "cli/planning.hpp"

namespace cfnsplit::cli {

// The options as the sizing stage takes them: with Lambda's limits of the rules in effect and
// the template's folder.
SizingOptions ToSizingOptions(const TemplateModel& model, const SizingOptions& options,
                              const RuleSet& rules) {
  SizingOptions s = options;
  s.limits = LambdaLimits::From(rules.quotas);
  s.template_dir = DirName(model.path());
  return s;
}

// An --artifact without NAME= (the table keeps its name empty, the value as its path).
static bool ArtifactsWellFormed(Session& s, const SizingOptions& options) {
  for (const auto& [name, path] : options.artifacts)
    if (name.empty()) {
      s.sink().Error("E0020", {}, "--artifact takes NAME=path.zip, got '" + path + "'");
      return false;
    }
  return true;
}

std::optional<PackageModel> LoadPackageModel(Session& s, const TemplateModel& model,
                                             const SizingOptions& options, DiagnosticSink* sink) {
  if (!ArtifactsWellFormed(s, options)) return std::nullopt;
  return BuildPackageModel(model.functions, ToSizingOptions(model, options, s.rules()), s.sources(),
                           sink ? *sink : s.sink());
}

namespace {

std::string FileSha(const std::string& path) {
  std::string text;
  DiagnosticSink quiet;
  return ReadFileText(path, text, quiet) ? Sha256Hex(text) : "";
}

// Code folders are shared by the functions that ship them: they enter the view as pseudo
// distributions, so a stack's artifact counts each folder once.
PackageView ToView(const PackageModel& pm) {
  PackageView view;
  view.packaging = pm.packaging.empty() ? "shared" : pm.packaging;
  for (std::size_t d = 0; d < pm.dists.size(); ++d) {
    const Distribution& dist = pm.dists[d];
    view.dist_names.push_back(dist.name);
    view.dist_bytes.push_back(d < pm.charged_bytes.size() ? pm.charged_bytes[d]
                                                          : dist.unzipped_bytes);
    view.dist_requirements.push_back(dist.version.empty() ? dist.name
                                                          : dist.name + "==" + dist.version);
  }
  std::vector<std::int64_t> code_dist(pm.code_units.size(), -1);
  for (const FunctionPackage& f : pm.functions) {
    if (f.image) {
      view.images.insert(f.function_id);
      continue;
    }
    PackageView::Function vf;
    // A layer-mode function's dependencies ship in the requirements layer (counted in
    // layer_bytes, which is what it lists), not in its stack's artifact.
    if (f.packaging != "layer") vf.dists = f.dists;
    if (f.code_unit != 0 && f.code_unit < pm.code_units.size()) {
      if (code_dist[f.code_unit] < 0) {
        code_dist[f.code_unit] = static_cast<std::int64_t>(view.dist_names.size());
        view.dist_names.push_back("code:" + pm.code_units[f.code_unit].path);
        view.dist_bytes.push_back(pm.code_units[f.code_unit].unzipped_bytes);
      }
      vf.dists.push_back(static_cast<std::uint32_t>(code_dist[f.code_unit]));
    }
    std::sort(vf.dists.begin(), vf.dists.end());
    vf.layer_bytes = f.layer_bytes;
    view.functions[f.function_id] = std::move(vf);
  }
  return view;
}

}  // namespace

std::optional<PackageView> LoadPackages(Session& s, const TemplateModel& model,
                                        const SizingOptions& options,
                                        std::vector<PlanInput>* inputs,
                                        std::shared_ptr<PackageModel>* model_out) {
  PackageView view;
  if (!options.packaging.empty()) view.packaging = options.packaging;
  if (!AnySizingSource(options)) return view;
  // A function over the limit as packaged today is why the user splits; planning reports what
  // no split can fix itself (E4008), so the sizing stage's package-limit errors (E6101) are
  // dropped here.
  if (!ArtifactsWellFormed(s, options)) return std::nullopt;
  DiagnosticSink sizing;
  auto pm = BuildPackageModel(model.functions, ToSizingOptions(model, options, s.rules()),
                              s.sources(), sizing);
  for (const auto& d : sizing.diagnostics())
    if (!(d.severity == Severity::kError && CodeHas(d.code, kPackageLimit))) s.sink().Report(d);
  // A zip that cannot be read or lies about its sizes would be sized at 0 bytes: never plan on it.
  if (!pm || s.HasInputErrors()) return std::nullopt;
  if (inputs)  // the files a plan records, so that later commands size the same way
    for (const SizingInput& in : SizingInputs())
      if (!in.plan_role.empty())
        for (const std::string& path : in.values(options))
          inputs->push_back({in.plan_role, path, FileSha(path)});
  PackageView view_out = ToView(*pm);
  if (model_out) *model_out = std::make_shared<PackageModel>(std::move(*pm));
  return view_out;
}

}  // namespace cfnsplit::cli
