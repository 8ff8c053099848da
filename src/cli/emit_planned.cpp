// What `emit`, `split` and `package` share: a checked plan emitted, verified and written, and
// (for `package` and `split --build`) every stack's artifact built in between, so the templates
// carry each artifact's SHA-256 in its key.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cfnsplit/codes.hpp"
#include "cfnsplit/emit.hpp"
#include "cfnsplit/package.hpp"
#include "cfnsplit/partition.hpp"
#include "cfnsplit/report.hpp"
#include "cfnsplit/verify.hpp"
#include "cli/planning.hpp"

namespace cfnsplit::cli {
namespace fs = std::filesystem;
namespace {

// OUTDIR is replaced whole with --force: it must not hold any input.
bool OutputHoldsInput(Session& s, const std::vector<std::string>& input_paths,
                      const std::string& outdir) {
  char resolved_out[4096];
  if (!realpath(outdir.c_str(), resolved_out)) return false;
  std::string out = std::string(resolved_out) + "/";
  for (const auto& in : input_paths) {
    char resolved_in[4096];
    if (realpath(in.c_str(), resolved_in) && std::string(resolved_in).rfind(out, 0) == 0) {
      s.sink().Error("E5004", {},
                     "the output directory '" + outdir + "' holds the input '" + in +
                         "'; choose another directory");
      return true;
    }
  }
  return false;
}

// The plan as OUTDIR keeps it: input paths relative to OUTDIR, so that the output does not
// depend on the working directory it was made from (LoadPlanAndTemplate resolves them back).
SplitPlan PlanRelativeTo(SplitPlan plan, const std::string& outdir) {
  std::error_code ec;
  fs::path base = fs::absolute(outdir, ec).lexically_normal();
  if (base.filename().empty()) base = base.parent_path();
  for (PlanInput& in : plan.inputs) {
    if (in.path.empty()) continue;
    fs::path relative = fs::absolute(in.path, ec).lexically_normal().lexically_relative(base);
    if (!ec && !relative.empty()) in.path = relative.string();
  }
  return plan;
}

// A staging directory beside OUTDIR (same file system, so its zips move in by rename), removed
// whatever happens.
class Staging {
 public:
  explicit Staging(const std::string& outdir) {
    fs::path dir = fs::path(outdir).lexically_normal();
    if (dir.filename().empty()) dir = dir.parent_path();
    fs::path parent = dir.parent_path().empty() ? fs::path(".") : dir.parent_path();
    std::error_code ec;
    fs::create_directories(parent, ec);
    // `.OUTDIR.pkg-<pid>-XXXXXX`: a later run removes it if this process is killed (outdir.cpp).
    std::string tmpl =
        (parent / ("." + dir.filename().string() + ".pkg-" + std::to_string(getpid()) + "-XXXXXX"))
            .string();
    if (mkdtemp(tmpl.data())) path_ = tmpl;
  }
  ~Staging() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Stacks whose functions read their code from the stack's own artifact (emit's ArtifactRef),
// with those functions: the Lambda functions of the stack whose Code.S3Key is a literal.
// A stack without its own zip still gets the recipes of its image functions.
std::vector<ArtifactRequest> Requests(const PipelineResult& p, const EmitResult& result) {
  std::vector<ArtifactRequest> out;
  for (const EmittedStack& es : result.stacks) {
    if (!es.artifact && es.images.empty()) continue;
    ArtifactRequest r;
    r.stack = es.name;
    r.zip = es.artifact.has_value();
    if (!r.zip) {
      for (const ImageRef& image : es.images) r.functions.push_back(image.function);
      out.push_back(std::move(r));
      continue;
    }
    for (const StackPlan& sp : p.plan->stacks) {
      if (sp.name != es.name) continue;
      r.plan_bytes = sp.figures.package_bytes;
      for (const std::string& id : sp.resources) {
        const Resource* res = p.model->FindResource(id);
        if (!res || res->type != "AWS::Lambda::Function" || !res->properties) continue;
        const Value* code = res->properties->Find("Code");
        const Value* key = code && code->is_map() ? code->Find("S3Key") : nullptr;
        if (key && key->is_string()) r.functions.push_back(id);
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

// Layers the sizing stage knows the contents of, whose LayerVersion a planned stack holds.
std::vector<LayerRequest> LayerRequests(const PipelineResult& p) {
  std::vector<LayerRequest> out;
  for (std::size_t l = 0; l < p.package_model->layers.size(); ++l) {
    std::string id = BuildableLayerId(*p.model, p.package_model->layers[l]);
    if (id.empty()) continue;
    for (const StackPlan& sp : p.plan->stacks)
      if (std::find(sp.resources.begin(), sp.resources.end(), id) != sp.resources.end())
        out.push_back({sp.name, id, static_cast<std::uint32_t>(l)});
  }
  return out;
}

std::string PackagesReadme(const std::vector<BuiltArtifact>& artifacts, const EmitResult& result) {
  std::string out =
      "\n## Packages\n\nBuilt by `cfnsplit package` (deterministic: the same inputs give the same "
      "bytes, so an unchanged stack keeps its key). Upload each zip to its key in the "
      "functions' bucket before deploying the stacks that use it; `packages/artifacts.json` "
      "lists them for tools.\n\n| Stack | File | S3 key (parameter default) | Unzipped | SHA-256 "
      "|\n|---|---|---|---|---|\n";
  for (const BuiltArtifact& a : artifacts)
    for (const EmittedStack& s : result.stacks) {
      if (s.name != a.stack) continue;
      std::string key = a.layer.empty() && s.artifact ? s.artifact->key : "";
      for (const LayerArtifactRef& l : s.layers)
        if (!a.layer.empty() && l.layer == a.layer) key = l.key;
      if (!key.empty())
        out += "| " + a.stack + (a.layer.empty() ? "" : " (layer " + a.layer + ")") + " | " +
               a.file + " | " + key + " | " + std::to_string(a.unzipped) + " | " + a.sha256 +
               " |\n";
    }
  return out;
}

}  // namespace

struct BuiltPackages {
  std::unique_ptr<Staging> staging;
  PackageResult package;
};

namespace {

std::shared_ptr<BuiltPackages> BuildPackages(Session& s, const PipelineResult& p,
                                             const SizingOptions& package_options,
                                             const EmitFlags& flags, const BuildFlags& build,
                                             const EmitResult& first) {
  auto built = std::make_shared<BuiltPackages>();
  if (!p.package_model) {
    s.sink().Error("E7005", {},
                   "building artifacts needs to know what each function ships: give "
                   "--site-packages (and the plan's --manifest)");
    return nullptr;
  }
  built->staging = std::make_unique<Staging>(flags.output);
  if (built->staging->path().empty()) {
    s.sink().Error("E5008", {}, "cannot create a staging directory beside '" + flags.output + "'");
    return nullptr;
  }
  BuildOptions options;
  options.site_packages = package_options.site_packages;
  options.code_dirs = build.code;
  options.serverless_config = package_options.serverless_config;
  options.template_dir = p.model->path().find('/') == std::string::npos
                             ? "."
                             : p.model->path().substr(0, p.model->path().rfind('/'));
  options.slim = build.slim;
  options.jobs = build.jobs;
  options.staging_dir = built->staging->path();
  options.progress = isatty(2) != 0;
  auto package = BuildArtifacts(*p.model, *p.package_model, Requests(p, first), LayerRequests(p),
                                options, s.sources(), s.sink());
  if (!package) return nullptr;
  built->package = std::move(*package);
  return built;
}

// A stack over Lambda's limit (or zip: true over /tmp) is a finding (exit 1); anything else that
// stops a build is an input problem (exit 2).
bool OnlyOverLimit(const DiagnosticSink& sink) {
  for (const Diagnostic& d : sink.diagnostics())
    if (d.severity == Severity::kError && !CodeHas(d.code, kPackageLimit)) return false;
  return true;
}

}  // namespace

void AddBuildFlags(CLI::App& cmd, BuildFlags& f) {
  if (!cmd.get_option_no_throw("--code"))  // split: registered by AddSizingOptions, copied here
    cmd.add_option("--code", f.code,
                   "The service's code tree, zipped into every stack's artifact (repeatable; "
                   "default: each function's own folder)");
  cmd.add_flag("--slim", f.slim,
               "serverless-python-requirements' slim: delete bytecode, .dist-info and slimPatterns "
               "matches; strip .so files");
  cmd.add_option("--jobs", f.jobs, "Stacks built in parallel (default: the number of cores)")
      ->check(CLI::Range(1u, 256u));
}

// The plan is checked (RunPipeline's Check); emitted with the emit flags; with `build`, every
// stack's artifact built and the stacks emitted again with their SHA-256; rendered, so that
// verify measures each stack's bytes as written.
bool CommandStages::Emit(const PipelineInputs&, PipelineRun&, PipelineResult& r) {
  Session& s = s_;
  input_ok_ = true;
  if (!r.check->ok()) {
    PrintPlanText(*r.plan, *r.check, s.rules(), std::cerr);
    s.sink().Error("E4017", {},
                   "the plan breaks hard constraints; fix it (see `cfnsplit review`) "
                   "before emitting");
    return false;
  }
  if (OutputHoldsInput(s, input_paths, emit.output)) return Failed(false);
  EmitOptions& options = emit_options_;
  options.mode = r.plan->options.mode;
  options.format = emit.format.empty()     ? r.model->format
                   : emit.format == "yaml" ? TemplateFormat::kYaml
                                           : TemplateFormat::kJson;
  // The parent keeps outputs up to the budget the plan was checked against (RootOutputHomes).
  options.max_root_outputs = Budget(s.rules(), QuotaMeasure::kOutputs, r.plan->options.headroom);
  options.max_root_parameters = Budget(s.rules(), QuotaMeasure::kParameters, 1.0);
  options.output_dir = fs::absolute(emit.output).lexically_normal().string();
  options.stack_name = emit.stack_name.empty() ? DefaultStackName(*r.model) : emit.stack_name;
  if (!ValidStackName(options.stack_name)) {
    s.sink().Error(
        "E0022", {},
        "--stack-name '" + options.stack_name +
            "' is not a stack name: letters, digits and hyphens, starting with a letter, "
            "at most 100 characters (room for the -<Stack> suffixes)");
    return Failed(false);
  }
  options.shared_artifact = emit.shared_artifact;
  ApplyFigures(*r.plan, *r.check);
  r.emitted = EmitStacks(*r.model, *r.plan, s.rules(), options, s.sink());
  if (!r.emitted) return false;
  if (build) {
    built_ = BuildPackages(s, r, package_options, emit, *build, *r.emitted);
    if (!built_) return Failed(OnlyOverLimit(s.sink()));
    for (const BuiltArtifact& a : built_->package.artifacts)
      (a.layer.empty() ? options.artifact_sha256[a.stack] : options.layer_sha256[a.layer]) =
          a.sha256;
    // Emitted again only to write the artifacts' digests into the key defaults: what this
    // emission finds was reported by the first one, so only an error of its own is reported.
    DiagnosticSink again;
    r.emitted = EmitStacks(*r.model, *r.plan, s.rules(), options, again);
    if (!r.emitted) {
      for (const Diagnostic& d : again.diagnostics()) s.sink().Report(d);
      return false;
    }
  }
  r.files = RenderFiles(*r.emitted, options);
  return true;
}

bool CommandStages::Verify(const PipelineInputs&, PipelineRun&, PipelineResult& r) {
  VerifyOptions verify_options;
  verify_options.output_dir = emit_options_.output_dir;
  verify_options.rendered = &r.files;
  r.verify = VerifyEmitted(*r.model, *r.emitted, s_.rules(), verify_options, s_.sink());
  if (r.verify->ok) return true;
  s_.sink().Error("E5100", {},
                  "verification failed (" + std::to_string(r.verify->differences.size()) +
                      " difference(s)); nothing was written");
  return false;
}

// The stacks with the rest of OUTDIR: README, built artifacts, the deploy kit, the plan.
bool CommandStages::Write(const PipelineInputs&, PipelineRun&, PipelineResult& r) {
  std::vector<EmittedFile>& files = r.files;
  DeployKit kit = BuildDeployKit(*r.model, *r.emitted, emit_options_);
  std::string readme = DeploySummary(*r.model, *r.plan, *r.emitted, emit_options_, kit.readme);
  if (built_) {
    const auto& artifacts = built_->package.artifacts;
    readme += PackagesReadme(artifacts, *r.emitted);
    for (const BuiltArtifact& a : artifacts) files.push_back({a.file, "", a.path, true});
    for (EmittedFile& f : built_->package.files) files.push_back(std::move(f));
    files.push_back({"packages/artifacts.json", ArtifactsJson(artifacts, r.emitted->stacks)});
  }
  files.push_back({"README.md", readme});
  for (EmittedFile& f : kit.files) files.push_back(std::move(f));
  files.push_back({"plan.yaml", PlanToYaml(PlanRelativeTo(*r.plan, emit.output))});
  r.written = WriteOutputDir(emit.output, files, emit.force, s_.sink());
  return r.written;
}

int CommandStages::FinishWritten(const PipelineResult& r) {
  const std::string& output = emit.output;
  if (built_ && !built_->package.artifacts.empty()) {
    std::cout << "Built " << built_->package.artifacts.size() << " artifact(s) into " << output
              << "/packages (deflate level 6; unzipped sizes read back from "
              << "each zip's central directory):\n";
    PrintArtifactTable(built_->package.artifacts, std::cout);
  } else if (built_) {
    std::cout << "No stack ships a zip of its own; image recipes (if any) are in " << output
              << "/packages.\n";
  }
  std::cout << "Wrote " << r.emitted->stacks.size()
            << (r.emitted->stacks.size() == 1 ? " template (" : " templates (")
            << WiringModeName(emit_options_.mode) << " mode) to " << output << "; verified "
            << r.verify->resources_checked << " resources against " << r.model->path()
            << ".\nDeploy order:";
  for (const auto& name : r.emitted->deploy_order) std::cout << ' ' << name;
  std::cout << "\nSee " << output << "/README.md for the commands.\n";
  built_.reset();  // removes the staging directory: the one teardown with an effect outside
  return s_.ExitWithoutTeardown(s_.Finish(true));
}

}  // namespace cfnsplit::cli
