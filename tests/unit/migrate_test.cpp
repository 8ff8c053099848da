// `cfnsplit migrate`: rules/refactor.yaml in the RuleSet, the route of every resource, and the
// steps (the whole migration is replayed in an independent model by tests/migrate/).
#include "cfnsplit/migrate.hpp"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "emit_test_util.hpp"

using namespace cfnsplit;
using namespace cfnsplit::testing;

namespace {

const char* kDeployed = R"(AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Retain
    Properties: {TableName: orders}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: orders-api
      Role: arn:aws:iam::123456789012:role/r
      Environment: {Variables: {T: !Ref Table, S: !Ref "AWS::StackName"}}
  Method:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: api, ResourceId: res, HttpMethod: GET, Uri: !GetAtt Fn.Arn}
  Reports:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: reports
      Role: arn:aws:iam::123456789012:role/r
      Environment: {Variables: {ID: !Ref "AWS::StackId"}}
  Rule:
    Type: AWS::Events::Rule
    Properties: {Targets: [{Id: r, Arn: !GetAtt Reports.Arn}]}
  Seed:
    Type: Custom::Seed
    Properties: {ServiceToken: !GetAtt Fn.Arn}
)";

SplitPlan TwoStacks(std::vector<std::string> moved) {
  std::vector<std::string> base = {"Table"};
  SplitPlan plan = MakePlan({{"Base", base}, {"Functions", moved}});
  plan.options.mode = WiringMode::kExports;  // the plans below are exports splits
  return plan;
}

std::filesystem::path MakeTempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "cfnsplit-refactor-XXXXXX").string();
  REQUIRE(mkdtemp(tmpl.data()));
  return tmpl;
}

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

const ResourceMove& MoveOf(const std::vector<ResourceMove>& moves, const std::string& id) {
  for (const ResourceMove& m : moves)
    if (m.id == id) return m;
  FAIL("no move for " << id);
  return moves.front();
}

}  // namespace

TEST_CASE("refactor rules are loaded, each with its source", "[unit][migrate]") {
  Fixture f(kDeployed);
  const RefactorRules& r = f.rules.refactor;
  CHECK(r.Limit("stacks_per_refactor", 0) == 5);
  CHECK(r.Limit("template_body_bytes", 0) == 51200);
  REQUIRE(RefactorRules::Find(r.deny, "AWS::ApiGateway::Method"));
  CHECK(RefactorRules::Find(r.deny, "Custom::Anything"));  // glob
  CHECK(!RefactorRules::Find(r.deny, "AWS::Lambda::Function"));
  CHECK(RefactorRules::Find(r.importable, "AWS::Lambda::Function")->detail == "FunctionName");
  for (const auto* list : {&r.deny, &r.importable, &r.not_importable, &r.recreate_safe,
                           &r.name_properties, &r.own_stack_pseudo})
    for (const TypeFact& fact : *list) CHECK(!fact.source.empty());
}

TEST_CASE("a malformed refactor rules file is an error with its location", "[unit][migrate]") {
  SourceManager sources;
  DiagnosticSink sink;
  auto dir = MakeTempDir();
  for (const auto& f : EmbeddedRuleFiles())
    if (std::string(f.name) != "refactor.yaml") WriteFile(dir / f.name, f.text);
  WriteFile(dir / "refactor.yaml",
            "refactor_limits: []\nrefactor_deny:\n  - {type: AWS::X::Y}\nnot_fully_mutable: []\n"
            "importable: []\nnot_importable: []\nrecreate_safe: []\nname_properties: []\n"
            "own_stack_pseudo_parameters: []\ntypo: 1\n");
  CHECK(!LoadRuleSet(dir.string(), sources, sink));
  int errors = 0;
  for (const auto& d : sink.diagnostics())
    if (d.code == "E0010") ++errors;
  CHECK(errors == 2);  // the deny entry without a source, the unknown key
  std::filesystem::remove_all(dir);
}

TEST_CASE("every moved resource gets a route and a reason", "[unit][migrate]") {
  Fixture f(kDeployed);
  auto moves = ClassifyMoves(*f.model, "app", *f.model,
                             TwoStacks({"Fn", "Method", "Reports", "Rule", "Seed"}), f.rules, {});
  CHECK(MoveOf(moves, "Table").route == MoveRoute::kStay);
  // AWS::StackName is made explicit by the prepare step: refactoring moves the function.
  CHECK(MoveOf(moves, "Fn").route == MoveRoute::kRefactor);
  CHECK(MoveOf(moves, "Fn").to_stack == "app-Functions");
  // Deny-listed, stateless, no fixed name: re-created, and the README says what the gap means.
  CHECK(MoveOf(moves, "Method").route == MoveRoute::kRecreate);
  CHECK(MoveOf(moves, "Method").reason.find("deny-list") != std::string::npos);
  // AWS::StackId cannot be made explicit: a named function takes the import route...
  CHECK(MoveOf(moves, "Reports").route == MoveRoute::kImport);
  // ...and the rule that reads it leaves with it (re-created: no fixed name).
  CHECK(MoveOf(moves, "Rule").route == MoveRoute::kRecreate);
  // A custom resource can neither be refactored, imported nor safely re-created.
  CHECK(MoveOf(moves, "Seed").route == MoveRoute::kImpossible);
  auto forced =
      ClassifyMoves(*f.model, "app", *f.model,
                    TwoStacks({"Fn", "Method", "Reports", "Rule", "Seed"}), f.rules, {"Seed"});
  CHECK(MoveOf(forced, "Seed").route == MoveRoute::kRecreate);
  CHECK(MoveOf(forced, "Seed").forced);
}

TEST_CASE("plan --deployed pins what cannot move, with the reason", "[unit][migrate]") {
  Fixture f(kDeployed);
  auto unmovable = UnmovableResources(*f.model, f.rules);
  CHECK(unmovable.size() == 1);
  REQUIRE(unmovable.count("Seed"));
  CHECK(unmovable["Seed"].find("cannot be imported") != std::string::npos);
}

TEST_CASE("a migration with an impossible move is refused (E8002)", "[unit][migrate]") {
  Fixture f(kDeployed);
  MigrateOptions options;
  options.deployed_stack = "app";
  auto m = PlanMigration(*f.model, *f.model, TwoStacks({"Fn", "Method", "Reports", "Rule", "Seed"}),
                         f.rules, options, f.sink);
  CHECK(!m);
  CHECK(f.HasCode("E8002"));
}

TEST_CASE("the steps: prepare, detach, refactor, import, finish", "[unit][migrate]") {
  Fixture f(kDeployed);
  MigrateOptions options;
  options.deployed_stack = "app";
  options.allow_recreate = {"Seed"};
  auto m = PlanMigration(*f.model, *f.model, TwoStacks({"Fn", "Method", "Reports", "Rule", "Seed"}),
                         f.rules, options, f.sink);
  INFO(f.Diags());
  REQUIRE(m);
  std::vector<std::string> folders;
  for (const MigrationStep& s : m->steps) folders.push_back(s.folder);
  CHECK(folders == std::vector<std::string>{"01-prepare", "02-detach", "03-refactor-1", "04-import",
                                            "05-finish"});
  CHECK(m->refactor_batches == 1);
  CHECK(m->states_verified == 4);  // prepare, detach, the batch, import
  auto file = [&](const std::string& path) -> std::string {
    for (const EmittedFile& e : m->files)
      if (e.path == path) return e.contents;
    return "";
  };
  // The new stack exists before the refactor, holding only a placeholder.
  CHECK(file("01-prepare/app-Functions.json").find("CfnsplitMigrationPlaceholder") !=
        std::string::npos);
  // The prepare update writes AWS::StackName out, and retains what is imported.
  std::string prepared = file("01-prepare/app.json");
  CHECK(prepared.find("\"S\": \"app\"") != std::string::npos);
  CHECK(prepared.find("\"DeletionPolicy\": \"Retain\"") != std::string::npos);
  CHECK(file("03-refactor-1/resource-mappings.json").find("\"LogicalResourceId\": \"Fn\"") !=
        std::string::npos);
  CHECK(file("04-import/app-Functions.resources-to-import.json").find("@PHYSICAL:app:Reports@") !=
        std::string::npos);
  CHECK(file("05-finish/app-Functions.json").find("Placeholder") == std::string::npos);
  CHECK(file("migrate.sh").find("--dry-run") != std::string::npos);
  CHECK(!file("split/stacks.json").empty());
}

TEST_CASE("a fixed name changed since the deployment is W8005", "[unit][migrate]") {
  Fixture deployed(kDeployed);
  std::string grown = kDeployed;
  grown.replace(grown.find("FunctionName: reports"), 21, "FunctionName: reports-v2");
  Fixture target(grown, "grown.yaml");
  MigrateOptions options;
  options.deployed_stack = "app";
  options.allow_recreate = {"Seed"};
  auto m = PlanMigration(*deployed.model, *target.model,
                         TwoStacks({"Fn", "Method", "Reports", "Rule", "Seed"}), deployed.rules,
                         options, deployed.sink);
  INFO(deployed.Diags());
  REQUIRE(m);
  CHECK(deployed.HasCode("W8005"));
  REQUIRE(m->warnings.size() == 1);
  CHECK(m->warnings[0].find("'Reports': its FunctionName changes between") == 0);
}

namespace {

// A deployed nested split: the parent holds the table and passes it to its child, and reads the
// child's function back through GetAtt Child.Outputs.
const char* kNestedParent = R"(AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {KeySchema: [{AttributeName: id, KeyType: HASH}]}
  FunctionsStack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: stacks/Functions.json
      Parameters: {TableRef: !Ref Table}
  Topic:
    Type: AWS::SNS::Topic
    DependsOn: FunctionsStack
    Properties:
      Subscription:
        - {Protocol: lambda, Endpoint: !GetAtt FunctionsStack.Outputs.FnArn}
        - {Protocol: lambda, Endpoint: !Sub "${FunctionsStack.Outputs.FnArn}:live"}
Outputs:
  FnArn:
    Value: !GetAtt [FunctionsStack, Outputs.FnArn]
)";

// The same split flattened back (what ReadDeployedTemplate gives migrate).
const char* kNestedFlat = R"(AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {KeySchema: [{AttributeName: id, KeyType: HASH}]}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: arn:aws:iam::123456789012:role/r
      Environment: {Variables: {T: !Ref Table}}
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      Subscription:
        - {Protocol: lambda, Endpoint: !GetAtt Fn.Arn}
        - {Protocol: lambda, Endpoint: !Sub "${Fn.Arn}:live"}
Outputs:
  FnArn:
    Value: !GetAtt Fn.Arn
)";

DeployedLayout NestedLayout(const Value& parent) {
  DeployedLayout layout;
  layout.mode = WiringMode::kNested;
  layout.stacks = {"Base", "Functions"};
  layout.homes = {{"Table", "Base"}, {"Topic", "Base"}, {"Fn", "Functions"}};
  layout.child_resources = {{"Functions", "FunctionsStack"}};
  layout.deployed_templates.emplace_back("template.json", parent);
  return layout;
}

}  // namespace

TEST_CASE("un-nesting: the parent retains its children, then reads their outputs as values",
          "[unit][migrate]") {
  Fixture f(kNestedParent);
  Value retained = RetainChildrenTemplate(f.model->root());
  CHECK(Has(Json(At(retained, "Resources.FunctionsStack.DeletionPolicy")), "\"Retain\""));
  CHECK(Has(Json(At(retained, "Resources.FunctionsStack.UpdateReplacePolicy")), "\"Retain\""));
  CHECK(Json(At(retained, "Resources.Table.DeletionPolicy")) == "<absent>");

  std::string problem;
  Value unnested =
      UnnestedParentTemplate(f.model->root(), {{"FunctionsStack", "app-Fn-X1"}}, problem);
  CHECK(problem.empty());
  CHECK(Json(At(unnested, "Resources.FunctionsStack")) == "<absent>");
  CHECK(Json(At(unnested, "Resources.Topic.DependsOn")) == "<absent>");
  std::string topic = Json(At(unnested, "Resources.Topic.Properties"));
  CHECK(Has(topic, "\"Endpoint\":\"@OUTPUT:app-Fn-X1:FnArn@\""));
  CHECK(Has(topic, "{\"Fn::Sub\":\"@OUTPUT:app-Fn-X1:FnArn@:live\"}"));
  CHECK(Has(Json(At(unnested, "Outputs.FnArn.Value")), "\"@OUTPUT:app-Fn-X1:FnArn@\""));

  // The stack's own ID has no literal the parent could keep: refused, with what it reads.
  std::string with_ref = kNestedParent;
  with_ref += "  StackId:\n    Value: !Ref FunctionsStack\n";
  Fixture g(with_ref);
  UnnestedParentTemplate(g.model->root(), {{"FunctionsStack", "app-Fn-X1"}}, problem);
  CHECK(Has(problem, "Ref FunctionsStack"));
}

TEST_CASE(
    "un-nesting: every child needs its real name; a child named as a planned stack is "
    "another stack",
    "[unit][migrate]") {
  Fixture f(kNestedParent);
  SplitPlan plan = MakePlan({{"Base", {"Table", "Topic"}}, {"FunctionsStack", {"Fn"}}});
  DeployedLayout layout = NestedLayout(f.model->root());
  CHECK(NameNestedChildren(layout, {}, plan) == std::vector<std::string>{"FunctionsStack"});
  CHECK(layout.stack_names.empty());
  CHECK(NameNestedChildren(layout, {{"FunctionsStack", "app-FunctionsStack-X1"}}, plan).empty());
  // Named after its stack resource; the plan has a stack of that name, so it gets another.
  CHECK(layout.stacks == std::vector<std::string>{"Base", "FunctionsStackNested"});
  CHECK(layout.homes.at("Fn") == "FunctionsStackNested");
  CHECK(layout.stack_names.at("FunctionsStackNested") == "app-FunctionsStack-X1");
  CHECK(layout.child_resources.at("FunctionsStackNested") == "FunctionsStack");
}

TEST_CASE("a deployed nested split to an exports plan: un-nest, refactor out, delete the child",
          "[unit][migrate]") {
  Fixture parent(kNestedParent);
  Fixture f(kNestedFlat, "flat.yaml");
  SplitPlan plan = MakePlan({{"Base", {"Table"}}, {"Functions", {"Fn", "Topic"}}});
  plan.options.mode = WiringMode::kExports;
  MigrateOptions options;
  options.deployed_stack = "app";
  options.layout = NestedLayout(parent.model->root());
  REQUIRE(NameNestedChildren(options.layout, {{"FunctionsStack", "app-FunctionsStack-X1"}}, plan)
              .empty());
  auto m = PlanMigration(*f.model, *f.model, plan, f.rules, options, f.sink);
  INFO(f.Diags());
  REQUIRE(m);
  std::vector<std::string> folders;
  for (const MigrationStep& s : m->steps) folders.push_back(s.folder);
  // The topic reads the child's function, which reads the parent's table: it leaves the parent
  // with the children (retained, imported after the refactor); no detach step is left to do.
  CHECK(folders == std::vector<std::string>{"01-unnest-retain", "02-unnest", "03-prepare",
                                            "04-refactor-1", "05-import", "06-finish"});
  CHECK(MoveOf(m->moves, "Topic").route == MoveRoute::kImport);
  CHECK(Has(MoveOf(m->moves, "Topic").reason, "reads Fn of the nested child FunctionsStack"));
  CHECK(m->steps[0].ops.front().package_children);
  CHECK(m->steps[1].ops.front().resolve_outputs);
  CHECK(MoveOf(m->moves, "Fn").from_stack == "app-FunctionsStack-X1");
  CHECK(MoveOf(m->moves, "Fn").route == MoveRoute::kRefactor);
  auto file = [&](const std::string& path) -> std::string {
    for (const EmittedFile& e : m->files)
      if (e.path == path) return e.contents;
    return "";
  };
  // The children's templates as deployed go beside the parent for `aws cloudformation package`.
  CHECK(Has(file("01-unnest-retain/app.json"), "\"DeletionPolicy\": \"Retain\""));
  CHECK(Has(file("02-unnest/app.json"), "@OUTPUT:app-FunctionsStack-X1:FnArn@"));  // the output
  CHECK(!Has(file("02-unnest/app.json"), "\"Topic\""));
  CHECK(Has(file("04-refactor-1/resource-mappings.json"),
            "\"StackName\": \"app-FunctionsStack-X1\""));
  // The emptied child goes last; the plan's Functions stack is a new stack.
  const MigrationStep& finish = m->steps.back();
  CHECK(finish.ops.back().kind == MigrationOp::Kind::kDelete);
  CHECK(finish.ops.back().stacks.front().first == "app-FunctionsStack-X1");
  CHECK(Has(file("migrate.sh"), "deploy_packaged 'app' '01-unnest-retain/app.json'"));
  CHECK(Has(file("migrate.sh"), "deploy_resolved 'app' '02-unnest/app.json'"));
}

TEST_CASE("an un-nested child exports under the names the other stacks import", "[unit][migrate]") {
  Fixture parent(kNestedParent);
  // The function reads nothing of the parent: the parent's topic may keep reading it.
  std::string flat = kNestedFlat;
  flat.replace(flat.find("      Environment: {Variables: {T: !Ref Table}}\n"), 47, "");
  Fixture f(flat, "flat.yaml");
  SplitPlan plan = MakePlan({{"Base", {"Table", "Topic"}}, {"Functions", {"Fn"}}});
  plan.options.mode = WiringMode::kExports;
  MigrateOptions options;
  options.deployed_stack = "app";
  options.layout = NestedLayout(parent.model->root());
  REQUIRE(NameNestedChildren(options.layout, {{"FunctionsStack", "app-FunctionsStack-X1"}}, plan)
              .empty());
  auto m = PlanMigration(*f.model, *f.model, plan, f.rules, options, f.sink);
  INFO(f.Diags());
  REQUIRE(m);
  CHECK(MoveOf(m->moves, "Topic").route == MoveRoute::kStay);
  std::string child, base;
  for (const EmittedFile& e : m->files) {
    if (e.path == "03-prepare/app-FunctionsStack-X1.json") child = e.contents;
    if (e.path == "03-prepare/app.json") base = e.contents;
  }
  // The wire is FnArn2 (the template has an output FnArn of its own).
  CHECK(Has(base, "\"${BaseStackName}-FunctionsStack-FnArn2\""));
  CHECK(Has(child, "\"Name\": \"app-FunctionsStack-FnArn2\""));
}

namespace {

// Base holds the bucket and an API deployment that waits on a method of the functions stack,
// whose function reads the bucket: nested, the parent and its child read each other.
const char* kNestedTarget = R"(AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: arn:aws:iam::123456789012:role/r
      Environment: {Variables: {B: !Ref Bucket}}
  Method:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: api, ResourceId: res, HttpMethod: GET, Uri: !GetAtt Fn.Arn}
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: Method
    Properties: {RestApiId: api}
)";

SplitPlan NestedPlan(std::vector<std::string> base, std::vector<std::string> moved) {
  SplitPlan plan = MakePlan({{"Base", base}, {"Functions", moved}});
  plan.options.mode = WiringMode::kNested;
  return plan;
}

std::size_t FolderIndex(const Migration& m, const std::string& suffix) {
  for (std::size_t i = 0; i < m.steps.size(); ++i) {
    const std::string& f = m.steps[i].folder;
    if (f.size() >= suffix.size() &&
        f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0)
      return i;
  }
  return m.steps.size();
}

}  // namespace

TEST_CASE("a nested plan: the exports-mode route, then the children nested by import",
          "[unit][migrate]") {
  Fixture f(kNestedTarget);
  MigrateOptions options;
  options.deployed_stack = "app";
  auto m = PlanMigration(*f.model, *f.model, NestedPlan({"Bucket", "Deployment"}, {"Fn", "Method"}),
                         f.rules, options, f.sink);
  INFO(f.Diags());
  REQUIRE(m);
  std::vector<std::string> folders;
  for (const MigrationStep& s : m->steps) folders.push_back(s.folder);
  INFO(::Catch::Detail::stringify(folders));
  // The import that nests the children comes after the exports-mode finish (the children must
  // be complete stacks of their own) and before the updates that switch the wiring.
  std::size_t finish = FolderIndex(*m, "-finish"), nest = FolderIndex(*m, "-nest");
  std::size_t rewire = FolderIndex(*m, "-nest-rewire");
  std::size_t last = FolderIndex(*m, "-finish-nested");
  REQUIRE(nest < m->steps.size());
  CHECK(finish < nest);
  CHECK(nest < rewire);
  CHECK(rewire < last);
  CHECK(last + 1 == m->steps.size());
  const MigrationOp& op = m->steps[nest].ops.at(0);
  CHECK(op.kind == MigrationOp::Kind::kImport);
  CHECK(op.package_children);
  auto file = [&](const std::string& path) -> std::string {
    for (const EmittedFile& e : m->files)
      if (e.path == path) return e.contents;
    return "";
  };
  const std::string folder = m->steps[nest].folder;
  std::string to_import = file(op.resources_to_import);
  CHECK(to_import.find("\"AWS::CloudFormation::Stack\"") != std::string::npos);
  CHECK(to_import.find("\"StackId\": \"@STACKID:app-Functions@\"") != std::string::npos);
  // The parent's template as the finish step left it plus the stack resource, retained, naming
  // the child's template as deployed.
  std::string parent = file(folder + "/app.json");
  CHECK(parent.find("\"TemplateURL\": \"app-Functions.json\"") != std::string::npos);
  CHECK(parent.find("\"DeletionPolicy\": \"Retain\"") != std::string::npos);
  CHECK(file(folder + "/app-Functions.json") ==
        file(m->steps[finish].folder + "/app-Functions.json"));
  // The rewire keeps the export the child still imports; the nested split drops it.
  std::string rewired = file(m->steps[rewire].folder + "/app.json");
  CHECK(rewired.find("\"Export\"") != std::string::npos);
  CHECK(file(m->steps[last].folder + "/app.json").find("\"Export\"") == std::string::npos);
  CHECK(file("split/stacks.json").find("\"mode\": \"nested\"") != std::string::npos);
  CHECK(!file("split-exports/stacks.json").empty());
  CHECK(file("migrate.sh").find("nest_stacks 'app'") != std::string::npos);
  // The deployment reads the child, which reads the parent: re-created on the way.
  const ResourceMove& deployment = MoveOf(m->moves, "Deployment");
  CHECK(deployment.route == MoveRoute::kRecreate);
  CHECK(deployment.reason.find("nest-rewire") != std::string::npos);
}

TEST_CASE("a nested plan whose parent resource reading a child cannot be re-created is E8006",
          "[unit][migrate]") {
  std::string text = std::string(kNestedTarget) + R"(  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: fn-errors
      Dimensions: [{Name: FunctionName, Value: !Ref Fn}]
)";
  Fixture f(text);
  MigrateOptions options;
  options.deployed_stack = "app";
  SplitPlan plan = NestedPlan({"Bucket", "Deployment", "Alarm"}, {"Fn", "Method"});
  auto m = PlanMigration(*f.model, *f.model, plan, f.rules, options, f.sink);
  CHECK(!m);
  std::string diags = f.Diags();
  CHECK(diags.find("E8006") != std::string::npos);
  CHECK(diags.find("--allow-recreate Alarm") != std::string::npos);
  // Accepted with --allow-recreate: then it is re-created like the deployment.
  Fixture g(text);
  options.allow_recreate = {"Alarm"};
  auto forced = PlanMigration(*g.model, *g.model, plan, g.rules, options, g.sink);
  INFO(g.Diags());
  REQUIRE(forced);
  CHECK(MoveOf(forced->moves, "Alarm").route == MoveRoute::kRecreate);
  CHECK(MoveOf(forced->moves, "Alarm").forced);
}
