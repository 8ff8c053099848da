// Lambda functions as cfnsplit sizes and places them, and the SAM expansion estimate.
#include <algorithm>

#include "cfnsplit/model.hpp"

namespace cfnsplit {
namespace {

std::string Text(const Value* v) { return v && v->is_scalar() && !v->is_null() ? v->text() : ""; }

std::string Render(const Value* v) {
  if (!v) return "";
  if (v->is_scalar()) return v->text();
  std::string_view fn = v->IntrinsicName();
  if (fn == "Ref") return "${" + v->IntrinsicArg().text() + "}";
  if (fn == "Fn::Sub" && v->IntrinsicArg().is_string()) return v->IntrinsicArg().text();
  if (fn == "Fn::GetAtt" && v->IntrinsicArg().is_list())
    return "${" + v->IntrinsicArg().items()[0].text() + "." + Text(&v->IntrinsicArg().items()[1]) +
           "}";
  return "${…}";
}

// Serverless names a function's resource <Normalized>LambdaFunction, where the normalized name
// upper-cases the first letter and spells '-' as Dash and '_' as Underscore.
std::string ServerlessName(const std::string& id) {
  const std::string suffix = "LambdaFunction";
  if (id.size() <= suffix.size() || id.compare(id.size() - suffix.size(), suffix.size(), suffix))
    return "";
  std::string norm = id.substr(0, id.size() - suffix.size());
  std::string out;
  for (std::size_t i = 0; i < norm.size();) {
    if (norm[i] == 'D' && norm.compare(i, 4, "Dash") == 0) {
      out += '-';
      i += 4;
    } else if (norm[i] == 'U' && norm.compare(i, 10, "Underscore") == 0) {
      out += '_';
      i += 10;
    } else {
      out += norm[i++];
    }
  }
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

const Value* Pick(const Value* props, const Value* globals, const char* key) {
  const Value* v = props ? props->Find(key) : nullptr;
  if (!v && globals) v = globals->Find(key);
  return v;
}

void ReadCommon(FunctionInfo& f, const Value* props, const Value* globals) {
  f.runtime = Text(Pick(props, globals, "Runtime"));
  f.handler = Text(Pick(props, globals, "Handler"));
  if (auto pt = Text(Pick(props, globals, "PackageType")); !pt.empty()) f.package_type = pt;
  if (const Value* arch = Pick(props, globals, "Architectures");
      arch && arch->is_list() && arch->size())
    f.architecture = Text(&arch->items()[0]);
  if (auto mem = Text(Pick(props, globals, "MemorySize")); !mem.empty())
    f.memory_mb = std::strtoull(mem.c_str(), nullptr, 10);
  if (const Value* eph = Pick(props, globals, "EphemeralStorage"); eph && eph->is_map())
    if (auto size = Text(eph->Find("Size")); !size.empty())
      f.ephemeral_storage_mb = std::strtoull(size.c_str(), nullptr, 10);
  // SAM prepends global layers to the function's own.
  for (const Value* source : {globals, props}) {
    const Value* layers = source ? source->Find("Layers") : nullptr;
    if (layers && layers->is_list())
      for (const auto& l : layers->items()) f.layers.push_back(&l);
  }
}

FunctionInfo LambdaFunction(const Resource& r) {
  FunctionInfo f;
  f.resource_id = r.id;
  f.serverless_name = ServerlessName(r.id);
  ReadCommon(f, r.properties, nullptr);
  const Value* code = r.properties ? r.properties->Find("Code") : nullptr;
  if (code && code->is_map()) {
    if (code->Find("ZipFile"))
      f.code_location = "inline";
    else if (const Value* image = code->Find("ImageUri"))
      f.code_location = Render(image);
    else if (code->Find("S3Key"))
      f.code_location =
          "s3://" + Render(code->Find("S3Bucket")) + "/" + Render(code->Find("S3Key"));
  } else if (code) {
    f.code_location = Render(code);  // a local path before `aws cloudformation package`
    f.code_uri = code->is_string() ? code->text() : "";
  }
  return f;
}

FunctionInfo SamFunction(const Resource& r, const Value* globals) {
  FunctionInfo f;
  f.resource_id = r.id;
  ReadCommon(f, r.properties, globals);
  if (const Value* image = Pick(r.properties, globals, "ImageUri")) {
    f.code_location = Render(image);
    f.package_type = "Image";
  }
  const Value* uri = Pick(r.properties, globals, "CodeUri");
  if (uri && uri->is_string()) {
    f.code_location = uri->text();
    if (uri->text().rfind("s3://", 0) != 0) f.code_uri = uri->text();
  } else if (uri && uri->is_map()) {
    f.code_location = "s3://" + Render(uri->Find("Bucket")) + "/" + Render(uri->Find("Key"));
  } else if (Pick(r.properties, globals, "InlineCode")) {
    f.code_location = "inline";
  }
  return f;
}

}  // namespace

void ReadFunctions(TemplateModel& m) {
  const Value* globals = nullptr;
  if (const Value* g = m.Section("Globals"); g && g->is_map()) globals = g->Find("Function");
  for (const Resource& r : m.resources) {
    if (r.type == "AWS::Lambda::Function") m.functions.push_back(LambdaFunction(r));
    if (r.type == "AWS::Serverless::Function") m.functions.push_back(SamFunction(r, globals));
  }
}

std::uint32_t EstimatedExpansion(const Resource& r, const TemplateModel& model) {
  (void)model;
  if (!r.is_sam()) return 1;
  const Value* props = r.properties;
  if (r.type == "AWS::Serverless::Function") {
    std::uint32_t n = 1;
    if (!props || !props->Find("Role")) ++n;                   // <Id>Role
    if (props && props->Find("AutoPublishAlias")) n += 2;      // version + alias
    if (props && props->Find("DeploymentPreference")) n += 3;  // CodeDeploy app, group, role
    if (props && props->Find("FunctionUrlConfig")) n += 2;     // URL + permission
    const Value* events = props ? props->Find("Events") : nullptr;
    if (events && events->is_map()) {
      for (const auto& e : events->items()) {
        std::string type = e.is_map() ? Text(e.Find("Type")) : "";
        if (type == "Schedule" || type == "ScheduleV2" || type == "CloudWatchEvent" ||
            type == "EventBridgeRule" || type == "SNS" || type == "IoTRule")
          n += 2;  // rule or subscription + permission
        else
          n += 1;  // permission or event source mapping
      }
    }
    return n;
  }
  if (r.type == "AWS::Serverless::Api") return 3;           // RestApi, Deployment, Stage
  if (r.type == "AWS::Serverless::HttpApi") return 2;       // Api, Stage
  if (r.type == "AWS::Serverless::StateMachine") return 2;  // state machine + role
  if (r.type == "AWS::Serverless::Connector") return 1;
  return 1;
}

}  // namespace cfnsplit
