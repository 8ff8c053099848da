// The quota table (rules/limits.yaml): loading, errors with their place, and that one entry is
// enough to add a quota the analysis and the plan check apply.
#include "cfnsplit/quotas.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "cfnsplit/analysis.hpp"
#include "cfnsplit/constraints.hpp"
#include "cfnsplit/ruleset.hpp"
#include "support/cli_run.hpp"
#include "support/temp_dir.hpp"
#include "support/text_run.hpp"

using namespace cfnsplit;
using cfnsplit::testing::BuiltinRules;

namespace {

using cfnsplit::testing::TempDir;

// A rules directory: the built-in files, with limits.yaml replaced by `limits_yaml`.
std::filesystem::path RulesDirWith(const TempDir& tmp, const std::string& limits_yaml) {
  auto dir = tmp.path() / "rules";
  std::filesystem::create_directories(dir);
  for (const auto& f : EmbeddedRuleFiles()) {
    std::ofstream out(dir / f.name, std::ios::binary);
    out << (std::string(f.name) == "limits.yaml" ? limits_yaml : std::string(f.text));
  }
  return dir;
}

std::string BuiltInLimitsYaml() {
  for (const auto& f : EmbeddedRuleFiles())
    if (std::string(f.name) == "limits.yaml") return f.text;
  return "";
}

// The first line of `text` that contains `needle` (1-based), or 0.
std::uint32_t LineOf(const std::string& text, const std::string& needle) {
  std::size_t at = text.find(needle);
  if (at == std::string::npos) return 0;
  return static_cast<std::uint32_t>(std::count(text.begin(), text.begin() + at, '\n') + 1);
}

const Diagnostic* FirstError(const DiagnosticSink& sink) {
  for (const auto& d : sink.diagnostics())
    if (d.code == "E0010") return &d;
  return nullptr;
}

}  // namespace

TEST_CASE("the built-in quota table is typed and in file order", "[unit][quotas]") {
  const QuotaTable& table = BuiltinRules().quotas;
  REQUIRE(table.size() >= 20);
  CHECK(table.begin()->key == "resources_per_stack");
  for (const Quota& q : table) {
    INFO(q.key);
    CHECK(!q.source.empty());
    CHECK(!q.label.empty());
    CHECK(q.loc.line > 0);
  }
  const Quota* resources = table.Find("resources_per_stack");
  REQUIRE(resources);
  CHECK(resources->measure == QuotaMeasure::kResources);
  CHECK(resources->scope == QuotaScope::kStack);
  CHECK(resources->budgeted);
  CHECK(table.Find(quota::kNestedOperationResources)->scope == QuotaScope::kNestedOperation);
  CHECK(table.BudgetedMeasures() ==
        std::vector<QuotaMeasure>{QuotaMeasure::kResources, QuotaMeasure::kOutputs,
                                  QuotaMeasure::kParameters, QuotaMeasure::kTemplateBytes,
                                  QuotaMeasure::kPackageBytes});
  CHECK(table.Limit(QuotaMeasure::kPackageBytes, {QuotaScope::kFunction}) == 262'144'000);
  CHECK(table.Limit(QuotaMeasure::kPackageBytes, {QuotaScope::kStack}) == UINT64_MAX);
  CHECK_THROWS_AS(table.Limit("no_such_quota"), std::out_of_range);
  LambdaLimits lambda = LambdaLimits::From(table);
  CHECK(lambda.unzipped_bytes == 262'144'000);
  CHECK(lambda.zipped_direct_upload_bytes == 52'428'800);
  CHECK(lambda.layers == 5);
  CHECK(lambda.image_bytes == 10'737'418'240ull);
  CHECK(lambda.tmp_max_mb == 10'240);
  CHECK(LambdaLimits::BuiltIn().unzipped_bytes == lambda.unzipped_bytes);
}

TEST_CASE("measure and scope names round-trip", "[unit][quotas]") {
  for (QuotaMeasure m :
       {QuotaMeasure::kNone, QuotaMeasure::kResources, QuotaMeasure::kParameters,
        QuotaMeasure::kOutputs, QuotaMeasure::kMappings, QuotaMeasure::kTemplateBytes,
        QuotaMeasure::kPackageBytes, QuotaMeasure::kNameLength, QuotaMeasure::kMappingAttributes,
        QuotaMeasure::kDynamicReferences})
    CHECK(ParseQuotaMeasure(QuotaMeasureName(m)) == m);
  for (QuotaScope s : {QuotaScope::kTemplate, QuotaScope::kStack, QuotaScope::kFunction,
                       QuotaScope::kNestedOperation})
    CHECK(ParseQuotaScope(QuotaScopeName(s)) == s);
  CHECK(!ParseQuotaMeasure("bytes"));
  CHECK(!ParseQuotaScope("account"));
}

TEST_CASE("a quota without a source is an error at its entry", "[unit][quotas]") {
  std::string yaml = BuiltInLimitsYaml();
  const std::string doomed =
      "    description: layers attached to one function\n"
      "    source: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html\n";
  REQUIRE(yaml.find(doomed) != std::string::npos);
  yaml.replace(yaml.find(doomed), doomed.size(),
               "    description: layers attached to one function\n");
  TempDir tmp;
  auto dir = RulesDirWith(tmp, yaml);
  SourceManager sources;
  DiagnosticSink sink;
  CHECK(!LoadRuleSet(dir.string(), sources, sink));
  const Diagnostic* d = FirstError(sink);
  REQUIRE(d);
  CHECK(d->message.find("'source'") != std::string::npos);
  REQUIRE(d->loc.known());
  CHECK(sources.path(d->loc.file) == (dir / "limits.yaml").string());
  CHECK(d->loc.line == LineOf(yaml, "- key: lambda_layers"));
  CHECK(d->loc.column == 5);
}

TEST_CASE("a missing required quota is an error at the quotas list", "[unit][quotas]") {
  std::string yaml = BuiltInLimitsYaml();
  yaml.replace(yaml.find("key: lambda_layers"), 18, "key: lambda_layer_count");
  TempDir tmp;
  auto dir = RulesDirWith(tmp, yaml);
  SourceManager sources;
  DiagnosticSink sink;
  CHECK(!LoadRuleSet(dir.string(), sources, sink));
  const Diagnostic* d = FirstError(sink);
  REQUIRE(d);
  CHECK(d->message == "rules define no quota 'lambda_layers'");
  REQUIRE(d->loc.known());
  CHECK(sources.path(d->loc.file) == (dir / "limits.yaml").string());
  CHECK(d->loc.line == LineOf(yaml, "- key: resources_per_stack"));
}

TEST_CASE("an unknown measure or scope is an error at that field", "[unit][quotas]") {
  std::string yaml = BuiltInLimitsYaml();
  yaml.replace(yaml.find("measure: mappings"), 17, "measure: mapping");
  yaml.replace(yaml.find("scope: nested_operation"), 23, "scope: nested");
  TempDir tmp;
  auto dir = RulesDirWith(tmp, yaml);
  SourceManager sources;
  DiagnosticSink sink;
  CHECK(!LoadRuleSet(dir.string(), sources, sink));
  std::vector<std::uint32_t> lines;
  for (const auto& d : sink.diagnostics())
    if (d.code == "E0010") lines.push_back(d.loc.line);
  // Each bad field where it is; then the two quotas it dropped are missing.
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == LineOf(yaml, "measure: mapping"));
  CHECK(lines[1] == LineOf(yaml, "scope: nested"));
}

namespace {

// The built-in rules plus a per-stack team quota of `value` resources.
RuleSet WithTeamQuota(std::uint64_t value) {
  RuleSet rules = BuiltinRules();
  Quota team;
  team.key = "team_resources_per_stack";
  team.label = "resources (team policy)";
  team.value = value;
  team.scope = QuotaScope::kStack;
  team.measure = QuotaMeasure::kResources;
  team.source = "test";
  rules.quotas.Put(team);
  return rules;
}

const char* kFiveTopics =
    "Resources:\n"
    "  A: {Type: AWS::SNS::Topic}\n  B: {Type: AWS::SNS::Topic}\n"
    "  C: {Type: AWS::SNS::Topic}\n  D: {Type: AWS::SNS::Topic}\n"
    "  E: {Type: AWS::SNS::Topic}\n";

}  // namespace

TEST_CASE("one table entry adds a quota to the analysis and the plan check", "[unit][quotas]") {
  RuleSet rules = WithTeamQuota(4);
  auto l = cfnsplit::testing::Model(kFiveTopics);
  REQUIRE(l->model);
  Analysis a = Analyze(*l->model, rules, 200, l->sink);
  const Diagnostic* over = l->Find("E3001");
  REQUIRE(over);
  CHECK(over->message.rfind("resources (team policy): 5 of 4", 0) == 0);
  CHECK(over->loc.line == 2);  // the Resources section
  // The packer's budget follows the smaller of the two resource quotas.
  CHECK(Budget(rules, QuotaMeasure::kResources, 1.0) == 4);
  SplitPlan plan;
  plan.options.headroom = 1.0;
  StackPlan base;
  base.name = "Base";
  base.role = StackRole::kBase;
  base.resources = {"A", "B", "C", "D", "E"};
  plan.stacks.push_back(base);
  PlanCheck check = CheckPlan(a, plan, {}, rules);
  bool flagged = false;
  for (const auto& v : check.violations)
    flagged = flagged || (v.code == "E4007" &&
                          v.message.find("5 resources (team policy)") != std::string::npos);
  CHECK(flagged);
}

#ifdef CFNSPLIT_BINARY
TEST_CASE("--rules with a lowered Lambda limit changes the plan and the sizing", "[unit][quotas]") {
  // The ML sample's largest function ships 256.8 MB (244.9 MiB): 257,000,000 still admits it,
  // but leaves each stack a package budget of 231,300,000 bytes instead of 235,929,600.
  TempDir tmp;
  std::string yaml = BuiltInLimitsYaml();
  yaml.replace(yaml.find("value: 262144000"), 16, "value: 257000000");
  auto dir = RulesDirWith(tmp, yaml);
  const std::string plan =
      "plan samples/ml-service/template.json --manifest samples/ml-service/cfnsplit.yaml "
      "--format json";
  auto built_in =
      cfnsplit::testing::RunCfnsplit(plan + " -o " + (tmp.path() / "a.yaml").string(), tmp.path());
  REQUIRE(built_in.code == 0);
  auto lowered = cfnsplit::testing::RunCfnsplit(
      plan + " --rules " + dir.string() + " -o " + (tmp.path() / "b.yaml").string(), tmp.path());
  INFO(lowered.err);
  REQUIRE(lowered.code == 0);
  auto before = nlohmann::json::parse(built_in.out), after = nlohmann::json::parse(lowered.out);
  CHECK(before["stacks"][0]["budgets"]["package_bytes"] == 235'929'600);
  CHECK(after["stacks"][0]["budgets"]["package_bytes"] == 231'300'000);
  // Functions move: ForecastingScipy (221.0 MiB under the built-in limit) is over the new
  // budget, so the packer places one of its functions elsewhere.
  auto placement = [](const nlohmann::json& result) {
    std::map<std::string, nlohmann::json> by_stack;
    for (const auto& s : result["stacks"]) by_stack[s["name"]] = s["resources"];
    return by_stack;
  };
  CHECK(placement(before) != placement(after));
  for (const auto& s : after["stacks"]) CHECK(s["figures"]["package_bytes"] <= 257'000'000);
  // Sizing applies the same limit: a function over it is E6101 with the moved figure.
  yaml.replace(yaml.find("value: 257000000"), 16, "value: 200000000");
  dir = RulesDirWith(tmp, yaml);
  auto analyze = cfnsplit::testing::RunCfnsplit(
      "analyze samples/ml-service/template.json --manifest samples/ml-service/cfnsplit.yaml "
      "--rules " +
          dir.string(),
      tmp.path());
  CHECK(analyze.err.find("Lambda's limit is 200,000,000") != std::string::npos);
  CHECK(analyze.out.find("limit: 200,000,000 bytes unzipped per function") != std::string::npos);
}
#endif

TEST_CASE("'near' is the quota table's share, read from limits.yaml's approaching",
          "[unit][quotas]") {
  CHECK(BuiltinRules().quotas.NearShare() == Approx(0.9));
  // Five topics against a team quota of 8: 62%, near only when the share says so.
  RuleSet rules = WithTeamQuota(8);
  auto l = cfnsplit::testing::Model(kFiveTopics);
  REQUIRE(l->model);
  auto team_use = [&](double near_share) {
    rules.quotas.SetNearShare(near_share);
    DiagnosticSink sink;
    Analysis a = Analyze(*l->model, rules, 200, sink);
    for (const QuotaUse& q : a.quotas)
      if (q.key == "team_resources_per_stack")
        return std::make_pair(q.near, cfnsplit::testing::HasCode(sink, "W3002"));
    return std::make_pair(false, false);
  };
  CHECK(team_use(0.9) == std::make_pair(false, false));
  CHECK(team_use(0.5) == std::make_pair(true, true));
  SECTION("a rules directory moves it") {
    TempDir tmp;
    std::string limits = BuiltInLimitsYaml();
    auto at = limits.find("\napproaching: 0.9");
    REQUIRE(at != std::string::npos);
    limits.replace(at, 17, "\napproaching: 0.5");
    SourceManager sources;
    DiagnosticSink sink;
    auto loaded = LoadRuleSet(RulesDirWith(tmp, limits).string(), sources, sink);
    REQUIRE(loaded);
    CHECK(loaded->quotas.NearShare() == Approx(0.5));
  }
}
