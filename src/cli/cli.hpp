// The command-line shell: parses arguments, calls the library, prints, returns an exit code.
// Exit codes: 0 clean, 1 an error-level finding was reported, 2 usage or input error.
#pragma once

namespace cfnsplit::cli {
int Run(int argc, char** argv);
}  // namespace cfnsplit::cli
