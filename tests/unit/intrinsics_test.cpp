// The syntax layer of intrinsic functions (intrinsics.hpp): every reference form, read once for
// the model, the emitter and verify.
#include "cfnsplit/intrinsics.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "cfnsplit/load.hpp"
#include "support/text_run.hpp"

using namespace cfnsplit;
using syntax::RefForm;

namespace {

Value Parse(const std::string& yaml) {
  SourceManager sources;
  DiagnosticSink sink;
  auto v = ParseDocument(sources.Add("v.yaml", yaml), sources, sink);
  REQUIRE(v);
  return std::move(*v);
}

// Every reference in `yaml` as "Form:target[.attribute]".
std::vector<std::string> Refs(const std::string& yaml) {
  static const char* kNames[] = {"Ref", "GetAtt", "Sub", "Condition", "FindInMap", "ImportValue"};
  std::vector<std::string> out;
  syntax::ForEachReference(Parse(yaml), [&](const syntax::WrittenRef& r) {
    out.push_back(std::string(kNames[static_cast<int>(r.form)]) + ":" + std::string(r.target) +
                  (r.attribute.empty() ? "" : "." + std::string(r.attribute)));
  });
  return out;
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("ForEachReference: Ref and both GetAtt spellings", "[unit][intrinsics]") {
  CHECK(Refs("A: !Ref Bucket") == Names{"Ref:Bucket"});
  CHECK(Refs("A: !Ref AWS::Region") == Names{"Ref:AWS::Region"});
  // The string form splits at the first dot, as the AWS CLIs do.
  CHECK(Refs("A: !GetAtt Stack.Outputs.Arn") == Names{"GetAtt:Stack.Outputs.Arn"});
  CHECK(Refs("A: {Fn::GetAtt: [Role, Arn]}") == Names{"GetAtt:Role.Arn"});
  // A computed attribute is "?" and its operand is walked first.
  CHECK(Refs("A: {Fn::GetAtt: [Role, !Ref AttrName]}") == Names{"Ref:AttrName", "GetAtt:Role.?"});
  // A computed logical ID has no static target; the expression is still walked.
  CHECK(Refs("A: {Fn::GetAtt: [!Sub '${Name}Role', Arn]}") == Names{"Sub:Name"});
}

TEST_CASE("ForEachReference: Fn::Sub variables", "[unit][intrinsics]") {
  CHECK(Refs("A: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}/${Fn.Arn}'") ==
        Names{"Sub:AWS::Partition", "Sub:Bucket", "Sub:Fn.Arn"});
  // ${!Literal} and ${} are text; spaces inside ${ } are trimmed.
  CHECK(Refs("A: !Sub '${!Literal} ${} ${ Spaced }'") == Names{"Sub:Spaced"});
  // Variables the Sub binds are no references; their values are, and come first.
  CHECK(Refs("A: {Fn::Sub: ['${X}-${Y}', {X: !Ref Param}]}") == Names{"Ref:Param", "Sub:Y"});
  CHECK(syntax::SplitSubVariable("Res.Attr.Deep") ==
        std::pair<std::string, std::string>{"Res", "Attr.Deep"});
  CHECK(syntax::SplitSubVariable("AWS::URLSuffix") ==
        std::pair<std::string, std::string>{"AWS::URLSuffix", ""});
}

TEST_CASE("ForEachReference: conditions, mappings, imports and nesting", "[unit][intrinsics]") {
  CHECK(Refs("A: {Fn::If: [IsProd, !Ref Big, !Ref AWS::NoValue]}") ==
        Names{"Condition:IsProd", "Ref:Big", "Ref:AWS::NoValue"});
  CHECK(Refs("A: {Condition: IsProd}") == Names{"Condition:IsProd"});
  CHECK(Refs("A: {Fn::And: [{Condition: A}, {Fn::Not: [{Condition: B}]}]}") ==
        Names{"Condition:A", "Condition:B"});
  CHECK(Refs("A: {Fn::FindInMap: [Sizes, !Ref AWS::Region, Small]}") ==
        Names{"FindInMap:Sizes", "Ref:AWS::Region"});
  CHECK(Refs("A: {Fn::ImportValue: shared-vpc}") == Names{"ImportValue:shared-vpc"});
  CHECK(Refs("A: {Fn::ImportValue: !Sub '${Env}-vpc'}") == Names{"ImportValue:?", "Sub:Env"});
  CHECK(Refs("A: {Fn::Join: ['', [!Ref X, {Fn::Select: [0, !GetAZs '']}, !GetAtt Y.Z]]}") ==
        Names{"Ref:X", "GetAtt:Y.Z"});
}

TEST_CASE("malformed calls are skipped whole and say why", "[unit][intrinsics]") {
  CHECK(Refs("A: {Fn::If: [IsProd, !Ref Big]}").empty());
  CHECK(Refs("A: {Fn::GetAtt: NoDot}").empty());
  Value bad_if = Parse("[IsProd, a]");
  CHECK(syntax::CallShapeProblem("Fn::If", bad_if) ==
        "Fn::If takes [ConditionName, ValueIfTrue, ValueIfFalse], got a list of 2");
  CHECK(syntax::CallShapeProblem("Ref", Parse("[a]")) == "Ref takes a name (string), got a list");
  CHECK(syntax::CallShapeProblem("Ref", Parse("''")) == "Ref takes a name, got an empty value");
  CHECK(Refs("A: !Ref").empty());
  CHECK(syntax::CallShapeProblem("Fn::Sub", Parse("[a, b]")) ==
        "Fn::Sub's variables must be a mapping");
  CHECK(syntax::CallShapeProblem("Fn::Select", Parse("[0, [a]]")).empty());
}

TEST_CASE("the model reads references through the same layer", "[unit][intrinsics]") {
  auto l = cfnsplit::testing::Model(
      "Conditions:\n  IsProd: {Condition: Other}\n  Other: {Fn::Equals: [a, b]}\n"
      "Resources:\n"
      "  Bucket: {Type: AWS::S3::Bucket}\n"
      "  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n"
      "      Role: {Fn::If: [IsProd, !GetAtt Bucket.Arn, !Sub '${Bucket.Arn}/${!x}']}\n");
  REQUIRE(l->model);
  std::vector<std::string> seen;
  for (const Reference& r : l->model->references)
    if (r.from == "Fn")
      seen.push_back(std::string(RefKindName(r.kind)) + ":" + r.to + "." + r.attribute + "@" +
                     r.path);
  CHECK(seen == Names{"Condition:IsProd.@Properties.Role.Fn::If",
                      "GetAtt:Bucket.Arn@Properties.Role.Fn::If[1].Fn::GetAtt",
                      "Sub:Bucket.Arn@Properties.Role.Fn::If[2].Fn::Sub"});
  // A lighter walk (ReferenceDetail) records the same references, only without what it skips.
  const Value& fn = *l->model->FindResource("Fn")->def;
  std::vector<Reference> full, bare;
  ReferencesInto(fn, *l->model, full);
  ReferencesInto(fn, *l->model, bare, SiteKind::kResource, "", {false, false});
  REQUIRE(full.size() == 3);
  REQUIRE(bare.size() == full.size());
  for (std::size_t i = 0; i < full.size(); ++i) {
    CHECK(bare[i].kind == full[i].kind);
    CHECK(bare[i].to == full[i].to);
    CHECK(bare[i].attribute == full[i].attribute);
    CHECK(bare[i].loc == full[i].loc);
    CHECK(bare[i].target == TargetKind::kUnknown);
    CHECK(bare[i].path.empty());
    CHECK_FALSE(full[i].path.empty());
  }
  CHECK(full[1].target == TargetKind::kResource);
}

// IsIntrinsicName looks names up by the letter after "Fn::"; the answer must be the plain
// search of CloudFormation's list, for every list name, its near misses and drawn strings.
TEST_CASE("IsIntrinsicName answers as a search of the whole list", "[unit][intrinsics]") {
  // CloudFormation's intrinsic functions, and the rule functions.
  std::istringstream list(
      "Ref Condition Fn::And Fn::Base64 Fn::Cidr Fn::Equals Fn::FindInMap Fn::ForEach Fn::GetAtt "
      "Fn::GetAZs Fn::If Fn::ImportValue Fn::Join Fn::Length Fn::Not Fn::Or Fn::Select Fn::Split "
      "Fn::Sub Fn::ToJsonString Fn::Transform Fn::GetStackOutput Fn::Contains "
      "Fn::EachMemberEquals Fn::EachMemberIn Fn::RefAll Fn::ValueOf Fn::ValueOfAll");
  const std::vector<std::string> names{std::istream_iterator<std::string>(list),
                                       std::istream_iterator<std::string>()};
  REQUIRE(names.size() == 28);
  auto by_search = [&](const std::string& s) {
    return std::find(names.begin(), names.end(), s) != names.end() ||
           s.rfind("Fn::ForEach::", 0) == 0;
  };
  std::vector<std::string> probes = {"",
                                     "R",
                                     "Re",
                                     "Ref ",
                                     "ref",
                                     "Fn::",
                                     "Fn:",
                                     "Fn::a",
                                     "Fn::ForEach::",
                                     "Fn::ForEach::Loop",
                                     "Fn::ForEach:",
                                     "Fn::[",
                                     "Fn::@",
                                     "Fn::\xff",
                                     "Conditions",
                                     "Fn::IfX"};
  for (const std::string& n : names) {
    probes.push_back(n);
    probes.push_back(n.substr(0, n.size() - 1));
    probes.push_back(n + "s");
    std::string lower = n;
    lower[lower.size() - 1] = static_cast<char>(lower.back() ^ 0x20);
    probes.push_back(lower);
  }
  std::uint64_t seed = 7;
  const std::string alphabet = "Fn:RefCondiAtGSubJIOTV";
  for (int i = 0; i < 20000; ++i) {
    std::string s = i % 2 ? "Fn::" : "";
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    std::size_t len = (seed >> 33) % 8;
    for (std::size_t k = 0; k < len; ++k) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      s += alphabet[(seed >> 33) % alphabet.size()];
    }
    probes.push_back(s);
  }
  std::size_t intrinsic = 0;
  for (const std::string& p : probes) {
    INFO(p);
    REQUIRE(IsIntrinsicName(p) == by_search(p));
    intrinsic += by_search(p);
  }
  CHECK(intrinsic >= names.size());
}
