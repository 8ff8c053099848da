// libFuzzer target for the plan parser (built with -DCFNSPLIT_FUZZ=ON and clang++; see
// docs/fuzzing.md). The contract lives in fuzz_targets.hpp, shared with replay_targets.cpp.
#include <cstdio>
#include <cstdlib>

#include "fuzz/fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string problem = cfnsplit::fuzz::RunPlanOnce(data, size);
  if (!problem.empty()) {
    std::fprintf(stderr, "plan contract broken: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}
