// Bad input gives one clear `file:line:col: error: … [CODE]`, never a crash, hang or runaway
// memory. Each case asserts the code, the location and a fragment of the message.
#include <catch2/catch.hpp>

#include "unit/load_test_util.hpp"

using namespace cfnsplit::testing;

namespace {

struct BadCase {
  const char* name;  // file name; its extension picks the format
  const char* text;
  const char* code;
  const char* where;  // "line:col"
  const char* fragment;
};

void CheckBad(const BadCase& c) {
  auto p = ParseText(c.text, c.name);
  INFO(c.name << ": " << c.text << "\n" << p->Rendered());
  REQUIRE_FALSE(p->value.has_value());
  REQUIRE(p->sink.error_count() == 1);
  CHECK(p->first().code == c.code);
  CHECK(p->first().loc.file == p->file);
  CHECK(LineCol(p->first().loc) == c.where);
  CHECK_THAT(p->first().message, Catch::Contains(c.fragment));
}

}  // namespace

TEST_CASE("malformed YAML is reported where it goes wrong", "[unit][load][errors]") {
  const BadCase cases[] = {
      {"t.yaml", "a: [1, 2\nb: 3\n", "E0002", "2:2", "end of sequence flow not found"},
      {"t.yaml", "a: 1\n b: 2\n", "E0002", "2:3", "illegal map value"},
      {"t.yaml", "a: 1\n]\n", "E0002", "2:1", "illegal flow end"},
      {"t.yaml", "a: @x\n", "E0002", "1:4", "unknown token"},
      {"t.yaml", "a:\n\t- x\n", "E0002", "2:2", "indented with a tab"},
      {"t.yaml", "a: \"open\n", "E0002", "1:4",
       "double-quoted string starting here is never closed"},
      {"t.yaml", "a: !Sub 'it''s\n", "E0002", "1:9", "single-quoted string"},
      {"t.yaml", "a: \"\\ud800\"\n", "E0002", "1:11", "U+D800 is a UTF-16 surrogate"},
      // yaml-cpp does not join surrogate pairs either; the message says what to write instead.
      {"t.yaml", "a: \"\\ud83d\\ude00\"\n", "E0002", "1:11", "8-digit \\U escape"},
      {"t.yaml", "a: \"\\q\"\n", "E0002", "1:7", "unknown escape character"},
      {"t.yaml", "a: *nowhere\n", "E0002", "1:4", "anchor is not defined"},
      {"t.yaml", "x: &a [1, *a]\n", "E0002", "1:11", "recursive alias"},
      {"t.yaml", "? [a, b]\n: 1\n", "E0002", "1:3", "mapping key must be a scalar"},
      {"t.yaml", "a: 1\n---\nb: 2\n", "E0002", "2:1", "single YAML document"},
  };
  for (const auto& c : cases) CheckBad(c);
}

TEST_CASE("two tags on one node are refused as CloudFormation refuses them",
          "[unit][load][errors]") {
  const BadCase cases[] = {
      {"t.yaml", "a: !Base64 !Sub \"x\"\n", "E0002", "1:12", "two tags on one node"},
      {"t.yaml", "a: !Base64\n  !Sub x\n", "E0002", "2:3", "`Fn::Base64: !Sub ...`"},
      {"t.yaml", "a: [!GetAZs !Ref AWS::Region]\n", "E0002", "1:13", "two tags on one node"},
      // A tag on an alias is the same mistake in disguise; yaml-cpp only says "end of map".
      {"t.yaml", "x: &x foo\nb: !Ref *x\nc: 1\n", "E0002", "2:9", "an alias cannot carry a tag"},
      {"t.yaml", "x: &x foo\nb: [!Ref *x, 2]\n", "E0002", "2:10", "'!Ref *...'"},
  };
  for (const auto& c : cases) CheckBad(c);
}

TEST_CASE("unknown tags are refused with a suggestion", "[unit][load][errors]") {
  const BadCase cases[] = {
      {"t.yaml", "a: !Refx Bucket\n", "E0007", "1:4", "unknown tag '!Refx'; did you mean '!Ref'?"},
      {"t.yaml", "a:\n  - !GetAttr B.Arn\n", "E0007", "2:5", "did you mean '!GetAtt'?"},
      {"t.yaml", "a: !ref B\n", "E0007", "1:4", "did you mean '!Ref'?"},
      {"t.yaml", "a: !!Ref B\n", "E0007", "1:4", "unknown tag '!!Ref'; did you mean '!Ref'?"},
      {"t.yaml", "a: !Frobnicate [1]\n", "E0007", "1:4", "unknown tag '!Frobnicate'"},
      {"t.yaml", "a: !!binary aGk=\n", "E0007", "1:4", "unknown tag '!!binary'"},
      {"t.yaml", "a: !GetAtt NoDot\n", "E1003", "1:4", "!GetAtt needs 'Resource.Attribute'"},
      {"t.yaml", "a: !GetAtt .Arn\n", "E1003", "1:4", "got '.Arn'"},
  };
  for (const auto& c : cases) CheckBad(c);
}

TEST_CASE("duplicate keys are errors at the second key", "[unit][load][errors]") {
  const BadCase cases[] = {
      {"t.yaml", "Resources:\n  X: 1\n  X: 2\n", "E0006", "3:3", "duplicate key 'X'"},
      {"t.yaml", "{a: 1, a: 2}\n", "E0006", "1:8", "duplicate key 'a'"},
      {"t.json", "{\"a\": {\"k\": 1,\n \"k\": 2}}", "E0006", "2:2", "duplicate key 'k'"},
  };
  for (const auto& c : cases) CheckBad(c);
}

TEST_CASE("duplicate keys in a big mapping are found past the linear scan",
          "[unit][load][errors]") {
  // Both readers compare keys in place for small mappings and hash them from 24 keys on: a
  // duplicate on either side of that switch is the same error at the same place.
  // 3,000 keys: the index grows many times before the duplicate.
  for (const char* name : {"t.json", "t.yaml"})
    for (auto [size, first] : {std::pair{40, 3}, {40, 30}, {3000, 1700}}) {
      const bool json = std::string(name) == "t.json";
      auto entry = [&](int key, int value) {
        const std::string k = "k" + std::to_string(key);
        return (json ? "\"" + k + "\"" : k) + ": " + std::to_string(value);
      };
      std::string text = json ? "{" : "";
      for (int i = 0; i < size; ++i) text += entry(i, i) + (json ? ",\n" : "\n");
      text += entry(first, 0) + (json ? "}" : "\n");
      const std::string message = "duplicate key 'k" + std::to_string(first) +
                                  "' in this mapping (first at line " + std::to_string(first + 1) +
                                  ", column 1)";
      const std::string where = std::to_string(size + 1) + ":1";
      CAPTURE(name, size, first);
      CheckBad({name, text.c_str(), "E0006", where.c_str(), message.c_str()});
    }
  // A key merged in by YAML's `<<` may be overridden once, past the switch too.
  std::string merged = "b: &b {m: 1}\na:\n";
  for (int i = 0; i < 30; ++i)
    merged += "  k" + std::to_string(i) + ": " + std::to_string(i) + "\n";
  merged += "  <<: *b\n  m: 2\n";
  CheckBad({"t.yaml", (merged + "  m: 3\n").c_str(), "E0006", "35:3", "duplicate key 'm'"});
}

TEST_CASE("malformed JSON is reported where it goes wrong", "[unit][load][errors]") {
  const BadCase cases[] = {
      {"t.json", "{\"a\": 1,}", "E0003", "1:9", "expected a string key"},
      {"t.json", "{\"a\" 1}", "E0003", "1:6", "expected ':' after key 'a'"},
      {"t.json", "{a: 1}", "E0003", "1:2", "expected a string key in double quotes"},
      {"t.json", "{\"a\": tru}", "E0003", "1:7", "expected true"},
      {"t.json", "{\"a\": 012}", "E0003", "1:7", "leading zeros"},
      {"t.json", "{\"a\": 1.}", "E0003", "1:9", "digit expected after '.'"},
      {"t.json", "{\"a\": -}", "E0003", "1:8", "invalid number"},
      {"t.json", "{\"a\": [1, 2", "E0003", "1:12", "array is not closed"},
      {"t.json", "{\"a\": 1", "E0003", "1:8", "object is not closed"},
      {"t.json", "{\"a\": \"x", "E0003", "1:9", "end of file inside a string"},
      {"t.json", "{\"a\": \"line\nbreak\"}", "E0003", "1:12", "control character"},
      {"t.json", "{\"a\": \"x\\q\"}", "E0003", "1:10", "invalid escape"},
      {"t.json", "{\"a\": \"\\u12\"}", "E0003", "1:8", "invalid hex digit"},
      {"t.json", "{\"a\": \"\\u12", "E0003", "1:8", "truncated \\u escape"},
      // Lone surrogates point at the escape itself.
      {"t.json", "{\"a\": \"x\\ud800\"}", "E0003", "1:9", "unpaired high surrogate"},
      {"t.json", "{\"a\": \"\\udc00\"}", "E0003", "1:8", "unpaired low surrogate"},
      {"t.json", "{\"a\": \"\\ud83d\\u0041\"}", "E0003", "1:8", "not followed by a low surrogate"},
      {"t.json", "{\"a\": 1} x", "E0003", "1:10", "unexpected content after the end"},
      {"t.json", "{\"a\": 1}\n{\"b\": 2}", "E0003", "2:1", "unexpected content after the end"},
      {"t.json", "{\"a\": 1} // note", "E0003", "1:10", "unexpected content"},
      {"t.json", "{\"a\": 1, \"b\": @}", "E0003", "1:15", "unexpected character '@'"},
  };
  for (const auto& c : cases) CheckBad(c);
}

TEST_CASE("a file that is not JSON nor YAML text is refused before parsing",
          "[unit][load][errors]") {
  const BadCase cases[] = {
      {"t.yaml", "   \n\n", "E0008", "1:1", "empty file"},
      {"t.json", "", "E0008", "1:1", "empty file"},
      {"t.yaml", "\xEF\xBB\xBF\n", "E0008", "1:1", "empty file"},
      {"t.yaml", "# only a comment\n", "E0008", "1:1", "empty document"},
      {"t.yaml", "a: 1\nb: \"x\x01\"\n", "E0002", "2:6", "control character 0x01"},
      {"t.yaml", "a: x\x7F\n", "E0002", "1:5", "control character 0x7F"},
      {"t.json", "{\"a\": \"\xff\"}", "E0008", "1:8", "invalid UTF-8: byte 0xFF"},
      {"t.yaml", "a: b\nc: \xC0\xAF\n", "E0008", "2:4", "invalid UTF-8"},  // overlong '/'
      {"t.yaml", "a: \xED\xA0\x80\n", "E0008", "1:4", "invalid UTF-8"},    // encoded surrogate
      {"t.yaml", "a: \xE2\x82\n", "E0008", "1:4", "invalid UTF-8"},        // truncated sequence
      {"t.yaml",
       "\xFF\xFE"
       "a\0:\0",
       "E0008", "1:1", "UTF-16"},
  };
  for (const auto& c : cases) CheckBad(c);
  // NUL bytes need an explicit length.
  auto p = ParseText(std::string("a: 1\nb: \0\n", 10));
  REQUIRE_FALSE(p->value);
  CHECK(p->first().code == "E0008");
  CHECK(LineCol(p->first().loc) == "2:4");
  CHECK_THAT(p->first().message, Catch::Contains("NUL byte"));
}

// ASCII is skipped eight bytes at a time: a bad byte at every offset around a word boundary,
// after valid multi-byte characters or not, is found at its own column.
TEST_CASE("invalid UTF-8 is found at every offset", "[unit][load][errors]") {
  for (const std::string lead : {"", "\xc3\xa9", "\xe2\x82\xac"})
    for (std::size_t before = 0; before <= 17; ++before)
      for (const std::string bad : {"\xff", "\xc0\xaf", "\xe2\x82"}) {
        const std::string prefix = "a: " + lead + std::string(before, 'x');
        auto p = ParseText(prefix + bad + "\n");
        INFO(prefix.size());
        REQUIRE_FALSE(p->value);
        CHECK(p->first().code == "E0008");
        CHECK(LineCol(p->first().loc) == "1:" + std::to_string(prefix.size() + 1));
        // And the same text without the bad byte reads.
        CHECK(ParseText(prefix + "\n")->value);
      }
}

TEST_CASE("a top level that is not a mapping is refused by LoadFile", "[unit][load][errors]") {
  struct Case {
    const char* name;
    const char* text;
    const char* kind;
  };
  const Case cases[] = {{"t.yaml", "- a\n- b\n", "list"}, {"t.yaml", "just text\n", "string"},
                        {"t.yaml", "42\n", "number"},     {"t.json", "[1, 2]", "list"},
                        {"t.json", "\"x\"", "string"},    {"t.yaml", "true\n", "boolean"},
                        {"t.yaml", "~\n", "null"}};
  for (const auto& c : cases) {
    auto p = LoadText(c.text, c.name);
    INFO(c.text);
    REQUIRE_FALSE(p->value);
    CHECK(p->first().code == "E0008");
    CHECK(LineCol(p->first().loc) == "1:1");
    CHECK_THAT(p->first().message,
               Catch::Contains(std::string("must be a mapping, not a ") + c.kind));
  }
}

TEST_CASE("a file starting with { that neither parser reads gets the error of its style",
          "[unit][load][errors]") {
  // Not JSON (unquoted keys) and too deep for YAML: the YAML error is the useful one.
  std::string deep;
  for (int i = 0; i < 300; ++i) deep += "{a: ";
  auto p = ParseText(deep + "1" + std::string(300, '}'), "t.template");
  REQUIRE_FALSE(p->value);
  CHECK(p->first().code == "E0004");
  // Valid JSON up to a late mistake: the JSON error is the useful one.
  auto q = ParseText("{\"a\": 1,\n \"b\": {\"c\": 1 \"d\": 2}}", "t.template");
  REQUIRE_FALSE(q->value);
  CHECK(q->first().code == "E0003");
  CHECK(LineCol(q->first().loc) == "2:15");
  CHECK_THAT(q->first().message, Catch::Contains("expected ',' or '}'"));
}
