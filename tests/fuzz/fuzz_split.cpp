// libFuzzer target for the whole split (built with -DCFNSPLIT_FUZZ=ON and clang++): the input as
// a template, through plan, check, emit and verify in memory, in both wiring modes, refused as
// the CLI refuses a template with errors (CheckSplit in fuzz_entry.hpp). Sanitizers catch memory errors and crashes; a broken contract (an error
// only a bug raises, such as a verify finding on what the plan check accepted) aborts so the
// fuzzer keeps the input. Seeds: tests/fuzz/seeds/split/ (small splittable templates) with the
// loader's corpus; crashers found belong in seeds/split/, replayed by replay_fuzz.cpp.
//
//   ninja -C build-fuzz cfnsplit_fuzz_split
//   mkdir -p /tmp/fuzz-split && cp tests/fuzz/seeds/split/* tests/fuzz/corpus/* /tmp/fuzz-split/
//   build-fuzz/cfnsplit_fuzz_split -max_total_time=600 -dict=tests/fuzz/load.dict /tmp/fuzz-split
#include <cstdio>
#include <cstdlib>

#include "fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string problem = cfnsplit::fuzz::RunSplitOnce(data, size);
  if (!problem.empty()) {
    std::fprintf(stderr, "split contract broken: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}
