// Package stage: the zip writer (read back by our central-directory reader and by Python's
// zipfile), RECORD checks on an installed tree, code selection rules, handlers, Dockerfiles.
// The whole-command tests (ML sample, determinism) are in package_cli_test.cpp.
#include "cfnsplit/package.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "package/contents.hpp"
#include "package/internal.hpp"
#include "package/zip_writer.hpp"
#include "package_test_util.hpp"
#include "sizing/internal.hpp"
#include "support/temp_dir.hpp"

using cfnsplit::testing::TempDir;
namespace pk = cfnsplit::package;
namespace fs = std::filesystem;
using cfnsplit::package::testing::ReadAll;

namespace {

std::string Random(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

// Writes a zip of: a text file, an incompressible file (stored), an empty file, an executable.
std::string WriteSample(const TempDir& dir, const std::string& name) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "def f" + std::to_string(i) + "(): return 1\n";
  std::string text_path = dir.Write("mod.py", text);
  std::string noise_path = dir.Write("noise.bin", Random(300'000, 7));
  std::string empty_path = dir.Write("empty.txt", "");
  std::string exe_path = dir.Write("tool.so", Random(1000, 3) + std::string(5000, 'x'));
  chmod(exe_path.c_str(), 0755);
  pk::ZipWriter w(6);
  std::string zip = (dir.path() / name).string();
  REQUIRE(w.Open(zip));
  REQUIRE(w.AddFile("a/empty.txt", empty_path, 0, false));
  REQUIRE(w.AddFile("a/mod.py", text_path, text.size(), false));
  REQUIRE(w.AddFile("b/noise.bin", noise_path, 300'000, false));
  REQUIRE(w.AddBytes("c/inline.txt", "hello hello hello hello", false));
  REQUIRE(w.AddFile("d/tool.so", exe_path, 6000, true));
  REQUIRE(w.Finish());
  return zip;
}

}  // namespace

TEST_CASE("zip writer: our reader and Python's zipfile read back names, sizes and CRCs",
          "[package]") {
  TempDir dir;
  std::string zip = WriteSample(dir, "out.zip");
  cfnsplit::SourceManager sources;
  cfnsplit::DiagnosticSink sink;
  auto entries = cfnsplit::sizing::ReadZipFile(zip, sources, sink);
  REQUIRE(entries);
  REQUIRE(entries->size() == 5);
  CHECK((*entries)[0].name == "a/empty.txt");
  CHECK((*entries)[1].uncompressed == ReadAll((dir.path() / "mod.py").string()).size());
  CHECK((*entries)[1].method == 8);
  CHECK((*entries)[1].compressed < (*entries)[1].uncompressed / 3);
  CHECK((*entries)[2].method == 0);  // incompressible: stored, as zip(1) does
  CHECK((*entries)[2].compressed == 300'000);
  auto member = cfnsplit::sizing::ReadZipMember(ReadAll(zip), (*entries)[3]);
  REQUIRE(member);
  CHECK(*member == "hello hello hello hello");

  auto check = pk::testing::PythonZipCheck(zip);
  if (!check) {
    pk::testing::SkipOrFail("python3 is not available to cross-check the zip");
    return;
  }
  // Python verifies every CRC (testzip) and reports modes and timestamps.
  CHECK(*check ==
        "a/empty.txt 0 644 1980-01-01\n"
        "a/mod.py " +
            std::to_string((*entries)[1].uncompressed) +
            " 644 1980-01-01\n"
            "b/noise.bin 300000 644 1980-01-01\n"
            "c/inline.txt 23 644 1980-01-01\n"
            "d/tool.so 6000 755 1980-01-01\n"
            "testzip ok\n");
}

TEST_CASE("zip writer: the same files give the same bytes", "[package]") {
  TempDir dir;
  std::string a = WriteSample(dir, "a.zip");
  std::string b = WriteSample(dir, "b.zip");
  CHECK(ReadAll(a) == ReadAll(b));
  CHECK(!ReadAll(a).empty());
}

TEST_CASE("zip writer: a file that changed size since it was measured is an error", "[package]") {
  TempDir dir;
  std::string path = dir.Write("f.txt", "twelve bytes");
  pk::ZipWriter w(6);
  REQUIRE(w.Open((dir.path() / "x.zip").string()));
  CHECK_FALSE(w.AddFile("f.txt", path, 10, false));
  CHECK(w.error().find("expected 10") != std::string::npos);
}

TEST_CASE("zip writer: more than 65,535 entries get Zip64 end records", "[package]") {
  TempDir dir;
  std::string zip = (dir.path() / "many.zip").string();
  pk::ZipWriter w(1);
  REQUIRE(w.Open(zip));
  bool added = true;
  for (int i = 0; i < 66'000 && added; ++i) added = w.AddBytes("f/" + std::to_string(i), "", false);
  REQUIRE(added);
  REQUIRE(w.Finish());
  cfnsplit::SourceManager sources;
  cfnsplit::DiagnosticSink sink;
  auto entries = cfnsplit::sizing::ReadZipFile(zip, sources, sink);
  REQUIRE(entries);
  CHECK(entries->size() == 66'000);
}

TEST_CASE("site tree: every RECORD row is checked against the disk", "[package]") {
  TempDir dir;
  fs::path site = dir.path() / "site";
  pk::testing::WriteDist(site, "demo", "1.0",
                         {{"demo/__init__.py", "x = 1\n"}, {"demo/core.py", "y = 2\n"}});
  cfnsplit::SourceManager sources;
  cfnsplit::DiagnosticSink sink;

  SECTION("a clean install lists its files, dist-info included, without __pycache__") {
    pk::testing::AppendRecord(site, "demo", "1.0", "demo/__pycache__/core.cpython-312.pyc,,5");
    pk::testing::WriteFile(site / "demo/__pycache__/core.cpython-312.pyc", "12345");
    pk::SiteTree tree(site.string(), sources, sink);
    REQUIRE(tree.Open());
    std::uint64_t pycache = 0;
    const auto* files = tree.Files("demo", &pycache);
    REQUIRE(files);
    std::vector<std::string> names;
    for (const auto& f : *files) names.push_back(f.name);
    CHECK(names == std::vector<std::string>{"demo/__init__.py", "demo/core.py",
                                            "demo-1.0.dist-info/METADATA",
                                            "demo-1.0.dist-info/RECORD"});
    CHECK(pycache == 5);
    CHECK_FALSE(sink.has_errors());
  }
  SECTION("a row outside the tree") {
    pk::testing::AppendRecord(site, "demo", "1.0", "../../bin/demo,,10");
    pk::SiteTree tree(site.string(), sources, sink);
    REQUIRE(tree.Open());
    CHECK(tree.Files("demo", nullptr) == nullptr);
    REQUIRE(sink.diagnostics().size() == 1);
    CHECK(sink.diagnostics()[0].code == "E7001");
    CHECK(sink.diagnostics()[0].loc.line == 5);
    CHECK(sink.diagnostics()[0].message.find("distribution 'demo'") != std::string::npos);
  }
  SECTION("a missing file") {
    pk::testing::AppendRecord(site, "demo", "1.0", "demo/gone.py,,3");
    pk::SiteTree tree(site.string(), sources, sink);
    REQUIRE(tree.Open());
    CHECK(tree.Files("demo", nullptr) == nullptr);
    REQUIRE(sink.diagnostics().size() == 1);
    CHECK(sink.diagnostics()[0].code == "E7002");
    CHECK(sink.diagnostics()[0].message.find("demo/gone.py") != std::string::npos);
  }
  SECTION("a symlink that leaves the tree") {
    pk::testing::WriteFile(dir.path() / "outside.py", "secret\n");
    fs::create_symlink(dir.path() / "outside.py", site / "demo/link.py");
    pk::testing::AppendRecord(site, "demo", "1.0", "demo/link.py,,7");
    pk::SiteTree tree(site.string(), sources, sink);
    REQUIRE(tree.Open());
    CHECK(tree.Files("demo", nullptr) == nullptr);
    REQUIRE(sink.diagnostics().size() == 1);
    CHECK(sink.diagnostics()[0].code == "E7003");
  }
  SECTION("a file whose size differs from RECORD") {
    pk::testing::WriteFile(site / "demo/core.py", "y = 2  # edited\n");
    pk::SiteTree tree(site.string(), sources, sink);
    REQUIRE(tree.Open());
    CHECK(tree.Files("demo", nullptr) == nullptr);
    REQUIRE(sink.diagnostics().size() == 1);
    CHECK(sink.diagnostics()[0].code == "E7004");
    CHECK(sink.diagnostics()[0].message.find("RECORD says 6") != std::string::npos);
  }
  SECTION("a distribution that is not installed") {
    pk::SiteTree tree(site.string(), sources, sink);
    REQUIRE(tree.Open());
    CHECK(tree.Files("numpy", nullptr) == nullptr);
    CHECK(sink.diagnostics()[0].code == "E7005");
  }
}

TEST_CASE("code rules: Serverless patterns in order, SAM's and the plain exclusions", "[package]") {
  pk::CodeRoot sls{"svc",
                   pk::CodeRules::kServerless,
                   {".git/**", "!serverless.yml", "!**", "functions/**/*.py", "!**/test_*.py"}};
  CHECK(pk::CodeFileShips(sls, "functions/a/handler.py", false));
  CHECK_FALSE(pk::CodeFileShips(sls, "functions/a/test_handler.py", false));
  CHECK_FALSE(pk::CodeFileShips(sls, "site-packages/numpy/x.py", false));
  CHECK_FALSE(pk::CodeFileShips(sls, "serverless.yml", false));
  pk::CodeRoot sam{"src", pk::CodeRules::kSam, {}};
  CHECK(pk::CodeFileShips(sam, "app.py", false));
  CHECK_FALSE(pk::CodeFileShips(sam, "build/ext.so", false));  // SAM builds dependencies itself
  CHECK_FALSE(pk::CodeFileShips(sam, ".venv", true));
  pk::CodeRoot plain{"src", pk::CodeRules::kPlain, {}};
  CHECK(pk::CodeFileShips(plain, "ext.so", false));
  CHECK_FALSE(pk::CodeFileShips(plain, "pkg/__pycache__", true));
  CHECK_FALSE(pk::CodeFileShips(plain, "node_modules", true));
}

TEST_CASE("handlers: file paths, dotted modules, packages and extension modules", "[package]") {
  std::set<std::string> names = {"functions/a/handler.py", "pkg/__init__.py", "pkg/api.py",
                                 "fast.cpython-312-x86_64-linux-gnu.so", "lib/pkg2/__init__.py"};
  CHECK(pk::HandlerModulePresent("functions/a/handler.main", names));
  CHECK(pk::HandlerModulePresent("pkg.api.handle", names));
  CHECK(pk::HandlerModulePresent("pkg.handle", names));
  CHECK(pk::HandlerModulePresent("fast.run", names));
  CHECK(pk::HandlerModulePresent("lib/pkg2.main", names));
  CHECK_FALSE(pk::HandlerModulePresent("functions/b/handler.main", names));
  CHECK_FALSE(pk::HandlerModulePresent("nodot", names));
}

TEST_CASE("image recipe: base image of the runtime and architecture, handler as CMD", "[package]") {
  cfnsplit::ImageSpec spec;
  spec.runtime = "python3.11";
  spec.architecture = "arm64";
  spec.handler = "functions/train/handler.main";
  std::string dockerfile = cfnsplit::LambdaDockerfile(spec);
  CHECK(dockerfile.find("FROM --platform=linux/arm64 public.ecr.aws/lambda/python:3.11\n") !=
        std::string::npos);
  CHECK(dockerfile.find("pip install --no-cache-dir -r ${LAMBDA_TASK_ROOT}/requirements.txt") !=
        std::string::npos);
  CHECK(dockerfile.find("COPY code/ ${LAMBDA_TASK_ROOT}/") != std::string::npos);
  CHECK(dockerfile.find("CMD [\"functions/train/handler.main\"]") != std::string::npos);
  CHECK(cfnsplit::ImageRecipeDir("Forecasting", "TrainLambdaFunction") ==
        "packages/Forecasting-TrainLambdaFunction");
}
