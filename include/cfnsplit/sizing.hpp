// Sizing: which Python distributions each Lambda function ships, and how many bytes they take.
//
// Input: the functions of a template (FunctionInfo, from model.hpp) and SizingOptions naming the
// evidence on disk: a dependency manifest, requirements files, an installed site-packages tree, a
// wheelhouse, built artifact zips and a serverless.yml. Output: a PackageModel holding every
// distribution once (sorted by normalized name) and, per function, the dependency closure it ships
// plus its unzipped and zipped bytes as deployed in its packaging mode (shared, individual, layer).
// Invariants: every size names its source (record, walk, wheel, artifact, catalog, unknown); real
// files always win over estimates; nothing is extracted or written; user-input problems reach the
// DiagnosticSink as E6xxx/W6xxx/I6xxx codes and no exception escapes a public function.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "cfnsplit/diagnostics.hpp"
#include "cfnsplit/imports.hpp"
#include "cfnsplit/model.hpp"
#include "cfnsplit/quotas.hpp"

namespace cfnsplit {

/// Where to find the evidence. Empty fields are "not given"; CLI-level fields override the
/// service-level defaults of the manifest.
struct SizingOptions {
  std::string manifest;                   ///< dependency manifest (YAML or JSON, docs/sizing.md)
  std::vector<std::string> requirements;  ///< service-wide requirements files
  std::string site_packages;              ///< installed tree (pip -t target, venv site-packages)
  std::string wheelhouse;                 ///< directory of .whl files
  /// Built zips, NAME=path: NAME is a function (logical id or Serverless name) or "service".
  std::vector<std::pair<std::string, std::string>> artifacts;
  std::string serverless_config;  ///< serverless.yml, for serverless-python-requirements options
  std::string packaging;          ///< "" = from inputs, else shared|individual|layer
  std::string template_dir;       ///< resolves relative CodeUri and manifest-less paths
  /// Infer requirements from handler imports (docs/imports.md): "on", "off", or "auto" (on for
  /// functions whose handler is found when an installed tree is given).
  std::string infer_imports = "off";
  std::vector<std::string> code_dirs;  ///< code trees to look for handlers in (--code)
  /// Lambda's limits (rules/limits.yaml; `--rules DIR` moves them).
  LambdaLimits limits = LambdaLimits::BuiltIn();
};

/// One distribution (a PyPI project as installed), sized once for the whole model.
struct Distribution {
  std::string name;  ///< PEP 503 normalized
  std::string version;
  std::uint64_t unzipped_bytes = 0, zipped_bytes = 0;
  std::string size_source;  ///< record|walk|wheel|artifact|catalog|unknown
  std::vector<std::string>
  requires;  ///< normalized names of its dependencies (markers applied)
  // Added beyond the API:
  std::string zipped_source;           ///< wheel|artifact|catalog|ratio|unknown
  std::uint64_t slim_bytes = 0;        ///< bytes `slim` would remove (pyc, dist-info, strip …)
  bool slim_measured = false;          ///< slim_bytes measured on real files (else an estimate)
  std::vector<std::string> top_level;  ///< import names (noDeploy matches these)
  bool runtime_provided = false;       ///< the Lambda Python runtime already has it
  std::string evidence;                ///< file or catalog entry the size comes from
};

/// What one function ships.
struct FunctionPackage {
  std::string function_id;
  /// Sorted indexes into PackageModel::dists: the closure after noDeploy.
  std::vector<std::uint32_t> dists;
  /// Which top-level requirement pulled each dist in (its own name when requested directly).
  std::map<std::uint32_t, std::string> pulled_in_by;
  std::uint64_t code_bytes = 0, layer_bytes = 0;
  /// As deployed in its packaging mode; unzipped includes layers (the quota counts them).
  std::uint64_t unzipped_bytes = 0, zipped_bytes = 0;
  // Added beyond the API:
  std::string serverless_name;
  std::string packaging;              ///< shared|individual|layer for this function
  std::vector<std::uint32_t> roots;   ///< sorted dist indexes requested directly
  std::uint32_t code_unit = 0;        ///< index into PackageModel::code_units
  std::vector<std::uint32_t> layers;  ///< indexes into PackageModel::layers
  std::uint32_t layer_count = 0;      ///< all layers, including ones cfnsplit cannot size
  std::uint64_t tmp_bytes = 0;        ///< extracted into /tmp at cold start (zip: true)
  std::uint64_t ephemeral_storage_mb = 512;
  std::string requirements_from;  ///< manifest|codeuri|module|imports|service|artifact|none
  bool image = false;             ///< PackageType Image: no zip quota applies
};

/// A directory of function code, counted once per artifact however many functions share it.
struct CodeUnit {
  std::string path;
  std::uint64_t unzipped_bytes = 0, zipped_bytes = 0;
  std::string size_source;  ///< walk|artifact|unknown
};

/// A layer cfnsplit can size (manifest layer, or the serverless-python-requirements layer).
struct LayerInfo {
  std::string name;
  std::uint64_t unzipped_bytes = 0;
  std::string size_source;
  /// Sorted indexes into PackageModel::dists: what the layer holds under `python/` (empty for a
  /// layer sized from its artifact). `cfnsplit package` builds the layer from them.
  std::vector<std::uint32_t> dists;
  /// The serverless-python-requirements layer (`layer: true`): PythonRequirementsLambdaLayer.
  bool python_requirements = false;
};

/// serverless-python-requirements style switches in effect (defaults as SPR v6.1.2).
struct PackagingSettings {
  bool slim = false;
  bool strip = true;
  bool zip = false;
  std::vector<std::string> slim_patterns;
  bool slim_patterns_append_defaults = true;
  std::vector<std::string> no_deploy;
};

/// A service-wide requirement that no function needs once imports are inferred.
struct UnusedRequirement {
  std::string name;               ///< normalized distribution name
  std::string line;               ///< the requirement as written ("pandas==2.2.3")
  std::uint64_t bytes_saved = 0;  ///< its closure minus what any function still ships, unzipped
  std::vector<std::string> also_removed;  ///< dependencies that would go with it
};

/// Everything sized. Distribution indexes are stable for the life of the model.
struct PackageModel {
  std::string packaging;  ///< shared|individual|layer (service default)
  std::vector<Distribution> dists;
  std::vector<FunctionPackage> functions;
  // Added beyond the API:
  std::vector<CodeUnit> code_units;  ///< [0] is the empty unit (no code known)
  std::vector<LayerInfo> layers;
  PackagingSettings settings;
  LambdaLimits limits;  ///< the limits it was sized against (SizingOptions::limits)
  /// Bytes each dist adds to an artifact under `settings` (slim and zip applied); parallel to
  /// dists.
  std::vector<std::uint64_t> charged_bytes;
  std::uint64_t unowned_bytes = 0;  ///< files in site-packages that no RECORD claims
  std::uint64_t unowned_files = 0;
  /// Import inference, per function id it ran for (docs/imports.md).
  std::map<std::string, imports::FunctionImports> imports;
  std::vector<UnusedRequirement> unused_requirements;  ///< sorted by name

  /// True when any function has a dependency or code size to report.
  bool has_data() const;
  /// The package of a function by logical id or Serverless name; nullptr when unknown.
  const FunctionPackage* Find(const std::string& function_id) const;
  /// Index of a dist by normalized name, or -1.
  long DistIndex(const std::string& normalized_name) const;
};

/// Sizes every function. Returns nullopt only when the inputs cannot be read at all (e.g. the
/// manifest does not parse); missing evidence yields estimates and warnings instead.
std::optional<PackageModel> BuildPackageModel(const std::vector<FunctionInfo>& functions,
                                              const SizingOptions& options, SourceManager& sources,
                                              DiagnosticSink& sink);

/// Unzipped bytes of ONE artifact holding the union of these functions' dists and code (plus their
/// sizable layers), as in shared mode. O(total dists of these functions); thread-compatible.
std::uint64_t UnionUnzippedBytes(const PackageModel& model,
                                 const std::vector<std::uint32_t>& function_indexes);

/// One step of the playbook with its measured effect on the function's unzipped total.
struct Recommendation {
  std::string kind;  ///< slim|nodeploy|individually|zip|layer|split|container
  std::string text;
  std::int64_t bytes_saved = 0;  ///< this step's own saving, after the steps before it
  bool sufficient = false;       ///< the function fits after this step and the ones before it
};

/// Playbook for a function over a limit (empty when it fits): slim, noDeploy, individually, zip,
/// layer, split, container - in that order, each applied on top of the ones before.
std::vector<Recommendation> Recommend(const PackageModel& model, std::uint32_t function_index,
                                      const SizingOptions& options);

/// Aligned tables: per-function totals against the limits, top contributors, recommendations.
void PrintSizingText(const PackageModel& model, std::ostream& out, std::size_t top_n = 10);

/// The same content as PrintSizingText, as JSON (sorted, stable keys).
nlohmann::json SizingJson(const PackageModel& model);

/// Import inference in words: counts, fallbacks, unresolved imports and requirements no function
/// imports (with the bytes removing them saves). Prints nothing when inference did not run.
void PrintImportsSummary(const PackageModel& model, std::ostream& out);
/// `analyze --explain-imports FN`: which import pulled in which distribution, and its bytes.
/// False when FN is unknown or inference did not run for it.
bool ExplainImports(const PackageModel& model, const std::string& function, std::ostream& out);
nlohmann::json ImportsJson(const PackageModel& model);

/// Serverless Framework logical id of a function key: `hello-world_x` →
/// `HelloDashworldUnderscorexLambdaFunction`.
std::string ServerlessLogicalId(const std::string& function_key);

/// PEP 503 name normalization: lower-case, runs of `-`, `_`, `.` become one `-`.
std::string NormalizeDistName(const std::string& name);

}  // namespace cfnsplit
