// BuildPackageModel: which requirements each function has, their closure, and the totals as
// deployed. The requirement precedence is manifest > CodeUri/module requirements > service-wide
// requirements; the closure follows Requires-Dist with each function's own markers (runtime,
// architecture, extras). Closures are cached by (requirements, environment) because thousands of
// functions usually share a handful of requirements files.
#include <algorithm>
#include <deque>
#include <filesystem>
#include <unordered_map>

#include "sizing/internal.hpp"
#include "sizing/plan.hpp"
#include "cfnsplit/timings.hpp"

namespace cfnsplit {
using namespace sizing;
namespace fs = std::filesystem;

std::string ServerlessLogicalId(const std::string& function_key) {
  std::string out;
  for (char c : function_key) {
    if (c == '-')
      out += "Dash";
    else if (c == '_')
      out += "Underscore";
    else
      out += c;
  }
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out + "LambdaFunction";
}

namespace sizing {

namespace {

// True when lexically_normal would return `p` as it is: no empty, "." or ".." segment (so no
// doubled or trailing slash). Most paths are, and lexically_normal costs thousands of
// instructions a call: a third of sizing's own work at 2,000 functions.
bool IsLexicallyNormal(const std::string& p) {
  std::size_t at = !p.empty() && p.front() == '/' ? 1 : 0;
  if (at == p.size()) return false;  // "" and "/": the general case decides
  while (true) {
    std::size_t slash = p.find('/', at);
    std::string_view segment(p.data() + at, (slash == std::string::npos ? p.size() : slash) - at);
    if (segment.empty() || segment == "." || segment == "..") return false;
    if (slash == std::string::npos) return true;
    at = slash + 1;
  }
}

}  // namespace

std::string JoinPath(const std::string& base, const std::string& path) {
  std::string joined = base.empty() || base == "." || (!path.empty() && path.front() == '/')
                           ? path
                           : (base.back() == '/' ? base + path : base + "/" + path);
  // Trailing slashes go in the end; a folder joined with "" is normal without them.
  while (joined.size() > 1 && joined.back() == '/') joined.pop_back();
  if (IsLexicallyNormal(joined)) return joined;
  // Lexically normal, so that cycles (a/../a/req.txt) and shared folders are recognised.
  std::string normal = fs::path(joined).lexically_normal().generic_string();
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal.empty() ? "." : normal;
}

std::string DirName(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace sizing

bool PackageModel::has_data() const {
  if (!dists.empty()) return true;
  return std::any_of(functions.begin(), functions.end(), [](const FunctionPackage& f) {
    return f.code_bytes > 0 || f.layer_bytes > 0;
  });
}

const FunctionPackage* PackageModel::Find(const std::string& function_id) const {
  for (const auto& f : functions)
    if (f.function_id == function_id ||
        (!f.serverless_name.empty() && f.serverless_name == function_id))
      return &f;
  return nullptr;
}

long PackageModel::DistIndex(const std::string& normalized_name) const {
  auto it =
      std::lower_bound(dists.begin(), dists.end(), normalized_name,
                       [](const Distribution& d, const std::string& n) { return d.name < n; });
  return it != dists.end() && it->name == normalized_name ? it - dists.begin() : -1;
}

std::uint64_t UnionUnzippedBytes(const PackageModel& model,
                                 const std::vector<std::uint32_t>& function_indexes) {
  // Generation stamps make the union O(dists of these functions) without clearing a bitmap.
  thread_local std::vector<std::uint32_t> dist_stamp, code_stamp, layer_stamp;
  thread_local std::uint32_t generation = 0;
  if (++generation == 0) {
    dist_stamp.assign(dist_stamp.size(), 0);
    code_stamp.assign(code_stamp.size(), 0);
    layer_stamp.assign(layer_stamp.size(), 0);
    generation = 1;
  }
  if (dist_stamp.size() < model.dists.size()) dist_stamp.resize(model.dists.size(), 0);
  if (code_stamp.size() < model.code_units.size()) code_stamp.resize(model.code_units.size(), 0);
  if (layer_stamp.size() < model.layers.size()) layer_stamp.resize(model.layers.size(), 0);
  std::uint64_t total = 0;
  for (std::uint32_t fi : function_indexes) {
    if (fi >= model.functions.size()) continue;
    const FunctionPackage& f = model.functions[fi];
    for (std::uint32_t d : f.dists)
      if (dist_stamp[d] != generation) {
        dist_stamp[d] = generation;
        total += model.charged_bytes[d];
      }
    if (code_stamp[f.code_unit] != generation) {
      code_stamp[f.code_unit] = generation;
      total += model.code_units[f.code_unit].unzipped_bytes;
    }
    for (std::uint32_t l : f.layers)
      if (layer_stamp[l] != generation) {
        layer_stamp[l] = generation;
        total += model.layers[l].unzipped_bytes;
      }
  }
  return total;
}

std::optional<PackageModel> BuildPackageModel(const std::vector<FunctionInfo>& functions,
                                              const SizingOptions& options, SourceManager& sources,
                                              DiagnosticSink& sink) {
  timings::Scope timing("sizing");
  try {
    Planner planner(functions, options, sources, sink);
    return planner.Run();
  } catch (const InputError& e) {
    sink.Error(e.code(), e.loc(), e.what());
  } catch (const std::exception& e) {
    sink.Error("E6099", {}, std::string("internal error while sizing: ") + e.what());
  }
  return std::nullopt;
}

}  // namespace cfnsplit
