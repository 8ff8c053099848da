// Output directory: atomic writes, --force replacement, and verification of what is on disk
// (also after hand edits).
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "emit_test_util.hpp"

using namespace cfnsplit;
using namespace cfnsplit::testing;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "cfnsplit-emit-XXXXXX").string();
    REQUIRE(mkdtemp(t.data()));
    path = t;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

VerifyReport VerifyDir(Fixture& f, const fs::path& dir, std::string* diags = nullptr) {
  DiagnosticSink vs;
  VerifyReport rep = VerifyOutputDir(*f.model, dir.string(), f.rules, {}, f.sources, vs);
  if (diags)
    for (const auto& d : vs.diagnostics()) *diags += FormatDiagnostic(d, f.sources);
  return rep;
}

}  // namespace

TEST_CASE("outdir: written atomically, refused when non-empty, replaced with force",
          "[unit][emit]") {
  TempDir tmp;
  fs::path out = tmp.path / "out";
  DiagnosticSink sink;
  std::vector<EmittedFile> files = {{"template.json", "{}\n"}, {"stacks/A.json", "{}\n"}};
  REQUIRE(WriteOutputDir(out.string(), files, false, sink));
  CHECK(ReadAll(out / "stacks/A.json") == "{}\n");
  // Nothing but the output directory is left beside it.
  std::size_t entries = 0;
  for (const auto& e : fs::directory_iterator(tmp.path)) entries += e.path() != out;
  CHECK(entries == 0);

  CHECK(!WriteOutputDir(out.string(), {{"template.json", "new\n"}}, false, sink));
  CHECK(sink.has_errors());
  CHECK(ReadAll(out / "template.json") == "{}\n");

  DiagnosticSink sink2;
  REQUIRE(WriteOutputDir(out.string(), {{"template.json", "new\n"}}, true, sink2));
  CHECK(ReadAll(out / "template.json") == "new\n");
  CHECK(!fs::exists(out / "stacks/A.json"));
  entries = 0;
  for (const auto& e : fs::directory_iterator(tmp.path)) entries += e.path() != out;
  CHECK(entries == 0);

  DiagnosticSink sink3;
  CHECK(!WriteOutputDir((tmp.path / "x").string(), {{"../escape", "x"}}, false, sink3));
  CHECK(!fs::exists(tmp.path / "escape"));
  CHECK(!fs::exists(tmp.path / "x"));
  DiagnosticSink sink4;
  CHECK(!WriteOutputDir(".", files, true, sink4));
}

namespace {

// A pid that certainly belongs to no running process: a child that has exited and been reaped.
pid_t DeadPid() {
  pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  return child;
}

unsigned ModeOf(const fs::path& p) {
  struct stat st {};
  REQUIRE(stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("outdir: durable, umask-respecting, never overwrites within one output (issue 12)",
          "[unit][emit][robust]") {
  TempDir tmp;
  fs::path out = tmp.path / "out";
  // kill -9 leftovers: a dead process's new and old folders go, a live one's (ours) stay.
  fs::path stale_new = tmp.path / (".out.new-" + std::to_string(DeadPid()) + "-0");
  fs::path stale_pkg = tmp.path / (".out.pkg-" + std::to_string(DeadPid()) + "-Ab12Cd");
  fs::path live_new = tmp.path / (".out.new-" + std::to_string(getppid()) + "-0");
  fs::path unrelated = tmp.path / ".out.new-notapid";
  for (const auto& d : {stale_new, stale_pkg, live_new, unrelated})
    fs::create_directories(d / "stacks");
  mode_t old_mask = umask(027);
  DiagnosticSink sink;
  bool written = WriteOutputDir(out.string(), {{"template.json", "{}\n"}}, false, sink);
  umask(old_mask);
  REQUIRE(written);
  CHECK_FALSE(fs::exists(stale_new));
  CHECK_FALSE(fs::exists(stale_pkg));
  CHECK(fs::exists(live_new));
  CHECK(fs::exists(unrelated));
  // mkdtemp's 0700 is gone: the umask decides, as for any file the user creates.
  CHECK(ModeOf(out) == 0750);
  CHECK(ModeOf(out / "template.json") == 0640);

  // --force swaps the directories: the new content is there and nothing is left beside it.
  DiagnosticSink sink2;
  REQUIRE(WriteOutputDir(out.string(), {{"template.json", "v2\n"}}, true, sink2));
  CHECK(ReadAll(out / "template.json") == "v2\n");
  std::size_t ours = 0;
  for (const auto& e : fs::directory_iterator(tmp.path))
    ours += e.path().filename().string().rfind(".out.", 0) == 0 && e.path() != live_new &&
            e.path() != unrelated;
  CHECK(ours == 0);

  // Two files for one path (e.g. names differing in case on a case-insensitive file system)
  // are refused (O_EXCL), and the old output stays as it was.
  DiagnosticSink sink3;
  CHECK_FALSE(
      WriteOutputDir(out.string(), {{"stacks/A.json", "1"}, {"stacks/A.json", "2"}}, true, sink3));
  REQUIRE(sink3.has_errors());
  CHECK(sink3.diagnostics()[0].code == "E5004");
  CHECK(ReadAll(out / "template.json") == "v2\n");
}

TEST_CASE("outdir: VerifyOutputDir accepts emitted directories and finds hand edits",
          "[unit][emit]") {
  Fixture f(kAppTemplate);
  for (WiringMode mode : {WiringMode::kNested, WiringMode::kExports}) {
    for (TemplateFormat format : {TemplateFormat::kJson, TemplateFormat::kYaml}) {
      EmitOptions o;
      o.mode = mode;
      o.format = format;
      auto plan = mode == WiringMode::kNested
                      ? MakePlan({{"Base", {"Bucket", "Queue", "Role", "Perm"}},
                                  {"Functions", {"Fn", "Alarm"}}})
                      : MakePlan({{"Base", {"Bucket", "Queue", "Role"}},
                                  {"Functions", {"Fn", "Alarm", "Perm"}}});
      EmitResult r = EmitOk(f, plan, o);
      auto files = RenderFiles(r, o);
      files.push_back({"README.md", DeploySummary(*f.model, plan, r, o)});
      TempDir tmp;
      fs::path out = tmp.path / "out";
      DiagnosticSink sink;
      REQUIRE(WriteOutputDir(out.string(), files, false, sink));
      std::string diags;
      INFO("mode " << static_cast<int>(mode) << " format " << static_cast<int>(format));
      VerifyReport rep = VerifyDir(f, out, &diags);
      INFO(diags);
      CHECK(rep.ok);
      CHECK(rep.resources_checked == f.model->resources.size());

      // Without stacks.json the layout alone must do.
      fs::remove(out / "stacks.json");
      diags.clear();
      rep = VerifyDir(f, out, &diags);
      INFO(diags);
      CHECK(rep.ok);

      // A hand edit that drops a property fails.
      std::string child =
          "stacks/Functions." + std::string(format == TemplateFormat::kJson ? "json" : "yaml");
      std::string text = ReadAll(out / child);
      auto pos = text.find("MemorySize");
      REQUIRE(pos != std::string::npos);
      text.replace(pos, 10, "MemorySizX");
      std::ofstream(out / child) << text;
      diags.clear();
      rep = VerifyDir(f, out, &diags);
      CHECK(!rep.ok);
      CHECK(diags.find("MemorySize") != std::string::npos);
    }
  }
}

// The Serverless plugin's layout: the parent as cloudformation-template-update-stack.json, each
// child beside it, named by the last element of a joined deployment-bucket TemplateURL, and other
// JSON files of .serverless (state, create-stack template) that are no stacks.
TEST_CASE("outdir: VerifyOutputDir reads a Serverless .serverless folder", "[unit][emit]") {
  Fixture f(kAppTemplate);
  EmitOptions o;
  o.format = TemplateFormat::kJson;
  EmitResult r = EmitOk(
      f, MakePlan({{"Base", {"Bucket", "Queue", "Role", "Perm"}}, {"Functions", {"Fn", "Alarm"}}}),
      o);
  REQUIRE(r.stacks.size() == 2);
  const std::string child_file = "cloudformation-template-Functions-nested-stack.json";
  std::string parent = WriteJson(r.stacks[0].tmpl);
  const std::string relative = "\"" + r.stacks[1].path + "\"";
  auto pos = parent.find(relative);
  REQUIRE(pos != std::string::npos);
  parent.replace(pos, relative.size(),
                 "{\"Fn::Join\": [\"/\", [\"https://s3.us-east-1.amazonaws.com\", "
                 "{\"Ref\": \"ServerlessDeploymentBucket\"}, \"serverless/app/dev/1\", \"" +
                     child_file + "\"]]}");
  TempDir tmp;
  std::ofstream(tmp.path / "cloudformation-template-update-stack.json") << parent;
  std::ofstream(tmp.path / child_file) << WriteJson(r.stacks[1].tmpl);
  std::ofstream(tmp.path / "serverless-state.json") << "{\"service\": {\"service\": \"app\"}}\n";
  std::ofstream(tmp.path / "cloudformation-template-create-stack.json")
      << "{\"Resources\": {\"ServerlessDeploymentBucket\": {\"Type\": \"AWS::S3::Bucket\"}}}\n";
  std::string diags;
  VerifyReport rep = VerifyDir(f, tmp.path, &diags);
  INFO(diags);
  CHECK(rep.ok);
  CHECK(rep.resources_checked == f.model->resources.size());

  // A child the joined URL names but that is not there: the child's resources are missing.
  fs::remove(tmp.path / child_file);
  diags.clear();
  rep = VerifyDir(f, tmp.path, &diags);
  CHECK(!rep.ok);
}
