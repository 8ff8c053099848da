// The sizing inputs table (sizing_inputs.hpp). Adding an input: its field in SizingOptions and
// one row here.
#include "cfnsplit/sizing_inputs.hpp"

namespace cfnsplit {
namespace {

using Text = std::string SizingOptions::*;
using Texts = std::vector<std::string> SizingOptions::*;

SizingInput Row(std::string flag, std::string help, bool source, bool repeatable,
                std::string plan_role = "") {
  SizingInput in;
  in.flag = std::move(flag);
  in.help = std::move(help);
  in.source = source;
  in.repeatable = repeatable;
  in.plan_role = std::move(plan_role);
  return in;
}

SizingInput Path(std::string flag, std::string help, Text field, bool source,
                 std::string plan_role = "") {
  SizingInput in = Row(std::move(flag), std::move(help), source, false, std::move(plan_role));
  in.add = [field](SizingOptions& o, const std::string& v) { o.*field = v; };
  in.values = [field](const SizingOptions& o) {
    return o.*field == "" ? std::vector<std::string>{} : std::vector<std::string>{o.*field};
  };
  return in;
}

SizingInput Paths(std::string flag, std::string help, Texts field, bool source,
                  std::string plan_role = "") {
  SizingInput in = Row(std::move(flag), std::move(help), source, true, std::move(plan_role));
  in.add = [field](SizingOptions& o, const std::string& v) { (o.*field).push_back(v); };
  in.values = [field](const SizingOptions& o) { return o.*field; };
  return in;
}

SizingInput Choice(std::string flag, std::string help, Text field, std::vector<std::string> choices,
                   std::string default_value = "") {
  SizingInput in = Path(std::move(flag), std::move(help), field, false);
  in.choices = std::move(choices);
  in.default_value = std::move(default_value);
  return in;
}

// NAME=path.zip. A value without a name keeps it empty, the whole value as the path, so that the
// CLI can name the malformed value (E0020).
SizingInput Artifacts() {
  SizingInput in = Row("--artifact", "NAME=path.zip: a built artifact to measure", true, true);
  in.add = [](SizingOptions& o, const std::string& v) {
    auto eq = v.find('=');
    if (eq == std::string::npos || eq == 0)
      o.artifacts.emplace_back("", v);
    else
      o.artifacts.emplace_back(v.substr(0, eq), v.substr(eq + 1));
  };
  in.values = [](const SizingOptions& o) {
    std::vector<std::string> out;
    for (const auto& [name, path] : o.artifacts)
      out.push_back(name.empty() ? path : name + "=" + path);
    return out;
  };
  return in;
}

std::vector<SizingInput> MakeTable() {
  using O = SizingOptions;
  return {
      Path("--manifest", "Dependency manifest (YAML/JSON, see docs/sizing.md)", &O::manifest, true,
           "manifest"),
      Paths("--requirements", "Service-wide requirements.txt (repeatable)", &O::requirements, true,
            "requirements"),
      Path("--site-packages", "Installed tree to measure (pip install -t DIR)", &O::site_packages,
           true),
      Path("--wheelhouse", "Directory of wheels to measure", &O::wheelhouse, true),
      Artifacts(),
      Path("--serverless-config", "serverless.yml (pythonRequirements options)",
           &O::serverless_config, true, "serverless-config"),
      Choice("--packaging", "shared, individual or layer", &O::packaging,
             {"shared", "individual", "layer"}),
      Choice("--infer-imports",
             "Infer each function's requirements from its handler's imports: on, off, or auto (on "
             "when the handler is found and an installed tree is given; a manifest entry always "
             "wins)",
             &O::infer_imports, {"on", "off", "auto"}, "auto"),
      Paths("--code",
            "Code tree holding the handlers (repeatable; default: CodeUri, the manifest's code, "
            "the serverless.yml folder, the template's folder)",
            &O::code_dirs, false),
  };
}

}  // namespace

const std::vector<SizingInput>& SizingInputs() {
  static const std::vector<SizingInput> table = MakeTable();
  return table;
}

bool AnySizingSource(const SizingOptions& options) {
  for (const SizingInput& in : SizingInputs())
    if (in.source && !in.values(options).empty()) return true;
  return false;
}

SizingOptions SizingDefaults() {
  SizingOptions options;
  for (const SizingInput& in : SizingInputs())
    if (!in.default_value.empty()) in.add(options, in.default_value);
  return options;
}

}  // namespace cfnsplit
