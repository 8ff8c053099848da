// Requirement lines, markers, versions and requirements files.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "cfnsplit/load.hpp"
#include "sizing/internal.hpp"
#include "unit/sizing_test_fixtures.hpp"

using namespace cfnsplit;
using namespace cfnsplit::sizing;
using sizing_test::TempDir;
using sizing_test::WriteFile;

TEST_CASE("names are normalized per PEP 503", "[unit][sizing]") {
  CHECK(NormalizeDistName("Scikit_Learn") == "scikit-learn");
  CHECK(NormalizeDistName("zope.interface") == "zope-interface");
  CHECK(NormalizeDistName("a-_.-b") == "a-b");
  CHECK(ServerlessLogicalId("hello") == "HelloLambdaFunction");
  CHECK(ServerlessLogicalId("hello-world_x") == "HelloDashworldUnderscorexLambdaFunction");
}

TEST_CASE("requirement lines parse into name, extras, specifier, marker", "[unit][sizing]") {
  Requirement r;
  REQUIRE(
      ParseRequirement("Requests[Security, socks] >= 2.8.1, ==2.8.* ; python_version < \"3.13\"", r,
                       nullptr, nullptr));
  CHECK(r.name == "requests");
  CHECK(r.raw_name == "Requests");
  CHECK(r.extras == std::set<std::string>{"security", "socks"});
  CHECK(r.specifier == ">=2.8.1,==2.8.*");
  CHECK(r.marker == "python_version < \"3.13\"");

  Requirement paren;
  REQUIRE(ParseRequirement("zope.interface (>3.5.0)", paren, nullptr, nullptr));
  CHECK(paren.name == "zope-interface");
  CHECK(paren.specifier == ">3.5.0");

  Requirement url;
  REQUIRE(
      ParseRequirement("pip @ https://example.com/pip-23.0-py3-none-any.whl ; os_name == 'posix'",
                       url, nullptr, nullptr));
  CHECK(url.name == "pip");
  CHECK(url.url == "https://example.com/pip-23.0-py3-none-any.whl");
  CHECK(url.marker == "os_name == 'posix'");
  CHECK_FALSE(url.sizable());

  Requirement bad;
  std::string error;
  std::size_t column = 99;
  CHECK_FALSE(ParseRequirement("numpy 1.2", bad, &error, &column));
  CHECK(column == 6);
  CHECK_FALSE(ParseRequirement("numpy ; python_version <> '3'", bad, &error, &column));
  CHECK(error.find("invalid marker") == 0);
}

TEST_CASE("versions order and specifiers match like pip", "[unit][sizing]") {
  CHECK(CompareVersions("1.10", "1.9") == 1);
  CHECK(CompareVersions("1.0", "1.0.0") == 0);
  CHECK(CompareVersions("1.0rc1", "1.0") == -1);
  CHECK(CompareVersions("1.0.dev1", "1.0a1") == -1);
  CHECK(CompareVersions("1.0.post1", "1.0") == 1);
  CHECK(CompareVersions("2!1.0", "3.0") == 1);
  CHECK(CompareVersions("3.12", "3.8") == 1);
  CHECK(SpecifierAllows(">=1.2,<2", "1.5.3"));
  CHECK_FALSE(SpecifierAllows(">=1.2,<2", "2.0"));
  CHECK(SpecifierAllows("==1.26.*", "1.26.4"));
  CHECK_FALSE(SpecifierAllows("==1.26.*", "1.27.0"));
  CHECK(SpecifierAllows("~=1.4.2", "1.4.9"));
  CHECK_FALSE(SpecifierAllows("~=1.4.2", "1.5.0"));
  CHECK(SpecifierAllows("!=1.0", "1.1"));
  CHECK(SpecifierAllows("(>=1.0)", "1.0"));
}

TEST_CASE("markers evaluate for the function's runtime and architecture", "[unit][sizing]") {
  MarkerEnv py312 = EnvForRuntime("python3.12", "arm64", "3.11");
  CHECK(py312.python_version == "3.12");
  CHECK(py312.platform_machine == "aarch64");
  MarkerEnv py39 = EnvForRuntime("python3.9", "x86_64", "3.11");
  MarkerEnv fallback = EnvForRuntime("nodejs20.x", "x86_64", "3.11");
  CHECK(fallback.python_version == "3.11");

  auto eval = [](const char* m, const MarkerEnv& env, const char* extra = "") {
    std::string error;
    auto v = EvaluateMarker(m, env, extra, &error);
    INFO(error);
    REQUIRE(v.has_value());
    return *v;
  };
  CHECK(eval("python_version < \"3.10\"", py39));
  CHECK_FALSE(eval("python_version < \"3.10\"", py312));  // versions, not strings: "3.12" > "3.10"
  CHECK(eval("python_full_version >= '3.12.0'", py312));
  CHECK(eval("sys_platform == 'linux' and platform_system == \"Linux\"", py312));
  CHECK_FALSE(eval("sys_platform == 'win32' or os_name == 'nt'", py312));
  CHECK(
      eval("platform_machine == 'aarch64' and (python_version >= '3.11' or extra == 'x')", py312));
  CHECK(eval("implementation_name == 'cpython'", py312));
  CHECK(eval("extra == \"Socks_Proxy\"", py312, "socks-proxy"));  // extras compare normalized
  CHECK_FALSE(eval("extra == 'socks'", py312));
  CHECK(eval("'linux' in sys_platform", py312));
  CHECK(eval("'win' not in sys_platform", py312));
  std::string error;
  CHECK_FALSE(EvaluateMarker("python_version <", py312, "", &error).has_value());
  CHECK_FALSE(EvaluateMarker("(python_version < '3'", py312, "", &error).has_value());
  CHECK(error.find("expected ')'") != std::string::npos);
  CHECK_FALSE(EvaluateMarker("colour == 'red'", py312, "", &error).has_value());
}

TEST_CASE("requirements files: includes, constraints, continuations, hashes, URLs",
          "[unit][sizing]") {
  TempDir dir;
  WriteFile(dir / "requirements.txt",
            "# service deps\n"
            "-r base/common.txt\n"
            "-c constraints.txt\n"
            "--index-url https://pypi.org/simple\n"
            "pandas==2.2.2 \\\n"
            "    --hash=sha256:aaaa \\\n"
            "    --hash=sha256:bbbb\n"
            "requests[socks]>=2  # inline comment\n"
            "-e ./libs/mylib\n"
            "git+https://github.com/org/tool.git@v1#egg=tool_x\n"
            "https://example.com/wheels/fancy_pkg-1.0-py3-none-any.whl\n"
            "tomli ; python_version < '3.11'\n");
  WriteFile(dir / "base/common.txt", "numpy>=1.26\n-r ../requirements.txt\n");
  WriteFile(dir / "constraints.txt", "urllib3<2\n");
  SourceManager sources;
  DiagnosticSink sink;
  RequirementsReader reader(sources, sink);
  auto reqs = reader.Read(dir / "requirements.txt", {});
  std::vector<std::string> names;
  for (const auto& r : reqs) names.push_back(r.name);
  CHECK(names == std::vector<std::string>{"numpy", "pandas", "requests", "", "tool-x", "fancy-pkg",
                                          "tomli"});
  CHECK(reqs[1].specifier == "==2.2.2");  // hashes stripped from the continued line
  CHECK(reqs[1].loc.line == 5);
  CHECK(reqs[0].loc.line == 1);
  CHECK(sources.path(reqs[0].loc.file) == dir / "base/common.txt");
  CHECK(reqs[3].editable);
  CHECK(reqs[3].url == "./libs/mylib");
  CHECK(reqs[4].url == "git+https://github.com/org/tool.git@v1#egg=tool_x");
  CHECK_FALSE(reqs[5].sizable());
  CHECK(reqs[6].marker == "python_version < '3.11'");
  // The include back to requirements.txt is a cycle: one warning at the -r line, no error.
  REQUIRE(sink.diagnostics().size() == 1);
  const Diagnostic& cycle = sink.diagnostics()[0];
  CHECK(cycle.code == "W6006");
  CHECK(cycle.loc.line == 2);
  CHECK(sources.path(cycle.loc.file) == dir / "base/common.txt");
}

TEST_CASE("requirements errors point at file, line and column", "[unit][sizing]") {
  TempDir dir;
  WriteFile(dir / "req.txt", "ok-pkg\n  bad pkg\n-r missing.txt\n--frobnicate\n");
  SourceManager sources;
  DiagnosticSink sink;
  RequirementsReader reader(sources, sink);
  auto reqs = reader.Read(dir / "req.txt", {});
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].name == "ok-pkg");
  CHECK(sizing_test::Codes(sink) == std::vector<std::string>{"E6004", "E6003", "W6007"});
  const Diagnostic& bad = sink.diagnostics()[0];
  CHECK(bad.loc.line == 2);
  CHECK(bad.loc.column == 7);
  CHECK(FormatDiagnostic(bad, sources).find(dir / "req.txt:2:7: error: invalid requirement") == 0);
  CHECK(sink.diagnostics()[1].loc.line == 3);
}

TEST_CASE("requirements includes: each file read once, symlinked cycles are W6006 (issue 12)",
          "[unit][sizing][robust]") {
  TempDir dir;
  // A chain of 24 files, each including the next twice: 2^24 reads if files were re-read.
  for (int i = 0; i < 24; ++i) {
    std::string next = "r" + std::to_string(i + 1) + ".txt";
    WriteFile(dir / ("r" + std::to_string(i) + ".txt"),
              "pkg" + std::to_string(i) + "\n-r " + next + "\n-r " + next + "\n");
  }
  WriteFile(dir / "r24.txt", "last\n");
  SourceManager sources;
  DiagnosticSink sink;
  RequirementsReader reader(sources, sink);
  auto reqs = reader.Read(dir / "r0.txt", {});
  CHECK(reqs.size() == 25);
  CHECK(sink.diagnostics().empty());

  // `l` is the folder itself: l/b.txt is b.txt under another path string.
  std::filesystem::create_directory_symlink(".", dir / "l");
  WriteFile(dir / "b.txt", "-r l/b.txt\n-r l/b.txt\nflask\n");
  DiagnosticSink sink2;
  RequirementsReader reader2(sources, sink2);
  auto via_link = reader2.Read(dir / "b.txt", {});
  REQUIRE(via_link.size() == 1);
  CHECK(sizing_test::Codes(sink2) == std::vector<std::string>{"W6006", "W6006"});

  // A symbolic link to itself is a loop, not a missing file.
  std::filesystem::create_symlink("self.txt", dir / "self.txt");
  WriteFile(dir / "c.txt", "-r self.txt\n");
  DiagnosticSink sink3;
  RequirementsReader(sources, sink3).Read(dir / "c.txt", {});
  CHECK(sizing_test::Codes(sink3) == std::vector<std::string>{"W6006"});
}

TEST_CASE("requirements: devices and FIFOs are named, never read (issue 12)",
          "[unit][sizing][robust]") {
  TempDir dir;
  REQUIRE(mkfifo((dir / "pipe").c_str(), 0600) == 0);
  WriteFile(dir / "d.txt", "-r /dev/zero\n-r pipe\n");
  SourceManager sources;
  DiagnosticSink sink;
  RequirementsReader(sources, sink).Read(dir / "d.txt", {});
  REQUIRE(sizing_test::Codes(sink) == std::vector<std::string>{"E6003", "E6003"});
  CHECK(sink.diagnostics()[0].message.find("is a character device") != std::string::npos);
  CHECK(sink.diagnostics()[1].message.find("is a FIFO") != std::string::npos);
  // The template loader refuses them too, without blocking on the FIFO.
  std::string text;
  DiagnosticSink load_sink;
  CHECK_FALSE(ReadFileText(dir / "pipe", text, load_sink));
  CHECK(load_sink.diagnostics().at(0).message.find("is a FIFO, not a regular file") !=
        std::string::npos);
}
