// Which LayerVersion of the template a sized layer is, when cfnsplit can build it: the
// serverless-python-requirements layer (`layer: true`) is `PythonRequirementsLambdaLayer`
// (aws-facts §4.6); a manifest layer is named by its logical id or its Serverless name.
#include "cfnsplit/package.hpp"

namespace cfnsplit {
namespace {

bool BuildableResource(const TemplateModel& model, const std::string& id) {
  const Resource* r = model.FindResource(id);
  if (!r || r->type != "AWS::Lambda::LayerVersion" || !r->properties) return false;
  const Value* content = r->properties->Find("Content");
  const Value* key = content && content->is_map() ? content->Find("S3Key") : nullptr;
  return key && key->is_string();
}

}  // namespace

std::string BuildableLayerId(const TemplateModel& model, const LayerInfo& layer) {
  // A layer sized from a prebuilt zip ships that zip; one without distributions has nothing
  // cfnsplit could put in it.
  if (layer.size_source == "artifact" || layer.dists.empty()) return "";
  std::vector<std::string> candidates;
  if (layer.python_requirements) {
    candidates.push_back("PythonRequirementsLambdaLayer");
  } else {
    candidates.push_back(layer.name);
    const std::string fn = ServerlessLogicalId(layer.name);  // "<Norm>LambdaFunction"
    const std::string suffix = "LambdaFunction";
    if (fn.size() > suffix.size())
      candidates.push_back(fn.substr(0, fn.size() - suffix.size()) + "LambdaLayer");
  }
  for (const std::string& id : candidates)
    if (BuildableResource(model, id)) return id;
  return "";
}

}  // namespace cfnsplit
