// Small file helpers shared by the commands: atomic single-file writes.
#pragma once

#include <string>

#include "cfnsplit/diagnostics.hpp"

namespace cfnsplit {

/// Writes `contents` to a temporary file beside `path`, then renames it over `path`, so a reader
/// never sees a half-written file.
bool WriteFileAtomic(const std::string& path, const std::string& contents, DiagnosticSink& sink);

/// The directory part of a path ("." when none).
std::string DirName(const std::string& path);

}  // namespace cfnsplit
