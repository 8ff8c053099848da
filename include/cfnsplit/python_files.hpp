// What the sizing stage measures and the package stage builds from, read alike by both: an
// installed distribution's RECORD and METADATA, zip central directories, the glob patterns of
// serverless-python-requirements, and paths. Defined in src/sizing/ (metadata.cpp, zipread.cpp,
// slim.cpp, universe.cpp, sizing.cpp); the rest of the sizing stage stays private
// (src/sizing/internal.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cfnsplit/diagnostics.hpp"

namespace cfnsplit::sizing {

// ---- installed distributions (metadata.cpp) ---------------------------------------------------

/// A RECORD path relative to `root` ("a/./b/../c" → "a/c"; absolute paths under `root` made
/// relative); "" when it leaves the root.
std::string NormalizeRelative(std::string path, const std::string& root);

/// Splits a RECORD text into rows of fields (Python csv default dialect).
std::vector<std::vector<std::string>> ParseCsv(std::string_view text);

/// Requires-Dist values from an email-header METADATA/PKG-INFO text, plus Name and Version.
struct CoreMetadata {
  std::string name, version;
  std::vector<std::string> requires_dist;
};
CoreMetadata ParseCoreMetadata(std::string_view text);

// ---- zips (zipread.cpp) ------------------------------------------------------------------------

struct ZipEntry {
  std::string name;
  std::uint64_t compressed = 0, uncompressed = 0;
  std::uint16_t method = 0;
  std::uint64_t local_offset = 0;
};

struct ZipLimits {
  std::uint64_t max_entries = 2'000'000;
  std::uint64_t max_directory_bytes = 512ull << 20;
};

/// Reads a zip file from disk (registering its path for diagnostics) and lists it; when
/// `dist_info_metadata` is given, also returns the text of `<top>.dist-info/METADATA` (wheels).
std::optional<std::vector<ZipEntry>> ReadZipFile(const std::string& path, SourceManager& sources,
                                                 DiagnosticSink& sink, const ZipLimits& limits = {},
                                                 std::string* dist_info_metadata = nullptr);
// ---- serverless-python-requirements' patterns (slim.cpp, universe.cpp) ------------------------

/// minimatch-style glob: `**` spans directories, `*` and `?` do not cross `/`, `[...]` classes.
/// A pattern matches a file when it matches the path or one of its parent directories (a
/// matching directory is deleted whole, as SPR's glob + rimraf do).
bool GlobMatchesPathOrParent(std::string_view pattern, std::string_view path);
bool GlobMatch(std::string_view pattern, std::string_view text);

/// Default slim patterns of serverless-python-requirements (lib/slim.js).
const std::vector<std::string>& DefaultSlimPatterns();

/// SPR noDeploy's first path segment: the path up to the first `-`, `/`, `\` or `.py`.
std::string SprFirstSegment(std::string_view path);

// ---- paths (sizing.cpp) ------------------------------------------------------------------------

/// `path` joined to `base` unless absolute or base empty.
std::string JoinPath(const std::string& base, const std::string& path);
/// Directory part of a path ("" → ".").
std::string DirName(const std::string& path);

}  // namespace cfnsplit::sizing
