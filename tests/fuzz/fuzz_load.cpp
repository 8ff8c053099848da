// libFuzzer target for the loader (built with -DCFNSPLIT_FUZZ=ON and clang++). Sanitizers catch
// memory errors and crashes; a broken contract (see fuzz_entry.hpp) aborts so the fuzzer keeps
// the input. Seeds live in tests/fuzz/corpus/.
#include <cstdio>
#include <cstdlib>

#include "fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string problem = cfnsplit::fuzz::RunLoadOnce(data, size);
  if (!problem.empty()) {
    std::fprintf(stderr, "loader contract broken: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}
