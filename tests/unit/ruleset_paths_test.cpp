// PathMatches: the dotted-path patterns of rules/*.yaml (own-stack contexts, same-template rules).
#include <catch2/catch.hpp>

#include "cfnsplit/ruleset.hpp"

using cfnsplit::PathMatches;

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
