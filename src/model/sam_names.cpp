// The logical IDs the SAM transform creates, so a reference to one (before the transform runs)
// can be tied to the SAM resource that creates it. Source: the AWS SAM Developer Guide, "Generated
// AWS CloudFormation resources" (sam-specification-generated-resources-function/-api/-httpapi/
// -statemachine/-layerversion), and samtranslator's implicit API plugin for ServerlessRestApi /
// ServerlessHttpApi. Only these shapes count: a name that merely starts with a SAM resource's ID
// (a parameter `WorkerMemorySize` beside a function `Worker`) is not generated.
#include <algorithm>
#include <array>

#include "cfnsplit/model.hpp"

namespace cfnsplit {
namespace {

bool StartsWith(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }

bool IsHexOrAlnumTail(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
  });
}

std::string TypeOf(const Value& def) {
  const Value* t = def.is_map() ? def.Find("Type") : nullptr;
  return t && t->is_string() ? t->text() : "";
}

const Value* EventsOf(const Value& def) {
  const Value* props = def.is_map() ? def.Find("Properties") : nullptr;
  const Value* events = props && props->is_map() ? props->Find("Events") : nullptr;
  return events && events->is_map() ? events : nullptr;
}

// `rest` is what follows the resource's ID in `name`.
bool FunctionGenerates(const Value& def, std::string_view rest) {
  static const std::array<std::string_view, 5> kExact = {"Role", "DeploymentGroup", "Url",
                                                         "UrlPublicPermissions", "EventInvokeConfig"};
  if (std::find(kExact.begin(), kExact.end(), rest) != kExact.end()) return true;
  for (std::string_view p : {"Alias", "Version", "EventInvokeConfig"})
    if (rest.size() > p.size() && rest.substr(0, p.size()) == p &&
        IsHexOrAlnumTail(rest.substr(p.size())))
      return true;
  // Event sources: <Function><EventId>[Permission…|Queue|Topic|…], one per declared event.
  if (const Value* events = EventsOf(def))
    for (const auto& k : events->keys())
      if (rest.substr(0, k.name.size()) == k.name)
        return true;
  return false;
}

bool ApiGenerates(std::string_view rest) {
  for (std::string_view p : {"Deployment", "DomainName", "BasePathMapping", "UsagePlan", "ApiKey",
                             "Authorizer", "RecordSetGroup", "ApiMapping", "ApiGatewayDefaultStage"})
    if (rest.substr(0, p.size()) == p) return true;
  return rest.size() > 5 && rest.substr(rest.size() - 5) == "Stage";  // <Api><StageName>Stage
}

bool Generates(const std::string& type, const Value& def, std::string_view rest) {
  if (rest.empty()) return false;
  if (type == "AWS::Serverless::Function") return FunctionGenerates(def, rest);
  if (type == "AWS::Serverless::Api" || type == "AWS::Serverless::HttpApi") return ApiGenerates(rest);
  if (type == "AWS::Serverless::StateMachine")
    return rest == "Role" || FunctionGenerates(def, rest);
  if (type == "AWS::Serverless::LayerVersion") return IsHexOrAlnumTail(rest);
  if (type == "AWS::Serverless::Connector") return StartsWith(std::string(rest), "Policy");
  return false;
}

}  // namespace

bool UsesImplicitSamApi(const Value& def, const char* kind) {
  const Value* events = EventsOf(def);
  if (!events) return false;
  const char* key = std::string_view(kind) == "Api" ? "RestApiId" : "ApiId";
  for (const Value& e : events->items()) {
    const Value* type = e.is_map() ? e.Find("Type") : nullptr;
    const Value* props = e.is_map() ? e.Find("Properties") : nullptr;
    if (type && type->text() == kind && !(props && props->is_map() && props->Find(key)))
      return true;
  }
  return false;
}

std::string SamGeneratedOwner(const Value& resources, const std::string& name) {
  if (!resources.is_map() || resources.Find(name)) return "";
  for (const auto& [prefix, kind] : {std::pair{"ServerlessRestApi", "Api"},
                                     std::pair{"ServerlessHttpApi", "HttpApi"}})
    if (StartsWith(name, prefix))
      for (std::size_t i = 0; i < resources.size(); ++i)
        if (TypeOf(resources.items()[i]) == "AWS::Serverless::Function" &&
            UsesImplicitSamApi(resources.items()[i], kind))
          return resources.keys()[i].name;
  std::string owner;
  for (std::size_t i = 0; i < resources.size(); ++i) {
    const std::string& id = resources.keys()[i].name;
    std::string type = TypeOf(resources.items()[i]);
    if (!StartsWith(type, "AWS::Serverless::") || id.size() <= owner.size() ||
        !StartsWith(name, id))
      continue;
    if (Generates(type, resources.items()[i], std::string_view(name).substr(id.size()))) owner = id;
  }
  return owner;
}

std::string GeneratedOwner(const TemplateModel& m, const std::string& name) {
  const Value* resources = m.Section("Resources");
  if (!resources || m.FindParameter(name)) return "";
  return SamGeneratedOwner(*resources, name);
}

}  // namespace cfnsplit
