// Replays every kept input of the zip, requirements, RECORD/METADATA and plan fuzz targets
// (tests/fuzz/seeds/<target>/) through the same checks the fuzzers run, so a crasher once found
// stays fixed in every ordinary test run, without clang or libFuzzer.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz/fuzz_targets.hpp"

namespace fs = std::filesystem;

namespace {

using Target = std::string (*)(const std::uint8_t*, std::size_t);

void ReplaySeeds(const std::string& name, Target run) {
  const fs::path dir = fs::path(CFNSPLIT_SOURCE_DIR) / "tests/fuzz/seeds" / name;
  std::vector<fs::path> seeds;
  if (fs::is_directory(dir))
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_regular_file()) seeds.push_back(entry.path());
  std::sort(seeds.begin(), seeds.end());
  INFO(seeds.size() << " seeds for " << name);
  REQUIRE(!seeds.empty());
  for (const auto& path : seeds) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    std::string data = bytes.str();
    INFO(path.string());
    CHECK(run(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()) == "");
  }
}

}  // namespace

TEST_CASE("fuzz seeds: zip central directories", "[fuzz][zip]") {
  ReplaySeeds("zip", cfnsplit::fuzz::RunZipOnce);
}
TEST_CASE("fuzz seeds: requirements lines and files", "[fuzz][requirements]") {
  ReplaySeeds("requirements", cfnsplit::fuzz::RunRequirementsOnce);
}
TEST_CASE("fuzz seeds: RECORD and METADATA texts", "[fuzz][record]") {
  ReplaySeeds("record", cfnsplit::fuzz::RunRecordOnce);
}
TEST_CASE("fuzz seeds: plan files", "[fuzz][plan]") {
  ReplaySeeds("plan", cfnsplit::fuzz::RunPlanOnce);
}
