// The dependency manifest (format in docs/sizing.md) and the parts of serverless.yml that decide
// what a Python function ships. Both are read with the project's positioned loader, so every
// complaint points at a line. serverless.yml variables (`${...}`) are never resolved: where a
// value is needed and only a variable is written, the default applies and W6030 says so.
#include <algorithm>

#include "cfnsplit/load.hpp"
#include "sizing/internal.hpp"

namespace cfnsplit::sizing {
namespace {

bool IsVariable(const Value& v) {
  return v.is_string() && v.text().find("${") != std::string::npos;
}

class Reader {
 public:
  Reader(DiagnosticSink& sink, std::string what) : sink_(sink), what_(std::move(what)) {}

  bool ok() const { return ok_; }

  void CheckKeys(const Value& map, const std::vector<std::string>& allowed) {
    for (const auto& key : map.keys()) {
      if (std::find(allowed.begin(), allowed.end(), key.name) != allowed.end()) continue;
      std::string suggestion = SuggestClosest(key.name, allowed);
      Fail(key.loc, "unknown key '" + key.name + "' in " + what_ +
                        (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?"));
    }
  }

  const Value* Map(const Value* v, const std::string& name) {
    if (!v || v->is_null()) return nullptr;
    if (!v->is_map()) {
      Fail(v->loc(), "'" + name + "' must be a mapping, not a " + KindName(v->kind()));
      return nullptr;
    }
    return v;
  }

  Located String(const Value* v, const std::string& name) {
    if (!v || v->is_null()) return {};
    if (!v->is_scalar()) {
      Fail(v->loc(), "'" + name + "' must be a string, not a " + KindName(v->kind()));
      return {};
    }
    return {v->text(), v->loc()};
  }

  // A string or a list of strings.
  std::vector<Located> Strings(const Value* v, const std::string& name) {
    std::vector<Located> out;
    if (!v || v->is_null()) return out;
    if (v->is_scalar()) return {{v->text(), v->loc()}};
    if (!v->is_list()) {
      Fail(v->loc(), "'" + name + "' must be a string or a list of strings");
      return out;
    }
    for (const auto& item : v->items()) {
      if (item.is_scalar())
        out.push_back({item.text(), item.loc()});
      else
        Fail(item.loc(), "'" + name + "' entries must be strings, not a " + KindName(item.kind()));
    }
    return out;
  }

  std::optional<std::vector<std::string>> Names(const Value* v, const std::string& name) {
    if (!v || v->is_null()) return std::nullopt;
    if (IsVariable(*v)) {
      Unresolved(*v, name, "[]");
      return std::nullopt;
    }
    std::vector<std::string> out;
    for (const auto& s : Strings(v, name)) out.push_back(s.text);
    return out;
  }

  std::optional<bool> Bool(const Value* v, const std::string& name) {
    if (!v || v->is_null()) return std::nullopt;
    if (v->is_bool() || v->text() == "true" || v->text() == "false") return v->text() == "true";
    if (IsVariable(*v)) {
      Unresolved(*v, name, "its default");
      return std::nullopt;
    }
    Fail(v->loc(), "'" + name + "' must be true or false");
    return std::nullopt;
  }

  std::optional<std::uint64_t> Count(const Value* v, const std::string& name) {
    if (!v || v->is_null()) return std::nullopt;
    const std::string& t = v->text();
    if (!v->is_scalar() || t.empty() || t.size() > 12 ||
        t.find_first_not_of("0123456789") != std::string::npos) {
      Fail(v->loc(), "'" + name + "' must be a whole number");
      return std::nullopt;
    }
    return std::stoull(t);
  }

  void Fail(SourceLoc loc, std::string message) {
    sink_.Error("E6001", loc, std::move(message));
    ok_ = false;
  }

  void Unresolved(const Value& v, const std::string& name, const std::string& assumed) {
    sink_.Warning("W6030", v.loc(),
                  "'" + name + "' is the variable '" + v.text() +
                      "', which cfnsplit does not resolve; assuming " + assumed);
  }

 private:
  DiagnosticSink& sink_;
  std::string what_;
  bool ok_ = true;
};

// Later sources (the manifest after serverless.yml) override only what they actually set.
template <typename T>
void SetIf(std::optional<T>& target, std::optional<T> value) {
  if (value) target = std::move(value);
}
void SetIf(Located& target, Located value) {
  if (!value.text.empty()) target = std::move(value);
}
void SetIf(std::vector<Located>& target, std::vector<Located> value) {
  if (!value.empty()) target = std::move(value);
}

Located Resolve(Located l, const std::string& base) {
  if (!l.text.empty()) l.text = JoinPath(base, l.text);
  return l;
}
std::vector<Located> Resolve(std::vector<Located> list, const std::string& base) {
  for (auto& l : list) l = Resolve(std::move(l), base);
  return list;
}

void ReadService(const Value& service, ServiceSpec& spec, Reader& r) {
  r.CheckKeys(service, {"name", "packaging", "requirements", "packages", "site_packages",
                        "wheelhouse", "code", "python", "slim", "strip", "slim_patterns",
                        "slimPatterns", "slim_patterns_append_defaults",
                        "slimPatternsAppendDefaults", "no_deploy", "noDeploy", "zip"});
  const std::string& base = spec.base_dir;
  if (auto name = r.String(service.Find("name"), "name"); !name.text.empty())
    spec.service_name = name.text;
  SetIf(spec.packaging, r.String(service.Find("packaging"), "packaging"));
  SetIf(spec.requirements, Resolve(r.Strings(service.Find("requirements"), "requirements"), base));
  SetIf(spec.packages, r.Strings(service.Find("packages"), "packages"));
  SetIf(spec.site_packages,
        Resolve(r.String(service.Find("site_packages"), "site_packages"), base));
  SetIf(spec.wheelhouse, Resolve(r.String(service.Find("wheelhouse"), "wheelhouse"), base));
  SetIf(spec.code, Resolve(r.String(service.Find("code"), "code"), base));
  SetIf(spec.python, r.String(service.Find("python"), "python"));
  SetIf(spec.slim, r.Bool(service.Find("slim"), "slim"));
  SetIf(spec.strip, r.Bool(service.Find("strip"), "strip"));
  SetIf(spec.zip, r.Bool(service.Find("zip"), "zip"));
  const Value* patterns =
      service.Find("slim_patterns") ? service.Find("slim_patterns") : service.Find("slimPatterns");
  SetIf(spec.slim_patterns, r.Names(patterns, "slim_patterns"));
  const Value* append = service.Find("slim_patterns_append_defaults")
                            ? service.Find("slim_patterns_append_defaults")
                            : service.Find("slimPatternsAppendDefaults");
  SetIf(spec.slim_patterns_append_defaults, r.Bool(append, "slim_patterns_append_defaults"));
  const Value* no_deploy =
      service.Find("no_deploy") ? service.Find("no_deploy") : service.Find("noDeploy");
  SetIf(spec.no_deploy, r.Names(no_deploy, "no_deploy"));
}

void ReadLayers(const Value& layers, ServiceSpec& spec, Reader& r) {
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Value* body = r.Map(&layers.items()[i], layers.keys()[i].name);
    ManifestLayer layer;
    layer.name = layers.keys()[i].name;
    layer.loc = layers.keys()[i].loc;
    if (body) {
      r.CheckKeys(*body, {"requirements", "packages", "artifact"});
      layer.requirements =
          Resolve(r.Strings(body->Find("requirements"), "requirements"), spec.base_dir);
      layer.packages = r.Strings(body->Find("packages"), "packages");
      layer.artifact = Resolve(r.String(body->Find("artifact"), "artifact"), spec.base_dir);
    }
    spec.layers.push_back(std::move(layer));
  }
}

void ReadFunctions(const Value& functions, ServiceSpec& spec, Reader& r) {
  for (std::size_t i = 0; i < functions.size(); ++i) {
    ManifestFunction f;
    f.key = functions.keys()[i].name;
    f.loc = functions.keys()[i].loc;
    if (const Value* body = r.Map(&functions.items()[i], f.key)) {
      r.CheckKeys(*body, {"requirements", "packages", "code", "artifact", "layers", "packaging",
                          "module", "ephemeral_storage_mb", "image"});
      f.requirements =
          Resolve(r.Strings(body->Find("requirements"), "requirements"), spec.base_dir);
      f.packages = r.Strings(body->Find("packages"), "packages");
      f.code = Resolve(r.String(body->Find("code"), "code"), spec.base_dir);
      f.artifact = Resolve(r.String(body->Find("artifact"), "artifact"), spec.base_dir);
      f.layers = r.Strings(body->Find("layers"), "layers");
      f.packaging = r.String(body->Find("packaging"), "packaging");
      f.module = r.String(body->Find("module"), "module");
      f.ephemeral_storage_mb = r.Count(body->Find("ephemeral_storage_mb"), "ephemeral_storage_mb");
      f.image = r.Bool(body->Find("image"), "image").value_or(false);
    }
    spec.functions.push_back(std::move(f));
  }
}

void CheckPackaging(const Located& packaging, Reader& r) {
  static const std::vector<std::string> kModes = {"shared", "individual", "layer"};
  if (packaging.text.empty() ||
      std::find(kModes.begin(), kModes.end(), packaging.text) != kModes.end())
    return;
  std::string suggestion = SuggestClosest(packaging.text, kModes);
  r.Fail(packaging.loc, "packaging must be shared, individual or layer, not '" + packaging.text +
                            "'" +
                            (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?"));
}

// The name a layer reference points at: `{Ref: X}` → X, an ARN or a plain name as written.
std::string LayerReferenceName(const Value& v) {
  if (v.is_scalar()) return v.text();
  if (v.is_map() && v.size() == 1) return LayerReferenceName(v.items()[0]);
  return "?";
}

void ReadServerlessFunctions(const Value& functions, ServiceSpec& spec, Reader& r) {
  for (std::size_t i = 0; i < functions.size(); ++i) {
    ServerlessFunction f;
    f.key = functions.keys()[i].name;
    const Value& body = functions.items()[i];
    if (body.is_map()) {
      f.module = r.String(body.Find("module"), "module").text;
      if (const Value* package = r.Map(body.Find("package"), "package"))
        f.individually = r.Bool(package->Find("individually"), "package.individually");
      if (const Value* layers = body.Find("layers"); layers && layers->is_list())
        for (const auto& layer : layers->items()) f.layers.push_back(LayerReferenceName(layer));
      f.image = body.Find("image") != nullptr;
    }
    spec.serverless_functions.push_back(std::move(f));
  }
}

void ReadPythonRequirements(const Value& options, ServiceSpec& spec, Reader& r) {
  SetIf(spec.slim, r.Bool(options.Find("slim"), "slim"));
  SetIf(spec.strip, r.Bool(options.Find("strip"), "strip"));
  SetIf(spec.zip, r.Bool(options.Find("zip"), "zip"));
  SetIf(spec.slim_patterns, r.Names(options.Find("slimPatterns"), "slimPatterns"));
  SetIf(spec.slim_patterns_append_defaults,
        r.Bool(options.Find("slimPatternsAppendDefaults"), "slimPatternsAppendDefaults"));
  SetIf(spec.no_deploy, r.Names(options.Find("noDeploy"), "noDeploy"));
  if (const Value* layer = options.Find("layer"))
    spec.layer = layer->is_map() ? std::optional<bool>(true) : r.Bool(layer, "layer");
  if (auto file_name = r.String(options.Find("fileName"), "fileName"); !file_name.text.empty())
    spec.spr_file_name = file_name.text;
}

}  // namespace

bool LoadManifest(const std::string& path, ServiceSpec& spec, SourceManager& sources,
                  DiagnosticSink& sink) {
  std::uint32_t file = 0;
  auto root = LoadFile(path, sources, sink, {}, &file);
  if (!root) return false;
  Reader r(sink, "the dependency manifest");
  if (!root->is_map()) {
    r.Fail(root->loc().known() ? root->loc() : SourceLoc{file, 1, 1},
           "the dependency manifest must be a mapping");
    return false;
  }
  spec.base_dir = DirName(path);
  r.CheckKeys(*root, {"version", "service", "layers", "functions"});
  if (const Value* version = root->Find("version"); version && version->text() != "1")
    r.Fail(version->loc(),
           "unsupported manifest version '" + version->text() + "'; this cfnsplit reads version 1");
  if (const Value* service = r.Map(root->Find("service"), "service"))
    ReadService(*service, spec, r);
  if (const Value* layers = r.Map(root->Find("layers"), "layers")) ReadLayers(*layers, spec, r);
  if (const Value* functions = r.Map(root->Find("functions"), "functions"))
    ReadFunctions(*functions, spec, r);
  CheckPackaging(spec.packaging, r);
  for (const auto& f : spec.functions) CheckPackaging(f.packaging, r);
  return r.ok();
}

bool LoadServerlessConfig(const std::string& path, ServiceSpec& spec, SourceManager& sources,
                          DiagnosticSink& sink) {
  auto root = LoadFile(path, sources, sink);
  if (!root) return false;
  Reader r(sink, "serverless.yml");
  if (!root->is_map()) return false;
  spec.serverless_dir = DirName(path);
  if (const Value* service = root->Find("service")) {
    if (service->is_scalar() && spec.service_name.empty()) spec.service_name = service->text();
    if (service->is_map() && service->Find("name") && spec.service_name.empty())
      spec.service_name = service->Find("name")->text();
  }
  if (const Value* provider = r.Map(root->Find("provider"), "provider"))
    spec.runtime = r.String(provider->Find("runtime"), "provider.runtime").text;
  if (const Value* package = r.Map(root->Find("package"), "package"))
    SetIf(spec.individually, r.Bool(package->Find("individually"), "package.individually"));
  if (const Value* functions = r.Map(root->Find("functions"), "functions"))
    ReadServerlessFunctions(*functions, spec, r);
  const Value* custom = r.Map(root->Find("custom"), "custom");
  if (const Value* options =
          custom ? r.Map(custom->Find("pythonRequirements"), "custom.pythonRequirements") : nullptr)
    ReadPythonRequirements(*options, spec, r);
  return r.ok();
}

}  // namespace cfnsplit::sizing
