// Issue 12 (hostile and unlucky inputs), end to end through the cfnsplit binary: hostile zips stop
// every command with exit 2, placement and stack names do not depend on key order, stack names
// differ ignoring case, generated names never clash with the template's, plan inputs with empty
// paths and devices are refused, and OUTDIR's plan.yaml does not depend on the working directory.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cfnsplit/load.hpp"
#include "cfnsplit/plan.hpp"
#include "support/cli_run.hpp"
#include "support/temp_dir.hpp"
#include "unit/sizing_test_fixtures.hpp"

using cfnsplit::testing::TempDir;
namespace fs = std::filesystem;

namespace {

using cfnsplit::testing::ReadAll;

using Run = cfnsplit::testing::CliRun;

// Runs in the scratch directory unless told otherwise: these tests make their inputs there.
Run Cfnsplit(const std::string& args, const TempDir& dir, const std::string& cwd = "") {
  return cfnsplit::testing::RunCfnsplit(args, dir.path(), cwd.empty() ? dir.path().string() : cwd);
}

// Stack name → its resources (sorted), read with cfnsplit's own plan reader.
std::map<std::string, std::set<std::string>> Placement(const fs::path& plan_file) {
  cfnsplit::SourceManager sources;
  cfnsplit::DiagnosticSink sink;
  auto id = sources.Add(plan_file.string(), ReadAll(plan_file));
  auto plan = cfnsplit::PlanFromYaml(id, sources, sink);
  REQUIRE(plan);
  std::map<std::string, std::set<std::string>> out;
  for (const auto& s : plan->stacks) out[s.name].insert(s.resources.begin(), s.resources.end());
  return out;
}

nlohmann::ordered_json ReverseKeys(const nlohmann::ordered_json& v) {
  if (v.is_array()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& item : v) out.push_back(ReverseKeys(item));
    return out;
  }
  if (!v.is_object()) return v;
  std::vector<std::pair<std::string, nlohmann::ordered_json>> items;
  for (auto it = v.begin(); it != v.end(); ++it) items.emplace_back(it.key(), ReverseKeys(*it));
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (auto it = items.rbegin(); it != items.rend(); ++it) out[it->first] = it->second;
  return out;
}

const char kOneFunction[] = R"(Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/r
      Code: {S3Bucket: b, S3Key: k.zip}
)";

// `plan t.yaml ARGS -o plan.yaml` stops with exit 2, saying `why`, and writes no plan.
void CheckPlanRefused(const TempDir& dir, const std::string& args, const std::string& why) {
  Run plan = Cfnsplit("plan t.yaml " + args + " -o plan.yaml", dir);
  CHECK(plan.code == 2);
  CHECK(plan.err.find(why) != std::string::npos);
  CHECK(plan.out.find("All constraints hold") == std::string::npos);
  CHECK_FALSE(fs::exists(dir.path() / "plan.yaml"));
}

}  // namespace

TEST_CASE("robust: a hostile zip is exit 2 in plan and analyze, and no plan is written",
          "[unit][robust]") {
  TempDir dir;
  dir.Write("t.yaml", kOneFunction);
  sizing_test::ZipSpec lying;
  lying.entries = {{"app.py", std::string(100, 'a')}};
  lying.entries[0].claimed_uncompressed = 100'000'000;
  dir.Write("lying.zip", sizing_test::BuildZip(lying));
  CheckPlanRefused(dir, "--artifact Fn=lying.zip", "E6012");
  Run analyze = Cfnsplit("analyze t.yaml --artifact Fn=lying.zip", dir);
  CHECK(analyze.code == 2);
  CHECK(analyze.err.find("E6012") != std::string::npos);
}

TEST_CASE("robust: a missing requirements file is exit 2 and no plan, as a missing manifest is",
          "[unit][robust]") {
  TempDir dir;
  dir.Write("t.yaml", kOneFunction);
  for (const char* input : {"--requirements missing.txt", "--manifest missing.yaml"}) {
    INFO(input);
    CheckPlanRefused(dir, input, "missing.");
  }
  Run analyze = Cfnsplit("analyze t.yaml --requirements missing.txt", dir);
  CHECK(analyze.code == 2);
  CHECK(analyze.err.find("[E6003]") != std::string::npos);
}

TEST_CASE("robust: permuting every key of the template changes no placement and no stack name",
          "[unit][robust]") {
  TempDir dir;
  const fs::path sample = fs::path(CFNSPLIT_SOURCE_DIR) / "samples/ml-service";
  auto original = nlohmann::ordered_json::parse(ReadAll(sample / "template.json"));
  std::ofstream(dir.path() / "reversed.json") << ReverseKeys(original).dump(2);
  const std::string manifest = "--manifest " + (sample / "cfnsplit.yaml").string();
  Run a =
      Cfnsplit("plan " + (sample / "template.json").string() + " " + manifest + " -o a.yaml", dir);
  Run b = Cfnsplit("plan reversed.json " + manifest + " -o b.yaml", dir);
  REQUIRE(a.code == 0);
  REQUIRE(b.code == 0);
  auto placed_a = Placement(dir.path() / "a.yaml");
  auto placed_b = Placement(dir.path() / "b.yaml");
  CHECK(placed_a.size() > 3);
  CHECK(placed_a == placed_b);
}

TEST_CASE("robust: stack names are unique ignoring case", "[unit][robust]") {
  TempDir dir;
  std::string t = "Resources:\n";
  for (const char* owner : {"data", "DATA"})
    t += std::string("  Fn") + (owner[0] == 'd' ? "Lower" : "Upper") +
         ":\n    Type: AWS::Lambda::Function\n    Metadata: {owner: " + owner +
         "}\n    Properties: {Runtime: python3.12, Handler: a.h, Role: arn:aws:iam::1:role/r, "
         "Code: {S3Bucket: b, S3Key: k.zip}}\n";
  dir.Write("t.yaml", t);
  Run plan = Cfnsplit("plan t.yaml --strategy ownership -o plan.yaml", dir);
  REQUIRE(plan.code == 0);
  std::set<std::string> folded;
  auto placed = Placement(dir.path() / "plan.yaml");
  for (const auto& [name, resources] : placed) folded.insert(cfnsplit::FoldCase(name));
  CHECK(placed.size() >= 3);
  CHECK(folded.size() == placed.size());
}

TEST_CASE("robust: plan files with case-colliding stack names or empty input paths are refused",
          "[unit][robust]") {
  TempDir dir;
  dir.Write("t.yaml", kOneFunction);
  dir.Write("collide.yaml",
            "cfnsplit_plan: 1\ninputs:\n  - {role: template, path: t.yaml, sha256: x}\n"
            "options: {mode: nested}\nstacks:\n  - {name: Base, role: base, resources: []}\n"
            "  - {name: DataFunctions, role: functions, resources: [Fn]}\n"
            "  - {name: DATAFunctions, role: functions, resources: []}\n");
  Run collide = Cfnsplit("emit collide.yaml -o out", dir);
  CHECK(collide.code == 2);
  CHECK(collide.err.find("differ only in case") != std::string::npos);
  dir.Write("empty.yaml",
            "cfnsplit_plan: 1\ninputs:\n  - {role: template, path: '', sha256: x}\n"
            "options: {mode: nested}\nstacks:\n  - {name: Base, role: base, resources: [Fn]}\n");
  Run empty = Cfnsplit("emit empty.yaml -o out", dir);
  CHECK(empty.code == 2);
  CHECK(empty.err.find("E4101") != std::string::npos);
  CHECK_FALSE(fs::exists(dir.path() / "out"));
}

TEST_CASE("robust: devices and FIFOs are refused by name, without reading them", "[unit][robust]") {
  TempDir dir;
  auto started = std::chrono::steady_clock::now();
  Run zero = Cfnsplit("analyze /dev/zero", dir);
  CHECK(zero.code == 2);
  CHECK(zero.err.find("is a character device") != std::string::npos);
  REQUIRE(std::system(("mkfifo " + (dir.path() / "pipe").string()).c_str()) == 0);
  Run fifo = Cfnsplit("analyze pipe", dir);
  CHECK(fifo.code == 2);
  CHECK(fifo.err.find("is a FIFO") != std::string::npos);
  dir.Write("t.yaml", kOneFunction);
  Run artifact = Cfnsplit("plan t.yaml --artifact Fn=pipe", dir);
  CHECK(artifact.code == 2);
  CHECK(artifact.err.find("E6009") != std::string::npos);
  CHECK(artifact.err.find("is a FIFO") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));
}

TEST_CASE("robust: OUTDIR holding the input is E5004; OUTDIR's plan is independent of the cwd",
          "[unit][robust]") {
  TempDir dir;
  fs::create_directories(dir.path() / "work/in");
  dir.Write("work/in/t.yaml", kOneFunction);
  REQUIRE(Cfnsplit("plan in/t.yaml --strategy lifecycle -o plan.yaml", dir,
                   (dir.path() / "work").string())
              .code == 0);
  // The same plan emitted from two working directories: the same plan.yaml in OUTDIR.
  Run one = Cfnsplit("emit plan.yaml -o ../out1", dir, (dir.path() / "work").string());
  REQUIRE(one.code == 0);
  Run two = Cfnsplit("emit work/plan.yaml -o out2", dir);
  REQUIRE(two.code == 0);
  std::string plan1 = ReadAll(dir.path() / "out1/plan.yaml");
  CHECK(plan1 == ReadAll(dir.path() / "out2/plan.yaml"));
  CHECK(plan1.find("../work/in/t.yaml") != std::string::npos);
  // The plan inside OUTDIR still finds its template from anywhere.
  Run again = Cfnsplit("emit out1/plan.yaml -o out3", dir);
  CHECK(again.code == 0);
  Run holds = Cfnsplit("emit plan.yaml -o in --force", dir, (dir.path() / "work").string());
  CHECK(holds.code == 2);
  CHECK(holds.err.find("E5004") != std::string::npos);
  CHECK(fs::exists(dir.path() / "work/in/t.yaml"));
}

TEST_CASE("robust: a resource named like the plumbing never breaks exports mode",
          "[unit][robust]") {
  TempDir dir;
  dir.Write("t.yaml", R"(Resources:
  BaseStackName: {Type: AWS::SSM::Parameter, Properties: {Type: String, Value: x}}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      Role: arn:aws:iam::1:role/r
      Code: {S3Bucket: b, S3Key: k.zip}
      Environment: {Variables: {STACK: !Ref AWS::StackName, P: !Ref BaseStackName}}
)");
  for (const char* mode : {"exports", "nested"}) {
    std::string out = std::string("out-") + mode;
    Run split = Cfnsplit("plan t.yaml --strategy lifecycle --mode " + std::string(mode) +
                             " -o plan-" + mode + ".yaml && " + CFNSPLIT_BINARY + " emit plan-" +
                             mode + ".yaml -o " + out,
                         dir);
    INFO(mode << ": " << split.err);
    REQUIRE(split.code == 0);
    // Without stacks.json (a directory assembled by hand) the verifier still knows which
    // parameter carries the base stack's name, whatever name it had to take.
    fs::remove(dir.path() / out / "stacks.json");
    Run verify = Cfnsplit("verify t.yaml " + out, dir);
    INFO(verify.out << verify.err);
    CHECK(verify.code == 0);
  }
}

TEST_CASE("robust: functions tied together with several owners: one clear sentence (E4005)",
          "[unit][robust]") {
  TempDir dir;
  std::string t = "Resources:\n";
  for (const char* fn : {"A", "B"})
    t += std::string("  ") + fn + ":\n    Type: AWS::Lambda::Function\n    Metadata: {owner: " +
         (fn[0] == 'A' ? "red" : "blue") +
         "}\n    Properties:\n      Runtime: python3.12\n      Handler: a.h\n"
         "      Role: arn:aws:iam::1:role/r\n      Code: {S3Bucket: b, S3Key: k.zip}\n" +
         (fn[0] == 'A' ? "      Environment: {Variables: {PEER: !GetAtt B.Arn}}\n" : "");
  dir.Write("t.yaml", t);
  Run plan = Cfnsplit("plan t.yaml --strategy ownership", dir);
  INFO(plan.err);
  CHECK(plan.err.find("E4005") != std::string::npos);
  CHECK(plan.err.find("several owners") != std::string::npos);
  CHECK(plan.err.find("must stay together must stay together") == std::string::npos);
}

TEST_CASE("robust: a split that ends without teardown still flushes everything it printed",
          "[unit][robust]") {
  // `split` ends the process with _Exit once its outputs are written (no freeing of the DOM):
  // stdout's last line, the diagnostics and the --timings table must all reach their files.
  TempDir dir;
  dir.Write("t.yaml", kOneFunction);
  Run run = Cfnsplit("split t.yaml --strategy lifecycle -o out --timings", dir);
  INFO(run.err);
  REQUIRE(run.code == 0);
  CHECK(run.out.find("See out/README.md for the commands.\n") != std::string::npos);
  CHECK(run.out.size() >= 2);
  CHECK(run.out.substr(run.out.size() - 1) == "\n");
  std::size_t first = run.err.find("timings:   total");
  CHECK(first != std::string::npos);
  CHECK(run.err.find("timings:   total", first + 1) == std::string::npos);  // printed once
  CHECK(fs::exists(dir.path() / "out/stacks.json"));
  CHECK(fs::exists(dir.path() / "out/README.md"));
}
