// `cfnsplit package` beyond plain function zips: the serverless-python-requirements layer built
// as its own zip (python/ prefix, keyed by its SHA-256, uploaded by deploy.sh, counted in the
// functions' limit check), `zip: true` (.requirements.zip plus unzip_requirements.py, /tmp
// checked against ephemeral storage), and image recipes of stacks that ship no zip.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "package_test_util.hpp"

using cfnsplit::testing::TempDir;
namespace pt = cfnsplit::package::testing;
namespace fs = std::filesystem;
using pt::Cfnsplit;
using pt::ReadAll;
using pt::Run;

namespace {

// A Serverless-style service: one function whose dependency `demo` ships in the
// PythonRequirementsLambdaLayer (packaging: layer) or in its own zip (the manifest says).
struct LayerService {
  TempDir dir;
  fs::path site = dir.path() / "site";
  explicit LayerService(const std::string& service_settings,
                        const std::string& function_settings = "") {
    pt::WriteFile(dir.path() / "template.json", R"({
  "Resources": {
    "ServerlessDeploymentBucket": {"Type": "AWS::S3::Bucket"},
    "PythonRequirementsLambdaLayer": {"Type": "AWS::Lambda::LayerVersion",
      "Properties": {"Content": {"S3Bucket": {"Ref": "ServerlessDeploymentBucket"},
                                 "S3Key": "serverless/app/dev/1/pythonRequirements.zip"},
                     "LayerName": "app-dev-python-requirements",
                     "CompatibleRuntimes": ["python3.12"]}},
    "Fn": {"Type": "AWS::Lambda::Function",
           "Properties": {"Code": {"S3Bucket": {"Ref": "ServerlessDeploymentBucket"},
                                   "S3Key": "serverless/app/dev/1/app.zip"},
                          "Handler": "app.handler", "Runtime": "python3.12",
                          "Layers": [{"Ref": "PythonRequirementsLambdaLayer"}],
                          "Role": "arn:aws:iam::123456789012:role/x"}}
  }
})");
    pt::WriteFile(dir.path() / "cfnsplit.yaml",
                  "version: 1\nservice:\n" + service_settings +
                      "functions:\n  Fn:\n    packages: [\"demo==1.0\"]\n    code: src\n" +
                      function_settings);
    pt::WriteFile(dir.path() / "src/app.py",
                  "try:\n    import unzip_requirements  # noqa\nexcept ImportError:\n    pass\n"
                  "import demo\n\ndef handler(event, context):\n    return demo.x\n");
    pt::WriteDist(site, "demo", "1.0", {{"demo/__init__.py", "x = 41 + 1\n"}});
  }
  std::string Out() const { return (dir.path() / "out").string(); }
  std::string Args(const std::string& rest = "") const {
    const std::string d = dir.path().string();
    return "split " + d + "/template.json --strategy auto --manifest " + d +
           "/cfnsplit.yaml --site-packages " + site.string() + " -o " + Out() + " --build " + rest;
  }
  nlohmann::json Index() const {
    return nlohmann::json::parse(ReadAll(fs::path(Out()) / "packages/artifacts.json"));
  }
};

std::map<std::string, std::uint64_t> Listing(const std::string& zip) {
  std::map<std::string, std::uint64_t> out;
  std::istringstream lines(pt::PythonZipList(zip).value_or(""));
  std::string name;
  std::uint64_t size = 0;
  while (lines >> name >> size) out[name] = size;
  return out;
}

// Every template of OUTDIR, concatenated (the layer may sit in any stack).
std::string AllTemplates(const std::string& out) {
  std::string text;
  for (const auto& e : fs::recursive_directory_iterator(out))
    if (e.path().extension() == ".json" && e.path().parent_path().filename() != "packages")
      text += ReadAll(e.path());
  return text;
}

}  // namespace

TEST_CASE("package: the serverless-python-requirements layer is built, keyed and uploaded",
          "[package][layers]") {
  LayerService svc("  packaging: layer\n");
  Run split = Cfnsplit(svc.Args(), svc.dir);
  INFO(split.out << split.err);
  REQUIRE(split.code == 0);
  auto index = svc.Index()["artifacts"];
  nlohmann::json layer, function;
  for (auto& [name, a] : index.items()) (a.contains("layer") ? layer : function) = a;
  REQUIRE(layer.is_object());
  REQUIRE(function.is_object());
  CHECK(layer["layer"] == "PythonRequirementsLambdaLayer");
  const std::string file = layer["file"].get<std::string>();
  CHECK(file.find("-PythonRequirementsLambdaLayer.zip") != std::string::npos);
  if (!pt::PythonZipList(svc.Out() + "/" + file)) {
    pt::SkipOrFail("python3 is not available to list the zips");
    return;
  }
  // Lambda's Python layer layout: the distribution under python/, dist-info kept.
  auto entries = Listing(svc.Out() + "/" + file);
  CHECK(entries == std::map<std::string, std::uint64_t>{
                       {"python/demo-1.0.dist-info/METADATA",
                        fs::file_size(svc.site / "demo-1.0.dist-info/METADATA")},
                       {"python/demo-1.0.dist-info/RECORD",
                        fs::file_size(svc.site / "demo-1.0.dist-info/RECORD")},
                       {"python/demo/__init__.py", 11}});
  CHECK(layer["unzipped"].get<std::uint64_t>() == layer["plan_unzipped"].get<std::uint64_t>());
  // The function's zip holds its code only, and counts the layer toward the limit.
  CHECK(Listing(svc.Out() + "/" + function["file"].get<std::string>()) ==
        std::map<std::string, std::uint64_t>{
            {"app.py", fs::file_size(svc.dir.path() / "src/app.py")}});
  CHECK(function["layers"].get<std::uint64_t>() == layer["unzipped"].get<std::uint64_t>());
  // The LayerVersion reads its key from a parameter whose default carries the zip's SHA-256.
  const std::string key = layer["key"].get<std::string>();
  CHECK(key.rfind("serverless/app/dev/1/pythonRequirements-", 0) == 0);
  CHECK(key.find(layer["sha256"].get<std::string>() + ".zip") != std::string::npos);
  std::string templates = AllTemplates(svc.Out());
  CHECK(templates.find("\"Default\": \"" + key + "\"") != std::string::npos);
  CHECK(templates.find("\"Ref\": \"" + layer["parameter"].get<std::string>() + "\"") !=
        std::string::npos);
  // deploy.sh uploads it to that key before the first stack is deployed.
  std::string deploy = ReadAll(fs::path(svc.Out()) / "deploy.sh");
  std::size_t upload = deploy.find("upload \"$bucket\" '" + key + "' \"$here/" + file + "\"");
  CHECK(upload != std::string::npos);
  CHECK(upload < deploy.find("\ndeploy_stack "));
  CHECK(split.out.find("(layer)") != std::string::npos);

  // Same inputs, same bytes: the layer keeps its key.
  auto zip_before = ReadAll(svc.Out() + "/" + file);
  Run again = Cfnsplit("package " + svc.Out() + " --site-packages " + svc.site.string(), svc.dir);
  INFO(again.out << again.err);
  REQUIRE(again.code == 0);
  CHECK(ReadAll(svc.Out() + "/" + file) == zip_before);
  CHECK(svc.Index()["artifacts"] == index);
  Run verify =
      Cfnsplit("verify " + (svc.dir.path() / "template.json").string() + " " + svc.Out(), svc.dir);
  CHECK(verify.code == 0);
}

TEST_CASE("package: a function's limit counts its zip plus the built layer it lists",
          "[package][layers]") {
  LayerService svc("  packaging: layer\n");
  // 140 MB of dependencies in the layer (sparse: cheap to write, cheap to deflate). They are
  // the layer's, not the stack artifact's: counted once, so the plan fits (counted twice, as
  // the plan once did, they made 280 MB and a refusal).
  fs::path big = svc.site / "demo/weights.bin";
  std::ofstream(big).close();
  fs::resize_file(big, 140'000'000);
  pt::AppendRecord(svc.site, "demo", "1.0", "demo/weights.bin,sha256=x,140000000");
  Run ok = Cfnsplit(svc.Args(), svc.dir);
  INFO(ok.out << ok.err);
  REQUIRE(ok.code == 0);
  // 140 MB of code the plan did not measure: 140 + 140 MB is over, though each is under.
  fs::path code = svc.dir.path() / "code";
  pt::WriteFile(code / "app.py", "def handler(event, context):\n    return 1\n");
  std::ofstream(code / "model.bin").close();
  fs::resize_file(code / "model.bin", 140'000'000);
  auto before = ReadAll(fs::path(svc.Out()) / "packages/artifacts.json");
  Run over = Cfnsplit(
      "package " + svc.Out() + " --site-packages " + svc.site.string() + " --code " + code.string(),
      svc.dir);
  CHECK(over.code == 1);
  CHECK(over.err.find("its artifact unzips to 140,000,") != std::string::npos);
  CHECK(over.err.find("plus 140,000,") != std::string::npos);
  CHECK(over.err.find("[E7006]") != std::string::npos);
  CHECK(ReadAll(fs::path(svc.Out()) / "packages/artifacts.json") == before);
}

TEST_CASE("package: zip: true packs the dependencies into .requirements.zip with its helper",
          "[package][zip]") {
  LayerService svc("  packaging: individual\n  zip: true\n");
  Run split = Cfnsplit(svc.Args(), svc.dir);
  INFO(split.out << split.err);
  REQUIRE(split.code == 0);
  auto index = svc.Index()["artifacts"];
  REQUIRE(index.size() == 1);  // the layer resource stays as it was: no layer-mode function
  const auto& a = index.begin().value();
  const std::string zip = svc.Out() + "/" + a["file"].get<std::string>();
  if (!pt::PythonZipList(zip)) {
    pt::SkipOrFail("python3 is not available to read the zips");
    return;
  }
  auto entries = Listing(zip);
  REQUIRE(entries.size() == 3);
  CHECK(entries.count("app.py"));
  CHECK(entries.count(".requirements.zip"));
  CHECK(entries.count("unzip_requirements.py"));
  CHECK(a["tmp_unzipped"].get<std::uint64_t>() ==
        11 + fs::file_size(svc.site / "demo-1.0.dist-info/METADATA") +
            fs::file_size(svc.site / "demo-1.0.dist-info/RECORD"));
  CHECK(a["ephemeral_storage"].get<std::uint64_t>() == 512ull * 1048576);
  CHECK(split.out.find("/TMP UNZIPPED") != std::string::npos);
  // The helper, run as Lambda would (task root = the unzipped artifact, /tmp redirected),
  // extracts the dependencies and makes them importable.
  fs::path root = svc.dir.path() / "task", tmp = svc.dir.path() / "tmp";
  fs::create_directories(tmp);
  std::string script =
      "import os, sys, zipfile\n"
      "zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])\n"
      "os.environ['LAMBDA_TASK_ROOT'] = sys.argv[2]\n"
      "sys.path.insert(0, sys.argv[2])\n"
      "src = open(os.path.join(sys.argv[2], 'unzip_requirements.py')).read()\n"
      "exec(compile(src.replace('/tmp/', sys.argv[3] + '/'), 'unzip_requirements.py', 'exec'))\n"
      "import demo\n"
      "print(demo.x, sorted(os.listdir(sys.argv[3])), sys.path[1] == sys.argv[3] + "
      "'/sls-py-req')\n";
  pt::WriteFile(svc.dir.path() / "run.py", script);
  std::string ran = pt::RunCapture("python3 '" + (svc.dir.path() / "run.py").string() + "' '" +
                                   zip + "' '" + root.string() + "' '" + tmp.string() + "'");
  CHECK(ran == "42 ['sls-py-req'] True\n");

  // Dependencies that do not fit /tmp fail every cold start: an error, nothing written.
  fs::path big = svc.site / "demo/weights.bin";
  std::ofstream(big).close();
  fs::resize_file(big, 600'000'000);
  pt::AppendRecord(svc.site, "demo", "1.0", "demo/weights.bin,sha256=x,600000000");
  auto before = ReadAll(fs::path(svc.Out()) / "packages/artifacts.json");
  Run over = Cfnsplit("package " + svc.Out() + " --site-packages " + svc.site.string(), svc.dir);
  CHECK(over.code == 1);
  CHECK(over.err.find("[E7013]") != std::string::npos);
  CHECK(over.err.find("extracts 600,000,") != std::string::npos);
  CHECK(ReadAll(fs::path(svc.Out()) / "packages/artifacts.json") == before);
}

TEST_CASE("package: an image function gets its recipe when its stack ships no zip",
          "[package][image]") {
  LayerService svc("  packaging: individual\n", "    image: true\n");
  Run split = Cfnsplit(svc.Args(), svc.dir);
  INFO(split.out << split.err);
  REQUIRE(split.code == 0);
  bool found = false;
  for (const auto& e : fs::directory_iterator(fs::path(svc.Out()) / "packages"))
    if (e.is_directory() && e.path().filename().string().size() > 3 &&
        fs::exists(e.path() / "Dockerfile")) {
      found = true;
      CHECK(ReadAll(e.path() / "requirements.txt") == "demo==1.0\n");
      CHECK(ReadAll(e.path() / "Dockerfile").find("CMD [\"app.handler\"]") != std::string::npos);
      CHECK(fs::exists(e.path() / "code/app.py"));
    }
  CHECK(found);
}
