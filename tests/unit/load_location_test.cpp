// Every node and map key remembers file:line:column (1-based, columns in bytes), in both formats.
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "support/temp_dir.hpp"
#include "unit/load_test_util.hpp"

using cfnsplit::Value;
using namespace cfnsplit::testing;

namespace {

// "line:col" of the key `key` in map `map`.
std::string KeyAt(const Value& map, const std::string& key) {
  long i = map.IndexOf(key);
  return i < 0 ? "missing" : LineCol(map.keys()[static_cast<std::size_t>(i)].loc);
}

}  // namespace

TEST_CASE("YAML nodes and keys carry exact locations", "[unit][load][location]") {
  const std::string yaml =
      "Resources:\n"                         // 1
      "  Bucket:\n"                          // 2
      "    Type: AWS::S3::Bucket\n"          // 3
      "    Properties:\n"                    // 4
      "      Name: !Sub '${AWS::Region}'\n"  // 5
      "      Tags: [a, {k: v}]\n"            // 6
      "      Arn: !GetAtt [B, Arn]\n";       // 7
  auto p = ParseText(yaml);
  REQUIRE(p->ok());
  const Value& root = *p->value;
  CHECK(p->value->loc().file == p->file);
  CHECK(LineCol(root.loc()) == "1:1");
  CHECK(KeyAt(root, "Resources") == "1:1");
  const Value& bucket = *At(root, {"Resources", "Bucket"});
  CHECK(KeyAt(*root.Find("Resources"), "Bucket") == "2:3");
  CHECK(LineCol(bucket.loc()) == "3:5");  // a block map starts at its first key
  CHECK(KeyAt(bucket, "Type") == "3:5");
  CHECK(LineCol(bucket.Find("Type")->loc()) == "3:11");
  const Value& props = *bucket.Find("Properties");
  // The expanded intrinsic map, its one key and its argument all point at the tag.
  const Value& name = *props.Find("Name");
  CHECK(LineCol(name.loc()) == "5:13");
  CHECK(KeyAt(name, "Fn::Sub") == "5:13");
  CHECK(LineCol(name.Find("Fn::Sub")->loc()) == "5:13");
  CHECK(LineCol(At(props, {"Tags"})->loc()) == "6:13");
  CHECK(LineCol(At(props, {"Tags", "0"})->loc()) == "6:14");
  CHECK(LineCol(At(props, {"Tags", "1"})->loc()) == "6:17");
  CHECK(KeyAt(*At(props, {"Tags", "1"}), "k") == "6:18");
  CHECK(LineCol(At(props, {"Tags", "1", "k"})->loc()) == "6:21");
  CHECK(LineCol(At(props, {"Arn", "Fn::GetAtt", "1"})->loc()) == "7:24");
}

TEST_CASE("JSON nodes and keys carry exact locations", "[unit][load][location]") {
  const std::string json =
      "{\n"                                            // 1
      "  \"Resources\": {\n"                           // 2
      "    \"Q\": {\"Type\": \"AWS::SQS::Queue\",\n"   // 3
      "\t\"Properties\": {\"N\": [1, true, null]}}\n"  // 4
      "  }\n"                                          // 5
      "}\n";
  auto p = ParseText(json, "t.json");
  REQUIRE(p->ok());
  const Value& root = *p->value;
  CHECK(LineCol(root.loc()) == "1:1");
  CHECK(KeyAt(root, "Resources") == "2:3");
  CHECK(LineCol(root.Find("Resources")->loc()) == "2:16");
  const Value& q = *At(root, {"Resources", "Q"});
  CHECK(KeyAt(*root.Find("Resources"), "Q") == "3:5");
  CHECK(LineCol(q.loc()) == "3:10");
  CHECK(KeyAt(q, "Type") == "3:11");
  CHECK(LineCol(q.Find("Type")->loc()) == "3:19");
  // A tab counts as one column, as in every compiler's diagnostics.
  CHECK(KeyAt(q, "Properties") == "4:2");
  CHECK(LineCol(At(q, {"Properties", "N", "0"})->loc()) == "4:23");
  CHECK(LineCol(At(q, {"Properties", "N", "1"})->loc()) == "4:26");
  CHECK(LineCol(At(q, {"Properties", "N", "2"})->loc()) == "4:32");
}

TEST_CASE("columns count bytes and ignore a byte-order mark in both formats",
          "[unit][load][location]") {
  auto yaml = ParseText(
      "\xEF\xBB\xBF"
      "k: 1\n\xC3\xA9: 2\n");
  REQUIRE(yaml->ok());
  CHECK(KeyAt(*yaml->value, "k") == "1:1");
  CHECK(LineCol(yaml->value->items()[1].loc()) == "2:5");  // é is two bytes
  auto json = ParseText("\xEF\xBB\xBF{\"k\": 1,\n\"\xC3\xA9\": 2}", "t.json");
  REQUIRE(json->ok());
  CHECK(LineCol(json->value->loc()) == "1:1");
  CHECK(KeyAt(*json->value, "k") == "1:2");
  CHECK(LineCol(json->value->items()[1].loc()) == "2:7");
}

TEST_CASE("CRLF line ends do not shift columns", "[unit][load][location]") {
  auto yaml = ParseText("a: 1\r\nbb: [x, y]\r\n");
  REQUIRE(yaml->ok());
  CHECK(LineCol(At(*yaml->value, {"bb", "1"})->loc()) == "2:9");
  auto json = ParseText("{\"a\": 1,\r\n \"bb\": [1, 2]}\r\n", "t.json");
  REQUIRE(json->ok());
  CHECK(KeyAt(*json->value, "bb") == "2:2");
  CHECK(LineCol(At(*json->value, {"bb", "1"})->loc()) == "2:12");
}

TEST_CASE("a loaded file's locations name the registered file", "[unit][load][location]") {
  TempDir dir;
  std::string path = dir.Write("x.yaml", "A: 1\nB:\n  - !Ref C\n");
  auto p = LoadPath(path);
  REQUIRE(p->ok());
  CHECK(p->sources.path(p->file) == path);
  const Value& ref = *At(*p->value, {"B", "0"});
  CHECK(ref.loc().file == p->file);
  CHECK(LineCol(ref.loc()) == "3:5");
  CHECK(p->sources.LineText(p->file, ref.loc().line) == "  - !Ref C");
}

// The JSON reader skips indentation and plain string bytes eight at a time: every run length
// around a word boundary must give the same string and the same columns as a byte at a time.
TEST_CASE("JSON strings and indentation read word by word keep values and columns",
          "[unit][load][location]") {
  const std::vector<std::pair<std::string, std::string>> specials = {{"\\\"", "\""},
                                                                     {"\\\\", "\\"},
                                                                     {"\\n", "\n"},
                                                                     {"\\u00e9", "\xc3\xa9"},
                                                                     {"\xc3\xa9", "\xc3\xa9"}};
  for (std::size_t indent = 0; indent <= 19; ++indent)
    for (std::size_t before = 0; before <= 17; ++before)
      for (const auto& [written, meant] : specials) {
        const std::string pad(indent, ' ');
        const std::string plain(before, 'a');
        const std::string json = "{\n" + pad + "\"k\": \"" + plain + written + "b\",\n" + pad +
                                 (indent % 3 == 0 ? "\t" : "") + "\"n\": 1}";
        auto p = ParseText(json, "t.json");
        INFO(json);
        REQUIRE(p->ok());
        CHECK(p->value->Find("k")->text() == plain + meant + "b");
        CHECK(KeyAt(*p->value, "k") == "2:" + std::to_string(indent + 1));
        CHECK(KeyAt(*p->value, "n") == "3:" + std::to_string(indent + 1 + (indent % 3 == 0)));
      }
  // A raw control character is refused wherever it falls in a word.
  for (std::size_t before = 0; before <= 17; ++before) {
    auto p = ParseText("{\"k\": \"" + std::string(before, 'a') + "\x01\"}", "t.json");
    INFO(before);
    CHECK(!p->ok());
  }
}
