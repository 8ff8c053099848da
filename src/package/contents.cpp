// What goes into one stack's artifact: the code of its functions and exactly the installed files
// of the distributions they need, with serverless-python-requirements' noDeploy and slim applied
// (aws-facts §4.2, §4.3). Pure selection: nothing is written here.
#include "package/contents.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <set>

#include "cfnsplit/python_files.hpp"

namespace cfnsplit::package {

Contents::Contents(const TemplateModel& model, const PackageModel& packages,
                   const BuildOptions& options, SourceManager& sources, DiagnosticSink& sink)
    : model_(model),
      packages_(packages),
      options_(options),
      sources_(sources),
      sink_(sink),
      site_(options.site_packages, sources, sink) {
  slim_ = options.slim || packages.settings.slim;
  slim_patterns_ = packages.settings.slim_patterns.empty() ? sizing::DefaultSlimPatterns()
                                                           : packages.settings.slim_patterns;
  if (!packages.settings.zip)
    no_deploy_.insert(packages.settings.no_deploy.begin(), packages.settings.no_deploy.end());
}

bool Contents::Open() {
  if (options_.site_packages.empty()) {
    sink_.Error("E7005", {}, "--site-packages is required: the installed tree to pack from");
    return false;
  }
  if (!site_.Open()) return false;
  if (!options_.serverless_config.empty()) {
    serverless_ = ReadServerlessPackaging(options_.serverless_config, sources_, sink_);
    if (!serverless_) return false;
  }
  return true;
}

std::vector<CodeRoot> Contents::CodeRootsFor(const FunctionPackage* f,
                                             const FunctionInfo* info) const {
  std::vector<CodeRoot> roots;
  const ServerlessPackaging::Function* sls_fn = nullptr;
  if (serverless_ && info && !info->serverless_name.empty()) {
    auto it = serverless_->functions.find(info->serverless_name);
    if (it != serverless_->functions.end()) sls_fn = &it->second;
  }
  auto serverless_root = [&](const std::string& dir) {
    CodeRoot root{dir, CodeRules::kServerless, serverless_->patterns};
    if (sls_fn)
      root.patterns.insert(root.patterns.end(), sls_fn->patterns.begin(), sls_fn->patterns.end());
    return root;
  };
  const CodeRules plain = model_.is_sam() ? CodeRules::kSam : CodeRules::kPlain;
  if (!options_.code_dirs.empty()) {
    for (const auto& dir : options_.code_dirs)
      roots.push_back(serverless_ ? serverless_root(dir) : CodeRoot{dir, plain, {}});
    return roots;
  }
  if (f && f->code_unit != 0 && f->code_unit < packages_.code_units.size()) {
    const CodeUnit& unit = packages_.code_units[f->code_unit];
    if (unit.size_source == "walk" && !unit.path.empty()) {
      roots.push_back({unit.path, plain, {}});
      return roots;
    }
  }
  if (serverless_) {
    // SPR per-function module, packaged individually: the module folder is the zip's root.
    if (sls_fn && !sls_fn->module.empty() && sls_fn->module != "." &&
        (sls_fn->individually || serverless_->individually))
      roots.push_back({sizing::JoinPath(serverless_->dir, sls_fn->module), CodeRules::kPlain, {}});
    else
      roots.push_back(serverless_root(serverless_->dir));
  }
  return roots;
}

const std::vector<ZipItem>* Contents::CodeFiles(const CodeRoot& root) {
  auto it = code_cache_.find(root);
  if (it == code_cache_.end()) {
    auto files = WalkCodeRoot(root, sink_);
    it = code_cache_.emplace(root, files ? std::move(*files) : std::vector<ZipItem>{}).first;
    if (!files) failed_roots_.insert(root.dir);
  }
  return failed_roots_.count(root.dir) ? nullptr : &it->second;
}

bool Contents::AddItems(const std::vector<ZipItem>& items, const std::string& prefix,
                        StackContents& out) {
  bool ok = true;
  for (const ZipItem& item : items) {
    ZipItem copy = item;
    copy.name = prefix + item.name;
    auto [it, inserted] = out.by_name.emplace(copy.name, out.items.size());
    if (inserted) {
      out.items.push_back(std::move(copy));
      continue;
    }
    const ZipItem& first = out.items[it->second];
    char a[PATH_MAX], b[PATH_MAX];
    bool same = realpath(first.source.c_str(), a) && realpath(copy.source.c_str(), b) &&
                std::string(a) == b;
    if (same) continue;
    sink_.Error("E7007", {},
                "stack " + out.stack + ": two different files would be '" + copy.name +
                    "' in its artifact: '" + first.source + "' (" + first.owner + ") and '" +
                    copy.source + "' (" + copy.owner + ")",
                {"a stack's artifact has one root: give its functions code folders that do not "
                 "overlap, or one --code tree"});
    ok = false;
  }
  return ok;
}

bool Contents::AddDistribution(const std::string& name, const std::string& prefix, bool no_deploy,
                               StackContents& out) {
  std::uint64_t pycache = 0;
  const std::vector<ZipItem>* files = site_.Files(name, &pycache);
  if (!files) return false;
  out.delta.pycache += pycache;
  std::vector<ZipItem> kept;
  for (const ZipItem& f : *files) {
    if (no_deploy && !no_deploy_.empty() && no_deploy_.count(sizing::SprFirstSegment(f.name))) {
      out.delta.no_deploy += f.size;
      continue;
    }
    if (slim_ &&
        std::any_of(slim_patterns_.begin(), slim_patterns_.end(), [&](const std::string& p) {
          return sizing::GlobMatchesPathOrParent(p, f.name);
        })) {
      out.delta.slimmed += f.size;
      continue;
    }
    kept.push_back(f);
  }
  return AddItems(kept, prefix, out);
}

void Contents::SortItems(std::vector<ZipItem>& items, std::map<std::string, std::size_t>* by_name) {
  std::sort(items.begin(), items.end(),
            [](const ZipItem& a, const ZipItem& b) { return a.name < b.name; });
  if (!by_name) return;
  by_name->clear();
  for (std::size_t i = 0; i < items.size(); ++i) (*by_name)[items[i].name] = i;
}

std::optional<StackContents> Contents::ForLayer(const LayerRequest& request) {
  StackContents out;
  out.stack = request.stack + "-" + request.layer_id;
  out.layer_id = request.layer_id;
  bool ok = true;
  for (std::uint32_t d : packages_.layers[request.layer].dists)
    ok = AddDistribution(packages_.dists[d].name, "python/", false, out) && ok;
  if (!ok) return std::nullopt;
  SortItems(out.items, &out.by_name);
  return out;
}

std::optional<StackContents> Contents::ForStack(const ArtifactRequest& request) {
  StackContents out;
  out.stack = request.stack;
  std::set<std::string> dists;
  std::set<std::uint32_t> plan_code_units;
  bool ok = true;
  std::uint64_t ephemeral_mb = 0;
  for (const std::string& id : request.functions) {
    const FunctionPackage* f = packages_.Find(id);
    const FunctionInfo* info = FindInfo(id);
    if (f && f->image) {
      out.image_functions.push_back(id);
      continue;
    }
    out.zip_functions.push_back(id);
    if (f) {  // without sizing data a function ships its code only
      out.function_layers.push_back(f->layers);
      ephemeral_mb =
          ephemeral_mb ? std::min(ephemeral_mb, f->ephemeral_storage_mb) : f->ephemeral_storage_mb;
      if (f->code_unit != 0) plan_code_units.insert(f->code_unit);
      if (f->packaging != "layer")  // a layer-mode function's dependencies are its layer's
        for (std::uint32_t d : f->dists) dists.insert(packages_.dists[d].name);
    }
    for (const CodeRoot& root : CodeRootsFor(f, info)) {
      const std::vector<ZipItem>* files = CodeFiles(root);
      ok = files && AddItems(*files, "", out) && ok;
    }
  }
  out.ephemeral_bytes = (ephemeral_mb ? ephemeral_mb : 512) * 1'048'576;
  if (zip_requirements() && !dists.empty()) {
    // SPR's zip: true: the installed tree goes whole into .requirements.zip (noDeploy's file
    // filter does not run; aws-facts §4.2, §4.4).
    StackContents reqs;
    reqs.stack = out.stack;
    for (const std::string& name : dists) ok = AddDistribution(name, "", false, reqs) && ok;
    SortItems(reqs.items, nullptr);
    out.requirements = std::move(reqs.items);
    out.delta.pycache += reqs.delta.pycache;
    out.delta.slimmed += reqs.delta.slimmed;
  } else {
    for (const std::string& name : dists) ok = AddDistribution(name, "", true, out) && ok;
  }
  if (!ok) return std::nullopt;
  SortItems(out.items, &out.by_name);
  for (const ZipItem& item : out.items)
    if (item.owner == "code") out.code_bytes += item.size;
  std::uint64_t plan_code = 0;
  for (std::uint32_t unit : plan_code_units) plan_code += packages_.code_units[unit].unzipped_bytes;
  out.delta.code = static_cast<std::int64_t>(out.code_bytes) - static_cast<std::int64_t>(plan_code);
  if (!CheckHandlers(out)) return std::nullopt;
  return out;
}

const FunctionInfo* Contents::FindInfo(const std::string& id) const {
  for (const FunctionInfo& f : model_.functions)
    if (f.resource_id == id) return &f;
  return nullptr;
}

bool Contents::CheckHandlers(const StackContents& out) {
  std::set<std::string> names;
  for (const ZipItem& item : out.items) names.insert(item.name);
  bool ok = true;
  for (const std::string& id : out.zip_functions) {
    const FunctionInfo* info = FindInfo(id);
    if (!info || info->runtime.rfind("python", 0) != 0 || info->handler.empty()) continue;
    if (HandlerModulePresent(info->handler, names)) continue;
    const Resource* r = model_.FindResource(id);
    const Value* handler = r && r->properties ? r->properties->Find("Handler") : nullptr;
    SourceLoc loc = handler ? handler->loc() : r ? r->loc : SourceLoc{};
    sink_.Error("E7008", loc,
                "function " + id + ": handler '" + info->handler +
                    "' is not in the artifact of stack " + out.stack,
                {out.code_bytes == 0
                     ? "no code was found for it: pass the service's code tree with --code DIR "
                       "(and --serverless-config serverless.yml for its package patterns)"
                     : "the code folders given do not hold its module"});
    ok = false;
  }
  return ok;
}

}  // namespace cfnsplit::package
