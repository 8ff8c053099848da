// Import inference on the ML sample: the handlers import what their requirements.txt lists (as
// real code would), so the inferred per-function sets must equal the manifest's, and the plan made
// from inference must equal the plan made from the manifest.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "cfnsplit/load.hpp"
#include "cfnsplit/model.hpp"
#include "cfnsplit/sizing.hpp"
#include "support/temp_dir.hpp"
#include "support/cli_run.hpp"
#include "unit/sizing_test_fixtures.hpp"

using namespace cfnsplit;
namespace fs = std::filesystem;

namespace {

const std::string kSample = std::string(CFNSPLIT_SOURCE_DIR) + "/samples/ml-service";

struct Sized {
  SourceManager sources;
  DiagnosticSink sink;
  std::unique_ptr<TemplateModel> model;
  std::optional<PackageModel> packages;
};

std::unique_ptr<Sized> Size(SizingOptions options) {
  auto s = std::make_unique<Sized>();
  s->model = LoadModel(kSample + "/template.json", s->sources, s->sink);
  REQUIRE(s->model);
  options.template_dir = kSample;
  s->packages = BuildPackageModel(s->model->functions, options, s->sources, s->sink);
  REQUIRE(s->packages);
  return s;
}

std::map<std::string, std::set<std::string>> Sets(const PackageModel& m) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& f : m.functions)
    for (auto d : f.dists) out[f.function_id].insert(m.dists[d].name);
  return out;
}

// The plan without its `inputs:` section (the manifests differ, so do their hashes).
std::string WithoutInputs(const std::string& plan) {
  std::istringstream in(plan);
  std::string line, out;
  bool skipping = false;
  while (std::getline(in, line)) {
    if (line.rfind("inputs:", 0) == 0) {
      skipping = true;
      continue;
    }
    if (skipping && (line.empty() || line[0] == ' ' || line[0] == '-')) continue;
    skipping = false;
    out += line + "\n";
  }
  return out;
}

int Plan(const std::string& manifest, const std::string& out) {
  cfnsplit::testing::TempDir scratch;
  return cfnsplit::testing::RunCfnsplit(
             "plan samples/ml-service/template.json --manifest " + manifest + " -o " + out,
             scratch.path())
      .code;
}

}  // namespace

TEST_CASE("ML sample: inferred requirements equal the manifest's, function by function",
          "[unit][imports]") {
  SizingOptions declared;
  declared.manifest = kSample + "/cfnsplit.yaml";
  auto manifest = Size(declared);

  SizingOptions inferred;
  inferred.serverless_config = kSample + "/serverless.yml";
  inferred.site_packages = kSample + "/site-packages";
  inferred.infer_imports = "on";
  auto imports = Size(inferred);

  REQUIRE(imports->packages->functions.size() == 84);
  for (const auto& f : imports->packages->functions) {
    INFO(f.function_id);
    CHECK(f.requirements_from == "imports");
    CHECK(imports->packages->imports.at(f.function_id).unresolved.empty());
  }
  for (const auto& f : manifest->packages->functions) CHECK(f.requirements_from == "manifest");
  CHECK(Sets(*imports->packages) == Sets(*manifest->packages));
  CHECK(imports->packages->unused_requirements.empty());
  // sklearn functions use the runtime's boto3 in the manifest and import none: the same here.
  const FunctionPackage* predict = imports->packages->Find("predict-churn");
  REQUIRE(predict);
  CHECK(imports->packages->DistIndex("boto3") >= 0);
  CHECK(std::find(predict->dists.begin(), predict->dists.end(),
                  static_cast<std::uint32_t>(imports->packages->DistIndex("boto3"))) ==
        predict->dists.end());
}

TEST_CASE("ML sample: a manifest entry wins over inference, and off keeps today's behaviour",
          "[unit][imports]") {
  SizingOptions options;
  options.manifest = kSample + "/cfnsplit.yaml";
  options.infer_imports = "on";
  auto both = Size(options);
  for (const auto& f : both->packages->functions) CHECK(f.requirements_from == "manifest");
  CHECK(both->packages->imports.empty());

  SizingOptions off;
  off.serverless_config = kSample + "/serverless.yml";
  off.site_packages = kSample + "/site-packages";
  off.infer_imports = "off";
  auto service = Size(off);
  for (const auto& f : service->packages->functions) CHECK(f.requirements_from == "service");
}

TEST_CASE("ML sample: the plan from inference equals the plan from the manifest",
          "[unit][imports]") {
  sizing_test::TempDir dir;
  REQUIRE(Plan("samples/ml-service/cfnsplit.yaml", dir / "manifest.yaml") == 0);
  REQUIRE(Plan("samples/ml-service/cfnsplit-infer.yaml", dir / "inferred.yaml") == 0);
  std::string a = WithoutInputs(cfnsplit::testing::ReadAll(dir / "manifest.yaml"));
  std::string b = WithoutInputs(cfnsplit::testing::ReadAll(dir / "inferred.yaml"));
  CHECK(a.find("ForecastingPandas") != std::string::npos);
  CHECK(a == b);
}

namespace {

using cfnsplit::testing::CliRun;

CliRun Cli(const std::string& args) {
  cfnsplit::testing::TempDir scratch;
  return cfnsplit::testing::RunCfnsplit(args, scratch.path());
}

const std::string kInputs =
    "analyze samples/ml-service/template.json --serverless-config "
    "samples/ml-service/serverless.yml --site-packages samples/ml-service/site-packages";

}  // namespace

TEST_CASE("cli: analyze --explain-imports and the imports report", "[unit][imports]") {
  CliRun explain = Cli(kInputs + " --explain-imports detect-faces");
  INFO(explain.err);
  CHECK(explain.out.find("Imports of DetectDashfacesLambdaFunction (requirements from imports)") !=
        std::string::npos);
  CHECK(explain.out.find("import cv2 (samples/ml-service/functions/detect-faces/handler.py:4") !=
        std::string::npos);
  CHECK(explain.out.find("required by boto3") != std::string::npos);

  CliRun unknown = Cli(kInputs + " --explain-imports no-such-function");
  CHECK(unknown.code == 2);
  CHECK(unknown.err.find("no function 'no-such-function'") != std::string::npos);

  CliRun off = Cli(kInputs + " --infer-imports off --explain-imports detect-faces");
  CHECK(off.code == 2);
  CHECK(off.err.find("requirements from service") != std::string::npos);

  CliRun bad = Cli(kInputs + " --infer-imports maybe");
  CHECK(bad.code == 2);

  CliRun json = Cli(kInputs + " --format json");
  auto doc = nlohmann::json::parse(json.out);
  CHECK(doc["imports"]["functions"].size() == 84);
  CHECK(doc["imports"]["functions"]["DetectDashfacesLambdaFunction"]["distributions"].contains(
      "opencv-python-headless"));

  CliRun text = Cli(kInputs);
  CHECK(text.out.find("Imports inferred for 84 function(s)") != std::string::npos);
}
