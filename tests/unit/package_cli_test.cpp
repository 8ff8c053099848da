// `cfnsplit split --build` and `cfnsplit package` on the ML sample, over a real-size synthetic
// installed tree made from the sample's RECORDs: every stack builds under the limit, each zip
// holds exactly its distributions' RECORD files (as Python's zipfile lists them), two builds are
// byte-identical, and bad input leaves OUTDIR untouched.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cfnsplit/sizing.hpp"
#include "package_test_util.hpp"
#include "support/temp_dir.hpp"
#include "support/cli_run.hpp"

using cfnsplit::testing::TempDir;
namespace pt = cfnsplit::package::testing;
namespace fs = std::filesystem;
using cfnsplit::package::testing::ReadAll;

namespace {

const std::string kSample = std::string(CFNSPLIT_SOURCE_DIR) + "/samples/ml-service";

using Run = cfnsplit::testing::CliRun;

Run Cfnsplit(const std::string& args, const TempDir& dir) {
  return cfnsplit::testing::RunCfnsplit(args, dir.path());
}

// name → size of every file a distribution's RECORD lists, __pycache__ left out.
std::map<std::string, std::uint64_t> RecordFiles(const fs::path& site) {
  std::map<std::string, std::uint64_t> out;
  for (const auto& entry : fs::directory_iterator(site)) {
    for (const auto& row : cfnsplit::sizing::ParseCsv(ReadAll(entry.path() / "RECORD"))) {
      if (row.empty() || row[0].find("__pycache__/") != std::string::npos) continue;
      out[row[0]] = fs::file_size(site / row[0]);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("package: the ML sample builds every stack, exactly its RECORD files, under the limit",
          "[package]") {
  TempDir dir;
  fs::path site = dir.path() / "site";
  std::uint64_t tree_bytes = pt::MakeSyntheticSite(kSample + "/site-packages", site);
  REQUIRE(tree_bytes > 600'000'000);
  const std::string out = (dir.path() / "out").string();
  const std::string inputs = " --manifest samples/ml-service/cfnsplit.yaml --site-packages " +
                             site.string() +
                             " --code samples/ml-service --serverless-config "
                             "samples/ml-service/serverless.yml --jobs 2";
  Run split = Cfnsplit("split samples/ml-service/template.json --build -o " + out + inputs, dir);
  INFO(split.out << split.err);
  REQUIRE(split.code == 0);
  CHECK(split.out.find("Built 7 artifact(s)") != std::string::npos);
  {
    // Building emits the templates a second time (to write the digests): nothing is said twice.
    std::istringstream err(split.err);
    std::set<std::string> seen;
    for (std::string line; std::getline(err, line);)
      if (line.find("warning: ") != std::string::npos) CHECK(seen.insert(line).second);
  }

  auto index = nlohmann::json::parse(ReadAll(fs::path(out) / "packages/artifacts.json"));
  REQUIRE(index["artifacts"].size() == 7);
  auto plan = ReadAll(fs::path(out) / "plan.yaml");
  auto record_files = RecordFiles(site);
  for (auto& [stack, a] : index["artifacts"].items()) {
    INFO("stack " << stack);
    CHECK(a["unzipped"].get<std::uint64_t>() < cfnsplit::LambdaLimits::BuiltIn().unzipped_bytes);
    const std::string key = a["key"].get<std::string>();
    CHECK(key.find("-" + stack + "-" + a["sha256"].get<std::string>() + ".zip") !=
          std::string::npos);
    // The template's key parameter defaults to that key.
    std::string parent = ReadAll(fs::path(out) / "template.json");
    CHECK(parent.find("\"Default\": \"" + key + "\"") != std::string::npos);
    auto listing = pt::PythonZipList((fs::path(out) / a["file"].get<std::string>()).string());
    if (!listing) {
      pt::SkipOrFail("python3 is not available to list the zips");
      continue;
    }
    std::istringstream lines(*listing);
    std::string name;
    std::uint64_t size = 0, total = 0, files = 0;
    std::set<std::string> top_dists;
    while (lines >> name >> size) {
      ++files;
      total += size;
      auto it = record_files.find(name);
      if (it != record_files.end()) {
        CHECK(it->second == size);
        if (name.find(".dist-info/") != std::string::npos)
          top_dists.insert(name.substr(0, name.find('-')));
      } else {
        // Anything that is not a distribution's file is the service's code.
        CHECK(name.rfind("functions/", 0) == 0);
        CHECK(name.size() > 3);
        CHECK(name.compare(name.size() - 3, 3, ".py") == 0);
      }
    }
    CHECK(files == a["files"].get<std::uint64_t>());
    CHECK(total == a["unzipped"].get<std::uint64_t>());
    // The plan's distributions for this stack are exactly the dist-info folders shipped.
    std::size_t at = plan.find("  - name: " + stack + "\n");
    REQUIRE(at != std::string::npos);
    std::size_t line = plan.find("distributions: [", at);
    std::string dists = plan.substr(line + 16, plan.find(']', line) - line - 16);
    std::set<std::string> planned;
    std::istringstream names(dists);
    for (std::string d; std::getline(names, d, ',');) {
      while (!d.empty() && d.front() == ' ') d.erase(0, 1);
      std::string folder = d;
      for (auto& c : folder) c = c == '-' ? '_' : c;
      planned.insert(folder);
    }
    CHECK(top_dists == planned);
  }
  // The image function's recipe.
  std::string dockerfile = ReadAll(fs::path(out) /
                                   "packages/ForecastingPyarrow-"
                                   "RetrainDashdemandDashmodelLambdaFunction/Dockerfile");
  CHECK(dockerfile.find("public.ecr.aws/lambda/python:3.11") != std::string::npos);
  CHECK(dockerfile.find("CMD [\"functions/retrain-demand-model/handler.main\"]") !=
        std::string::npos);

  {  // package on the output rebuilds the same bytes (one job this time)
    auto before = ReadAll(fs::path(out) / "packages/artifacts.json");
    auto zip_before = ReadAll(fs::path(out) / "packages/ForecastingPandas.zip");
    Run again = Cfnsplit("package " + out + " --site-packages " + site.string() +
                             " --code samples/ml-service --serverless-config "
                             "samples/ml-service/serverless.yml --jobs 1",
                         dir);
    INFO(again.out << again.err);
    REQUIRE(again.code == 0);
    CHECK(ReadAll(fs::path(out) / "packages/artifacts.json") == before);
    CHECK(ReadAll(fs::path(out) / "packages/ForecastingPandas.zip") == zip_before);
    Run verify = Cfnsplit("verify samples/ml-service/template.json " + out, dir);
    CHECK(verify.code == 0);
  }
  {  // a file changed since it was measured: located error, OUTDIR untouched
    auto before = ReadAll(fs::path(out) / "packages/artifacts.json");
    fs::path victim = site / "six.py";
    fs::resize_file(victim, fs::file_size(victim) + 1);
    Run bad = Cfnsplit("package " + out + " --site-packages " + site.string() +
                           " --code samples/ml-service --serverless-config "
                           "samples/ml-service/serverless.yml",
                       dir);
    CHECK(bad.code == 2);
    CHECK(bad.err.find("RECORD:") != std::string::npos);
    CHECK(bad.err.find("distribution 'six': 'six.py'") != std::string::npos);
    CHECK(bad.err.find("[E7004]") != std::string::npos);
    CHECK(ReadAll(fs::path(out) / "packages/artifacts.json") == before);
    // No staging directory is left behind.
    for (const auto& e : fs::directory_iterator(dir.path()))
      CHECK(e.path().filename().string().find(".pkg-") == std::string::npos);
  }
}

namespace {

// A one-function service: handler in src/, one distribution `demo` with a real ELF shared object
// (built with debug symbols, so strip has something to remove) and a tests/ folder.
struct TinyService {
  TempDir dir;
  fs::path site = dir.path() / "site";
  TinyService() {
    pt::WriteFile(dir.path() / "template.json", R"({
  "Resources": {
    "Bucket": {"Type": "AWS::S3::Bucket"},
    "Fn": {"Type": "AWS::Lambda::Function",
           "Properties": {"Code": {"S3Bucket": {"Ref": "Bucket"}, "S3Key": "app/code.zip"},
                          "Handler": "app.handler", "Runtime": "python3.12",
                          "Role": "arn:aws:iam::123456789012:role/x"}}
  }
})");
    pt::WriteFile(dir.path() / "cfnsplit.yaml",
                  "version: 1\nservice:\n  packaging: individual\n  slim_patterns: "
                  "[\"**/tests/**\"]\nfunctions:\n  Fn:\n    packages: [\"demo==1.0\"]\n"
                  "    code: src\n");
    pt::WriteFile(dir.path() / "src/app.py", "def handler(event, context):\n    return 1\n");
    pt::WriteFile(dir.path() / "ext.c", "int f(int x) { return 2 * x; }\n");
    std::string so = (dir.path() / "ext.so").string();
    compiled = std::system(("cc -shared -fPIC -g -o '" + so + "' '" +
                            (dir.path() / "ext.c").string() + "' 2>/dev/null")
                               .c_str()) == 0;
    pt::WriteDist(site, "demo", "1.0",
                  {{"demo/__init__.py", "x = 1\n"},
                   {"demo/_ext.so", compiled ? ReadAll(so) : std::string("not elf")},
                   {"demo/tests/test_x.py", "def test():\n    pass\n"}});
  }
  std::string Args(const std::string& rest) const {
    const std::string d = dir.path().string();
    return "split " + d + "/template.json --strategy auto --manifest " + d +
           "/cfnsplit.yaml --site-packages " + site.string() + " -o " + d + "/out --build " + rest;
  }
  std::set<std::string> Names() const {
    auto listing = pt::PythonZipList((dir.path() / "out/packages/Demo.zip").string());
    std::set<std::string> names;
    std::istringstream lines(listing.value_or(""));
    std::string name, size;
    while (lines >> name >> size) names.insert(name);
    return names;
  }
  bool compiled = false;
};

}  // namespace

TEST_CASE("package: --slim drops bytecode, dist-info and slimPatterns, and strips .so files",
          "[package]") {
  TinyService svc;
  Run plain = Cfnsplit(svc.Args(""), svc.dir);
  INFO(plain.out << plain.err);
  REQUIRE(plain.code == 0);
  if (!pt::PythonZipList((svc.dir.path() / "out/packages/Demo.zip").string())) {
    pt::SkipOrFail("python3 is not available to list the zip");
    return;
  }
  CHECK(svc.Names() == std::set<std::string>{"app.py", "demo-1.0.dist-info/METADATA",
                                             "demo-1.0.dist-info/RECORD", "demo/__init__.py",
                                             "demo/_ext.so", "demo/tests/test_x.py"});
  CHECK(plain.out.find("DIFF") != std::string::npos);
  CHECK(plain.out.find("Differences from the plan") == std::string::npos);  // exactly the plan

  Run slim = Cfnsplit(svc.Args("--slim --force"), svc.dir);
  INFO(slim.out << slim.err);
  REQUIRE(slim.code == 0);
  CHECK(svc.Names() == std::set<std::string>{"app.py", "demo/__init__.py", "demo/_ext.so"});
  CHECK(slim.out.find("removed by slim") != std::string::npos);
  if (!svc.compiled || std::system("command -v strip >/dev/null 2>&1") != 0) {
    pt::SkipOrFail("cc or strip is not available to check strip");
    return;
  }
  CHECK(slim.out.find("removed by strip") != std::string::npos);
  // The tree itself is never modified.
  CHECK(fs::file_size(svc.site / "demo/_ext.so") == fs::file_size(svc.dir.path() / "ext.so"));
}

TEST_CASE("package: a stack over the limit is a located error naming its contributors",
          "[package]") {
  TinyService svc;
  Run ok = Cfnsplit(svc.Args(""), svc.dir);
  REQUIRE(ok.code == 0);
  // Code the plan did not measure (--code) pushes the artifact past the limit.
  fs::path code = svc.dir.path() / "code";
  pt::WriteFile(code / "app.py", "def handler(event, context):\n    return 1\n");
  std::ofstream(code / "model.bin").close();
  fs::resize_file(code / "model.bin", 270'000'000);
  const std::string out = (svc.dir.path() / "out").string();
  auto before = ReadAll(fs::path(out) / "packages/artifacts.json");
  Run over = Cfnsplit(
      "package " + out + " --site-packages " + svc.site.string() + " --code " + code.string(),
      svc.dir);
  CHECK(over.code == 1);
  CHECK(over.err.find("template.json:4:5: error: stack Demo: its artifact unzips to "
                      "270,0") != std::string::npos);
  CHECK(over.err.find("[E7006]") != std::string::npos);
  CHECK(over.err.find("note: code: 270,000,") != std::string::npos);
  CHECK(ReadAll(fs::path(out) / "packages/artifacts.json") == before);

  // Without its handler's code the artifact would deploy and fail: E7008 at the Handler.
  fs::remove(svc.dir.path() / "src/app.py");
  Run no_code = Cfnsplit("package " + out + " --site-packages " + svc.site.string(), svc.dir);
  CHECK(no_code.code == 2);
  CHECK(no_code.err.find("template.json:6:") != std::string::npos);
  CHECK(no_code.err.find("[E7008]") != std::string::npos);
  CHECK(ReadAll(fs::path(out) / "packages/artifacts.json") == before);
}
