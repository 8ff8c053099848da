// Writer tests: JSON and YAML text must read back through cfnsplit's own loaders to an equal tree.
#include "cfnsplit/writer.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "cfnsplit/load.hpp"

using namespace cfnsplit;

namespace {

Value Parse(const std::string& path, const std::string& text) {
  SourceManager sources;
  DiagnosticSink sink;
  std::uint32_t id = sources.Add(path, text);
  auto v = path.size() > 5 && path.substr(path.size() - 5) == ".json"
               ? ParseJson(id, sources, sink)
               : ParseYaml(id, sources, sink);
  INFO(text);
  for (const auto& d : sink.diagnostics()) INFO(FormatDiagnostic(d, sources));
  REQUIRE(v);
  return *v;
}

void CheckRoundTrips(const Value& v) {
  std::string yaml = WriteYaml(v);
  Value back = Parse("t.yaml", yaml);
  INFO(yaml);
  CHECK(back.Equals(v));
  std::string json = WriteJson(v);
  Value back_json = Parse("t.json", json);
  INFO(json);
  CHECK(back_json.Equals(v));
  CHECK(WriteYaml(back) == yaml);  // a fixed point: writing what was read changes nothing
}

Value Str(const std::string& s) { return Value::String(s); }

}  // namespace

TEST_CASE("WriteJson escapes strings and keeps numbers and key order", "[unit][writer]") {
  Value m = Value::Map();
  m.AppendEntry("z", Value::Number("1.50e+3"));
  m.AppendEntry("a", Str("quote \" backslash \\ newline \n tab \t bell \x07 é"));
  m.AppendEntry("l", Value::List());
  m.AppendEntry("e", Value::Map());
  m.AppendEntry("n", Value::Null());
  m.AppendEntry("b", Value::Bool(false));
  std::string out = WriteJson(m);
  CHECK(out ==
        "{\n  \"z\": 1.50e+3,\n  \"a\": \"quote \\\" backslash \\\\ newline \\n tab \\t bell "
        "\\u0007 é\",\n  \"l\": [],\n  \"e\": {},\n  \"n\": null,\n  \"b\": false\n}\n");
  std::string compact = WriteJson(m, 0);
  CHECK(compact.find('\n') == compact.size() - 1);
  CheckRoundTrips(m);
}

// Line breaks and indents come from a ready-made run of 256 spaces; deeper lines are filled.
TEST_CASE("WriteJson indents every depth, past its run of spaces too", "[unit][writer]") {
  constexpr int kDepth = 140;  // 280 spaces at the deepest line with an indent of 2
  Value v = Str("leaf");
  for (int i = 0; i < kDepth; ++i) {
    Value list = Value::List();
    list.Append(std::move(v));
    v = std::move(list);
  }
  const std::string out = WriteJson(v, 2);
  std::string expected;
  for (int d = 0; d < kDepth; ++d) expected += (d ? "\n" + std::string(2 * d, ' ') : "") + "[";
  expected += "\n" + std::string(2 * kDepth, ' ') + "\"leaf\"";
  for (int d = kDepth - 1; d >= 0; --d) expected += "\n" + std::string(2 * d, ' ') + "]";
  CHECK(out == expected + "\n");
  CHECK(WriteJson(v, 0) == std::string(kDepth, '[') + "\"leaf\"" + std::string(kDepth, ']') + "\n");
}

// JsonQuote scans eight bytes at a time; every byte value at every offset of a word must come
// out as the plain one-character-at-a-time escaper writes it.
TEST_CASE("JsonQuote escapes every byte wherever it falls in a word", "[unit][writer]") {
  auto reference = [](const std::string& s) {
    std::string out = "\"";
    for (char ch : s) {
      auto c = static_cast<unsigned char>(ch);
      const char* named = c == '"'    ? "\\\""
                          : c == '\\' ? "\\\\"
                          : c == '\b' ? "\\b"
                          : c == '\f' ? "\\f"
                          : c == '\n' ? "\\n"
                          : c == '\r' ? "\\r"
                          : c == '\t' ? "\\t"
                                      : nullptr;
      char buf[8];
      if (!named && c < 0x20) std::snprintf(buf, sizeof buf, "\\u%04x", c), named = buf;
      if (named)
        out += named;
      else
        out += ch;
    }
    return out + "\"";
  };
  for (int byte = 0; byte < 256; ++byte)
    for (std::size_t at = 0; at < 19; ++at) {
      std::string s(19, 'a');
      s[at] = static_cast<char>(byte);
      for (std::size_t len : {at + 1, std::size_t{19}}) {
        std::string t = s.substr(0, len);
        INFO("byte " << byte << " at " << at << " of " << len);
        REQUIRE(JsonQuote(t) == reference(t));
      }
    }
  CHECK(JsonQuote("") == "\"\"");
  CHECK(JsonQuote(std::string("\x7f\xff\x80 \x1f", 5)) == "\"\x7f\xff\x80 \\u001f\"");
}

TEST_CASE("WriteYaml quotes strings YAML 1.1 would read as something else", "[unit][writer]") {
  for (const char* s : {"yes",
                        "No",
                        "ON",
                        "off",
                        "y",
                        "n",
                        "true",
                        "False",
                        "null",
                        "~",
                        "",
                        "012345678901",
                        "1e3",
                        "0x1F",
                        ".5",
                        "-1",
                        "+1",
                        "1_000",
                        "1:20",
                        ".inf",
                        "2010-09-09",
                        "<<",
                        "=",
                        "- item",
                        "a: b",
                        "a #c",
                        "ends:",
                        " lead",
                        "trail ",
                        "#x",
                        "&a",
                        "*a",
                        "!x",
                        "|x",
                        ">x",
                        "'q'",
                        "\"dq\"",
                        "%x",
                        "@x",
                        "`x",
                        "[x]",
                        "{x}",
                        "a,b",
                        "tab\there",
                        "cr\rhere",
                        "nul\x01",
                        "\xE2\x80\xA8sep",
                        "\xEF\xBB\xBF"
                        "bom",
                        "ünï"}) {
    Value m = Value::Map();
    m.AppendEntry("K", Str(s));
    m.AppendEntry(s, Str("key test"));
    Value l = Value::List();
    l.Append(Str(s));
    l.Append(Str("x"));
    m.AppendEntry("L", l);
    INFO("string: " << s);
    CheckRoundTrips(m);
  }
  Value m = Value::Map();
  m.AppendEntry("Account", Str("012345678901"));
  CHECK(WriteYaml(m) == "Account: '012345678901'\n");
}

TEST_CASE("WriteYaml writes short forms and never stacks two tags", "[unit][writer]") {
  std::string text = R"(AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  Both: !And [!Condition IsProd, !Not [!Equals [!Ref AWS::Region, us-east-1]]]
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt Role.Arn
      Child: !GetAtt Nested.Outputs.Value
      Computed: !GetAtt [Role, !Ref Attr]
      Long:
        Fn::GetAtt: Role.Arn
      UserData:
        Fn::Base64: !Sub "echo ${AWS::StackName}"
      Nested:
        Fn::Base64:
          Fn::Join: ["", [a, !Ref B]]
      Multi: !Sub |
        line one ${Bucket}
        line two
      Kept: !Sub
        - "${A}-${B.Arn}-${!Literal}"
        - A: !Ref Bucket
      Import:
        Fn::ImportValue: !Sub "${Stack}-Vpc"
      Sel: !Select [0, !GetAZs ""]
      If: !If [IsProd, !Ref AWS::NoValue, [1, 2]]
      Split: !Split [",", !Join [",", !Ref List]]
      Map: {FindInMap: !FindInMap [M, !Ref AWS::Region, Ami]}
      Cidr: !Cidr [10.0.0.0/16, 6, 5]
      Number: !Ref 12
      Xform: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}
      Json: !ToJsonString {a: 1}
      NotRef:
        Ref: [1, 2]
)";
  Value v = Parse("t.yaml", text);
  CheckRoundTrips(v);
  std::string out = WriteYaml(v);
  CHECK(out.find("Role: !GetAtt Role.Arn") != std::string::npos);
  CHECK(out.find("Fn::Base64: !Sub") != std::string::npos);
  CHECK(out.find("Fn::ImportValue: !Sub") != std::string::npos);
  CHECK(out.find("!Base64 !") == std::string::npos);
  CHECK(out.find("!ImportValue !") == std::string::npos);
  CHECK(out.find("IsProd: !Equals [!Ref Env, prod]") != std::string::npos);
  CHECK(out.find("Multi: !Sub |\n") != std::string::npos);
}

TEST_CASE("WriteYaml multi-line strings round trip exactly", "[unit][writer]") {
  for (const char* s : {"a\nb", "a\nb\n", "a\nb\n\n\n", "a\n\nb", "\nleading", " indented\nx",
                        "x\n  deeper\n", "x\n   \ny", "x\r\ny", "x\n\ty", "\n", "\n\n",
                        "---\n...\n", "# not a comment\n- not a list\n"}) {
    Value m = Value::Map();
    Value inner = Value::Map();
    inner.AppendEntry("Text", Str(s));
    Value l = Value::List();
    l.Append(Str(s));
    inner.AppendEntry("List", l);
    inner.AppendEntry("Sub", Value::Intrinsic("Fn::Sub", Str(s)));
    m.AppendEntry("Outer", inner);
    INFO("string: " << s);
    CheckRoundTrips(m);
  }
}

TEST_CASE("WriteYaml handles nesting of lists, maps and tagged collections", "[unit][writer]") {
  std::string text = R"({"A": [[1, [2, []]], {"k": {}}, [{"a": 1, "b": [{"c": {"Ref": "X"}}]}],
    {"Fn::If": ["C", {"Fn::If": ["D", [1], {"x": 1}]}, {"Ref": "AWS::NoValue"}]}],
    "B": {"Fn::Sub": ["${a}", {"a": {"Fn::Sub": ["${b}", {"b": {"Ref": "Y"}}]}}]},
    "C": {"Fn::Join": ["", [{"Fn::Base64": {"Fn::Sub": "x"}}, "y"]]},
    "D": [{"Fn::GetAtt": ["A.B", "C"]}, {"Fn::GetAtt": ["A", "B.C"]}],
    "E": {"Fn::Sub": 12}, "F": {"Fn::Base64": null}, "G": {"Condition": "X", "Other": 1},
    "Fn::ForEach::Loop": ["Id", ["a", "b"], {"R${Id}": {"Type": "T"}}],
    "H": [null, true, false, 1.5, -2, "long string with spaces that is rather long indeed and wide",
          "a", "b", "c", "d", "e", "f", "g", "h"]})";
  CheckRoundTrips(Parse("t.json", text));
}

TEST_CASE("Writers are deterministic", "[unit][writer]") {
  Value v = Parse("t.json", R"({"b": [1, {"c": "yes"}], "a": {"Ref": "X"}})");
  CHECK(WriteYaml(v) == WriteYaml(v));
  CHECK(WriteJson(v) == WriteJson(Parse("t.json", WriteJson(v))));
  CHECK(WriteYaml(v) == "b:\n  - 1\n  - c: 'yes'\na: !Ref X\n");
}
