// From plans to a PackageModel: stable dist indexes (sorted by name), what each dist costs an
// artifact under slim/noDeploy/zip, code folders counted once, layer sizes, totals per packaging
// mode, and the findings against Lambda's quotas.
#include <algorithm>
#include <filesystem>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "sizing/plan.hpp"

namespace cfnsplit::sizing {
namespace fs = std::filesystem;

namespace {

std::uint64_t ScaleBy(std::uint64_t bytes, std::uint64_t numerator, std::uint64_t denominator) {
  if (denominator == 0) return bytes;
  return static_cast<std::uint64_t>(static_cast<long double>(bytes) * numerator / denominator +
                                    0.5L);
}

// Function code as SAM and Serverless copy it: without bytecode, VCS and build folders.
std::uint64_t WalkCode(const std::string& dir) {
  static const std::set<std::string> kSkipped = {"__pycache__",  ".git",  ".aws-sam", ".serverless",
                                                 "node_modules", ".venv", "venv"};
  std::uint64_t total = 0;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) {
      if (kSkipped.count(name)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(type_ec) ||
        (name.size() > 4 && name.compare(name.size() - 4, 4, ".pyc") == 0))
      continue;
    total += it->file_size(type_ec);
  }
  return total;
}

}  // namespace

PackageModel Planner::Assemble() {
  PackageModel model;
  model.settings = settings_;
  model.limits = options_.limits;
  if (!options_.packaging.empty())
    model.packaging = options_.packaging;
  else if (!spec_.packaging.text.empty())
    model.packaging = spec_.packaging.text;
  else if (spec_.layer.value_or(false))
    model.packaging = "layer";
  else if (spec_.individually.value_or(false))
    model.packaging = "individual";
  else
    model.packaging = DefaultPackaging();
  model.code_units.push_back({"", 0, 0, "unknown"});
  model.unowned_bytes = universe_.unowned_bytes;
  model.unowned_files = universe_.unowned_files;
  AssignDists(model);
  ChargeDists(model);
  ComputeTotals(model);
  ReportFindings(model);
  model.imports = std::move(inferred_);
  FindUnusedRequirements(model);
  return model;
}

void Planner::AssignDists(PackageModel& model) {
  // Every dist a function, an artifact or a layer names, in name order. Thousands of functions
  // name a few dozen dists: they are told apart by hash and sorted once.
  std::unordered_set<std::string_view> seen;
  for (const auto& plan : plans_) {
    for (const auto& [name, root] : plan.closure->pulled_in_by) seen.insert(name);
    if (plan.artifact)
      for (const auto& [name, sizes] : plan.artifact->dists) seen.insert(name);
  }
  for (const auto& [layer, dists] : layer_dists_) seen.insert(dists.begin(), dists.end());
  std::vector<std::string_view> names(seen.begin(), seen.end());
  std::sort(names.begin(), names.end());
  MarkerEnv default_env;
  std::unordered_map<std::string_view, std::uint32_t> index;
  for (const std::string_view name : names) {
    KnownDist& known = Lookup(std::string(name));
    Distribution d = known.dist;
    std::set<std::string>
    requires;
    for (const auto& text : known.requires_dist) {
      Requirement req;
      if (!ParseRequirement(text, req, nullptr, nullptr) || req.name.empty()) continue;
      if (req.marker.empty() ||
          EvaluateMarker(req.marker, default_env, "", nullptr).value_or(false))
      requires.insert(req.name);
    }
    d.requires.assign(requires.begin(), requires.end());
    index[name] = static_cast<std::uint32_t>(model.dists.size());
    model.dists.push_back(std::move(d));
  }
  for (const auto& layer : spec_.layers) {
    LayerInfo info{layer.name, 0, "unknown", {}, false};
    for (const auto& a : universe_.artifacts)
      if (a.ok && a.name == "layer:" + layer.name) {
        info.unzipped_bytes = a.code_unzipped;
        for (const auto& [name, sizes] : a.dists) info.unzipped_bytes += sizes.first;
        info.size_source = "artifact";
      }
    model.layers.push_back(info);
  }
  for (const auto& plan : plans_) {
    const FunctionInfo& info = *plan.info;
    FunctionPackage f;
    f.function_id = info.resource_id;
    f.serverless_name = !info.serverless_name.empty() ? info.serverless_name
                        : plan.serverless             ? plan.serverless->key
                                                      : "";
    f.packaging = plan.packaging;
    f.requirements_from = plan.requirements_from;
    f.image = info.package_type == "Image" || (plan.manifest && plan.manifest->image) ||
              (plan.serverless && plan.serverless->image);
    f.ephemeral_storage_mb = plan.manifest && plan.manifest->ephemeral_storage_mb
                                 ? *plan.manifest->ephemeral_storage_mb
                                 : info.ephemeral_storage_mb;
    f.layer_count = plan.layer_count;
    for (const auto& [name, root] : plan.closure->pulled_in_by) f.pulled_in_by[index[name]] = root;
    if (plan.artifact)
      for (const auto& [name, sizes] : plan.artifact->dists)
        f.pulled_in_by.emplace(index[name], "artifact " + plan.artifact->name);
    for (const auto& [dist, root] : f.pulled_in_by) f.dists.push_back(dist);
    for (const auto& root : plan.closure->roots) f.roots.push_back(index[root]);
    std::sort(f.roots.begin(), f.roots.end());
    for (const auto& name : plan.manifest_layers) {
      auto it = std::find_if(spec_.layers.begin(), spec_.layers.end(),
                             [&](const ManifestLayer& l) { return l.name == name; });
      if (it != spec_.layers.end())
        f.layers.push_back(static_cast<std::uint32_t>(it - spec_.layers.begin()));
      else if (warned_.insert("W6104:" + name).second)
        sink_.Warning(
            "W6104", plan.manifest->loc,
            "layer '" + name +
                "' is not defined under 'layers:' in the manifest; its size is not counted");
    }
    model.functions.push_back(std::move(f));
  }
}

void Planner::ChargeDists(PackageModel& model) {
  std::set<std::string> no_deploy(settings_.no_deploy.begin(), settings_.no_deploy.end());
  // noDeploy's file filter runs only when requirements are injected into the function zip.
  bool filter_files = !settings_.zip && model.packaging != "layer" && !no_deploy.empty();
  std::vector<bool> removed(model.dists.size(), false);
  model.charged_bytes.assign(model.dists.size(), 0);
  zipped_charge_.assign(model.dists.size(), 0);
  deps_unzipped_.assign(model.dists.size(), 0);
  for (std::size_t i = 0; i < model.dists.size(); ++i) {
    const Distribution& d = model.dists[i];
    const KnownDist& known = Lookup(d.name);
    std::uint64_t after_slim =
        d.unzipped_bytes - (settings_.slim ? std::min(d.slim_bytes, d.unzipped_bytes) : 0);
    std::uint64_t dropped = 0;
    if (filter_files && !known.segment_bytes.empty()) {
      for (const auto& [segment, bytes] : known.segment_bytes)
        if (no_deploy.count(segment)) dropped += bytes;
      dropped = std::min(ScaleBy(dropped, after_slim, d.unzipped_bytes), after_slim);
    } else if (filter_files && !d.top_level.empty() &&
               std::all_of(d.top_level.begin(), d.top_level.end(),
                           [&](const std::string& t) { return no_deploy.count(t) > 0; })) {
      dropped = after_slim;
    }
    std::uint64_t shipped = after_slim - dropped;
    removed[i] = dropped > 0 && shipped == 0;
    deps_unzipped_[i] = shipped;
    zipped_charge_[i] = ScaleBy(d.zipped_bytes, shipped, d.unzipped_bytes);
    model.charged_bytes[i] = settings_.zip ? zipped_charge_[i] : shipped;
  }
  for (auto& f : model.functions) {
    std::vector<std::uint32_t> kept;
    for (std::uint32_t d : f.dists)
      if (!removed[d])
        kept.push_back(d);
      else
        f.pulled_in_by.erase(d);
    f.dists = std::move(kept);
    f.roots.erase(
        std::remove_if(f.roots.begin(), f.roots.end(), [&](std::uint32_t d) { return removed[d]; }),
        f.roots.end());
  }
}

std::uint32_t Planner::CodeUnitFor(const FunctionPlan& plan, PackageModel& model) {
  std::string key;
  CodeUnit unit;
  if (plan.artifact) {
    key = "artifact:" + plan.artifact->path;
    unit = {plan.artifact->path, plan.artifact->code_unzipped, plan.artifact->code_zipped,
            "artifact"};
  } else if (!plan.code_dir.empty()) {
    key = fs::path(plan.code_dir).lexically_normal().generic_string();
    if (code_unit_index_.count(key) == 0) {
      std::uint64_t bytes = WalkCode(plan.code_dir);
      unit = {plan.code_dir, bytes,
              ScaleBy(bytes, static_cast<std::uint64_t>(catalog_.default_zip_ratio * 1000), 1000),
              "walk"};
    }
  } else {
    return 0;
  }
  auto [it, inserted] =
      code_unit_index_.emplace(key, static_cast<std::uint32_t>(model.code_units.size()));
  if (inserted) model.code_units.push_back(unit);
  return it->second;
}

void Planner::ComputeTotals(PackageModel& model) {
  for (std::size_t i = 0; i < plans_.size(); ++i)
    model.functions[i].code_unit = CodeUnitFor(plans_[i], model);
  for (std::size_t l = 0; l < spec_.layers.size(); ++l) {
    if (model.layers[l].size_source == "artifact") continue;
    for (const auto& name : layer_dists_[spec_.layers[l].name]) {
      long d = model.DistIndex(name);
      if (d < 0) continue;
      model.layers[l].unzipped_bytes += deps_unzipped_[static_cast<std::size_t>(d)];
      model.layers[l].dists.push_back(static_cast<std::uint32_t>(d));
    }
    std::sort(model.layers[l].dists.begin(), model.layers[l].dists.end());
    model.layers[l].size_source = "dists";
  }
  // Shared artifact and the serverless-python-requirements layer: unions over their functions.
  std::set<std::uint32_t> shared_dists, shared_code, layer_mode_dists;
  for (const auto& f : model.functions) {
    if (f.packaging == "shared") {
      shared_dists.insert(f.dists.begin(), f.dists.end());
      shared_code.insert(f.code_unit);
    } else if (f.packaging == "layer") {
      layer_mode_dists.insert(f.dists.begin(), f.dists.end());
    }
  }
  std::uint64_t shared_unzipped = 0, shared_zipped = 0, shared_tmp = 0;
  for (std::uint32_t d : shared_dists) {
    shared_unzipped += model.charged_bytes[d];
    shared_zipped += zipped_charge_[d];
    shared_tmp += settings_.zip ? deps_unzipped_[d] : 0;
  }
  for (std::uint32_t c : shared_code) {
    shared_unzipped += model.code_units[c].unzipped_bytes;
    shared_zipped += model.code_units[c].zipped_bytes;
  }
  // Every layer-mode function lists the layer, even when none of them has a dependency.
  bool any_layer_mode =
      std::any_of(model.functions.begin(), model.functions.end(),
                  [](const FunctionPackage& f) { return f.packaging == "layer"; });
  if (any_layer_mode) {
    LayerInfo spr{"pythonRequirements", 0, "dists", {}, true};
    for (std::uint32_t d : layer_mode_dists) spr.unzipped_bytes += deps_unzipped_[d];
    spr.dists.assign(layer_mode_dists.begin(), layer_mode_dists.end());
    model.layers.push_back(spr);
  }
  auto spr_layer = static_cast<std::uint32_t>(model.layers.size() - 1);
  for (auto& f : model.functions) {
    if (f.packaging == "layer") f.layers.push_back(spr_layer);
    std::sort(f.layers.begin(), f.layers.end());
    f.layers.erase(std::unique(f.layers.begin(), f.layers.end()), f.layers.end());
    for (std::uint32_t l : f.layers) f.layer_bytes += model.layers[l].unzipped_bytes;
    const CodeUnit& code = model.code_units[f.code_unit];
    f.code_bytes = code.unzipped_bytes;
    if (f.packaging == "shared") {
      f.unzipped_bytes = shared_unzipped + f.layer_bytes;
      f.zipped_bytes = shared_zipped;
      f.tmp_bytes = shared_tmp;
    } else if (f.packaging == "layer") {
      f.unzipped_bytes = code.unzipped_bytes + f.layer_bytes;
      f.zipped_bytes = code.zipped_bytes;
    } else {
      f.unzipped_bytes = code.unzipped_bytes + f.layer_bytes;
      f.zipped_bytes = code.zipped_bytes;
      for (std::uint32_t d : f.dists) {
        f.unzipped_bytes += model.charged_bytes[d];
        f.zipped_bytes += zipped_charge_[d];
        f.tmp_bytes += settings_.zip ? deps_unzipped_[d] : 0;
      }
    }
  }
}

void Planner::ReportFindings(const PackageModel& model) {
  for (std::size_t i = 0; i < model.functions.size(); ++i) {
    const FunctionPackage& f = model.functions[i];
    SourceLoc loc = plans_[i].manifest ? plans_[i].manifest->loc : SourceLoc{};
    const std::string name = "function '" + f.function_id + "'";
    if (f.image) continue;  // container images have their own 10 GB limit and no layers
    if (f.layer_count > model.limits.layers)
      sink_.Error("E6102", loc,
                  name + " uses " + std::to_string(f.layer_count) + " layers; Lambda allows " +
                      std::to_string(model.limits.layers));
    if (f.unzipped_bytes >= model.limits.unzipped_bytes) {
      sink_.Error("E6101", loc,
                  name + " ships " + GroupDigits(f.unzipped_bytes) + " bytes unzipped (" +
                      f.packaging + " packaging, layers included); Lambda's limit is " +
                      GroupDigits(model.limits.unzipped_bytes),
                  {"over by " + GroupDigits(f.unzipped_bytes - model.limits.unzipped_bytes) +
                   " bytes; `cfnsplit analyze` with the same sizing options lists the playbook "
                   "(slim, noDeploy, individually, zip, split, image)"});
    } else if (f.unzipped_bytes * 10 >= model.limits.unzipped_bytes * 9) {
      sink_.Note("I6105", loc,
                 name + " ships " + GroupDigits(f.unzipped_bytes) + " bytes unzipped, " +
                     std::to_string(f.unzipped_bytes * 100 / model.limits.unzipped_bytes) +
                     "% of Lambda's limit");
    }
    std::uint64_t tmp_limit = f.ephemeral_storage_mb * 1'048'576;
    if (f.tmp_bytes > tmp_limit)
      sink_.Warning("W6103", loc,
                    name + " extracts " + GroupDigits(f.tmp_bytes) +
                        " bytes into /tmp at cold start (zip: true); its ephemeral storage is " +
                        std::to_string(f.ephemeral_storage_mb) + " MB (" + GroupDigits(tmp_limit) +
                        " bytes)");
  }
  if (model.unowned_files > 0)
    sink_.Note("I6024", {},
               std::to_string(model.unowned_files) + " files (" + GroupDigits(model.unowned_bytes) +
                   " bytes) in site-packages belong to no distribution's RECORD; they are not "
                   "charged to any function");
}

}  // namespace cfnsplit::sizing
