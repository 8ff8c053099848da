// Per-function decisions: which requirements (manifest > CodeUri or module > service-wide),
// which code directory, which layers and which packaging mode, and the dependency closure.
#include "sizing/plan.hpp"

#include <algorithm>
#include <deque>
#include <filesystem>

namespace cfnsplit::sizing {
namespace fs = std::filesystem;

bool IsRegularFile(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

namespace {

bool IsDirectory(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

bool NamesFunction(const std::string& key, const FunctionInfo& info) {
  return key == info.resource_id ||
         (!info.serverless_name.empty() && key == info.serverless_name) ||
         ServerlessLogicalId(key) == info.resource_id;
}

std::string LayerName(const Value& v) {
  if (v.is_scalar()) return v.text();
  if (v.is_map() && v.size() == 1) return LayerName(v.items()[0]);
  return "?";
}

std::string Join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

Planner::Planner(const std::vector<FunctionInfo>& functions, const SizingOptions& options,
                 SourceManager& sources, DiagnosticSink& sink)
    : functions_(functions),
      options_(options),
      sources_(sources),
      sink_(sink),
      reader_(sources, sink) {}

std::optional<PackageModel> Planner::Run() {
  if (!LoadInputs()) return std::nullopt;
  // Later entries win, as before; a key is also reachable as its Serverless logical id.
  for (const auto& f : spec_.functions) {
    manifest_by_name_[f.key] = &f;
    manifest_by_name_[ServerlessLogicalId(f.key)] = &f;
  }
  for (const auto& f : spec_.serverless_functions) {
    serverless_by_name_[f.key] = &f;
    serverless_by_name_[ServerlessLogicalId(f.key)] = &f;
  }
  plans_.resize(functions_.size());
  for (std::size_t i = 0; i < functions_.size(); ++i) PlanFunction(functions_[i], plans_[i]);
  for (const auto& f : spec_.functions) {
    if (matched_manifest_.count(&f)) continue;
    std::vector<std::string> ids;
    for (const auto& info : functions_) ids.push_back(info.resource_id);
    std::string suggestion = SuggestClosest(f.key, ids);
    sink_.Warning("W6002", f.loc,
                  "manifest function '" + f.key + "' matches no function in the template" +
                      (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?"));
  }
  PlanLayers();
  return Assemble();
}

bool Planner::LoadInputs() {
  if (!options_.serverless_config.empty() &&
      !LoadServerlessConfig(options_.serverless_config, spec_, sources_, sink_))
    return false;
  if (!options_.manifest.empty() && !LoadManifest(options_.manifest, spec_, sources_, sink_))
    return false;
  catalog_ = LoadCatalog(sources_, sink_);
  ResolveSettings();
  UniverseInputs inputs;
  inputs.site_packages =
      !options_.site_packages.empty() ? options_.site_packages : spec_.site_packages.text;
  inputs.wheelhouse = !options_.wheelhouse.empty() ? options_.wheelhouse : spec_.wheelhouse.text;
  inputs.artifacts = options_.artifacts;
  for (const auto& f : spec_.functions)
    if (!f.artifact.text.empty()) inputs.artifacts.emplace_back(f.key, f.artifact.text);
  for (const auto& l : spec_.layers)
    if (!l.artifact.text.empty()) inputs.artifacts.emplace_back("layer:" + l.name, l.artifact.text);
  std::sort(inputs.artifacts.begin(), inputs.artifacts.end());
  inputs.slim_patterns = settings_.slim_patterns;
  inputs.strip = settings_.strip;
  auto arm = std::count_if(functions_.begin(), functions_.end(),
                           [](const FunctionInfo& f) { return f.architecture == "arm64"; });
  inputs.architecture = arm * 2 > static_cast<long>(functions_.size()) ? "arm64" : "x86_64";
  universe_ = BuildUniverse(inputs, catalog_, sources_, sink_);
  PrepareInference();
  return true;
}

void Planner::ResolveSettings() {
  settings_.slim = spec_.slim.value_or(false);
  settings_.strip = spec_.strip.value_or(true);
  settings_.zip = spec_.zip.value_or(false);
  settings_.slim_patterns_append_defaults = spec_.slim_patterns_append_defaults.value_or(true);
  std::vector<std::string> patterns;
  if (settings_.slim_patterns_append_defaults || !spec_.slim_patterns)
    patterns = DefaultSlimPatterns();
  if (spec_.slim_patterns)
    patterns.insert(patterns.end(), spec_.slim_patterns->begin(), spec_.slim_patterns->end());
  settings_.slim_patterns = patterns;
  settings_.no_deploy = spec_.no_deploy.value_or(catalog_.spr_no_deploy_default);
}

std::vector<Requirement> Planner::ReadList(const std::vector<Located>& files,
                                           const std::vector<Located>& packages) {
  std::vector<Requirement> out;
  for (const auto& file : files) {
    auto reqs = reader_.Read(file.text, file.loc);
    out.insert(out.end(), reqs.begin(), reqs.end());
  }
  for (const auto& package : packages) {
    Requirement req;
    std::string error;
    std::size_t column = 0;
    if (!ParseRequirement(package.text, req, &error, &column)) {
      SourceLoc at = package.loc;
      if (at.known()) at.column += static_cast<std::uint32_t>(column);
      sink_.Error("E6004", at, "invalid requirement '" + package.text + "': " + error);
      continue;
    }
    req.loc = package.loc;
    out.push_back(std::move(req));
  }
  return out;
}

std::vector<Requirement> Planner::ServiceRequirements() {
  if (service_requirements_read_) return service_requirements_;
  service_requirements_read_ = true;
  std::vector<Located> files;
  for (const auto& path : options_.requirements) files.push_back({path, {}});
  if (files.empty()) files = spec_.requirements;
  if (files.empty() && !spec_.serverless_dir.empty()) {
    std::string path = JoinPath(spec_.serverless_dir, spec_.spr_file_name);
    if (IsRegularFile(path)) files.push_back({path, {}});
  }
  service_requirements_ = ReadList(files, spec_.packages);
  return service_requirements_;
}

std::string Planner::DefaultPackaging() const {
  if (!spec_.serverless_dir.empty()) return "shared";
  bool serverless = std::any_of(functions_.begin(), functions_.end(),
                                [](const FunctionInfo& f) { return !f.serverless_name.empty(); });
  return serverless ? "shared" : "individual";
}

void Planner::PlanFunction(const FunctionInfo& info, FunctionPlan& plan) {
  plan.info = &info;
  for (const std::string* name : {&info.resource_id, &info.serverless_name}) {
    if (name->empty()) continue;
    if (auto it = manifest_by_name_.find(*name); it != manifest_by_name_.end())
      plan.manifest = it->second;
    if (auto it = serverless_by_name_.find(*name); it != serverless_by_name_.end())
      plan.serverless = it->second;
  }
  if (plan.manifest) matched_manifest_.insert(plan.manifest);
  const ManifestFunction* m = plan.manifest;
  const ServerlessFunction* s = plan.serverless;
  plan.env = EnvForRuntime(info.runtime.empty() ? spec_.runtime : info.runtime, info.architecture,
                           spec_.python.text);
  plan.env_key = plan.env.python_version + "/" + plan.env.platform_machine;

  // Requirements, by precedence.
  std::string module = m && !m->module.text.empty() ? m->module.text : (s ? s->module : "");
  bool individually = (s && s->individually.value_or(false)) || spec_.individually.value_or(false);
  std::string module_base = !spec_.serverless_dir.empty() ? spec_.serverless_dir : spec_.base_dir;
  std::string module_file = JoinPath(JoinPath(module_base, module), spec_.spr_file_name);
  std::string codeuri_file =
      JoinPath(JoinPath(options_.template_dir, info.code_uri), "requirements.txt");
  if (m && (!m->requirements.empty() || !m->packages.empty())) {
    plan.roots = ReadList(m->requirements, m->packages);
    plan.requirements_from = "manifest";
  } else if (!module.empty() && module != "." && individually && IsRegularFile(module_file)) {
    plan.roots = reader_.Read(module_file, m ? m->module.loc : SourceLoc{});
    plan.requirements_from = "module";
  } else if (!info.code_uri.empty() && IsRegularFile(codeuri_file)) {
    plan.roots = reader_.Read(codeuri_file, {});
    plan.requirements_from = "codeuri";
  } else if (auto inferred = InferRequirements(info, plan)) {
    plan.roots = std::move(*inferred);
    plan.requirements_from = "imports";
  } else if (auto service = ServiceRequirements(); !service.empty()) {
    plan.roots = std::move(service);
    plan.requirements_from = "service";
  }

  // Code: manifest > SAM CodeUri folder > service code folder.
  std::string codeuri_dir = JoinPath(options_.template_dir, info.code_uri);
  if (m && !m->code.text.empty())
    plan.code_dir = m->code.text;
  else if (!info.code_uri.empty() && IsDirectory(codeuri_dir))
    plan.code_dir = codeuri_dir;
  else
    plan.code_dir = spec_.code.text;

  // Packaging mode.
  if (!options_.packaging.empty())
    plan.packaging = options_.packaging;
  else if (m && !m->packaging.text.empty())
    plan.packaging = m->packaging.text;
  else if (s && s->individually.value_or(false))
    plan.packaging = "individual";
  else if (!spec_.packaging.text.empty())
    plan.packaging = spec_.packaging.text;
  else if (spec_.layer.value_or(false))
    plan.packaging = "layer";
  else if (spec_.individually.value_or(false))
    plan.packaging = "individual";
  else
    plan.packaging = DefaultPackaging();

  // Artifact: the function's own, else the service artifact.
  for (const auto& a : universe_.artifacts)
    if (a.ok && (NamesFunction(a.name, info) || (m && a.name == m->key))) plan.artifact = &a;
  if (!plan.artifact)
    for (const auto& a : universe_.artifacts)
      if (a.ok &&
          (a.name == "service" || (!spec_.service_name.empty() && a.name == spec_.service_name)))
        plan.artifact = &a;

  // Layers: the template's, plus manifest/serverless ones the template does not name.
  std::set<std::string> named;
  for (const Value* layer : info.layers)
    if (layer) named.insert(LayerName(*layer));
  plan.layer_count = static_cast<std::uint32_t>(info.layers.size());
  if (info.layers.empty() && s)
    for (const auto& l : s->layers)
      if (named.insert(l).second) ++plan.layer_count;
  if (m)
    for (const auto& l : m->layers) {
      plan.manifest_layers.push_back(l.text);
      if (named.insert(l.text).second) ++plan.layer_count;
    }
  if (plan.packaging == "layer" && named.insert("PythonRequirementsLambdaLayer").second)
    ++plan.layer_count;

  plan.closure = &Closure(plan.roots, plan.env, plan.env_key);
}

KnownDist& Planner::Lookup(const std::string& name) {
  auto it = universe_.dists.find(name);
  if (it != universe_.dists.end()) return it->second;
  KnownDist& known = universe_.dists[name];
  known.dist.name = name;
  known.dist.size_source = known.dist.zipped_source = "unknown";
  known.dist.runtime_provided = catalog_.runtime_packages.count(name) > 0;
  return known;
}

const ClosureResult& Planner::Closure(const std::vector<Requirement>& roots, const MarkerEnv& env,
                                      const std::string& env_key) {
  std::string key = env_key;
  for (const auto& r : roots)
    key += "\x1f" + r.name + "[" + Join(r.extras) + "];" + r.marker + "@" + r.url;
  auto it = closure_cache_.find(key);
  if (it != closure_cache_.end()) return it->second;
  ClosureResult& result = closure_cache_[key];
  Expand(result, roots, env, env_key);
  return result;
}

bool Planner::MarkerHolds(const std::string& marker, const MarkerEnv& env,
                          const std::string& env_key, const std::string& extra) {
  std::string key = env_key + '\x1f' + extra + '\x1f' + marker;
  auto it = marker_cache_.find(key);
  if (it != marker_cache_.end()) return it->second;
  // A marker that does not parse is treated as false for dependencies: never guess them in.
  bool holds = EvaluateMarker(marker, env, extra, nullptr).value_or(false);
  marker_cache_.emplace(std::move(key), holds);
  return holds;
}

bool Planner::Allows(const std::string& specifier, const std::string& version) {
  std::string key = version + '\x1f' + specifier;
  auto it = allows_cache_.find(key);
  if (it != allows_cache_.end()) return it->second;
  bool allows = SpecifierAllows(specifier, version);
  allows_cache_.emplace(std::move(key), allows);
  return allows;
}

void Planner::Expand(ClosureResult& result, const std::vector<Requirement>& roots,
                     const MarkerEnv& env, const std::string& env_key) {
  std::set<std::string> no_deploy;
  for (const auto& n : settings_.no_deploy) no_deploy.insert(NormalizeDistName(n));
  std::vector<const Requirement*> kept;
  for (const auto& r : roots) {
    if (!r.marker.empty() && !MarkerHolds(r.marker, env, env_key, "")) continue;
    if (!r.sizable()) {
      std::string where = sources_.path(r.loc.file) + ":" + std::to_string(r.loc.line);
      if (warned_.insert("W6005:" + where).second)
        sink_.Warning("W6005", r.loc,
                      std::string(r.editable ? "editable" : "URL or VCS") + " requirement '" +
                          r.url + "' cannot be resolved offline" +
                          (r.name.empty() ? "; it is reported unsized"
                                          : "; sized from '" + r.name + "' if installed"));
      if (r.name.empty()) {
        Lookup(r.url).dist.evidence = "unresolved requirement";
        result.pulled_in_by.emplace(r.url, r.url);
        result.roots.insert(r.url);
        continue;
      }
    }
    if (no_deploy.count(r.name)) continue;  // SPR drops the line itself (its dependencies stay)
    result.roots.insert(r.name);
    result.pulled_in_by.emplace(r.name, r.name);  // a direct requirement is its own reason
    kept.push_back(&r);
    const Distribution& d = Lookup(r.name).dist;
    bool measured =
        d.size_source == "record" || d.size_source == "walk" || d.size_source == "wheel";
    if (measured && !r.specifier.empty() && !d.version.empty() && !Allows(r.specifier, d.version) &&
        warned_.insert("W6022:" + r.name + r.specifier).second)
      sink_.Warning("W6022", r.loc,
                    "'" + r.name + r.specifier + "' is not satisfied by the measured version " +
                        d.version + "; sized as measured");
  }
  // Otherwise the first root (in file order) that needs a dist is the one that pulled it in.
  for (const Requirement* r : kept)
    for (const auto& name : RootClosure(*r, env, env_key))
      result.pulled_in_by.emplace(name, r->name);
}

const std::vector<std::string>& Planner::RootClosure(const Requirement& root, const MarkerEnv& env,
                                                     const std::string& env_key) {
  std::string key = env_key + "\x1f" + root.name + "[" + Join(root.extras) + "]";
  if (auto it = root_closure_cache_.find(key); it != root_closure_cache_.end()) return it->second;
  struct Item {
    std::string name, extra;
  };
  std::deque<Item> queue;
  queue.push_back({root.name, ""});
  for (const auto& e : root.extras) queue.push_back({root.name, e});
  std::map<std::string, std::set<std::string>> activated;  // dist → extras already expanded
  while (!queue.empty()) {
    Item item = std::move(queue.front());
    queue.pop_front();
    if (!activated[item.name].insert(item.extra).second) continue;
    KnownDist& known = Lookup(item.name);
    if (known.dist.size_source == "unknown" && warned_.insert("W6020:" + item.name).second)
      sink_.Warning("W6020", {},
                    "distribution '" + item.name + "' (pulled in by '" + root.name +
                        "') has no size: not installed, no wheel, no artifact and no figure in "
                        "rules/package-sizes.yaml; counted as 0 bytes");
    if (!known.requires_parsed) {
      known.requires_parsed = true;
      for (const auto& text : known.requires_dist) {
        Requirement req;
        if (ParseRequirement(text, req, nullptr, nullptr) && !req.name.empty())
          known.parsed_requires.push_back(std::move(req));
      }
    }
    for (const auto& req : known.parsed_requires) {
      if (!item.extra.empty() && req.marker.find("extra") == std::string::npos) continue;
      bool applies = req.marker.empty() ? item.extra.empty()
                                        : MarkerHolds(req.marker, env, env_key, item.extra);
      if (!applies) continue;
      queue.push_back({req.name, ""});
      for (const auto& e : req.extras) queue.push_back({req.name, e});
    }
  }
  std::vector<std::string>& names = root_closure_cache_[key];
  for (const auto& [name, extras] : activated) names.push_back(name);  // std::map: sorted
  return names;
}

void Planner::PlanLayers() {
  MarkerEnv env = EnvForRuntime(spec_.runtime, "x86_64", spec_.python.text);
  for (const auto& layer : spec_.layers) {
    auto roots = ReadList(layer.requirements, layer.packages);
    const ClosureResult& closure = Closure(roots, env, env.python_version + "/layer");
    auto& names = layer_dists_[layer.name];
    for (const auto& [name, root] : closure.pulled_in_by) names.push_back(name);
  }
}

}  // namespace cfnsplit::sizing
