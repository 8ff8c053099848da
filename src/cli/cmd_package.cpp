// `cfnsplit package OUTDIR`: builds the artifact of every stack of an emitted output directory
// and rewrites the directory (templates re-emitted with the artifacts' SHA-256 in their keys,
// verified), in the mode and format it was written in.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cfnsplit/load.hpp"
#include "cli/commands.hpp"
#include "cli/planning.hpp"

namespace cfnsplit::cli {
namespace {

struct OutdirLayout {
  std::string mode;        // nested | exports
  std::string format;      // json | yaml
  std::string stack_name;  // the root stack's name OUTDIR was written for
};

// stacks.json says how OUTDIR was written; E7010 when OUTDIR is not an emitted directory.
std::optional<OutdirLayout> ReadLayout(Session& s, const std::string& outdir) {
  std::string text;
  DiagnosticSink quiet;
  const std::string path = outdir + "/stacks.json";
  if (!ReadFileText(path, text, quiet)) {
    s.sink().Error("E7010", {},
                   "'" + outdir +
                       "' is not a cfnsplit output directory (no stacks.json); write "
                       "one with `cfnsplit emit` or `cfnsplit split`");
    return std::nullopt;
  }
  try {
    auto index = nlohmann::json::parse(text);
    OutdirLayout layout;
    layout.mode = index.at("mode").get<std::string>();
    std::string first = index.at("stacks").at(0).at("template").get<std::string>();
    layout.format =
        first.size() > 5 && first.compare(first.size() - 5, 5, ".json") == 0 ? "json" : "yaml";
    if (layout.mode != "nested" && layout.mode != "exports") throw std::runtime_error("mode");
    auto name = index.at("stacks").at(0).find("stack_name");
    if (name != index.at("stacks").at(0).end()) layout.stack_name = name->dump();
    if (layout.stack_name.size() >= 2 && layout.stack_name.front() == '"')
      layout.stack_name = layout.stack_name.substr(1, layout.stack_name.size() - 2);
    return layout;
  } catch (const std::exception& e) {
    s.sink().Error("E7010", {}, "'" + path + "' is malformed: " + e.what());
    return std::nullopt;
  }
}

class PackageCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    app_ = app.add_subcommand(
        "package",
        "Build every stack's Lambda artifact into OUTDIR/packages and re-emit OUTDIR with their "
        "SHA-256 in the S3 keys");
    app_->add_option("outdir", outdir_, "Directory written by emit or split")
        ->required()
        ->check(CLI::ExistingDirectory);
    app_->add_option("--site-packages", packages_.site_packages,
                     "Installed tree to pack from (pip install -t DIR)")
        ->required();
    app_->add_option("--serverless-config", packages_.serverless_config,
                     "serverless.yml: package patterns and module folders (default: the plan's)");
    app_->add_option("--manifest", packages_.manifest, "Dependency manifest (default: the plan's)");
    AddBuildFlags(*app_, build_);
    return app_;
  }

  int Run(Session& s) override {
    while (outdir_.size() > 1 && outdir_.back() == '/') outdir_.pop_back();
    auto layout = ReadLayout(s, outdir_);
    if (!layout) return s.Finish(false);
    const std::string plan_path = outdir_ + "/plan.yaml";
    CommandStages stages(s);
    stages.ReadPlan(plan_path, false, packages_);
    // The plan is rewritten in place with the rest of OUTDIR; the trees we read from must not
    // be inside it.
    stages.plan_rewritten = true;
    stages.also_inputs.push_back(packages_.site_packages);
    for (const auto& dir : build_.code) stages.also_inputs.push_back(dir);
    stages.emit.output = outdir_;
    stages.emit.mode = layout->mode;
    stages.emit.format = layout->format;
    stages.emit.stack_name = layout->stack_name;
    stages.emit.force = true;
    stages.build = &build_;
    PipelineResult r = stages.Run(Stage::kWrite);
    return r.ok ? stages.FinishWritten(r) : stages.Fail();
  }

 private:
  std::string outdir_;
  SizingOptions packages_ = SizingDefaults();
  BuildFlags build_;
};

}  // namespace

std::unique_ptr<Command> MakePackageCommand() { return std::make_unique<PackageCommand>(); }

}  // namespace cfnsplit::cli
