#include <catch2/catch.hpp>

#include "support/text_run.hpp"

using cfnsplit::testing::Model;
using namespace cfnsplit;

namespace {

std::vector<const Reference*> RefsFrom(const TemplateModel& m, const std::string& from) {
  std::vector<const Reference*> out;
  for (const auto& r : m.references)
    if (r.from == from) out.push_back(&r);
  return out;
}

const Reference* RefTo(const TemplateModel& m, const std::string& from, const std::string& to,
                       RefKind kind) {
  for (const auto& r : m.references)
    if (r.from == from && r.to == to && r.kind == kind) return &r;
  return nullptr;
}

const char* kTemplate = R"(
Parameters:
  Stage: {Type: String, Default: dev}
  Subnets: {Type: 'List<AWS::EC2::Subnet::Id>'}
  Secret: {Type: String, NoEcho: true}
Mappings:
  Sizes: {dev: {Mem: 128}}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  NotProd: !Not [!Condition IsProd]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
  Role:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyDocument:
            Statement:
              - Resource: !Sub '${Bucket.Arn}/*'
                Condition: {StringEquals: {a: b}}
  Fn:
    Type: AWS::Lambda::Function
    DependsOn: [Bucket]
    Condition: NotProd
    Properties:
      Role: !GetAtt Role.Arn
      Runtime: python3.11
      Handler: app.handler
      MemorySize: !FindInMap [Sizes, !Ref Stage, Mem]
      Code: {S3Bucket: !Ref Bucket, S3Key: code.zip}
      Environment:
        Variables:
          MODE: Bucket
          NAME: !Sub ['${Prefix}-${AWS::StackName}-${!Literal}', {Prefix: !Ref Stage}]
          OTHER: !If [IsProd, !ImportValue shared-thing, !Ref 'AWS::NoValue']
      Tags: [{Key: owner, Value: data-team}]
Outputs:
  FnArn:
    Value: !GetAtt [Fn, Arn]
    Export: {Name: !Sub '${AWS::StackName}-FnArn'}
)";

}  // namespace

TEST_CASE("model reads sections and parameters", "[unit][model]") {
  auto l = Model(kTemplate);
  REQUIRE(l->model);
  const TemplateModel& m = *l->model;
  CHECK_FALSE(l->sink.has_errors());
  REQUIRE(m.parameters.size() == 3);
  CHECK(m.FindParameter("Subnets")->is_list());
  CHECK(m.FindParameter("Secret")->no_echo);
  CHECK_FALSE(m.FindParameter("Stage")->no_echo);
  CHECK(m.mapping_names == std::vector<std::string>{"Sizes"});
  CHECK(m.condition_names == std::vector<std::string>{"IsProd", "NotProd"});
  REQUIRE(m.resources.size() == 3);
  CHECK(m.FindResource("Fn")->depends_on == std::vector<std::string>{"Bucket"});
  CHECK(m.FindResource("Fn")->condition == "NotProd");
  CHECK(m.FindResource("Bucket")->deletion_policy == "Retain");
  CHECK(m.FindResource("Fn")->owner == "data-team");
  REQUIRE(m.outputs.size() == 1);
  CHECK(m.outputs[0].export_name != nullptr);
}

TEST_CASE("every reference kind is found with its path", "[unit][model]") {
  auto l = Model(kTemplate);
  const TemplateModel& m = *l->model;
  const Reference* getatt = RefTo(m, "Fn", "Role", RefKind::kGetAtt);
  REQUIRE(getatt);
  CHECK(getatt->attribute == "Arn");
  CHECK(getatt->path == "Properties.Role.Fn::GetAtt");
  CHECK(getatt->target == TargetKind::kResource);
  CHECK(getatt->loc.line == 28);
  const Reference* sub = RefTo(m, "Role", "Bucket", RefKind::kSub);
  REQUIRE(sub);
  CHECK(sub->attribute == "Arn");
  CHECK(RefTo(m, "Fn", "Bucket", RefKind::kRef));
  CHECK(RefTo(m, "Fn", "Bucket", RefKind::kDependsOn));
  CHECK(RefTo(m, "Fn", "NotProd", RefKind::kCondition));
  CHECK(RefTo(m, "Fn", "IsProd", RefKind::kCondition));
  CHECK(RefTo(m, "Fn", "Sizes", RefKind::kFindInMap));
  CHECK(RefTo(m, "Fn", "shared-thing", RefKind::kImportValue));
  CHECK(RefTo(m, "Fn", "AWS::StackName", RefKind::kSub)->target == TargetKind::kPseudo);
  CHECK(RefTo(m, "IsProd", "Stage", RefKind::kRef)->site == SiteKind::kCondition);
  CHECK(RefTo(m, "NotProd", "IsProd", RefKind::kCondition));
  CHECK(RefTo(m, "FnArn", "Fn", RefKind::kGetAtt)->site == SiteKind::kOutput);
}

TEST_CASE("bare strings, Sub locals and escapes are not references", "[unit][model]") {
  auto l = Model(kTemplate);
  const TemplateModel& m = *l->model;
  for (const Reference* r : RefsFrom(m, "Fn")) {
    CHECK(r->to != "Prefix");   // a variable of the list-form Sub
    CHECK(r->to != "Literal");  // ${!Literal} is an escape
    CHECK_FALSE((r->to == "Bucket" && r->path.find("MODE") != std::string::npos));
  }
  // An IAM policy's Condition block is not the Condition function.
  for (const Reference* r : RefsFrom(m, "Role")) CHECK(r->kind != RefKind::kCondition);
}

TEST_CASE("SubVariables splits names, attributes and escapes", "[unit][model]") {
  CHECK(SubVariables("a-${X}-${Y.Arn}-${!Z}-${ AWS::Region }") ==
        std::vector<std::string>{"X", "Y.Arn", "AWS::Region"});
  CHECK(SubVariables("no vars ${ unterminated").empty());
}

TEST_CASE("intrinsic arity errors point at the call", "[unit][model]") {
  auto l = Model(R"(Resources:
  A:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Select [1]
      DisplayName: !If [C, a]
      KmsMasterKeyId: !Join [',', a, b]
)");
  REQUIRE(l->model);
  int arity = 0;
  for (const auto& d : l->sink.diagnostics())
    if (d.code == "E1003") ++arity;
  CHECK(arity == 3);
  const Diagnostic* first = l->Find("E1003");
  CHECK(first->loc.line == 5);
  CHECK(first->message.find("Fn::Select takes [Index, List], got a list of 1") !=
        std::string::npos);
}

TEST_CASE("a Ref to nothing is an error with a suggestion", "[unit][model]") {
  auto l = Model(R"({"Resources": {"MyBucket": {"Type": "AWS::S3::Bucket"},
    "P": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "MyBuckt"}}}}})",
                 "t.json");
  const Diagnostic* d = l->Find("E1101");
  REQUIRE(d);
  CHECK(d->message.find("did you mean 'MyBucket'?") != std::string::npos);
  CHECK(d->loc.line == 2);
}

TEST_CASE("SAM-generated names are warnings, not errors", "[unit][model]") {
  auto l = Model(R"(Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: python3.12, Layers: [arn:aws:lambda:us-east-1:1:layer:a:1]}
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/api/
      Handler: app.handler
      Layers: [!Ref Deps]
      Events:
        Get: {Type: Api, Properties: {Path: /, Method: get}}
        Tick: {Type: Schedule, Properties: {Schedule: rate(1 minute)}}
  Deps:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: deps/}
Outputs:
  Url: {Value: !Sub 'https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/'}
  RoleArn: {Value: !GetAtt ApiRole.Arn}
)");
  REQUIRE(l->model);
  CHECK_FALSE(l->HasCode("E1101"));
  CHECK(l->HasCode("W1102"));
  const TemplateModel& m = *l->model;
  CHECK(m.is_sam());
  REQUIRE(m.functions.size() == 1);
  const FunctionInfo& f = m.functions[0];
  CHECK(f.runtime == "python3.12");
  CHECK(f.code_uri == "src/api/");
  CHECK(f.layers.size() == 2);  // Globals layers are prepended
  // Function + Role + Api permission + Schedule rule and permission.
  CHECK(EstimatedExpansion(*m.FindResource("Api"), m) == 5);
  // A generated name's reference depends on the resource that creates it (ApiRole: Api); a
  // reference to a declared name depends on nothing generated.
  const auto api = static_cast<std::int32_t>(m.ResourceIndex("Api"));
  bool role_seen = false;
  for (const Reference& r : m.references) {
    if (r.to == "ApiRole") {
      role_seen = true;
      CHECK(r.generated_by_resource == api);
    } else if (r.target == TargetKind::kResource) {
      CHECK(r.generated_by_resource == -1);
    }
  }
  CHECK(role_seen);
}

TEST_CASE("Serverless function names are recovered from logical IDs", "[unit][model]") {
  auto l = Model(R"({"Resources": {
    "MyDashfnUnderscorexLambdaFunction": {"Type": "AWS::Lambda::Function",
      "Properties": {"Runtime": "python3.11", "Handler": "h.h", "Architectures": ["arm64"],
                     "Code": {"S3Bucket": "b", "S3Key": "k.zip"}}}}})",
                 "t.json");
  REQUIRE(l->model->functions.size() == 1);
  CHECK(l->model->functions[0].serverless_name == "my-fn_x");
  CHECK(l->model->functions[0].architecture == "arm64");
  CHECK(l->model->functions[0].code_location == "s3://b/k.zip");
}

TEST_CASE("structural errors stop modeling", "[unit][model]") {
  CHECK(Model("Description: x\n")->HasCode("E1001"));
  CHECK(Model("Resources: [a]\n")->HasCode("E1001"));
  CHECK(Model("Resources: {A: {Properties: {}}}\n")->HasCode("E1002"));
  CHECK(Model("Resources: {}\n")->HasCode("E1001"));  // CloudFormation wants one at least
  CHECK(Model("Resources: {T: {Type: AWS::SNS::Topic}}\nParameters: [x]\n")->HasCode("E1002"));
  auto typo = Model("Resources: {}\nOutput: {}\n");
  REQUIRE(typo->Find("W1001"));
  CHECK(typo->Find("W1001")->message.find("did you mean 'Outputs'") != std::string::npos);
}

TEST_CASE("logical IDs that are not alphanumeric are refused where they are written",
          "[unit][model]") {
  auto l = Model(R"(Transform: AWS::LanguageExtensions
Parameters:
  Bad-P: {Type: String}
  Good: {Type: String}
Mappings:
  Bad.Name: {a: {b: c}}
Conditions:
  is_prod: !Equals [!Ref Good, prod]
Resources:
  my_Instance: {Type: AWS::SNS::Topic}
  "": {Type: AWS::SNS::Topic}
  Fine9: {Type: AWS::SNS::Topic}
  Fn::ForEach::Topics:
    - Name
    - [A, B]
    - ${Name}Topic: {Type: AWS::SNS::Topic}
Outputs:
  Out-1: {Value: !Ref Fine9}
)");
  std::vector<std::string> where;
  for (const auto& d : l->sink.diagnostics())
    if (d.code == "E1004")
      where.push_back(std::to_string(d.loc.line) + ":" + std::to_string(d.loc.column));
  // Each bad name at its key (resources first, then the other sections; printing sorts them by
  // place); the ForEach loop and the good names pass.
  CHECK(where == std::vector<std::string>{"10:3", "11:3", "3:3", "6:3", "8:3", "18:3"});
  const Diagnostic* first_resource = nullptr;
  for (const auto& d : l->sink.diagnostics())
    if (d.code == "E1004" && d.loc.line == 10) first_resource = &d;
  REQUIRE(first_resource);
  CHECK(first_resource->message.find("resource name 'my_Instance' is not alphanumeric") == 0);
  REQUIRE(!first_resource->notes.empty());
  CHECK(first_resource->notes[0] ==
        "CloudFormation says \"Template format error: Resource name my_Instance is non "
        "alphanumeric.\"");
  // Every name is reported, not only the first: the model is still built.
  CHECK(l->model);

  // A macro cfnsplit does not know runs first in CloudFormation and may rename: not judged here.
  auto macro = Model(R"(Transform: [AWS::Serverless-2016-10-31, MyRenamer]
Resources:
  my_Topic: {Type: AWS::SNS::Topic}
)");
  CHECK_FALSE(macro->HasCode("E1004"));
  auto sam = Model(R"(Transform: AWS::Serverless-2016-10-31
Resources:
  Html-Api: {Type: AWS::Serverless::Api, Properties: {StageName: prod}}
)");
  CHECK(sam->HasCode("E1004"));
}

TEST_CASE("a ForEach loop needs AWS::LanguageExtensions and its list of three", "[unit][model]") {
  // Without the transform CloudFormation takes the loop's key for a logical ID (cfn-lint says
  // "Missing Transform"); the rest of the template is judged as usual.
  auto bare = Model(R"(Resources:
  Fine: {Type: AWS::SNS::Topic}
  Fn::ForEach::Topics:
    - Name
    - [A, B]
    - ${Name}Topic: {Type: AWS::SNS::Topic}
)");
  const Diagnostic* d = bare->Find("E1004");
  REQUIRE(d);
  CHECK(d->loc.line == 3);
  CHECK(d->message ==
        "'Fn::ForEach::Topics' is a loop of the AWS::LanguageExtensions transform, which the "
        "template does not declare: CloudFormation takes it for a logical ID, which is not "
        "alphanumeric, and rejects the template");
  // A loop of another shape is refused whatever the transforms, a macro's too: the loop is kept
  // whole and only the references in it are read, so one written as a resource (found by the
  // split fuzzer: emitted as written, judged as nothing by verify) cannot be split. Nested
  // loops are checked too.
  for (const char* transform : {"AWS::LanguageExtensions", "MyMacro"}) {
    auto l = Model(std::string("Transform: ") + transform + R"(
Resources:
  Log: {Type: AWS::Logs::LogGroup}
  Fn::ForEach::Worker:
    Type: AWS::SQS::Queue
    DependsOn: Log
Conditions:
  Fn::ForEach::Short: [Name, [A, B]]
Outputs:
  Fn::ForEach::Outer:
    - Name
    - [A, B]
    - Fn::ForEach::Inner: [Attr, [Arn], "${Name}${Attr}"]
)");
    std::vector<std::string> found;
    for (const auto& x : l->sink.diagnostics())
      if (x.code == "E1002")
        found.push_back(std::to_string(x.loc.line) + ":" + std::to_string(x.loc.column) + ": " +
                        x.message);
    CHECK(found == std::vector<std::string>{
                       "4:3: 'Fn::ForEach::Worker' must be a list of three, [Identifier, "
                       "Collection, {OutputKey: OutputValue}]: not a mapping",
                       "8:3: 'Fn::ForEach::Short' must be a list of three, [Identifier, "
                       "Collection, {OutputKey: OutputValue}]: not a list of 2",
                       "13:7: 'Fn::ForEach::Inner' must be a list of three, [Identifier, "
                       "Collection, {OutputKey: OutputValue}]: its third element must be a "
                       "mapping"});
    CHECK_FALSE(l->model);
  }
  auto good = Model(R"(Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Topics:
    - Name
    - [A, B]
    - ${Name}Topic: {Type: AWS::SNS::Topic}
)");
  CHECK(good->model);
  CHECK_FALSE(good->sink.has_errors());
}

TEST_CASE("a name that is both a parameter and a resource is refused at the resource",
          "[unit][model]") {
  auto l = Model(R"(Parameters:
  Name: {Type: String}
  Stage: {Type: String}
Resources:
  Topic: {Type: AWS::SNS::Topic, Properties: {TopicName: !Ref Name}}
  Name: {Type: AWS::SNS::Topic}
)");
  const Diagnostic* d = l->Find("E1005");
  REQUIRE(d);
  CHECK(d->loc.line == 6);
  CHECK(d->loc.column == 3);
  CHECK(d->message ==
        "'Name' names both a resource and the parameter at line 2: CloudFormation "
        "rejects the template");
  std::size_t clashes = 0;
  for (const auto& x : l->sink.diagnostics()) clashes += x.code == "E1005";
  CHECK(clashes == 1);  // Stage and Topic are each declared once
}

TEST_CASE("alphanumeric names: A-Z, a-z and 0-9 and nothing next to them", "[unit][model]") {
  CHECK(IsAlphanumericName("AZaz09"));
  CHECK(IsAlphanumericName(std::string(300, 'a')));  // the length limit is a quota
  CHECK_FALSE(IsAlphanumericName(""));
  // The bytes around each range, and what case folding could confuse with a letter.
  for (const char* bad : {"@", "[", "`", "{", "/", ":", "_", "-", ".", " ", "\x80", "\xC1", "\xDA",
                          "\xE1", "\xFA", "A-b", "a b", "\xC3\xA9t\xC3\xA9"})
    CHECK_FALSE(IsAlphanumericName(bad));
  // A section key may also be a ForEach loop, under AWS::LanguageExtensions and in Resources,
  // Conditions or Outputs; nothing else that is not alphanumeric.
  for (const char* section : {"Resources", "Conditions", "Outputs"}) {
    CHECK(IsDeclarableKey(section, "Fn::ForEach::Topics", true));
    CHECK_FALSE(IsDeclarableKey(section, "Fn::ForEach::Topics", false));
  }
  CHECK_FALSE(IsDeclarableKey("Parameters", "Fn::ForEach::Topics", true));
  CHECK_FALSE(IsDeclarableKey("Mappings", "Fn::ForEach::Topics", true));
  CHECK(IsDeclarableKey("Parameters", "Topic1", false));
  for (bool extensions : {false, true}) {
    CHECK_FALSE(IsDeclarableKey("Resources", "Fn::ForEach", extensions));
    CHECK_FALSE(IsDeclarableKey("Resources", "Fn::If", extensions));
    CHECK_FALSE(IsDeclarableKey("Resources", "my_Instance", extensions));
    CHECK_FALSE(IsDeclarableKey("Resources", "", extensions));
  }
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    const bool expected =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    CHECK(IsAlphanumericName(std::string_view(&ch, 1)) == expected);
  }
}
