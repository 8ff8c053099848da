// PathMatches: the dotted-path patterns of rules/*.yaml (own-stack contexts, same-template rules).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "cfnsplit/load.hpp"
#include "cfnsplit/ruleset.hpp"
#include "support/temp_dir.hpp"

using cfnsplit::PathMatches;
using cfnsplit::RuleSet;

TEST_CASE("rule paths match segment by segment, a pattern matching every longer path",
          "[unit][ruleset]") {
  CHECK(PathMatches("Properties.UserData", "Properties.UserData"));
  CHECK(PathMatches("Properties.UserData", "Properties.UserData.Fn::Base64"));
  CHECK_FALSE(PathMatches("Properties.UserData", "Properties"));
  CHECK_FALSE(PathMatches("Properties.UserData", "Properties.UserDataX"));
  CHECK_FALSE(PathMatches("Properties.UserData", "Properties.User"));
  CHECK(PathMatches("Properties.Events.*.Properties.RestApiId",
                    "Properties.Events.Get.Properties.RestApiId"));
  CHECK_FALSE(PathMatches("Properties.Events.*.Properties.RestApiId", "Properties.Events.Get"));
  CHECK(PathMatches("Metadata.AWS::CloudFormation::Init", "Metadata.AWS::CloudFormation::Init.x"));
  CHECK_FALSE(PathMatches("Metadata.AWS::CloudFormation::Init", "Metadata.AWS::CloudFormation"));
  CHECK(PathMatches("*", "anything.at.all"));
  CHECK_FALSE(PathMatches("a..b", "a.b"));
  CHECK(PathMatches("a..b", "a..b"));
}

// The walkers (emitter, verify) step a cursor key by key; the answer must be the one the joined
// path gives: some prefix of it matches some pattern.
TEST_CASE("the own-stack cursor answers as PathMatches on every prefix", "[unit][rules]") {
  RuleSet rules;
  rules.SetOwnStackContexts({"Properties.UserData", "Properties.LaunchTemplateData.UserData",
                             "Metadata.AWS::CloudFormation::Init", "Properties.*.Code", "a..b",
                             "*.Deep.*.Deeper.Deepest", "Tags.*x.Value"});
  const std::vector<std::string> keys = {"Properties",
                                         "UserData",
                                         "LaunchTemplateData",
                                         "Metadata",
                                         "AWS::CloudFormation::Init",
                                         "Code",
                                         "a",
                                         "",
                                         "b",
                                         "Deep",
                                         "Deeper",
                                         "Deepest",
                                         "x",
                                         "*x",
                                         "*",
                                         "Tags",
                                         "Value"};
  std::mt19937 rng(7);
  int inside = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    RuleSet::ContextCursor at = rules.OwnStackRoot();
    std::string joined;
    bool expected = false;
    int depth = 1 + static_cast<int>(rng() % 6);
    for (int d = 0; d < depth; ++d) {
      const std::string& key = keys[rng() % keys.size()];
      joined += (d ? "." : "") + key;
      for (const auto& p : rules.own_stack_contexts())
        expected = expected || PathMatches(p, joined);
      at = rules.EnterOwnStackContext(at, key);
      INFO(joined);
      REQUIRE(at.inside == expected);
      if (!at.open() && !at.inside) {
        // No pattern is live: no longer path can match.
        for (const auto& p : rules.own_stack_contexts())
          REQUIRE_FALSE(PathMatches(p, joined + ".Properties.UserData"));
      }
    }
    inside += expected;
  }
  CHECK(inside > 100);  // the draw reaches the contexts, not only misses
  // A key with a dot in it is one key, never two segments of a pattern.
  RuleSet::ContextCursor dotted =
      rules.EnterOwnStackContext(rules.OwnStackRoot(), "Properties.UserData");
  CHECK_FALSE(dotted.inside);
  CHECK_FALSE(rules.EnterOwnStackContext(dotted, "UserData").inside);
  CHECK_FALSE(RuleSet{}.OwnStackRoot().open());
}

TEST_CASE("more own-stack contexts than the cursor holds are refused at load", "[unit][rules]") {
  cfnsplit::testing::TempDir tmp;
  auto dir = tmp.path() / "rules";
  std::filesystem::create_directories(dir);
  for (const auto& f : cfnsplit::EmbeddedRuleFiles()) {
    std::string text = f.text;
    if (std::string(f.name) == "wiring.yaml") {
      std::string more;
      for (std::size_t i = 0; i < RuleSet::kMaxOwnStackContexts; ++i)
        more +=
            "  - path: Properties.P" + std::to_string(i) + "\n    source: https://example.com\n";
      const std::string anchor = "own_stack_contexts:\n";
      REQUIRE(text.find(anchor) != std::string::npos);
      text.insert(text.find(anchor) + anchor.size(), more);
    }
    std::ofstream(dir / f.name, std::ios::binary) << text;
  }
  cfnsplit::SourceManager sources;
  cfnsplit::DiagnosticSink sink;
  CHECK_FALSE(cfnsplit::LoadRuleSet(dir.string(), sources, sink));
  bool said = false;
  for (const auto& d : sink.diagnostics())
    said = said || d.message.find("own-stack contexts") != std::string::npos;
  CHECK(said);
}

// ForEachNamedLogicalId reads a rule's dotted path segment by segment in place: `*` matches any
// key, lists are looked through, a function call is no plain ID, an empty segment is a key "".
TEST_CASE("logical IDs are found at a rule's path", "[unit][rules]") {
  RuleSet rules;
  auto rule = [](std::string type, std::string path) {
    cfnsplit::SameTemplateRule r;
    r.type = std::move(type);
    r.path = std::move(path);
    r.logical_id = true;
    return r;
  };
  rules.same_template = {rule("AWS::Serverless::Connector", "Properties.Source.Id"),
                         rule("AWS::Serverless::Connector", "Properties.Destination.Id"),
                         rule("*", "Metadata.SamConnectors.*.Properties.Destination.Id"),
                         rule("*", "Odd..Key"), rule("Other::Type", "Properties.Source.Id")};
  rules.same_template.push_back(rule("AWS::Serverless::Connector", "Properties.Plain"));
  rules.same_template.back().logical_id = false;  // a Ref rule: not asked here
  cfnsplit::SourceManager sources;
  cfnsplit::DiagnosticSink sink;
  auto def = cfnsplit::ParseDocument(sources.Add("c.yaml", R"(
Type: AWS::Serverless::Connector
Properties:
  Source: {Id: Fn}
  Destination: [{Id: TableA}, {Id: !Ref NotPlain}, {Id: TableB}, {Type: x}]
  Plain: {Id: NotAsked}
Metadata:
  SamConnectors:
    First: {Properties: {Destination: {Id: Queue}}}
    Second: {Properties: {Destination: [{Id: Topic}]}}
Odd:
  "": {Key: Empty}
)"),
                                     sources, sink);
  REQUIRE(def);
  std::vector<std::string> found;
  rules.ForEachNamedLogicalId("AWS::Serverless::Connector", *def,
                              [&](const std::string& id, const cfnsplit::SameTemplateRule& r) {
                                found.push_back(id + "@" + r.path);
                              });
  CHECK(found == std::vector<std::string>{
                     "Fn@Properties.Source.Id", "TableA@Properties.Destination.Id",
                     "TableB@Properties.Destination.Id",
                     "Queue@Metadata.SamConnectors.*.Properties.Destination.Id",
                     "Topic@Metadata.SamConnectors.*.Properties.Destination.Id", "Empty@Odd..Key"});
}
