// The one path lookup of the tests: files of the source tree, and the shared real-template
// corpus (CFNSPLIT_CORPUS, else ../shared/corpus beside the source tree).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace cfnsplit::testing {

/// `relative` inside the source tree (CMake passes its root as CFNSPLIT_SOURCE_DIR).
inline std::filesystem::path SourcePath(const std::string& relative = "") {
  std::filesystem::path root(CFNSPLIT_SOURCE_DIR);
  return relative.empty() ? root : root / relative;
}

/// The corpus of real templates (its INDEX.tsv lists them); may not exist on a fresh checkout.
inline std::filesystem::path CorpusPath() {
  if (const char* env = std::getenv("CFNSPLIT_CORPUS"); env && *env) return env;
  return SourcePath() / ".." / "shared" / "corpus";
}

}  // namespace cfnsplit::testing
