#include "cfnsplit/partition.hpp"

#include <catch2/catch.hpp>
#include <random>

#include "support/text_run.hpp"

using namespace cfnsplit;
using cfnsplit::testing::BuiltinRules;
using cfnsplit::testing::Model;

namespace {

// A Serverless-like service: a bucket, a shared role, and per function a log group, function,
// version, API resource and method, plus an API deployment that needs every method.
std::string Service(int functions, int owners = 1) {
  std::string t = R"({"Resources": {
  "Bucket": {"Type": "AWS::S3::Bucket"},
  "Role": {"Type": "AWS::IAM::Role"},
  "Api": {"Type": "AWS::ApiGateway::RestApi"})";
  std::string methods;
  for (int i = 0; i < functions; ++i) {
    std::string f = "F" + std::to_string(i);
    std::string owner = "team" + std::to_string(i % owners);
    t += ",\n  \"" + f + "LogGroup\": {\"Type\": \"AWS::Logs::LogGroup\"}";
    t += ",\n  \"" + f + "\": {\"Type\": \"AWS::Lambda::Function\", \"DependsOn\": \"" + f +
         "LogGroup\", \"Properties\": {\"Role\": {\"Fn::GetAtt\": [\"Role\", \"Arn\"]}, "
         "\"Environment\": {\"Variables\": {\"B\": {\"Ref\": \"Bucket\"}}}, "
         "\"Code\": {\"S3Bucket\": {\"Ref\": \"Bucket\"}, \"S3Key\": \"a.zip\"}, "
         "\"Tags\": [{\"Key\": \"owner\", \"Value\": \"" +
         owner + "\"}]}}";
    t += ",\n  \"" + f +
         "Version\": {\"Type\": \"AWS::Lambda::Version\", \"Properties\": "
         "{\"FunctionName\": {\"Ref\": \"" +
         f + "\"}}}";
    t += ",\n  \"" + f +
         "Path\": {\"Type\": \"AWS::ApiGateway::Resource\", \"Properties\": "
         "{\"RestApiId\": {\"Ref\": \"Api\"}}}";
    t += ",\n  \"" + f +
         "Method\": {\"Type\": \"AWS::ApiGateway::Method\", \"Properties\": "
         "{\"ResourceId\": {\"Ref\": \"" +
         f + "Path\"}, \"Uri\": {\"Fn::GetAtt\": [\"" + f + "\", \"Arn\"]}}}";
    methods += std::string(methods.empty() ? "" : ", ") + "\"" + f + "Method\"";
  }
  t += ",\n  \"Deployment\": {\"Type\": \"AWS::ApiGateway::Deployment\", \"DependsOn\": [" +
       methods + "], \"Properties\": {\"RestApiId\": {\"Ref\": \"Api\"}}}";
  return t + "}}";
}

struct Planned {
  std::unique_ptr<cfnsplit::testing::Loaded> loaded;
  Analysis analysis;
  std::optional<SplitPlan> plan;
  DiagnosticSink sink;
};

std::unique_ptr<Planned> Plan(const std::string& text, PlanOptions options = {},
                              const PackageView& packages = {}) {
  auto p = std::make_unique<Planned>();
  p->loaded = Model(text, "t.json");
  REQUIRE(p->loaded->model);
  DiagnosticSink analysis_sink;
  p->analysis = Analyze(*p->loaded->model, BuiltinRules(), text.size(), analysis_sink);
  p->plan = PartitionTemplate(p->analysis, packages, BuiltinRules(), options, p->sink);
  return p;
}

std::string StackOf(const SplitPlan& plan, const std::string& id) {
  for (const auto& s : plan.stacks)
    for (const auto& r : s.resources)
      if (r == id) return s.name;
  return "";
}

bool HasViolation(const PlanCheck& check, const std::string& code) {
  for (const auto& v : check.violations)
    if (v.code == code) return true;
  return false;
}

}  // namespace

TEST_CASE("a small service splits into base and function stacks", "[unit][partition]") {
  auto p = Plan(Service(3));
  REQUIRE(p->plan);
  const SplitPlan& plan = *p->plan;
  REQUIRE(plan.stacks.size() == 2);
  CHECK(plan.stacks[0].name == "Base");
  CHECK(StackOf(plan, "Bucket") == "Base");      // stateful
  CHECK(StackOf(plan, "Role") == "Base");        // shared by three functions
  CHECK(StackOf(plan, "Deployment") == "Base");  // needs several function stacks: parent (nested)
  std::string fs = StackOf(plan, "F0");
  CHECK(fs != "Base");
  CHECK(StackOf(plan, "F0LogGroup") == fs);  // satellites follow
  CHECK(StackOf(plan, "F0Version") == fs);
  CHECK(StackOf(plan, "F0Path") == fs);  // used only by F0
  CHECK(plan.explanations.at("Bucket").find("stateful") != std::string::npos);
  CHECK(plan.explanations.at("F0LogGroup").find("satellite of F0") != std::string::npos);
  CHECK(CheckPlan(p->analysis, plan, {}, BuiltinRules()).ok());
}

TEST_CASE("exports mode puts what needs several function stacks into a post stack",
          "[unit][partition]") {
  PlanOptions options;
  options.mode = WiringMode::kExports;
  options.headroom = 0.1;  // 50 resources per stack: forces several function stacks
  auto p = Plan(Service(30), options);
  REQUIRE(p->plan);
  CHECK(p->plan->stacks.back().name == "Post");
  CHECK(StackOf(*p->plan, "Deployment") == "Post");
  CHECK(p->plan->stacks.size() >= 5);
}

TEST_CASE("owners never share a stack unless allowed", "[unit][partition]") {
  auto p = Plan(Service(6, 2));
  REQUIRE(p->plan);
  CHECK(StackOf(*p->plan, "F0") != StackOf(*p->plan, "F1"));
  CHECK(StackOf(*p->plan, "F0") == StackOf(*p->plan, "F2"));
  PlanOptions mixed;
  mixed.allow_mixed_owners = true;
  auto q = Plan(Service(6, 2), mixed);
  REQUIRE(q->plan);
  CHECK(StackOf(*q->plan, "F0") == StackOf(*q->plan, "F1"));
}

TEST_CASE("package sizes drive packing and affinity", "[unit][partition]") {
  PackageView view;
  view.dist_names = {"torch", "numpy", "pandas"};
  view.dist_bytes = {150'000'000, 30'000'000, 60'000'000};
  view.functions["F0"] = {{0, 1}, 1000, 0};  // torch + numpy
  view.functions["F1"] = {{1, 2}, 1000, 0};  // numpy + pandas
  view.functions["F2"] = {{0, 1}, 1000, 0};
  view.functions["F3"] = {{1, 2}, 1000, 0};
  auto p = Plan(Service(4), {}, view);
  REQUIRE(p->plan);
  // torch+numpy+pandas = 240 MB > 225 MiB budget: torch functions and pandas functions split.
  CHECK(StackOf(*p->plan, "F0") == StackOf(*p->plan, "F2"));
  CHECK(StackOf(*p->plan, "F1") == StackOf(*p->plan, "F3"));
  CHECK(StackOf(*p->plan, "F0") != StackOf(*p->plan, "F1"));
  CHECK(p->plan->lower_bounds.at("function_stacks_by_package") == 2);
  CHECK(StackOf(*p->plan, "F0") == "Team0Torch");  // owner + heaviest shared dependency
}

TEST_CASE("the package bound counts a stack over the headroom as one stack", "[unit][partition]") {
  // 240 MB: over the 225 MiB headroom budget, within Lambda's limit; the plan gives it a stack
  // of its own, so the bound is 1 (union / headroom budget said 2, more than the optimum).
  PackageView view;
  view.dist_names = {"torch"};
  view.dist_bytes = {240'000'000};
  view.functions["F0"] = {{0}, 0, 0};
  auto p = Plan(Service(1), {}, view);
  REQUIRE(p->plan);
  CHECK(p->plan->lower_bounds.at("function_stacks_by_package") == 1);
}

TEST_CASE("a function over the limit alone is a finding, not a plan", "[unit][partition]") {
  PackageView view;
  view.dist_names = {"tensorflow"};
  view.dist_bytes = {600'000'000};
  view.functions["F0"] = {{0}, 0, 0};
  auto p = Plan(Service(2), {}, view);
  CHECK_FALSE(p->plan);
  REQUIRE(p->sink.error_count() == 1);
  CHECK(p->sink.diagnostics()[0].code == "E4008");
  CHECK(p->sink.diagnostics()[0].message.find("function F0 ships 600,000,000 bytes") !=
        std::string::npos);
}

TEST_CASE("max-stacks and pins are respected", "[unit][partition]") {
  PlanOptions few;
  few.headroom = 0.1;
  few.max_stacks = 2;
  auto p = Plan(Service(30), few);
  CHECK_FALSE(p->plan);
  CHECK(p->sink.diagnostics().at(0).code == "E4011");

  PlanOptions pinned;
  pinned.pins = {{"F1", "Special", "cli"}, {"F2Path", "Base", "cli"}};
  auto q = Plan(Service(3), pinned);
  REQUIRE(q->plan);
  CHECK(StackOf(*q->plan, "F1") == "Special");
  CHECK(StackOf(*q->plan, "F1LogGroup") == "Special");
  CHECK(StackOf(*q->plan, "F2Path") == "Base");
}

TEST_CASE("review catches every broken constraint", "[unit][partition]") {
  auto p = Plan(Service(3, 3));
  REQUIRE(p->plan);
  const RuleSet& rules = BuiltinRules();
  auto broken = [&](auto edit) {
    SplitPlan plan = *p->plan;
    edit(plan);
    return CheckPlan(p->analysis, plan, {}, rules);
  };
  auto move = [](SplitPlan& plan, const std::string& id, std::size_t to) {
    for (auto& s : plan.stacks)
      s.resources.erase(std::remove(s.resources.begin(), s.resources.end(), id), s.resources.end());
    plan.stacks[to].resources.push_back(id);
  };
  CHECK(HasViolation(broken([&](SplitPlan& s) { s.stacks[1].resources.push_back("Nope"); }),
                     "E4001"));
  CHECK(HasViolation(broken([&](SplitPlan& s) { s.stacks[0].resources.pop_back(); }), "E4001"));
  CHECK(HasViolation(broken([&](SplitPlan& s) { s.stacks[1].resources.push_back("Bucket"); }),
                     "E4001"));
  CHECK(HasViolation(broken([&](SplitPlan& s) { move(s, "F0LogGroup", 0); }), "E4003"));
  CHECK(HasViolation(broken([&](SplitPlan& s) { move(s, "Bucket", 1); }), "E4004"));
  CHECK(HasViolation(broken([&](SplitPlan& s) {
                       move(s, "F1", 1);
                       move(s, "F1LogGroup", 1);
                       move(s, "F1Version", 1);
                       move(s, "F1Path", 1);
                       move(s, "F1Method", 1);
                     }),
                     "E4005"));
  CHECK(HasViolation(broken([&](SplitPlan& s) { s.stacks[1].name = "Bad-Name"; }), "E4009"));
  // In exports mode a stack graph cycle appears when the base needs what a function stack
  // exports while that stack imports from the base.
  PlanOptions exports;
  exports.mode = WiringMode::kExports;
  auto e = Plan(Service(3, 3), exports);
  REQUIRE(e->plan);
  SplitPlan cyclic = *e->plan;
  move(cyclic, "Deployment", 0);
  cyclic.stacks.pop_back();  // the now empty Post stack
  PlanCheck cycle = CheckPlan(e->analysis, cyclic, {}, rules);
  REQUIRE(HasViolation(cycle, "E4006"));
  CHECK(cycle.violations[0].message.find("Deployment uses F") != std::string::npos);
  SplitPlan tight = *p->plan;
  tight.options.headroom = 0.01;
  CHECK(HasViolation(CheckPlan(p->analysis, tight, {}, rules), "E4007"));
}

TEST_CASE("random templates always give valid, deterministic plans", "[unit][partition]") {
  std::mt19937 rng(12345);
  const char* types[] = {"AWS::Lambda::Function", "AWS::Lambda::Permission", "AWS::SQS::Queue",
                         "AWS::IAM::Role",        "AWS::SNS::Topic",         "AWS::Logs::LogGroup",
                         "AWS::Events::Rule",     "AWS::CloudWatch::Alarm"};
  for (int round = 0; round < 40; ++round) {
    int n = 5 + static_cast<int>(rng() % 60);
    std::string t = "{\"Resources\": {";
    for (int i = 0; i < n; ++i) {
      t += std::string(i ? "," : "") + "\"R" + std::to_string(i) + "\": {\"Type\": \"" +
           types[rng() % 8] + "\", \"Properties\": {\"L\": [";
      int edges = static_cast<int>(rng() % 3);
      for (int e = 0; e < edges && i > 0; ++e)  // edges point backwards: no cycles
        t += std::string(e ? "," : "") + "{\"Ref\": \"R" + std::to_string(rng() % i) + "\"}";
      t += "], \"Tags\": [{\"Key\": \"owner\", \"Value\": \"o" + std::to_string(rng() % 2) +
           "\"}]}}";
    }
    t += "}}";
    PlanOptions options;
    options.mode = round % 2 ? WiringMode::kExports : WiringMode::kNested;
    options.headroom = 0.02 + 0.01 * (round % 5);
    auto first = Plan(t, options);
    auto second = Plan(t, options);
    INFO("round " << round);
    if (!first->plan) {
      // The only acceptable refusals: what must stay together (a cycle, the base) is bigger than a
      // stack's budget.
      REQUIRE(first->sink.error_count() > 0);
      INFO(first->sink.diagnostics()[0].code << " " << first->sink.diagnostics()[0].message);
      CHECK((first->sink.diagnostics()[0].code == "E4012" ||
             first->sink.diagnostics()[0].code == "E4013" ||
             first->sink.diagnostics()[0].code == "E4005"));
      continue;
    }
    REQUIRE(second->plan);
    CHECK(PlanToYaml(*first->plan) == PlanToYaml(*second->plan));
    PlanCheck check = CheckPlan(first->analysis, *first->plan, {}, BuiltinRules());
    for (const auto& v : check.violations) FAIL_CHECK(v.code << ": " << v.message);
  }
}

TEST_CASE("pins from a previous plan reproduce it; conflicting pins are explained",
          "[unit][partition]") {
  PlanOptions few;
  few.headroom = 0.2;  // several function stacks
  auto first = Plan(Service(20, 2), few);
  REQUIRE(first->plan);
  PlanOptions again = few;
  for (const auto& s : first->plan->stacks)
    for (const auto& id : s.resources) again.pins.push_back({id, s.name, "plan"});
  auto second = Plan(Service(20, 2), again);
  REQUIRE(second->plan);
  for (const auto& s : first->plan->stacks)
    for (const auto& id : s.resources) CHECK(StackOf(*second->plan, id) == s.name);

  // The deployment needs every method: pinned to Base in nested mode it waits in the parent
  // instead of pulling the functions in.
  PlanOptions deployment_in_base;
  deployment_in_base.pins = {{"Deployment", "Base", "cli"}};
  auto nested = Plan(Service(3), deployment_in_base);
  REQUIRE(nested->plan);
  CHECK(StackOf(*nested->plan, "F0") != "Base");

  // An alarm stays in the base and needs its topic: in exports mode the base deploys first and
  // cannot import the topic from a later stack, so the pin is refused with the reason.
  const std::string alarm = R"({"Resources": {
    "Alerts": {"Type": "AWS::SNS::Topic"},
    "QueueAge": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"AlarmActions": [{"Ref": "Alerts"}]}}}})";
  PlanOptions topic_elsewhere;
  topic_elsewhere.mode = WiringMode::kExports;
  topic_elsewhere.pins = {{"Alerts", "Ops", "cli"}};
  auto refused = Plan(alarm, topic_elsewhere);
  CHECK_FALSE(refused->plan);
  REQUIRE(refused->sink.error_count() >= 1);
  CHECK(refused->sink.diagnostics()[0].code == "E4015");
  CHECK(refused->sink.diagnostics()[0].message.find("needed by QueueAge") != std::string::npos);
  topic_elsewhere.mode = WiringMode::kNested;  // the parent may depend on a child: the pin holds
  auto held = Plan(alarm, topic_elsewhere);
  REQUIRE(held->plan);
  CHECK(StackOf(*held->plan, "Alerts") == "Ops");

  PlanOptions api_elsewhere;
  api_elsewhere.mode = WiringMode::kExports;
  api_elsewhere.pins = {{"Bucket", "Elsewhere", "cli"}};
  auto exports = Plan(Service(3), api_elsewhere);
  REQUIRE(exports->plan);  // nothing in the base needs the bucket: the pin holds
  CHECK(StackOf(*exports->plan, "Bucket") == "Elsewhere");
}

TEST_CASE("thorough effort: deterministic, valid, never more stacks than fast; LP bound reported",
          "[unit][partition][packing]") {
  std::mt19937 rng(2024);
  PackageView view;
  view.dist_names = {"torch", "numpy", "pandas", "scipy", "pyarrow", "boto3"};
  view.dist_bytes = {150'000'000, 30'000'000, 60'000'000, 90'000'000, 120'000'000, 20'000'000};
  const int functions = 24;
  for (int i = 0; i < functions; ++i) {
    std::vector<std::uint32_t> dists;
    for (std::uint32_t d = 0; d < 6; ++d)
      if (rng() % 3 == 0) dists.push_back(d);
    std::uint64_t bytes = 0;
    std::vector<std::uint32_t> kept;
    for (auto d : dists)
      if (bytes + view.dist_bytes[d] <= 220'000'000) kept.push_back(d), bytes += view.dist_bytes[d];
    view.functions["F" + std::to_string(i)] = {kept, 1000, 0};
  }
  PlanOptions fast;
  fast.mode = WiringMode::kExports;
  PlanOptions thorough = fast;
  thorough.effort = "thorough";
  auto f = Plan(Service(functions, 2), fast, view);
  auto t1 = Plan(Service(functions, 2), thorough, view);
  auto t2 = Plan(Service(functions, 2), thorough, view);
  REQUIRE(f->plan);
  REQUIRE(t1->plan);
  REQUIRE(t2->plan);
  CHECK(PlanToYaml(*t1->plan) == PlanToYaml(*t2->plan));
  CHECK(t1->plan->stacks.size() <= f->plan->stacks.size());
  PlanCheck check = CheckPlan(t1->analysis, *t1->plan, view, BuiltinRules());
  for (const auto& v : check.violations) FAIL_CHECK(v.code << ": " << v.message);
  CHECK_FALSE(f->plan->lower_bounds.count("function_stacks_by_lp"));  // fast: cheap bounds only
  REQUIRE(t1->plan->lower_bounds.count("function_stacks_by_lp"));
  std::size_t function_stacks = 0;
  for (const auto& s : t1->plan->stacks) function_stacks += s.role == StackRole::kFunctions;
  for (const auto& [name, bound] : t1->plan->lower_bounds) {
    INFO(name);
    CHECK(bound <= function_stacks);
  }
}

TEST_CASE("partition hands back the check of the plan it returns", "[unit][partition]") {
  // MakePlan and split use it instead of checking the same plan again: it must be the check
  // CheckPlan makes of the returned plan, figures included.
  PlanOptions options;
  options.mode = WiringMode::kExports;
  options.headroom = 0.1;  // several function stacks and a post stack: figures worth comparing
  auto p = Plan(Service(30), options);
  REQUIRE(p->plan);
  DiagnosticSink sink;
  PlanCheck handed;
  auto again = PartitionTemplate(p->analysis, {}, BuiltinRules(), options, sink, &handed);
  REQUIRE(again);
  PlanCheck fresh = CheckPlan(p->analysis, *again, {}, BuiltinRules());
  CHECK(handed.ok());
  CHECK(handed.violations.size() == fresh.violations.size());
  REQUIRE(handed.figures.size() == fresh.figures.size());
  REQUIRE(handed.figures.size() == again->stacks.size());
  for (std::size_t s = 0; s < fresh.figures.size(); ++s) {
    CHECK(handed.figures[s].resources == fresh.figures[s].resources);
    CHECK(handed.figures[s].template_bytes == fresh.figures[s].template_bytes);
    CHECK(handed.figures[s].outputs == fresh.figures[s].outputs);
    CHECK(handed.figures[s].parameters == fresh.figures[s].parameters);
  }
}
