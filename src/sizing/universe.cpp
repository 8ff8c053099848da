// Every distribution the evidence can size, by normalized name. Sources are applied from the
// weakest to the strongest (catalog, artifact, wheel, installed tree), so a later source simply
// overwrites: real files always win over estimates. Zipped sizes follow their own precedence
// (wheel, artifact, catalog pair, ratio), because an installed tree has no compressed size.
#include <algorithm>
#include <filesystem>

#include "sizing/internal.hpp"

namespace cfnsplit::sizing {
namespace fs = std::filesystem;

namespace {

std::uint64_t Scale(std::uint64_t bytes, double ratio) {
  return static_cast<std::uint64_t>(static_cast<double>(bytes) * ratio + 0.5);
}

void AddCatalog(const Catalog& catalog, Universe& u) {
  for (const auto& [name, entry] : catalog.packages) {
    if (!entry.unzipped && !entry.zipped) {
      // No size, but the requires list still lets a closure continue past this project.
      KnownDist& known = u.dists[name];
      known.dist.name = name;
      known.dist.size_source = known.dist.zipped_source = "unknown";
      known.dist.evidence = "rules/package-sizes.yaml: " + entry.source;
      known.dist.top_level = entry.top_level;
      known.requires_dist = entry.requires;
      continue;
    }
    KnownDist& known = u.dists[name];
    Distribution& d = known.dist;
    d.name = name;
    d.version = entry.version;
    d.size_source = "catalog";
    d.evidence = "rules/package-sizes.yaml: " + entry.source;
    d.unzipped_bytes =
        entry.unzipped ? *entry.unzipped : Scale(*entry.zipped, 1.0 / catalog.default_zip_ratio);
    d.zipped_bytes =
        entry.zipped ? *entry.zipped : Scale(*entry.unzipped, catalog.default_zip_ratio);
    d.zipped_source = entry.zipped ? "catalog" : "ratio";
    d.slim_bytes = Scale(d.unzipped_bytes, catalog.slim_estimate_ratio);
    d.top_level = entry.top_level;
    known.requires_dist = entry.requires;
  }
}

// Top-level folder or file of an archive → distribution, via dist-info names and import names.
std::string OwnerOfTopLevel(const std::string& top, bool is_file,
                            const std::map<std::string, std::string>& import_to_dist) {
  for (const char* suffix : {".dist-info", ".egg-info", ".data"}) {
    std::string s(suffix);
    if (top.size() > s.size() && top.compare(top.size() - s.size(), s.size(), s) == 0)
      return NormalizeDistName(top.substr(0, top.find('-')));
  }
  std::string key = is_file ? top.substr(0, top.find('.')) : top;
  if (auto it = import_to_dist.find(key); it != import_to_dist.end()) return it->second;
  if (!is_file && key.size() > 5 && key.compare(key.size() - 5, 5, ".libs") == 0) {
    std::string base = NormalizeDistName(key.substr(0, key.size() - 5));
    if (auto it = import_to_dist.find(base); it != import_to_dist.end()) return it->second;
  }
  return {};
}

std::map<std::string, std::string> ImportNames(const Universe& u) {
  std::map<std::string, std::string> out;
  for (const auto& [name, known] : u.dists) {
    out.emplace(name, name);
    std::string underscored = name;
    std::replace(underscored.begin(), underscored.end(), '-', '_');
    out.emplace(underscored, name);
    for (const auto& top : known.dist.top_level) out.emplace(top, name);
  }
  return out;
}

void AddArtifact(const std::string& name, const std::string& path, Universe& u,
                 const std::map<std::string, std::string>& import_to_dist, SourceManager& sources,
                 DiagnosticSink& sink) {
  ArtifactContents contents;
  contents.name = name;
  contents.path = path;
  auto entries = ReadZipFile(path, sources, sink);
  if (entries) {
    // dist-info folders inside the artifact name distributions the other evidence may not know.
    std::map<std::string, std::string> local = import_to_dist;
    for (const auto& e : *entries) {
      std::string top = e.name.substr(0, e.name.find('/'));
      if (top.size() > 10 && top.compare(top.size() - 10, 10, ".dist-info") == 0) {
        std::string dist = NormalizeDistName(top.substr(0, top.find('-')));
        std::string module = top.substr(0, top.find('-'));
        local.emplace(dist, dist);
        local.emplace(module, dist);
      }
    }
    for (const auto& e : *entries) {
      std::size_t slash = e.name.find('/');
      std::string top = e.name.substr(0, slash);
      std::string owner = OwnerOfTopLevel(top, slash == std::string::npos, local);
      if (owner.empty()) {
        contents.code_unzipped += e.uncompressed;
        contents.code_zipped += e.compressed;
      } else {
        auto& sizes = contents.dists[owner];
        sizes.first += e.uncompressed;
        sizes.second += e.compressed;
      }
    }
    contents.ok = true;
  }
  for (const auto& [dist, sizes] : contents.dists) {
    KnownDist& known = u.dists[dist];
    Distribution& d = known.dist;
    d.name = dist;
    if (d.size_source != "record" && d.size_source != "walk" && d.size_source != "wheel") {
      d.size_source = "artifact";
      d.unzipped_bytes = sizes.first;
      d.evidence = path;
      d.slim_bytes = 0;  // unknown for an artifact: what was built is what ships
      d.slim_measured = false;
    }
    d.zipped_bytes = sizes.second;
    d.zipped_source = "artifact";
  }
  u.artifacts.push_back(std::move(contents));
}

bool WheelFitsArchitecture(const WheelName& w, const std::string& architecture) {
  if (w.platform == "any") return true;
  std::string machine = architecture == "arm64" ? "aarch64" : "x86_64";
  return w.platform.find("linux") != std::string::npos &&
         w.platform.find(machine) != std::string::npos;
}

void AddWheels(const std::string& dir, const UniverseInputs& inputs, Universe& u,
               SourceManager& sources, DiagnosticSink& sink) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    sink.Error("E6008", {}, "wheelhouse directory '" + dir + "' not found");
    return;
  }
  // One wheel per distribution: the newest that fits the Lambda platform (a pure wheel fits all).
  std::map<std::string, std::pair<WheelName, std::string>> chosen;
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    auto wheel = ParseWheelName(file);
    if (!wheel || !WheelFitsArchitecture(*wheel, inputs.architecture)) continue;
    auto it = chosen.find(wheel->name);
    if (it == chosen.end() || CompareVersions(wheel->version, it->second.first.version) > 0)
      chosen[wheel->name] = {*wheel, JoinPath(dir, file)};
  }
  for (const auto& [name, wheel_and_path] : chosen) {
    const auto& [wheel, path] = wheel_and_path;
    std::string metadata;
    auto entries = ReadZipFile(path, sources, sink, {}, &metadata);
    if (!entries) continue;
    KnownDist& known = u.dists[name];
    Distribution& d = known.dist;
    d.name = name;
    d.version = wheel.version;
    d.unzipped_bytes = d.zipped_bytes = 0;
    std::vector<InstalledFile> files_for_slim;
    std::set<std::string> top_level;
    bool has_shared_objects = false;
    for (const auto& e : *entries) {
      d.unzipped_bytes += e.uncompressed;
      d.zipped_bytes += e.compressed;
      files_for_slim.push_back({e.name, e.uncompressed, 0});
      std::string top = e.name.substr(0, e.name.find('/'));
      if (top.find(".dist-info") == std::string::npos && top.find(".data") == std::string::npos)
        top_level.insert(e.name.find('/') == std::string::npos ? top.substr(0, top.find('.'))
                                                               : top);
      has_shared_objects |= e.name.size() > 3 && e.name.compare(e.name.size() - 3, 3, ".so") == 0;
      known.segment_bytes[SprFirstSegment(e.name)] += e.uncompressed;
    }
    d.size_source = d.zipped_source = "wheel";
    d.evidence = path;
    d.top_level.assign(top_level.begin(), top_level.end());
    // Patterns are measured; strip savings of compressed .so members are not.
    d.slim_bytes = SlimRemovedBytes(files_for_slim, inputs.slim_patterns, false);
    d.slim_measured = !has_shared_objects;
    if (!metadata.empty()) known.requires_dist = ParseCoreMetadata(metadata).requires_dist;
  }
}

void AddInstalled(const SitePackages& site, const UniverseInputs& inputs, const Catalog& catalog,
                  Universe& u) {
  std::set<std::string> seen;
  for (const auto& installed : site.dists) {
    if (!seen.insert(installed.name).second)
      continue;  // a duplicate install: W6026 already said so
    KnownDist& known = u.dists[installed.name];
    Distribution& d = known.dist;
    bool had_wheel_zip = d.zipped_source == "wheel" || d.zipped_source == "artifact";
    d.name = installed.name;
    d.version = installed.version;
    d.unzipped_bytes = installed.bytes;
    d.size_source = installed.source;
    d.evidence = site.root + "/" + installed.metadata_dir;
    d.top_level = installed.top_level;
    d.slim_bytes = SlimRemovedBytes(installed.files, inputs.slim_patterns, inputs.strip);
    d.slim_measured = true;
    if (!had_wheel_zip) {
      d.zipped_bytes = Scale(d.unzipped_bytes, catalog.default_zip_ratio);
      d.zipped_source = "ratio";
    }
    known.requires_dist = installed.requires_dist;
    known.segment_bytes.clear();
    for (const auto& f : installed.files) known.segment_bytes[SprFirstSegment(f.path)] += f.size;
    std::set<std::string> prefixes;
    for (const auto& f : installed.files) {
      std::size_t first = f.path.find('/');
      std::size_t second = first == std::string::npos ? first : f.path.find('/', first + 1);
      prefixes.insert(f.path.substr(0, second));
    }
    known.module_paths.assign(prefixes.begin(), prefixes.end());
  }
  u.unowned_bytes = site.unowned_bytes;
  u.unowned_files = site.unowned_paths.size();
}

}  // namespace

std::string SprFirstSegment(std::string_view path) {
  std::size_t cut = path.find_first_of("-/\\");
  std::size_t py = path.find(".py");
  return std::string(path.substr(0, std::min(cut, py)));
}

Universe BuildUniverse(const UniverseInputs& inputs, const Catalog& catalog, SourceManager& sources,
                       DiagnosticSink& sink) {
  Universe u;
  AddCatalog(catalog, u);
  std::optional<SitePackages> site;
  if (!inputs.site_packages.empty()) site = ScanSitePackages(inputs.site_packages, sources, sink);
  // Import names from the installed tree help attribute artifact folders (PIL → pillow).
  Universe names_only = u;
  if (site)
    for (const auto& d : site->dists) {
      names_only.dists[d.name].dist.top_level = d.top_level;
    }
  auto import_to_dist = ImportNames(names_only);
  for (const auto& [name, path] : inputs.artifacts)
    AddArtifact(name, path, u, import_to_dist, sources, sink);
  if (!inputs.wheelhouse.empty()) AddWheels(inputs.wheelhouse, inputs, u, sources, sink);
  if (site) AddInstalled(*site, inputs, catalog, u);
  for (const auto& [name, known] : catalog.runtime_packages) {
    auto it = u.dists.find(name);
    if (it != u.dists.end()) it->second.dist.runtime_provided = true;
  }
  return u;
}

}  // namespace cfnsplit::sizing
