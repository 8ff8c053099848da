// BuildPackageModel end to end: requirement precedence, closure with markers and extras,
// noDeploy, slim, packaging modes, union sizes, artifacts, wheels, catalog, serverless.yml,
// layers, recommendations and the rendered reports. Sizes are exact: RECORD rows carry them.
#include <catch2/catch.hpp>
#include <sstream>

#include "cfnsplit/sizing.hpp"
#include "sizing/internal.hpp"
#include "unit/sizing_test_fixtures.hpp"

using namespace cfnsplit;
using sizing_test::TempDir;
using sizing_test::WriteFile;

namespace {

struct FakeDist {
  std::string name, version;
  std::vector<std::pair<std::string, std::uint64_t>> files;
  std::vector<std::string>
  requires;
};

// Files hold one byte on disk; RECORD carries the sizes. METADATA and RECORD count 1,000 each.
void AddDist(const std::string& site, const FakeDist& d) {
  std::string prefix = d.name;
  std::replace(prefix.begin(), prefix.end(), '-', '_');
  std::string info = prefix + "-" + d.version + ".dist-info";
  std::string record;
  for (const auto& [path, size] : d.files) {
    WriteFile(site + "/" + path, "x");
    record += path + ",sha256=abc," + std::to_string(size) + "\n";
  }
  std::string metadata =
      "Metadata-Version: 2.1\nName: " + d.name + "\nVersion: " + d.version + "\n";
  for (const auto& r : d.requires) metadata += "Requires-Dist: " + r + "\n";
  WriteFile(site + "/" + info + "/METADATA", metadata);
  record += info + "/METADATA,,1000\n" + info + "/RECORD,,1000\n";
  WriteFile(site + "/" + info + "/RECORD", record);
}

void BuildService(const TempDir& dir) {
  const std::string site = dir / "site";
  AddDist(site, {"pandas",
                 "2.2.2",
                 {{"pandas/__init__.py", 80'000'000}},
                 {"numpy>=1.26", "python-dateutil>=2.8.2", "pyarrow>=10 ; extra == \"parquet\"",
                  "tzdata ; sys_platform == \"win32\""}});
  AddDist(site, {"numpy",
                 "1.26.4",
                 {{"numpy/__init__.py", 95'000'000},
                  {"numpy/__pycache__/__init__.cpython-312.pyc", 5'000'000}},
                 {}});
  AddDist(site, {"pyarrow", "16.0.0", {{"pyarrow/lib.so", 90'000'000}}, {}});
  AddDist(site, {"python-dateutil", "2.9.0", {{"dateutil/__init__.py", 300'000}}, {"six>=1.5"}});
  AddDist(site, {"six", "1.16.0", {{"six.py", 30'000}}, {}});
  AddDist(site,
          {"requests", "2.31.0", {{"requests/__init__.py", 500'000}}, {"urllib3<3,>=1.21.1"}});
  AddDist(site, {"boto3",
                 "1.34.0",
                 {{"boto3/__init__.py", 1'000'000}},
                 {"botocore<1.35.0,>=1.34.0", "jmespath"}});
  AddDist(site, {"botocore",
                 "1.34.0",
                 {{"botocore/__init__.py", 25'000'000}},
                 {"python-dateutil<3.0.0,>=2.1", "jmespath<2.0.0,>=0.7.1"}});
  AddDist(site, {"jmespath", "1.0.1", {{"jmespath/__init__.py", 100'000}}, {}});
  WriteFile(dir / "workers/requirements.txt", "boto3\nsix\ntomli ; python_version < '3.11'\n");
  WriteFile(dir / "small/requirements.txt", "six\n");
  sizing_test::WriteSized(dir / "small/app.py", 5'000);
  sizing_test::WriteSized(dir / "small/__pycache__/app.cpython-312.pyc", 777);  // not shipped
  sizing_test::WriteSized(dir / "api/app.py", 10'000);
  WriteFile(dir / "deps.yaml",
            "version: 1\n"
            "service:\n"
            "  site_packages: site\n"
            "functions:\n"
            "  ApiFunction:\n"
            "    packages: [\"pandas[parquet]\", requests]\n"
            "    code: api\n"
            "  WorkerFunction:\n"
            "    requirements: workers/requirements.txt\n");
}

FunctionInfo Fn(const std::string& id, const std::string& code_uri = "") {
  FunctionInfo f;
  f.resource_id = id;
  f.runtime = "python3.12";
  f.code_uri = code_uri;
  return f;
}

std::vector<std::string> DistNames(const PackageModel& m, const FunctionPackage& f) {
  std::vector<std::string> out;
  for (auto d : f.dists) out.push_back(m.dists[d].name);
  return out;
}

constexpr std::uint64_t kApi =
    80'002'000 + 100'002'000 + 302'000 + 32'000 + 90'002'000 + 502'000 + 10'000;
constexpr std::uint64_t kWorker = 1'002'000 + 25'002'000 + 302'000 + 32'000 + 102'000;
constexpr std::uint64_t kSmallCode = 5'000 + 4;  // app.py and its requirements.txt ("six\n")
constexpr std::uint64_t kSmall = 32'000 + kSmallCode;
constexpr std::uint64_t kUnion = kApi + 1'002'000 + 25'002'000 + 102'000 + kSmallCode;

struct Run {
  TempDir dir;
  SourceManager sources;
  DiagnosticSink sink;
  std::vector<FunctionInfo> functions = {Fn("ApiFunction"), Fn("WorkerFunction"),
                                         Fn("SmallFunction", "small")};
  SizingOptions options;
  Run() {
    BuildService(dir);
    options.manifest = dir / "deps.yaml";
    options.template_dir = dir.path();
  }
  PackageModel Build() {
    auto model = BuildPackageModel(functions, options, sources, sink);
    REQUIRE(model);
    return *model;
  }
};

}  // namespace

TEST_CASE("model: requirement precedence, closure, markers, extras (individual)",
          "[unit][sizing]") {
  Run run;
  PackageModel m = run.Build();
  CHECK(m.packaging == "individual");
  REQUIRE(m.functions.size() == 3);
  const FunctionPackage& api = m.functions[0];
  const FunctionPackage& worker = m.functions[1];
  const FunctionPackage& small = m.functions[2];
  CHECK(api.requirements_from == "manifest");
  CHECK(worker.requirements_from == "manifest");
  CHECK(small.requirements_from == "codeuri");
  // pyarrow only through pandas[parquet]; tzdata's win32 marker and tomli's <3.11 are false.
  CHECK(DistNames(m, api) == std::vector<std::string>{"numpy", "pandas", "pyarrow",
                                                      "python-dateutil", "requests", "six",
                                                      "urllib3"});
  CHECK(DistNames(m, worker) ==
        std::vector<std::string>{"boto3", "botocore", "jmespath", "python-dateutil", "six"});
  CHECK(DistNames(m, small) == std::vector<std::string>{"six"});
  CHECK(api.pulled_in_by.at(static_cast<std::uint32_t>(m.DistIndex("numpy"))) == "pandas");
  CHECK(api.pulled_in_by.at(static_cast<std::uint32_t>(m.DistIndex("six"))) == "pandas");
  CHECK(api.pulled_in_by.at(static_cast<std::uint32_t>(m.DistIndex("urllib3"))) == "requests");
  CHECK(worker.pulled_in_by.at(static_cast<std::uint32_t>(m.DistIndex("six"))) ==
        "six");  // also direct
  CHECK(worker.pulled_in_by.at(static_cast<std::uint32_t>(m.DistIndex("jmespath"))) == "boto3");
  const Distribution& numpy = m.dists[static_cast<std::size_t>(m.DistIndex("numpy"))];
  CHECK(numpy.unzipped_bytes == 100'002'000);
  CHECK(numpy.size_source == "record");
  CHECK(numpy.version == "1.26.4");
  CHECK(numpy.slim_bytes == 5'000'000 + 2'000);
  CHECK(m.dists[static_cast<std::size_t>(m.DistIndex("urllib3"))].size_source == "unknown");
  CHECK(m.dists[static_cast<std::size_t>(m.DistIndex("six"))].runtime_provided);
  CHECK_FALSE(m.dists[static_cast<std::size_t>(m.DistIndex("numpy"))].runtime_provided);
  CHECK(m.dists[static_cast<std::size_t>(m.DistIndex("pandas"))].requires ==
        std::vector<std::string>{"numpy", "python-dateutil"});

  CHECK(api.code_bytes == 10'000);
  CHECK(api.unzipped_bytes == kApi);
  CHECK(worker.unzipped_bytes == kWorker);
  CHECK(small.code_bytes == kSmallCode);  // the .pyc in __pycache__ is not shipped
  CHECK(small.unzipped_bytes == kSmall);
  CHECK(sizing_test::HasCode(run.sink, "W6020"));  // urllib3 has no size
  const Diagnostic* over = sizing_test::FindCode(run.sink, "E6101");
  REQUIRE(over);
  CHECK(over->message ==
        "function 'ApiFunction' ships 270,852,000 bytes unzipped (individual packaging, layers "
        "included); Lambda's limit is 262,144,000");
  CHECK(run.sources.path(over->loc.file) == run.dir / "deps.yaml");
  CHECK(over->loc.line == 5);
  CHECK(run.sink.error_count() == 1);

  // Union of Worker and Small as one artifact: shared dists once, both code folders.
  CHECK(UnionUnzippedBytes(m, {1, 2}) == kWorker + kSmallCode);
  CHECK(UnionUnzippedBytes(m, {0, 1, 2}) == kUnion);
  CHECK(UnionUnzippedBytes(m, {}) == 0);
  CHECK(m.Find("WorkerFunction") == &worker);
  CHECK(m.Find("Nope") == nullptr);
}

// W6022 once per requirement text, whichever functions repeat it; the answer for a specifier
// belongs to a version (">=1.20" allows numpy 1.26.4, not six 1.16.0).
TEST_CASE("model: a specifier the measured version does not satisfy warns once", "[unit][sizing]") {
  Run run;
  WriteFile(run.dir / "deps.yaml",
            "version: 1\n"
            "service:\n"
            "  site_packages: site\n"
            "functions:\n"
            "  ApiFunction:\n"
            "    packages: [\"numpy>=1.20\", \"six>=1.20\"]\n"
            "  WorkerFunction:\n"
            "    packages: [\"six>=1.20\", \"numpy<1.0\", \"numpy>=1.20\"]\n");
  run.Build();
  std::vector<std::string> warned;
  for (const auto& d : run.sink.diagnostics())
    if (d.code == "W6022") warned.push_back(d.message);
  CHECK(warned == std::vector<std::string>{
                      "'six>=1.20' is not satisfied by the measured version 1.16.0; sized as "
                      "measured",
                      "'numpy<1.0' is not satisfied by the measured version 1.26.4; sized as "
                      "measured"});
}

TEST_CASE("model: shared packaging ships the union to every function", "[unit][sizing]") {
  Run run;
  run.options.packaging = "shared";
  PackageModel m = run.Build();
  for (const auto& f : m.functions) CHECK(f.unzipped_bytes == kUnion);
  CHECK(kUnion == 296'963'004);
  auto recs = Recommend(m, 1, run.options);  // WorkerFunction
  std::vector<std::string> kinds;
  for (const auto& r : recs) kinds.push_back(r.kind);
  CHECK(kinds ==
        std::vector<std::string>{"slim", "nodeploy", "individually", "zip", "layer", "split"});
  CHECK(recs[0].bytes_saved == 5'000'000 + 9 * 2'000);
  CHECK_FALSE(recs[0].sufficient);
  // boto3, botocore, jmespath, python-dateutil, six after slim (urllib3 has no size).
  CHECK(recs[1].bytes_saved == 1'000'000 + 25'000'000 + 100'000 + 300'000 + 30'000);
  CHECK(recs[1].text.find("[boto3, botocore, dateutil, jmespath, python_dateutil, six, urllib3]") !=
        std::string::npos);
  CHECK_FALSE(recs[1].sufficient);
  CHECK(recs[2].bytes_saved ==
        static_cast<std::int64_t>(kUnion - 5'018'000 - 26'430'000));  // worker alone: 0
  CHECK(recs[2].sufficient);
  CHECK(recs[5].text.find("at least 2 stacks") != std::string::npos);
  CHECK(recs[5].sufficient);
}

TEST_CASE("model: noDeploy drops requirement lines and runtime files; slim applies",
          "[unit][sizing]") {
  Run run;
  WriteFile(run.dir / "deps.yaml",
            "version: 1\n"
            "service:\n"
            "  site_packages: site\n"
            "  slim: true\n"
            "  noDeploy: [boto3, botocore, dateutil]\n"
            "functions:\n"
            "  WorkerFunction:\n"
            "    requirements: workers/requirements.txt\n");
  run.functions = {Fn("WorkerFunction")};
  PackageModel m = run.Build();
  const FunctionPackage& worker = m.functions[0];
  // boto3's line is dropped, so botocore, jmespath and python-dateutil are never installed.
  CHECK(DistNames(m, worker) == std::vector<std::string>{"six"});
  CHECK(worker.unzipped_bytes == 30'000);  // slim removed six's dist-info (2,000)
  CHECK(m.settings.slim);
}

TEST_CASE("model: noDeploy file filter keeps transitive runtime copies unless named",
          "[unit][sizing]") {
  Run run;
  WriteFile(run.dir / "deps.yaml",
            "version: 1\nservice: {site_packages: site, no_deploy: [dateutil, six]}\n"
            "functions: {ApiFunction: {packages: [pandas]}}\n");
  run.functions = {Fn("ApiFunction")};
  PackageModel m = run.Build();
  // python-dateutil's dateutil/ goes, but its dist-info (python_dateutil-…) is not named: 1,000 +
  // 1,000 stay.
  CHECK(DistNames(m, m.functions[0]) ==
        std::vector<std::string>{"numpy", "pandas", "python-dateutil"});
  CHECK(m.charged_bytes[static_cast<std::size_t>(m.DistIndex("python-dateutil"))] == 2'000);
  CHECK(m.functions[0].unzipped_bytes == 100'002'000 + 80'002'000 + 2'000);
}

TEST_CASE("model: zip true and layer packaging", "[unit][sizing]") {
  Run run;
  WriteFile(run.dir / "deps.yaml",
            "version: 1\nservice: {site_packages: site, zip: true}\n"
            "functions:\n  ApiFunction: {packages: [numpy], ephemeral_storage_mb: 64}\n");
  run.functions = {Fn("ApiFunction")};
  PackageModel m = run.Build();
  const FunctionPackage& api = m.functions[0];
  CHECK(api.tmp_bytes == 100'002'000);
  CHECK(api.unzipped_bytes == 31'000'620);  // 0.31 of the unzipped size (no wheel to measure)
  CHECK(sizing_test::HasCode(run.sink, "W6103"));

  Run layered;
  WriteFile(layered.dir / "deps.yaml",
            "version: 1\nservice: {site_packages: site, packaging: layer}\n"
            "functions:\n  A: {packages: [six], code: api}\n  B: {packages: [jmespath]}\n");
  std::vector<Value> arns;
  for (int i = 0; i < 5; ++i)
    arns.push_back(Value::String("arn:aws:lambda:us-east-1:1:layer:l" + std::to_string(i) + ":1"));
  layered.functions = {Fn("A"), Fn("B")};
  for (const auto& v : arns) layered.functions[1].layers.push_back(&v);
  PackageModel lm = layered.Build();
  REQUIRE(lm.layers.size() == 1);
  CHECK(lm.layers[0].name == "pythonRequirements");
  CHECK(lm.layers[0].unzipped_bytes == 32'000 + 102'000);
  CHECK(lm.functions[0].unzipped_bytes == 10'000 + 134'000);
  CHECK(lm.functions[0].zipped_bytes == 3'100);
  CHECK(lm.functions[1].layer_count == 6);
  const Diagnostic* layers = sizing_test::FindCode(layered.sink, "E6102");
  REQUIRE(layers);
  CHECK(layers->message == "function 'B' uses 6 layers; Lambda allows 5");
  auto recs = Recommend(lm, 1, layered.options);
  REQUIRE_FALSE(recs.empty());
  CHECK(recs[0].kind == "slim");
}

TEST_CASE("model: recommendations for an individually packaged function over the limit",
          "[unit][sizing]") {
  Run run;
  PackageModel m = run.Build();
  auto recs = Recommend(m, 0, run.options);  // ApiFunction, 270,852,000 bytes
  std::vector<std::string> kinds;
  for (const auto& r : recs) kinds.push_back(r.kind);
  CHECK(kinds == std::vector<std::string>{"slim", "nodeploy", "zip", "layer"});
  CHECK(recs[0].bytes_saved == 5'012'000);
  CHECK(recs[0].text.find("result 265,840,000 bytes: still over by 3,696,000") !=
        std::string::npos);
  CHECK(recs[1].bytes_saved == 330'000);
  CHECK(recs[2].sufficient);
  CHECK(recs[2].text.find("fits the function's 512 MB of /tmp") != std::string::npos);
  CHECK(recs[3].bytes_saved == 0);
  CHECK_FALSE(recs[3].sufficient);
  CHECK(Recommend(m, 2, run.options).empty());  // SmallFunction fits
  CHECK(Recommend(m, 99, run.options).empty());
}

TEST_CASE("model: artifacts, wheels and catalog estimates", "[unit][sizing]") {
  TempDir dir;
  sizing_test::ZipSpec artifact;
  artifact.entries = {{"handler.py", std::string(1'000, 'h')},
                      {"numpy/core.py", std::string(2'000, 'n')},
                      {"numpy-1.26.4.dist-info/METADATA", std::string(100, 'm')},
                      {"PIL/Image.py", std::string(3'000, 'p'), true}};
  WriteFile(dir / ".serverless/art.zip", sizing_test::BuildZip(artifact));
  sizing_test::ZipSpec fancy;
  fancy.entries = {{"fancy_pkg/__init__.py", std::string(4'000, 'f')},
                   {"fancy_pkg-1.2.0.dist-info/METADATA",
                    "Name: fancy-pkg\nVersion: 1.2.0\nRequires-Dist: six\nRequires-Dist: rich ; "
                    "extra == 'cli'\n",
                    true}};
  WriteFile(dir / "wheels/fancy_pkg-1.2.0-py3-none-any.whl", sizing_test::BuildZip(fancy));
  WriteFile(dir / "wheels/fancy_pkg-9.0.0-cp312-cp312-manylinux_2_17_aarch64.whl",
            "ignored: wrong architecture");
  sizing_test::ZipSpec six;
  six.entries = {{"six.py", std::string(500, 's')}};
  WriteFile(dir / "wheels/six-1.16.0-py2.py3-none-any.whl", sizing_test::BuildZip(six));

  std::vector<FunctionInfo> functions = {Fn("Art"), Fn("Wheel"), Fn("Ml")};
  WriteFile(dir / "deps.yaml",
            "version: 1\nservice: {wheelhouse: wheels}\n"
            "functions:\n  Art: {artifact: .serverless/art.zip}\n  Wheel: {packages: [fancy-pkg]}\n"
            "  Ml: {packages: [scikit-learn]}\n");
  SizingOptions options;
  options.manifest = dir / "deps.yaml";
  SourceManager sources;
  DiagnosticSink sink;
  auto model = BuildPackageModel(functions, options, sources, sink);
  REQUIRE(model);
  const PackageModel& m = *model;
  const FunctionPackage& art = m.functions[0];
  CHECK(DistNames(m, art) == std::vector<std::string>{"numpy", "pillow"});
  CHECK(art.code_bytes == 1'000);
  CHECK(art.unzipped_bytes == 1'000 + 2'100 + 3'000);
  CHECK(m.dists[static_cast<std::size_t>(m.DistIndex("pillow"))].size_source == "artifact");
  CHECK(m.dists[static_cast<std::size_t>(m.DistIndex("pillow"))].zipped_bytes == 3'005);
  CHECK(art.pulled_in_by.at(static_cast<std::uint32_t>(m.DistIndex("numpy"))) == "artifact Art");

  const FunctionPackage& wheel = m.functions[1];
  CHECK(DistNames(m, wheel) == std::vector<std::string>{"fancy-pkg", "six"});
  const Distribution& fancy_dist = m.dists[static_cast<std::size_t>(m.DistIndex("fancy-pkg"))];
  CHECK(fancy_dist.size_source == "wheel");
  CHECK(fancy_dist.version == "1.2.0");
  CHECK(fancy_dist.unzipped_bytes == 4'000 + 87);
  CHECK(wheel.unzipped_bytes == 4'000 + 87 + 500);

  const FunctionPackage& ml = m.functions[2];
  CHECK(DistNames(m, ml) ==
        std::vector<std::string>{"joblib", "numpy", "scikit-learn", "scipy", "threadpoolctl"});
  const Distribution& scipy = m.dists[static_cast<std::size_t>(m.DistIndex("scipy"))];
  CHECK(scipy.size_source == "catalog");
  CHECK(scipy.unzipped_bytes == 193'986'560);
  CHECK(scipy.zipped_bytes == 60'817'408);
  CHECK(scipy.evidence.find("imutils PR #277") != std::string::npos);
  // numpy is measured from the artifact (2,100 bytes), which beats the catalog estimate.
  CHECK(ml.unzipped_bytes == 193'986'560 + 2'100);
  CHECK(m.dists[static_cast<std::size_t>(m.DistIndex("joblib"))].size_source == "unknown");
}

TEST_CASE("model: serverless.yml options, modules and variables", "[unit][sizing]") {
  Run run;
  WriteFile(run.dir / "serverless.yml",
            "service: shop\n"
            "provider: {name: aws, runtime: python3.12}\n"
            "package: {individually: true}\n"
            "custom:\n"
            "  pythonRequirements:\n"
            "    slim: true\n"
            "    zip: ${self:custom.zipIt}\n"
            "    noDeploy: [boto3]\n"
            "functions:\n"
            "  hello: {handler: handler.main, module: hello}\n"
            "  world-x: {handler: handler.main}\n");
  WriteFile(run.dir / "requirements.txt", "boto3\nsix\n");
  WriteFile(run.dir / "hello/requirements.txt", "jmespath\n");
  run.options.manifest.clear();
  run.options.serverless_config = run.dir / "serverless.yml";
  run.options.site_packages = run.dir / "site";
  FunctionInfo hello = Fn("HelloLambdaFunction");
  hello.serverless_name = "hello";
  run.functions = {hello, Fn("WorldDashxLambdaFunction")};
  PackageModel m = run.Build();
  CHECK(m.packaging == "individual");
  CHECK(m.functions[0].requirements_from == "module");
  CHECK(DistNames(m, m.functions[0]) == std::vector<std::string>{"jmespath"});
  CHECK(m.functions[0].unzipped_bytes == 100'000);  // slim: dist-info removed
  CHECK(m.functions[1].requirements_from == "service");
  CHECK(m.functions[1].serverless_name == "world-x");
  CHECK(DistNames(m, m.functions[1]) == std::vector<std::string>{"six"});
  const Diagnostic* variable = sizing_test::FindCode(run.sink, "W6030");
  REQUIRE(variable);
  CHECK(variable->loc.line == 7);
  CHECK_FALSE(m.settings.zip);
}

TEST_CASE("model: manifest errors carry locations and suggestions", "[unit][sizing]") {
  Run run;
  WriteFile(run.dir / "deps.yaml",
            "version: 1\nservice:\n  site_packages: site\n  packagng: shared\n"
            "functions:\n  ApiFuntion: {packages: [six]}\n");
  auto model = BuildPackageModel(run.functions, run.options, run.sources, run.sink);
  CHECK_FALSE(model);
  REQUIRE(run.sink.diagnostics().size() == 1);
  CHECK(FormatDiagnostic(run.sink.diagnostics()[0], run.sources)
            .find(run.dir / "deps.yaml:4:3: error: unknown key 'packagng' in the dependency "
                            "manifest; did you mean 'packaging'?") == 0);

  Run unmatched;
  WriteFile(unmatched.dir / "deps.yaml",
            "version: 1\nfunctions:\n  ApiFuntion: {packages: [six]}\n");
  unmatched.Build();
  const Diagnostic* w = sizing_test::FindCode(unmatched.sink, "W6002");
  REQUIRE(w);
  CHECK(w->message ==
        "manifest function 'ApiFuntion' matches no function in the template; did you mean "
        "'ApiFunction'?");
  CHECK(w->loc.line == 3);

  Run bad_req;
  WriteFile(bad_req.dir / "deps.yaml",
            "version: 1\nfunctions:\n  ApiFunction: {packages: [\"six ==\", \"numpy 1\"]}\n");
  bad_req.Build();
  CHECK(sizing_test::Codes(bad_req.sink) == std::vector<std::string>{"E6004", "W6020"});
}

TEST_CASE("reports: aligned text and JSON agree", "[unit][sizing]") {
  Run run;
  PackageModel m = run.Build();
  std::ostringstream text;
  PrintSizingText(m, text, 3);
  std::string t = text.str();
  CHECK(
      t.find("Lambda package sizes (packaging: individual; slim: off; zip: off; noDeploy: none)") ==
      0);
  CHECK(t.find("  ApiFunction                         individual   258.3 MiB   80.1 MiB    9.8 KiB"
               "        0 B  103.3%  OVER") != std::string::npos);
  CHECK(
      t.find("  numpy                       1.26.4         95.4 MiB   36.9%  record   pandas\n") !=
      std::string::npos);
  CHECK(t.find("[4 others]                                816.4 KiB    0.3%") != std::string::npos);
  CHECK(t.find("3. zip           -174.7 MiB  set `zip: true`: the package keeps a 82,305,000-byte "
               ".requirements.zip") != std::string::npos);
  CHECK(t.find("Recommendations for ApiFunction (over by 8,708,000 bytes):") != std::string::npos);
  nlohmann::json j = SizingJson(m);
  CHECK(j["limit_unzipped_bytes"] == 262'144'000);
  REQUIRE(j["functions"].size() == 3);
  CHECK(j["functions"][0]["function_id"] == "ApiFunction");
  CHECK(j["functions"][0]["unzipped_bytes"] == kApi);
  CHECK(j["functions"][0]["status"] == "OVER");
  CHECK(j["functions"][0]["recommendations"].size() == 4);
  CHECK(j["functions"][1]["function_id"] == "SmallFunction");
  CHECK(j["distributions"][0]["name"] == "boto3");
  CHECK(j.dump() == SizingJson(m).dump());  // deterministic
}
