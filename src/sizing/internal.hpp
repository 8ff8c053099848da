// Internal pieces of the sizing stage, exposed to its .cpp files and unit tests only.
//
// requirements.cpp: PEP 508 requirement lines, environment markers, PEP 440-ish versions.
// requirements_file.cpp: requirements files (includes, hashes, continuations). metadata.cpp: an
// installed site-packages tree (dist-info RECORD/METADATA, egg-info). zipread.cpp: zip central
// directories (Zip64) read without extracting. slim.cpp: glob patterns and ELF strip savings.
// catalog.cpp: the embedded size and runtime-package rules. manifest.cpp: the dependency manifest
// and serverless.yml.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cfnsplit/diagnostics.hpp"
#include "cfnsplit/numbers.hpp"
#include "cfnsplit/python_files.hpp"
#include "cfnsplit/sizing.hpp"
#include "cfnsplit/value.hpp"

namespace cfnsplit::sizing {

// ---- requirements.cpp ------------------------------------------------------------------------

/// Values of the PEP 508 marker variables for one function's runtime.
struct MarkerEnv {
  std::string python_version = "3.12";
  std::string python_full_version = "3.12.0";
  std::string sys_platform = "linux";
  std::string platform_system = "Linux";
  std::string platform_machine = "x86_64";
  std::string implementation_name = "cpython";
  std::string platform_python_implementation = "CPython";
  std::string os_name = "posix";
};

/// Marker values for a Lambda runtime ("python3.12") and architecture ("x86_64" or "arm64");
/// `fallback_python` ("3.12") when the runtime is not a Python one.
MarkerEnv EnvForRuntime(const std::string& runtime, const std::string& architecture,
                        const std::string& fallback_python);

/// PEP 440 ordering for release segments, pre/post/dev tags; -1, 0 or 1.
int CompareVersions(std::string_view a, std::string_view b);
/// True when `version` satisfies every clause of `specifiers` (">=1.2,<2", "==1.*", "~=1.4").
bool SpecifierAllows(std::string_view specifiers, std::string_view version);

/// Evaluates a marker expression. `extra` is the value of the `extra` variable ("" = none).
/// Returns nullopt and sets `error` on a syntax error.
std::optional<bool> EvaluateMarker(std::string_view marker, const MarkerEnv& env,
                                   std::string_view extra, std::string* error);

/// One requirement line.
struct Requirement {
  std::string name;  ///< normalized; empty for a bare URL without #egg=
  std::string raw_name;
  std::set<std::string> extras;  ///< normalized
  std::string specifier;
  std::string marker;
  std::string url;  ///< `name @ url`, a bare URL/VCS/path, or an editable target
  bool editable = false;
  SourceLoc loc;  ///< where it was written
  bool sizable() const { return url.empty() && !editable && !name.empty(); }
};

/// Parses `name[extras] specifier ; marker` or `name @ url ; marker`. On failure returns false,
/// sets `error` and `error_column` (0-based into `text`).
bool ParseRequirement(std::string_view text, Requirement& out, std::string* error,
                      std::size_t* error_column);

/// Requirement lines of a requirements file and everything it includes (-r); constraints (-c)
/// are read but never add requirements. Cycle-safe; a file is read once per call.
class RequirementsReader {
 public:
  RequirementsReader(SourceManager& sources, DiagnosticSink& sink)
      : sources_(sources), sink_(sink) {}
  /// Reads `path`; `from` is where it was named (manifest, -r line), for error locations.
  std::vector<Requirement> Read(const std::string& path, SourceLoc from);

 private:
  /// A file's identity: device and inode, so that a symlinked folder cannot pass as another file.
  using FileKey = std::pair<std::uint64_t, std::uint64_t>;
  /// Per Read(): the files being read (cycle check) and those already read, once each per mode.
  struct Walk {
    std::vector<FileKey> stack;
    std::set<FileKey> read_as_requirements;
    std::set<FileKey> read_as_constraints;
  };
  void ReadInto(const std::string& path, SourceLoc from, bool constraints_only, Walk& walk,
                std::vector<Requirement>& out);
  std::optional<FileKey> IdentifyFile(const std::string& path, SourceLoc from);
  void ParseLine(const std::string& logical, SourceLoc loc, const std::string& path, Walk& walk,
                 bool constraints_only, std::vector<Requirement>& out);
  SourceManager& sources_;
  DiagnosticSink& sink_;
  std::map<FileKey, std::uint32_t> file_ids_;
};

// ---- metadata.cpp ----------------------------------------------------------------------------

/// A file of an installed distribution, path relative to site-packages.
struct InstalledFile {
  std::string path;
  std::uint64_t size = 0;
  std::uint64_t strip_savings = 0;  ///< bytes `strip` would remove (ELF .so only)
};

struct InstalledDist {
  std::string name;  ///< normalized
  std::string version;
  std::string metadata_dir;                ///< e.g. "numpy-1.26.4.dist-info"
  std::vector<std::string> requires_dist;  ///< raw Requires-Dist values (markers kept)
  std::vector<std::string> top_level;
  std::vector<InstalledFile> files;
  std::uint64_t bytes = 0;
  std::string source;  ///< record|walk
};

struct SitePackages {
  std::string root;
  std::vector<InstalledDist> dists;  ///< sorted by name
  std::uint64_t unowned_bytes = 0;
  std::vector<std::string> unowned_paths;  ///< sorted
};

/// Scans an installed tree. Never follows directory symlinks; never writes.
std::optional<SitePackages> ScanSitePackages(const std::string& root, SourceManager& sources,
                                             DiagnosticSink& sink);

/// egg-info requires.txt (`[extra]` and `[:marker]` sections) as Requires-Dist values.
std::vector<std::string> EggRequiresToRequiresDist(std::string_view text);

// ---- zipread.cpp -----------------------------------------------------------------------------

/// The central directory of a zip held in `data` (the whole file). On a malformed, truncated,
/// lying or path-traversing archive: an E601x error naming `display` (registered as `file`) and
/// nullopt.
std::optional<std::vector<ZipEntry>> ReadZipDirectory(std::string_view data,
                                                      const std::string& display,
                                                      std::uint32_t file, DiagnosticSink& sink,
                                                      const ZipLimits& limits = {});
/// Raw bytes of a stored (method 0) or deflated (method 8) entry; nullopt when unreadable.
std::optional<std::string> ReadZipMember(std::string_view data, const ZipEntry& entry,
                                         std::uint64_t max_bytes = 16u << 20);

/// Inflates raw DEFLATE data (RFC 1951); nullopt on corrupt input or output over `max_out`.
std::optional<std::string> Inflate(std::string_view in, std::uint64_t max_out);

/// Wheel file name parts: `{dist}-{version}(-{build})?-{python}-{abi}-{platform}.whl`.
struct WheelName {
  std::string name, version, python, abi, platform;
};
std::optional<WheelName> ParseWheelName(const std::string& file_name);

// ---- slim.cpp --------------------------------------------------------------------------------

/// Bytes `strip` would drop from an ELF64 file: .symtab, .strtab, .comment, .debug_* sections.
/// 0 for anything that is not a well-formed ELF64 file (bounds-checked, never throws).
std::uint64_t ElfStripSavings(std::string_view head_and_sections);
/// Reads only the headers of the file at `path` to compute ElfStripSavings.
std::uint64_t ElfStripSavingsOfFile(const std::string& path, std::uint64_t file_size);

/// Bytes slim would remove from these files with these patterns (strip on `.so` when `strip`).
std::uint64_t SlimRemovedBytes(const std::vector<InstalledFile>& files,
                               const std::vector<std::string>& patterns, bool strip);

// ---- catalog.cpp -----------------------------------------------------------------------------

struct CatalogEntry {
  std::string name;  ///< normalized
  std::string version;
  std::optional<std::uint64_t> unzipped, zipped;
  std::vector<std::string>
  requires;  ///< normalized names
  std::vector<std::string> top_level;
  std::string source;
};

struct Catalog {
  std::map<std::string, CatalogEntry> packages;
  double default_zip_ratio = 0.35;   ///< zipped/unzipped when nothing was measured
  double slim_estimate_ratio = 0.2;  ///< share of unzipped bytes slim removes, when not measured
  /// Runtime-provided distributions (normalized) with their import names.
  std::map<std::string, std::vector<std::string>> runtime_packages;
  std::vector<std::string> spr_no_deploy_default;
};

/// Loads rules/package-sizes.yaml and rules/runtime-packages.yaml (embedded copies, or from
/// `rules_dir` when given). Problems are E6040 errors; returns what parsed.
Catalog LoadCatalog(SourceManager& sources, DiagnosticSink& sink,
                    const std::string& rules_dir = "");

// ---- manifest.cpp ----------------------------------------------------------------------------

/// A path or requirement string with where it was written.
struct Located {
  std::string text;
  SourceLoc loc;
};

struct ManifestLayer {
  std::string name;
  std::vector<Located> requirements, packages;
  Located artifact;
  SourceLoc loc;
};

struct ManifestFunction {
  std::string key;
  std::vector<Located> requirements, packages, layers;
  Located code, artifact, packaging, module;
  std::optional<std::uint64_t> ephemeral_storage_mb;
  /// Declared as moving to a container image (the playbook's last step): no zip quota applies.
  bool image = false;
  SourceLoc loc;
};

/// A function as serverless.yml declares it (only what sizing needs).
struct ServerlessFunction {
  std::string key;
  std::string module;  ///< SPR per-function requirements folder ("" = ".")
  std::optional<bool> individually;
  std::vector<std::string> layers;  ///< Ref targets or ARNs as written
  bool image = false;
};

/// The dependency manifest and/or serverless.yml merged: service defaults plus functions.
struct ServiceSpec {
  std::string base_dir;  ///< relative paths in the manifest resolve against it
  std::string service_name;
  std::vector<Located> requirements, packages;
  Located site_packages, wheelhouse, code, packaging, python;
  std::optional<bool> slim, strip, zip, layer, individually;
  std::optional<std::vector<std::string>> slim_patterns, no_deploy;
  std::optional<bool> slim_patterns_append_defaults;
  std::vector<ManifestLayer> layers;
  std::vector<ManifestFunction> functions;
  std::vector<ServerlessFunction> serverless_functions;
  std::string runtime;         ///< serverless provider.runtime
  std::string serverless_dir;  ///< where serverless.yml lives ("" when none)
  std::string spr_file_name = "requirements.txt";
};

/// Reads the manifest into `spec` (E6001 for unknown keys and wrong types, with locations).
bool LoadManifest(const std::string& path, ServiceSpec& spec, SourceManager& sources,
                  DiagnosticSink& sink);
/// Reads serverless.yml: service, package.individually, functions.*.module/layers/package and
/// custom.pythonRequirements; `${…}` variables stay strings (W6030 where a value is needed).
bool LoadServerlessConfig(const std::string& path, ServiceSpec& spec, SourceManager& sources,
                          DiagnosticSink& sink);

// ---- universe.cpp: every distribution cfnsplit can size
// ------------------------------------------

struct KnownDist {
  Distribution dist;
  std::vector<std::string> requires_dist;  ///< raw Requires-Dist values, markers kept
  /// Bytes per first path segment as SPR's noDeploy splits it (installed trees only).
  std::map<std::string, std::uint64_t> segment_bytes;
  std::vector<Requirement> parsed_requires;  ///< filled on first use
  /// Installed file paths cut to their first two segments (`numpy/core`, `six.py`): the import
  /// names an installed distribution provides (import inference).
  std::vector<std::string> module_paths;
  bool requires_parsed = false;
};

/// A built zip, measured per top-level folder.
struct ArtifactContents {
  std::string name, path;
  std::uint64_t code_unzipped = 0, code_zipped = 0;  ///< bytes no distribution claims
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>>
      dists;  ///< name → (unzipped, zipped)
  bool ok = false;
};

struct Universe {
  std::map<std::string, KnownDist> dists;  ///< by normalized name
  std::vector<ArtifactContents> artifacts;
  std::uint64_t unowned_bytes = 0, unowned_files = 0;
};

struct UniverseInputs {
  std::string site_packages, wheelhouse;
  std::vector<std::pair<std::string, std::string>> artifacts;
  std::vector<std::string> slim_patterns;  ///< effective patterns (defaults and/or custom)
  bool strip = true;
  std::string architecture = "x86_64";  ///< preferred wheel platform
};

/// Sizes every distribution the evidence holds; precedence installed > wheel > artifact > catalog.
Universe BuildUniverse(const UniverseInputs& inputs, const Catalog& catalog, SourceManager& sources,
                       DiagnosticSink& sink);

// Shared with the package stage: include/cfnsplit/python_files.hpp.

}  // namespace cfnsplit::sizing
