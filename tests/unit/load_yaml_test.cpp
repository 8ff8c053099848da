// YAML loading: short-form tags, scalar typing, anchors, merge keys, block scalars, encodings.
// Locations get their own file (load_location_test.cpp); bad input is in load_errors_test.cpp.
#include <catch2/catch.hpp>

#include "unit/load_test_util.hpp"

using cfnsplit::Value;
using namespace cfnsplit::testing;

namespace {

// Parses `yaml` and returns the compact dump of the value under key `a` (or the error).
std::string DumpA(const std::string& yaml) {
  auto p = ParseText(yaml);
  if (!p->ok()) return "ERROR " + p->Rendered();
  const Value* a = p->value->Find("a");
  return a ? Dump(*a) : "MISSING";
}

}  // namespace

TEST_CASE("every short-form tag expands to its long form", "[unit][load][yaml]") {
  struct Case {
    const char* yaml;
    const char* expected;
  };
  const Case cases[] = {
      {"a: !Ref Bucket", R"({Ref:"Bucket"})"},
      {"a: !GetAtt Bucket.Arn", R"({Fn::GetAtt:["Bucket","Arn"]})"},
      // Only the first dot separates the resource: nested-stack outputs contain dots.
      {"a: !GetAtt Child.Outputs.Name", R"({Fn::GetAtt:["Child","Outputs.Name"]})"},
      {"a: !GetAtt [Bucket, Arn]", R"({Fn::GetAtt:["Bucket","Arn"]})"},
      {"a: !Sub 'arn:${AWS::Partition}:s3:::${B}'",
       R"({Fn::Sub:"arn:${AWS::Partition}:s3:::${B}"})"},
      {"a: !Sub ['${x}-y', {x: !Ref P}]", R"({Fn::Sub:["${x}-y",{x:{Ref:"P"}}]})"},
      {"a: !Join ['-', [a, b]]", R"({Fn::Join:["-",["a","b"]]})"},
      {"a: !Select [1, [a, b]]", R"({Fn::Select:[1,["a","b"]]})"},
      {"a: !Split [',', 'a,b']", R"({Fn::Split:[",","a,b"]})"},
      {"a: !If [C, x, y]", R"({Fn::If:["C","x","y"]})"},
      {"a: !Equals [x, y]", R"({Fn::Equals:["x","y"]})"},
      {"a: !And [!Condition A, !Condition B]", R"({Fn::And:[{Condition:"A"},{Condition:"B"}]})"},
      {"a: !Or [!Condition A, !Condition B]", R"({Fn::Or:[{Condition:"A"},{Condition:"B"}]})"},
      {"a: !Not [!Condition A]", R"({Fn::Not:[{Condition:"A"}]})"},
      {"a: !Condition IsProd", R"({Condition:"IsProd"})"},
      {"a: !FindInMap [M, K1, K2]", R"({Fn::FindInMap:["M","K1","K2"]})"},
      {"a: !Base64 text", R"({Fn::Base64:"text"})"},
      {"a: !Cidr ['10.0.0.0/16', 6, 5]", R"({Fn::Cidr:["10.0.0.0/16",6,5]})"},
      {"a: !GetAZs ''", R"({Fn::GetAZs:""})"},
      {"a: !GetAZs us-east-1", R"({Fn::GetAZs:"us-east-1"})"},
      {"a: !ImportValue SharedVpc", R"({Fn::ImportValue:"SharedVpc"})"},
      {"a: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}",
       R"({Fn::Transform:{Name:"AWS::Include",Parameters:{Location:"s3://b/k"}}})"},
      {"a: !Length [1, 2]", R"({Fn::Length:[1,2]})"},
      {"a: !ToJsonString {k: v}", R"({Fn::ToJsonString:{k:"v"}})"},
  };
  for (const auto& c : cases) {
    INFO(c.yaml);
    CHECK(DumpA(c.yaml) == c.expected);
  }
}

TEST_CASE("a tag with no value is the function applied to an empty string", "[unit][load][yaml]") {
  // PyYAML (the AWS CLIs) reads `!GetAZs` alone as the tagged scalar "".
  CHECK(DumpA("a: !GetAZs\nb: 1\n") == R"({Fn::GetAZs:""})");
  CHECK(DumpA("a: [!GetAZs , x]") == R"([{Fn::GetAZs:""},"x"])");
}

TEST_CASE("short forms nest inside lists and maps", "[unit][load][yaml]") {
  CHECK(DumpA("a: !Select [0, !GetAZs '']") == R"({Fn::Select:[0,{Fn::GetAZs:""}]})");
  CHECK(DumpA("a: !Join ['', [!Ref A, !GetAtt B.Arn]]") ==
        R"({Fn::Join:["",[{Ref:"A"},{Fn::GetAtt:["B","Arn"]}]]})");
  CHECK(DumpA("a:\n  Fn::Base64: !Sub |\n    echo ${AWS::Region}\n") ==
        "{Fn::Base64:{Fn::Sub:\"echo ${AWS::Region}\n\"}}");
  CHECK(DumpA("a: !If\n  - C\n  - !Ref X\n  - !Ref AWS::NoValue\n") ==
        R"({Fn::If:["C",{Ref:"X"},{Ref:"AWS::NoValue"}]})");
  CHECK(DumpA("a: !Cidr [!Select [0, !GetAZs ''], 6, 5]") ==
        R"({Fn::Cidr:[{Fn::Select:[0,{Fn::GetAZs:""}]},6,5]})");
  CHECK(DumpA("a:\n  Tags:\n    - Key: k\n      Value: !Sub '${AWS::StackName}-x'\n") ==
        R"({Tags:[{Key:"k",Value:{Fn::Sub:"${AWS::StackName}-x"}}]})");
}

TEST_CASE("plain and quoted scalars resolve the way CloudFormation needs", "[unit][load][yaml]") {
  auto kind_and_text = [](const std::string& scalar) {
    auto p = ParseText("a: " + scalar + "\n");
    REQUIRE(p->ok());
    const Value& a = *p->value->Find("a");
    return std::string(cfnsplit::KindName(a.kind())) + " " + a.text();
  };
  CHECK(kind_and_text("123") == "number 123");
  CHECK(kind_and_text("-1.5e3") == "number -1.5e3");
  CHECK(kind_and_text("'123'") == "string 123");
  CHECK(kind_and_text("\"123\"") == "string 123");
  // An account id must keep its leading zero.
  CHECK(kind_and_text("012345678901") == "string 012345678901");
  CHECK(kind_and_text("yes") == "string yes");
  CHECK(kind_and_text("no") == "string no");
  CHECK(kind_and_text("true") == "boolean true");
  CHECK(kind_and_text("False") == "boolean false");
  CHECK(kind_and_text("'true'") == "string true");
  CHECK(kind_and_text("~") == "null ");
  CHECK(kind_and_text("null") == "null ");
  CHECK(kind_and_text("") == "null ");
  CHECK(kind_and_text("'~'") == "string ~");
  CHECK(kind_and_text("0x1F") == "string 0x1F");
  CHECK(kind_and_text(".inf") == "string .inf");
  CHECK(kind_and_text("1.2.3") == "string 1.2.3");
  CHECK(kind_and_text("!!str 42") == "string 42");
  CHECK(kind_and_text("!!int 42") == "number 42");
  CHECK(kind_and_text("2010-09-09") == "string 2010-09-09");
}

TEST_CASE("block scalars keep YAML's folding and chomping", "[unit][load][yaml]") {
  const std::string yaml =
      "literal: |\n  line 1\n  line 2\n\n"
      "strip: |-\n  x\n  y\n\n"
      "keep: |+\n  k\n\n"
      "folded: >\n  p\n  q\n\n  r\n"
      "folded_strip: >-\n  p\n  q\n"
      "after: end\n";
  auto p = ParseText(yaml);
  REQUIRE(p->ok());
  const Value& v = *p->value;
  CHECK(v.Find("literal")->text() == "line 1\nline 2\n");
  CHECK(v.Find("strip")->text() == "x\ny");
  CHECK(v.Find("keep")->text() == "k\n\n");
  CHECK(v.Find("folded")->text() == "p q\nr\n");
  CHECK(v.Find("folded_strip")->text() == "p q");
  CHECK(v.Find("after")->text() == "end");
  CHECK(v.Find("literal")->is_string());
}

TEST_CASE("anchors and aliases copy the anchored node", "[unit][load][yaml]") {
  auto p = ParseText(
      "common: &tags [{Key: team, Value: core}]\n"
      "a:\n  Tags: *tags\n  Env: &env prod\n  Again: *env\n");
  REQUIRE(p->ok());
  CHECK(Dump(*p->value->Find("a")) ==
        R"({Tags:[{Key:"team",Value:"core"}],Env:"prod",Again:"prod"})");
  // The alias's own node points at the alias, where the user wrote it.
  CHECK(LineCol(p->value->Find("a")->Find("Tags")->loc()) == "3:9");
}

TEST_CASE("merge keys add entries the map does not set itself", "[unit][load][yaml]") {
  SECTION("an explicit key overrides the merged one, before or after the merge") {
    CHECK(DumpA("base: &b {x: 1, y: 2}\na:\n  <<: *b\n  x: 3\n") == "{y:2,x:3}");
    CHECK(DumpA("base: &b {x: 1, y: 2}\na:\n  x: 3\n  <<: *b\n") == "{x:3,y:2}");
  }
  SECTION("a list of maps merges in order, the first one winning") {
    CHECK(DumpA("b: &b {x: 1}\nc: &c {x: 2, z: 3}\na:\n  <<: [*b, *c]\n  w: 4\n") ==
          "{x:1,z:3,w:4}");
  }
  SECTION("an explicit key is still a duplicate of another explicit key") {
    auto p = ParseText("b: &b {x: 1}\na:\n  <<: *b\n  x: 2\n  x: 3\n");
    REQUIRE_FALSE(p->ok());
    CHECK(p->first().code == "E0006");
    CHECK(LineCol(p->first().loc) == "5:3");
  }
}

TEST_CASE("comments, flow style, a byte-order mark and CRLF line ends", "[unit][load][yaml]") {
  CHECK(DumpA("# header\na: # why\n  - 1 # one\n  # between\n  - 2\n") == "[1,2]");
  CHECK(DumpA("a: {k: [1, {m: n}], 'q': \"r\"}") == R"({k:[1,{m:"n"}],q:"r"})");
  auto bom = ParseText(
      "\xEF\xBB\xBF"
      "a: 1\n");
  REQUIRE(bom->ok());
  CHECK(Dump(*bom->value) == "{a:1}");
  CHECK(LineCol(bom->value->keys()[0].loc) == "1:1");  // columns do not count the mark
  auto crlf = ParseText("a:\r\n  b: !Ref X\r\n  c: |\r\n    t\r\n");
  REQUIRE(crlf->ok());
  CHECK(Dump(*crlf->value) == "{a:{b:{Ref:\"X\"},c:\"t\n\"}}");
  CHECK(LineCol(crlf->value->Find("a")->Find("b")->loc()) == "2:6");
}

TEST_CASE("a document may start with --- and end with ...", "[unit][load][yaml]") {
  CHECK(DumpA("%YAML 1.2\n---\na: 1\n...\n") == "1");
  CHECK(DumpA("---\na: [x]\n") == R"(["x"])");
}

TEST_CASE("LongFormOfTag maps every CloudFormation short form", "[unit][load][yaml]") {
  CHECK(cfnsplit::LongFormOfTag("!Ref") == "Ref");
  CHECK(cfnsplit::LongFormOfTag("!Condition") == "Condition");
  CHECK(cfnsplit::LongFormOfTag("!GetAZs") == "Fn::GetAZs");
  CHECK(cfnsplit::LongFormOfTag("!ToJsonString") == "Fn::ToJsonString");
  CHECK(cfnsplit::LongFormOfTag("!Nope") == "");
  CHECK(cfnsplit::LongFormOfTag("Ref") == "");
}

TEST_CASE("a YAML file that opens with a flow mapping loads as YAML", "[unit][load][yaml]") {
  auto p = ParseText("{a: !Ref X, b: [1, 2]}\n", "t.yaml");
  REQUIRE(p->ok());
  CHECK(Dump(*p->value) == R"({a:{Ref:"X"},b:[1,2]})");
}

TEST_CASE("only plain scalars in JSON number syntax become numbers", "[unit][load][yaml]") {
  for (const char* number : {"0", "-0", "7", "-12", "3.25", "1e5", "1E+5", "-2.5e-3", "10"}) {
    INFO(number);
    CHECK(DumpA(std::string("a: ") + number) == number);
  }
  const std::string too_long(64, '1');  // longer than any number a template needs
  for (std::string text : {"-x", "01", "1.", ".5", "1e", "1e+", "+1", "1_000", "0x10", "1.2.3",
                           "--1", "1 2", "0o7", "-.5", ".nan", too_long.c_str()}) {
    INFO(text);
    CHECK(DumpA(std::string("a: ") + text) == std::string("\"") + text + "\"");
  }
}
