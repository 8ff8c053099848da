// Import inference inside sizing: a function without its own requirements (no manifest entry, no
// module or CodeUri requirements.txt) ships what its handler imports instead of the whole
// service-wide list. The requirement lines of the service list are kept for the distributions
// it names (their pins, extras and markers); a distribution imported but not listed is taken
// as installed. Afterwards, service requirements that no function needs are reported with the
// bytes removing them would save.
#include <algorithm>

#include "sizing/plan.hpp"

namespace cfnsplit::sizing {

void Planner::PrepareInference() {
  infer_mode_ = options_.infer_imports.empty() ? "off" : options_.infer_imports;
  if (infer_mode_ == "off") return;
  // auto: only with an installed tree, which says which distribution provides which import.
  bool installed = !options_.site_packages.empty() || !spec_.site_packages.text.empty();
  if (infer_mode_ == "auto" && !installed) {
    infer_mode_ = "off";
    return;
  }
  import_rules_ = imports::LoadImportRules(sources_, sink_);
}

// On the first function that needs it (the service requirements may be missing when no function
// falls back to them). Import names come from distributions with real evidence (installed,
// wheel, artifact) and from the size catalog only for distributions the service requirements
// name: an import the catalog alone knows (boto3) is the Lambda runtime's, not a download.
imports::ImportResolver& Planner::Resolver() {
  if (resolver_) return *resolver_;
  for (const Requirement& r : ServiceRequirements())
    if (!r.name.empty()) service_by_name_.emplace(r.name, r);
  for (const auto& [name, known] : universe_.dists) {
    const std::string& source = known.dist.size_source;
    bool real = source == "record" || source == "walk" || source == "wheel" ||
                source == "artifact" || !known.module_paths.empty();
    if (real || service_by_name_.count(name))
      providers_.Add(name, known.dist.top_level, known.module_paths);
  }
  resolver_ = std::make_unique<imports::ImportResolver>(import_rules_, providers_, sources_, sink_);
  return *resolver_;
}

std::string Planner::FindCodeRoot(const FunctionInfo& info, const FunctionPlan& plan,
                                  const std::string& handler_path) {
  std::vector<std::string> roots;
  if (plan.manifest && !plan.manifest->code.text.empty()) roots.push_back(plan.manifest->code.text);
  if (!info.code_uri.empty()) roots.push_back(JoinPath(options_.template_dir, info.code_uri));
  roots.insert(roots.end(), options_.code_dirs.begin(), options_.code_dirs.end());
  for (const std::string* dir : {&spec_.code.text, &spec_.serverless_dir, &spec_.base_dir})
    if (!dir->empty()) roots.push_back(*dir);
  if (!options_.template_dir.empty()) roots.push_back(options_.template_dir);
  for (const auto& root : roots)
    if (IsRegularFile(JoinPath(root, handler_path))) return root;
  return "";
}

std::optional<std::vector<Requirement>> Planner::InferRequirements(const FunctionInfo& info,
                                                                   const FunctionPlan& plan) {
  if (infer_mode_ == "off") return std::nullopt;
  std::string runtime = info.runtime.empty() ? spec_.runtime : info.runtime;
  std::string handler_path = imports::HandlerModulePath(info.handler);
  if (runtime.rfind("python", 0) != 0 || handler_path.empty() || info.package_type == "Image")
    return std::nullopt;
  std::string root = FindCodeRoot(info, plan, handler_path);
  if (root.empty()) {
    if (infer_mode_ == "on")
      sink_.Warning("W6201", {},
                    "function '" + info.resource_id + "': handler module " + handler_path +
                        " not found in any code folder (CodeUri, --code, the manifest's code, "
                        "the service folder); it falls back to declared requirements");
    return std::nullopt;
  }
  imports::HandlerRef ref;
  ref.function_id = info.resource_id;
  ref.code_root = root;
  ref.handler_path = handler_path;
  ref.python_version = plan.env.python_version;
  ref.runtime = runtime;
  imports::FunctionImports found = Resolver().Infer(ref);
  bool ok = found.ok;
  std::vector<Requirement> roots;
  if (ok) {
    for (const auto& [dist, origins] : found.dists) {
      if (auto listed = service_by_name_.find(dist); listed != service_by_name_.end()) {
        roots.push_back(listed->second);
        continue;
      }
      Requirement r;
      r.name = r.raw_name = dist;
      roots.push_back(std::move(r));
    }
  }
  inferred_[info.resource_id] = std::move(found);
  if (!ok) return std::nullopt;
  return roots;
}

void Planner::FindUnusedRequirements(PackageModel& model) {
  bool any_inferred =
      std::any_of(model.functions.begin(), model.functions.end(),
                  [](const FunctionPackage& f) { return f.requirements_from == "imports"; });
  if (!any_inferred) return;
  std::set<std::string> shipped;
  for (const auto& plan : plans_)
    for (const auto& [name, root] : plan.closure->pulled_in_by) shipped.insert(name);
  MarkerEnv env = EnvForRuntime(spec_.runtime, "x86_64", spec_.python.text);
  std::string env_key = env.python_version + "/" + env.platform_machine;
  for (const Requirement& r : ServiceRequirements()) {
    if (!r.sizable() || shipped.count(r.name)) continue;
    UnusedRequirement unused;
    unused.name = r.name;
    unused.line = r.raw_name + r.specifier;
    for (const auto& name : RootClosure(r, env, env_key)) {
      if (shipped.count(name)) continue;
      unused.bytes_saved += Lookup(name).dist.unzipped_bytes;
      if (name != r.name) unused.also_removed.push_back(name);
    }
    sink_.Note("I6205", r.loc,
               "requirement '" + unused.line + "' is imported by no function" +
                   (unused.also_removed.empty()
                        ? ""
                        : " (nor are " + std::to_string(unused.also_removed.size()) +
                              " of its dependencies)") +
                   ": removing it saves " + GroupDigits(unused.bytes_saved) +
                   " bytes unzipped from every artifact that ships the service requirements");
    model.unused_requirements.push_back(std::move(unused));
  }
  std::sort(model.unused_requirements.begin(), model.unused_requirements.end(),
            [](const UnusedRequirement& a, const UnusedRequirement& b) { return a.name < b.name; });
}

}  // namespace cfnsplit::sizing
