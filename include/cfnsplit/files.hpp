// Small file helpers shared by the commands: atomic single-file writes, file kinds.
#pragma once

#include <string>

#include "cfnsplit/diagnostics.hpp"

namespace cfnsplit {

/// Writes `contents` to a temporary file beside `path`, then renames it over `path`, so a reader
/// never sees a half-written file.
bool WriteFileAtomic(const std::string& path, const std::string& contents, DiagnosticSink& sink);

/// The directory part of a path ("." when none).
std::string DirName(const std::string& path);

/// What a file that is not a regular file is ("a FIFO", "a character device" …), for messages
/// that refuse it; empty for a regular file. `mode` is a stat() st_mode.
std::string NonRegularFileKind(unsigned mode);

}  // namespace cfnsplit
