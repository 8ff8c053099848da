#include <catch2/catch.hpp>

#include "cfnsplit/load.hpp"
#include "cfnsplit/plan.hpp"

using namespace cfnsplit;

namespace {

SplitPlan Sample() {
  SplitPlan plan;
  plan.inputs = {{"template", "dir with space/t.json", "ab12"}};
  plan.options.mode = WiringMode::kExports;
  plan.options.strategy = "size";
  plan.options.headroom = 0.8;
  plan.options.max_stacks = 7;
  plan.options.pins = {{"Fn", "Special", "cli"}};
  plan.lower_bounds["function_stacks_by_package"] = 2;
  StackPlan base;
  base.name = "Base";
  base.role = StackRole::kBase;
  base.resources = {"Bucket", "yes"};  // "yes" must not come back as a boolean
  StackPlan fns;
  fns.name = "MlTorch";
  fns.owner = "ml: team";
  fns.resources = {"Fn"};
  fns.distributions = {"torch"};
  fns.requirements = {"torch==2.3.0"};
  fns.imports = {"Base:Bucket.Arn"};
  fns.figures.resources = 3;
  plan.stacks = {base, fns};
  plan.explanations["Fn"] = "shares torch\nwith others";
  return plan;
}

std::optional<SplitPlan> Reload(const std::string& text, DiagnosticSink& sink,
                                SourceManager& sources) {
  std::uint32_t id = sources.Add("plan.yaml", text);
  return PlanFromYaml(id, sources, sink);
}

}  // namespace

TEST_CASE("a plan survives a write and read unchanged", "[unit][plan]") {
  SplitPlan plan = Sample();
  std::string yaml = PlanToYaml(plan);
  SourceManager sources;
  DiagnosticSink sink;
  auto back = Reload(yaml, sink, sources);
  REQUIRE(back);
  CHECK_FALSE(sink.has_errors());
  CHECK(back->inputs[0].path == "dir with space/t.json");
  CHECK(back->options.mode == WiringMode::kExports);
  CHECK(back->options.strategy == "size");
  CHECK(back->options.headroom == Approx(0.8));
  CHECK(back->options.max_stacks == 7);
  REQUIRE(back->options.pins.size() == 1);
  CHECK(back->options.pins[0].stack == "Special");
  CHECK(back->lower_bounds.at("function_stacks_by_package") == 2);
  REQUIRE(back->stacks.size() == 2);
  CHECK(back->stacks[0].resources == std::vector<std::string>{"Bucket", "yes"});
  CHECK(back->stacks[1].owner == "ml: team");
  CHECK(back->stacks[1].requirements == std::vector<std::string>{"torch==2.3.0"});
  CHECK(back->stacks[1].imports == std::vector<std::string>{"Base:Bucket.Arn"});
  CHECK(PlanToYaml(*back).find("MlTorch") != std::string::npos);
  CHECK(yaml.find("- Fn  # shares torch with others") != std::string::npos);
}

TEST_CASE("plan scalars are plain only where YAML reads them back as the same text",
          "[unit][plan]") {
  // Every YAML 1.1 keyword in each case, and characters at the edge of the plain set.
  const std::vector<std::string> quoted = {
      "y",    "Y",    "yes",   "Yes",   "YES",   "n",    "N",    "no",  "No",  "NO",  "true",
      "True", "TRUE", "false", "False", "FALSE", "on",   "On",   "ON",  "off", "Off", "OFF",
      "null", "Null", "NULL",  "~",     "",      "1abc", "-x",   "a b", "a#b", "a=b", "a,b",
      "é",    "a\"b", ".x",    "@x",    "+x",    ":x",   "a\nb", "[x]", "a'b", "x:",  "a:b:"};
  const std::vector<std::string> plain = {"yess",  "Nope", "onion",  "Offer",
                                          "nulls", "_x",   "/p",     "a.b/c:d@e+f-g_h",
                                          "Fn1",   "Z9",   "trueish"};
  for (bool expect_plain : {false, true}) {
    const std::vector<std::string>& names = expect_plain ? plain : quoted;
    SplitPlan plan = Sample();
    plan.stacks[1].requirements = names;
    std::string yaml = PlanToYaml(plan);
    SourceManager sources;
    DiagnosticSink sink;
    auto back = Reload(yaml, sink, sources);
    REQUIRE(back);
    CHECK(back->stacks[1].requirements == names);
    std::string line = yaml.substr(yaml.rfind("    requirements: ["));
    line = line.substr(0, line.find('\n'));
    for (const auto& name : names) {
      bool written_plain = line.find("[" + name + ",") != std::string::npos ||
                           line.find(" " + name + ",") != std::string::npos ||
                           line.find(" " + name + "]") != std::string::npos ||
                           line.find("[" + name + "]") != std::string::npos;
      CAPTURE(name, line);
      CHECK(written_plain == expect_plain);
    }
  }
}

// Found by the plan fuzzer: a path or an owner ending in a colon was written plain and read back
// as a mapping key (block: `owner: ml:`) or not at all (flow: `{path: x:, …}`).
TEST_CASE("a trailing colon survives the round trip in block and flow context", "[unit][plan]") {
  SplitPlan plan = Sample();
  plan.inputs[0].path = "thlas:";
  plan.stacks[1].owner = "ml:";
  std::string yaml = PlanToYaml(plan);
  SourceManager sources;
  DiagnosticSink sink;
  auto back = Reload(yaml, sink, sources);
  REQUIRE(back);
  CHECK(back->inputs[0].path == "thlas:");
  CHECK(back->stacks[1].owner == "ml:");
}

TEST_CASE("plan errors point into the plan file", "[unit][plan]") {
  SourceManager sources;
  DiagnosticSink sink;
  auto plan = Reload(
      "cfnsplit_plan: 1\ninputs: []\noptions: {mode: sideways}\nstacks:\n  - name: Bad-Name\n    "
      "resources: [A]\n",
      sink, sources);
  CHECK_FALSE(plan);
  REQUIRE(sink.error_count() == 2);
  CHECK(sink.diagnostics()[0].loc.line == 3);
  CHECK(sink.diagnostics()[0].message.find("mode must be nested or exports") != std::string::npos);
  CHECK(sink.diagnostics()[1].loc.line == 5);
  DiagnosticSink sink2;
  CHECK_FALSE(Reload("cfnsplit_plan: 2\ninputs: []\noptions: {}\nstacks: []\n", sink2, sources));
  CHECK(sink2.diagnostics()[0].message.find("unsupported plan format 2") != std::string::npos);
}

TEST_CASE("SHA-256 matches the standard test vectors", "[unit][plan]") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256Hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("logical IDs are alphanumeric", "[unit][plan]") {
  CHECK(IsLogicalId("Base2"));
  CHECK_FALSE(IsLogicalId(""));
  CHECK_FALSE(IsLogicalId("a-b"));
  CHECK_FALSE(IsLogicalId(std::string(256, 'a')));
}
