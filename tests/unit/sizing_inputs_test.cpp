// The sizing inputs table (sizing_inputs.hpp): every input's flag reaches its field, and whether
// sizing runs is decided from the table, so an input cannot be left out of that decision.
#include "cfnsplit/sizing_inputs.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "cfnsplit/python_files.hpp"
#include "support/cli_run.hpp"
#include "support/temp_dir.hpp"

using namespace cfnsplit;

namespace {

// A value the row accepts.
std::string SampleValue(const SizingInput& in) {
  if (!in.choices.empty()) return in.choices.front();
  return in.flag == "--artifact" ? "Fn=fn.zip" : "some/path";
}

}  // namespace

TEST_CASE("sizing inputs: each row sets its own field, and sources start sizing",
          "[unit][sizing]") {
  const SizingOptions untouched;
  for (const SizingInput& in : SizingInputs()) {
    INFO(in.flag);
    SizingOptions options;
    const std::string value = SampleValue(in);
    in.add(options, value);
    const auto values = in.values(options);
    // The value given is the value read back: the row writes and reads the same field.
    CHECK(std::find(values.begin(), values.end(), value) != values.end());
    // Given alone, a source input makes sizing run; a modifier does not.
    CHECK(AnySizingSource(options) == in.source);
    // No other row sees it: each row has a field of its own.
    for (const SizingInput& other : SizingInputs())
      if (other.flag != in.flag) CHECK(other.values(options) == other.values(untouched));
  }
}

TEST_CASE("sizing inputs: the defaults give no source; a malformed artifact keeps its text",
          "[unit][sizing]") {
  CHECK_FALSE(AnySizingSource(SizingDefaults()));
  CHECK(SizingDefaults().infer_imports == "auto");
  for (const SizingInput& in : SizingInputs()) {
    if (in.flag != "--artifact") continue;
    SizingOptions options;
    in.add(options, "no-name.zip");
    REQUIRE(options.artifacts.size() == 1);
    CHECK(options.artifacts[0].first.empty());  // the CLI refuses it with E0020
    CHECK(options.artifacts[0].second == "no-name.zip");
  }
}

TEST_CASE("sizing inputs: every row is a flag of the commands that size", "[unit][sizing]") {
  cfnsplit::testing::TempDir dir;
  for (const char* command : {"analyze", "plan", "review", "emit", "split"}) {
    auto run = cfnsplit::testing::RunCfnsplit(std::string(command) + " --help", dir.path());
    INFO(command << ": " << run.err);
    REQUIRE(run.code == 0);
    for (const SizingInput& in : SizingInputs()) CHECK(run.out.find(in.flag) != std::string::npos);
  }
}

// JoinPath skips lexically_normal for paths that are normal already; it must return what the
// plain join + lexically_normal returns for every shape of path.
TEST_CASE("JoinPath equals a lexically normal join for every path shape", "[unit][sizing]") {
  auto reference = [](const std::string& base, const std::string& path) {
    std::string joined = base.empty() || base == "." || (!path.empty() && path.front() == '/')
                             ? path
                             : (base.back() == '/' ? base + path : base + "/" + path);
    std::string normal = std::filesystem::path(joined).lexically_normal().generic_string();
    while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
    return normal.empty() ? std::string(".") : normal;
  };
  const std::vector<std::string> parts = {"a", "bc", ".", "..", "", "x.y", "...", "/", "a b"};
  std::mt19937 rng(11);
  auto draw = [&] {
    std::string p;
    int n = static_cast<int>(rng() % 5);
    for (int i = 0; i < n; ++i) p += (i || rng() % 3 == 0 ? "/" : "") + parts[rng() % parts.size()];
    return p;
  };
  for (int i = 0; i < 20000; ++i) {
    std::string base = draw(), path = draw();
    INFO("'" << base << "' + '" << path << "'");
    REQUIRE(sizing::JoinPath(base, path) == reference(base, path));
  }
  CHECK(sizing::JoinPath("svc", "fn/requirements.txt") == "svc/fn/requirements.txt");
  CHECK(sizing::JoinPath("svc/", "../x") == "x");
}
