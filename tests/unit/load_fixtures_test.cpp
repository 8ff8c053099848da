// The files in tests/data/load through LoadFile, the path a user's template takes. The same
// files are replayed through the fuzz entry by tests/fuzz/replay_fuzz.cpp.
#include <catch2/catch.hpp>

#include "unit/load_test_util.hpp"

using cfnsplit::Value;
using namespace cfnsplit::testing;

namespace {

std::string Fixture(const std::string& name) {
  return std::string(CFNSPLIT_SOURCE_DIR) + "/tests/data/load/" + name;
}

}  // namespace

TEST_CASE("the all-short-forms fixture loads with every tag in long form", "[unit][load]") {
  auto p = LoadPath(Fixture("all_short_forms.yaml"));
  INFO(p->Rendered());
  REQUIRE(p->ok());
  const Value& root = *p->value;
  CHECK(root.Find("Resources")->size() == 3);
  CHECK(Dump(*At(root, {"Conditions", "Either"})) ==
        R"({Fn::Or:[{Condition:"IsProd"},{Condition:"IsDev"}]})");
  CHECK(Dump(*At(root, {"Rules", "ProdOnly", "Assertions", "1", "Assert"})) ==
        R"({Fn::EachMemberIn:[{Fn::ValueOfAll:["AWS::EC2::Subnet::Id","VpcId"]},)"
        R"({Fn::RefAll:"AWS::EC2::VPC::Id"}]})");
  const Value& props = *At(root, {"Resources", "Instance", "Properties"});
  CHECK(Dump(*props.Find("Listed")) ==
        R"({Fn::Sub:["${Name}-x",{Name:{Fn::GetAtt:["Child","Outputs.Name"]}}]})");
  CHECK(Dump(*props.Find("Cidr")) == R"({Fn::Cidr:[{Fn::GetAtt:["Vpc","CidrBlock"]},6,5]})");
  CHECK(props.Find("UserData")->IntrinsicName() == "Fn::Base64");
  CHECK(props.Find("Count")->IntrinsicName() == "Fn::Length");
  CHECK(props.Find("Json")->IntrinsicName() == "Fn::ToJsonString");
  CHECK(props.Find("Macro")->IntrinsicName() == "Fn::Transform");
  // Every node knows where it came from.
  CHECK(LineCol(props.Find("Macro")->loc()) == "52:14");
}

TEST_CASE("the JSON fixture loads with escapes decoded", "[unit][load]") {
  auto p = LoadPath(Fixture("template.json"));
  REQUIRE(p->ok());
  const Value* name = At(*p->value, {"Resources", "Queue", "Properties", "QueueName", "Fn::Sub"});
  REQUIRE(name != nullptr);
  CHECK(name->text() == "${AWS::StackName}-q\xC3\xA9");
  CHECK(At(*p->value, {"Resources", "Queue", "Properties", "DelaySeconds"})->is_number());
}

TEST_CASE("each bad fixture gives one located diagnostic", "[unit][load][errors]") {
  struct Case {
    const char* file;
    const char* code;
    const char* where;
    const char* fragment;
  };
  const Case cases[] = {
      {"bad_two_tags.yaml", "E0002", "4:25", "two tags on one node"},
      {"bad_tag_on_alias.yaml", "E0002", "5:23", "an alias cannot carry a tag"},
      {"bad_unknown_tag.yaml", "E0007", "4:12", "did you mean '!GetAtt'?"},
      {"bad_duplicate_key.json", "E0006", "4:5",
       "duplicate key 'A' in this mapping (first at line 3"},
      {"bad_lone_surrogate.json", "E0003", "1:46", "unpaired low surrogate"},
      {"bad_trailing.json", "E0003", "2:1", "unexpected content after the end"},
      {"bad_two_documents.yaml", "E0002", "2:1", "single YAML document"},
      {"bad_binary.yaml", "E0008", "3:1", "NUL byte"},
      {"bad_empty.yaml", "E0008", "1:1", "empty file"},
      {"bad_not_mapping.yaml", "E0008", "1:1", "must be a mapping, not a list"},
      {"bad_latin1.yaml", "E0008", "2:15", "invalid UTF-8: byte 0xE9"},
      {"bad_malformed.yaml", "E0002", "3:4", "YAML syntax"},
  };
  for (const auto& c : cases) {
    auto p = LoadPath(Fixture(c.file));
    INFO(c.file << "\n" << p->Rendered());
    REQUIRE_FALSE(p->value);
    REQUIRE(p->sink.error_count() == 1);
    CHECK(p->first().code == c.code);
    CHECK(LineCol(p->first().loc) == c.where);
    CHECK_THAT(p->first().message, Catch::Contains(c.fragment));
    // The rendered form is what the user sees: path:line:col: error: … [CODE] and a caret.
    std::string rendered = p->Rendered();
    CHECK_THAT(rendered, Catch::StartsWith(Fixture(c.file) + ":" + c.where + ": error: "));
    CHECK_THAT(rendered, Catch::Contains(std::string("[") + c.code + "]\n"));
  }
}
