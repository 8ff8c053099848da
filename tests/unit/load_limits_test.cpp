// Hostile sizes: huge files, very deep nesting, alias bombs. Each is generated in memory or in a
// temporary directory and must be refused quickly with a located diagnostic.
#include <catch2/catch.hpp>
#include <filesystem>

#include "unit/load_test_util.hpp"
#include "support/temp_dir.hpp"

using namespace cfnsplit::testing;

namespace {

std::string Repeat(const std::string& s, int n) {
  std::string out;
  out.reserve(s.size() * static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

constexpr int kHostileDepth = 100'000;

}  // namespace

TEST_CASE("a file over max_bytes is refused before it is read", "[unit][load][limits]") {
  TempDir dir;
  // A sparse 200 MB file: creating it writes nothing, so the test stays fast, and reading it
  // would take seconds, so a quick refusal shows the size was checked first.
  auto big = dir.path() / "big.yaml";
  { std::ofstream(big) << "a: 1\n"; }
  std::filesystem::resize_file(big, 200ull << 20);
  auto p = LoadPath(big.string());
  REQUIRE_FALSE(p->value);
  CHECK(p->file == 0);  // never registered: its text was never read
  CHECK(p->first().code == "E0001");
  CHECK_THAT(p->first().message, Catch::Contains("209715200 bytes, over the limit of 134217728"));
}

TEST_CASE("the size limit is inclusive and configurable", "[unit][load][limits]") {
  cfnsplit::LoadLimits limits;
  const std::string text = "a: 123456\n";  // 10 bytes
  limits.max_bytes = text.size();
  CHECK(LoadText(text, "t.yaml", limits)->ok());
  limits.max_bytes = text.size() - 1;
  auto p = LoadText(text, "t.yaml", limits);
  REQUIRE_FALSE(p->value);
  CHECK(p->first().code == "E0001");
  CHECK_THAT(p->first().message, Catch::Contains("is 10 bytes, over the limit of 9"));
}

TEST_CASE("missing files and directories are refused with E0001", "[unit][load][limits]") {
  TempDir dir;
  auto missing = LoadPath((dir.path() / "nope.yaml").string());
  CHECK(missing->first().code == "E0001");
  CHECK_THAT(missing->first().message, Catch::Contains("No such file"));
  auto directory = LoadPath(dir.path().string());
  CHECK(directory->first().code == "E0001");
  CHECK_THAT(directory->first().message, Catch::Contains("it is a directory"));
}

TEST_CASE("100,000 levels of nesting are refused at the depth limit", "[unit][load][limits]") {
  struct Case {
    const char* what;
    const char* name;
    std::string text;
    const char* where;
  };
  const Case cases[] = {
      {"JSON arrays", "t.json", Repeat("[", kHostileDepth) + Repeat("]", kHostileDepth), "1:257"},
      {"JSON objects", "t.json",
       Repeat("{\"a\": ", kHostileDepth) + "1" + Repeat("}", kHostileDepth), "1:1537"},
      {"YAML flow sequences", "t.yaml", Repeat("[", kHostileDepth), "1:257"},
      {"YAML block sequences", "t.yaml", Repeat("- ", kHostileDepth) + "x\n", "1:513"},
      {"YAML flow maps", "t.yaml", Repeat("{a: ", kHostileDepth) + "1" + Repeat("}", kHostileDepth),
       "1:1025"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto p = ParseText(c.text, c.name);
    REQUIRE_FALSE(p->value);
    CHECK(p->first().code == "E0004");
    CHECK(LineCol(p->first().loc) == c.where);
    CHECK_THAT(p->first().message, Catch::Contains("deeper than 256 levels"));
  }
  // Block maps indent one more space per level, so 3,000 levels are already 4.5 MB of text.
  std::string indented;
  for (int i = 0; i < 3000; ++i) indented += std::string(static_cast<std::size_t>(i), ' ') + "a:\n";
  auto p = ParseText(indented);
  REQUIRE_FALSE(p->value);
  CHECK(p->first().code == "E0004");
  CHECK(LineCol(p->first().loc) == "257:257");
}

TEST_CASE("the depth limit is exact and configurable", "[unit][load][limits]") {
  cfnsplit::LoadLimits limits;
  limits.max_depth = 3;
  CHECK(ParseText("{\"a\": {\"b\": [1]}}", "t.json", limits)->ok());
  CHECK(ParseText("a: {b: [1]}", "t.yaml", limits)->ok());
  CHECK(ParseText("{\"a\": {\"b\": [[1]]}}", "t.json", limits)->first().code == "E0004");
  CHECK(ParseText("a: {b: [[1]]}", "t.yaml", limits)->first().code == "E0004");
}

TEST_CASE("an alias cannot build a tree deeper than the depth limit", "[unit][load][limits]") {
  cfnsplit::LoadLimits limits;
  limits.max_depth = 4;
  // Each alias is within the limit where it is defined, but nesting them would not be.
  auto p = ParseText("a: &a [[1]]\nb: [[*a]]\n", "t.yaml", limits);
  REQUIRE_FALSE(p->value);
  CHECK(p->first().code == "E0004");
  CHECK(LineCol(p->first().loc) == "2:6");
  CHECK_THAT(p->first().message, Catch::Contains("alias expands to nesting deeper than 4"));
  CHECK(ParseText("a: &a [[1]]\nb: [*a]\n", "t.yaml", limits)->ok());
}

TEST_CASE("alias bombs are refused after a bounded amount of work", "[unit][load][limits]") {
  // Billion laughs: nine levels of nine aliases would be 9^10 strings.
  std::string bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (char level = 'b'; level <= 'j'; ++level) {
    std::string prev(1, static_cast<char>(level - 1));
    bomb += std::string(1, level) + ": &" + level + " [" + Repeat("*" + prev + ", ", 8) + "*" +
            prev + "]\n";
  }
  auto p = ParseText(bomb);
  REQUIRE_FALSE(p->value);
  CHECK(p->first().code == "E0005");
  CHECK(p->first().loc.line == 7);  // the first level whose copies pass a million nodes
  CHECK_THAT(p->first().message, Catch::Contains("alias bomb"));
}

TEST_CASE("the node budget counts every value, aliases included", "[unit][load][limits]") {
  cfnsplit::LoadLimits limits;
  limits.max_nodes = 10;
  CHECK(ParseText("{\"a\": [1, 2, 3, 4, 5, 6, 7, 8]}", "t.json", limits)->ok());
  auto json = ParseText("{\"a\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}", "t.json", limits);
  CHECK(json->first().code == "E0005");
  // Root, key a, the list and its 3 items, key b: 7 nodes; the alias adds 4 more.
  auto yaml = ParseText("a: &x [1, 2, 3]\nb: *x\n", "t.yaml", limits);
  CHECK(yaml->first().code == "E0005");
  CHECK(LineCol(yaml->first().loc) == "2:4");
  CHECK(ParseText("a: &x [1, 2]\nb: *x\n", "t.yaml", limits)->ok());
}
