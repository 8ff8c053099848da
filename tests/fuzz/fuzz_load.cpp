// libFuzzer target for the loader (built with -DCFNSPLIT_FUZZ=ON and clang++). Sanitizers catch
// memory errors and crashes; a broken contract (see fuzz_entry.hpp) aborts so the fuzzer keeps
// the input. The contract includes the fast YAML scanner reporting exactly yaml-cpp's events or
// declining (yaml_fast_check.hpp). Seeds live in tests/fuzz/corpus/; crashers found later belong
// there too, where replay_fuzz.cpp re-checks them in every test run.
//
//   cmake -S . -B build-fuzz -G Ninja -DCFNSPLIT_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++
//   ninja -C build-fuzz cfnsplit_fuzz_load
//   mkdir -p /tmp/fuzzwork && cp tests/fuzz/corpus/* /tmp/fuzzwork/
//   build-fuzz/cfnsplit_fuzz_load -jobs=1 -max_total_time=300 -dict=tests/fuzz/load.dict \
//       /tmp/fuzzwork
//
// The distribution's yaml-cpp is not instrumented, so the fuzzer sees no coverage inside it. For
// deeper runs, build yaml-cpp 0.7.0 with -fsanitize=fuzzer-no-link,address,undefined, install it
// somewhere and point -Dyaml-cpp_DIR at its share/cmake/yaml-cpp.
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
