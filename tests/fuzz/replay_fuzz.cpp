// Replays every kept fuzz input and every bad-input fixture through the fuzz entry, so a crasher
// once found stays fixed without needing clang or libFuzzer.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz/fuzz_entry.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> FilesUnder(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("every kept fuzz input and load fixture keeps the loader's contract", "[fuzz][load]") {
  const fs::path source(CFNSPLIT_SOURCE_DIR);
  std::vector<fs::path> inputs = FilesUnder(source / "tests/fuzz/corpus");
  std::size_t seeds = inputs.size();
  for (const auto& f : FilesUnder(source / "tests/data/load")) inputs.push_back(f);
  INFO(seeds << " fuzz inputs, " << inputs.size() - seeds << " fixtures");
  REQUIRE(seeds > 0);
  for (const auto& path : inputs) {
    std::string text = ReadAll(path);
    std::string problem = cfnsplit::fuzz::RunLoadOnce(
        reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    INFO(path.string());
    CHECK(problem == "");
  }
}

TEST_CASE("every kept fuzz input and load fixture splits or fails as it may", "[fuzz][split]") {
  const fs::path source(CFNSPLIT_SOURCE_DIR);
  std::vector<fs::path> inputs = FilesUnder(source / "tests/fuzz/corpus");
  for (const auto& f : FilesUnder(source / "tests/data/load")) inputs.push_back(f);
  for (const auto& f : FilesUnder(source / "tests/fuzz/seeds/split")) inputs.push_back(f);
  REQUIRE(inputs.size() > 100);
  std::size_t verified = 0;
  for (const auto& path : inputs) {
    std::string text = ReadAll(path);
    std::string problem = cfnsplit::fuzz::RunSplitOnce(
        reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), &verified);
    INFO(path.string());
    CHECK(problem == "");
  }
  CHECK(verified > 0);
  WARN(verified << " splits verified");
}
