// Running the built cfnsplit binary from a test, and the rule for tests that need a tool that
// may be missing.
#pragma once

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "support/files.hpp"

namespace cfnsplit::testing {

/// What one run of the cfnsplit binary printed, and its exit code (-1 when it did not exit).
struct CliRun {
  int code = -1;
  std::string out, err;
};

/// Runs the built cfnsplit with `args` (a shell fragment) from `cwd` (default: the source tree,
/// so sample paths are relative), stdin closed, stdout/stderr captured through files in `scratch`.
inline CliRun RunCfnsplit(const std::string& args, const std::filesystem::path& scratch,
                          const std::string& cwd = CFNSPLIT_SOURCE_DIR) {
  auto out = scratch / "stdout", err = scratch / "stderr";
  std::string cmd = "cd '" + cwd + "' && " + CFNSPLIT_BINARY + " " + args + " >'" + out.string() +
                    "' 2>'" + err.string() + "' </dev/null";
  int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadAll(out), ReadAll(err)};
}

/// A missing external tool fails the test under CI (CI=true or CFNSPLIT_FULL_DEPS=1) and is
/// skipped loudly otherwise.
inline void SkipOrFail(const std::string& why) {
  const char* ci = std::getenv("CI");
  const char* full = std::getenv("CFNSPLIT_FULL_DEPS");
  if ((ci && std::string(ci) == "true") || (full && std::string(full) == "1")) FAIL(why);
  WARN(why + ": skipped");
}

}  // namespace cfnsplit::testing
