// Internal pieces of the package stage, shared by its .cpp files and unit tests.
//
// site_files.cpp: an installed tree read distribution by distribution through RECORD, every row
// checked. code_files.cpp: function code folders walked with Serverless' or SAM's exclusions.
// zip_writer.cpp: the archive writer. build.cpp: stacks → file lists → zips, in parallel.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "cfnsplit/diagnostics.hpp"
#include "cfnsplit/package.hpp"

namespace cfnsplit::package {

/// One file of an archive: its name in the zip and where its bytes are.
struct ZipItem {
  std::string name;    ///< path inside the zip
  std::string source;  ///< file on disk
  std::uint64_t size = 0;
  bool executable = false;
  std::string owner;  ///< distribution name, or "code"
};

// ---- site_files.cpp --------------------------------------------------------------------------

/// An installed tree, read one distribution at a time through its RECORD.
class SiteTree {
 public:
  SiteTree(std::string root, SourceManager& sources, DiagnosticSink& sink);
  /// Finds the `.dist-info` folders; false (E6008) when the tree does not exist.
  bool Open();
  /// The files `distribution` (normalized name) installed, per RECORD and checked against the
  /// disk (E7001–E7005); nullptr after an error. `__pycache__` is left out, and counted in
  /// `*pycache_bytes`. Cached: each distribution is read once.
  const std::vector<ZipItem>* Files(const std::string& distribution, std::uint64_t* pycache_bytes);
  const std::string& root() const { return root_; }

 private:
  struct Dist {
    std::string dir;  ///< "numpy-1.26.4.dist-info"
    bool read = false, ok = false;
    std::vector<ZipItem> files;
    std::uint64_t pycache = 0;
  };
  bool ReadRecord(const std::string& name, Dist& dist);
  std::string root_, real_root_;
  SourceManager& sources_;
  DiagnosticSink& sink_;
  std::map<std::string, Dist> dists_;
};

// ---- code_files.cpp --------------------------------------------------------------------------

/// Which files of a code folder ship, as the tool that would have packaged it decides.
enum class CodeRules {
  kServerless,  ///< default exclusions, then package.patterns / exclude / include in order
  kSam,         ///< aws-lambda-builders' python_pip EXCLUDED_FILES
  kPlain,       ///< the sizing stage's code walk: no bytecode, VCS, build or venv folders
};

struct CodeRoot {
  std::string dir;
  CodeRules rules = CodeRules::kPlain;
  std::vector<std::string> patterns;  ///< Serverless: in order, `!` excludes
  bool operator<(const CodeRoot& o) const {
    return std::tie(dir, rules, patterns) < std::tie(o.dir, o.rules, o.patterns);
  }
};

/// True when `path` (relative to the root, `/`-separated) ships under `root`'s rules.
bool CodeFileShips(const CodeRoot& root, const std::string& path, bool is_directory);

/// The files of a code root, sorted by name; symlinks that leave the root are E7003. nullopt after
/// an error.
std::optional<std::vector<ZipItem>> WalkCodeRoot(const CodeRoot& root, DiagnosticSink& sink);

/// serverless.yml's packaging: service patterns (include/exclude folded in order) and, per
/// function key, its own patterns and SPR `module`.
struct ServerlessPackaging {
  std::string dir;                    ///< the service folder
  std::string config_name;            ///< serverless.yml's file name (always excluded)
  std::vector<std::string> patterns;  ///< service level
  bool individually = false;
  struct Function {
    std::vector<std::string> patterns;
    std::string module;
    bool individually = false;
  };
  std::map<std::string, Function> functions;
};
std::optional<ServerlessPackaging> ReadServerlessPackaging(const std::string& path,
                                                           SourceManager& sources,
                                                           DiagnosticSink& sink);

/// Lambda Python handler "a/b/mod.func" or "pkg.mod.func": does the archive hold its module?
bool HandlerModulePresent(const std::string& handler, const std::set<std::string>& names);

}  // namespace cfnsplit::package
