// The executable's choice of heap page size (cfnsplit/heap_pages.hpp): the kernel's files read
// right, the screen before the probe, the choice from the probe's figures, and what the
// executable makes of them.
#include "cfnsplit/heap_pages.hpp"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "support/cli_run.hpp"

namespace hp = cfnsplit::heap_pages;

namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

// /proc/buddyinfo of the machine this was written on (orders 0-10 of 4 KiB pages).
const char kBuddyInfo[] =
    "Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1"
    "      3 \n"
    "Node 0, zone    DMA32      0      4      2      2      1      2      0      3      3      1"
    "    753 \n"
    "Node 0, zone   Normal   9175   7981   5145   4779   2212   1542    647    364    217    188"
    "    357 \n";

hp::Machine Madvise(std::uint64_t free_huge) { return {"madvise", free_huge}; }

}  // namespace

TEST_CASE("heap pages: the THP mode is the bracketed word", "[unit][heap_pages]") {
  CHECK(hp::ThpMode("always [madvise] never\n") == "madvise");
  CHECK(hp::ThpMode("[always] madvise never\n") == "always");
  CHECK(hp::ThpMode("always madvise [never]") == "never");
  CHECK(hp::ThpMode("") == "");  // no THP in this kernel
  CHECK(hp::ThpMode("garbage [") == "");
}

TEST_CASE("heap pages: free memory counts only blocks of 2 MiB or more", "[unit][heap_pages]") {
  // Order 9 (2 MiB) and order 10 (4 MiB) of each zone; the smaller orders are left out.
  const std::uint64_t expected = (1 + 1 + 188) * 2 * kMiB + (3 + 753 + 357) * 4 * kMiB;
  CHECK(hp::FreeHugeBytes(kBuddyInfo, 4096) == expected);
  // With 64 KiB pages order 5 is already 2 MiB.
  CHECK(hp::FreeHugeBytes("Node 0, zone Normal 0 0 0 0 0 1 1\n", 65536) == 2 * kMiB + 4 * kMiB);
  CHECK(hp::FreeHugeBytes("", 4096) == 0);
  CHECK(hp::FreeHugeBytes("no zones here\n", 4096) == 0);
}

TEST_CASE("heap pages: the probe runs only where 2 MiB pages could be asked for and would pay",
          "[unit][heap_pages]") {
  const std::uint64_t big_input = 8 * kMiB, plenty = 4096 * kMiB;
  CHECK_FALSE(hp::Screen(Madvise(plenty), big_input).has_value());  // probe
  auto always = hp::Screen({"always", plenty}, big_input);
  REQUIRE(always);
  CHECK_FALSE(always->huge);  // the kernel already backs the heap with 2 MiB pages
  auto never = hp::Screen({"never", plenty}, big_input);
  REQUIRE(never);
  CHECK_FALSE(never->huge);
  auto none = hp::Screen({"", plenty}, big_input);
  REQUIRE(none);
  CHECK_FALSE(none->huge);
  auto small = hp::Screen(Madvise(plenty), hp::kMinInputBytes - 1);
  REQUIRE(small);
  CHECK_FALSE(small->huge);
  CHECK_FALSE(hp::Screen(Madvise(plenty), hp::kMinInputBytes).has_value());
  // Free 2 MiB blocks for twice what the run takes, or the kernel would compact memory first.
  const std::uint64_t needed = 2 * hp::kBytesPerInputByte * big_input;
  auto fragmented = hp::Screen(Madvise(needed - 1), big_input);
  REQUIRE(fragmented);
  CHECK_FALSE(fragmented->huge);
  CHECK(fragmented->reason.find("free 2 MiB") != std::string::npos);
  CHECK_FALSE(hp::Screen(Madvise(needed), big_input).has_value());
}

TEST_CASE("heap pages: 2 MiB pages only when one faults in under half the time of 512 small",
          "[unit][heap_pages]") {
  // This VM: 512 small faults ~5.6 ms, one huge ~0.15 ms.
  hp::Decision fast = hp::Choose({5.6e-3, 0.15e-3});
  CHECK(fast.huge);
  CHECK(fast.reason == "2 MiB pages: 2 MiB in 4 KiB pages 5.60 ms, as one 2 MiB page 0.15 ms");
  // The seventh round's VM: a fresh huge page stalled for longer than the small faults.
  hp::Decision slow = hp::Choose({2.4e-3, 12e-3});
  CHECK_FALSE(slow.huge);
  CHECK(slow.reason.rfind("4 KiB pages: ", 0) == 0);
  CHECK(hp::Choose({4e-3, 1.99e-3}).huge);
  CHECK_FALSE(hp::Choose({4e-3, 2e-3}).huge);
  CHECK_FALSE(hp::Choose({0, 0}).huge);  // a probe that could not map memory
}

TEST_CASE("heap pages: the probe measures both kinds of fault", "[unit][heap_pages]") {
  hp::Probe probe = hp::RunProbe();
  CHECK(probe.small_pages > 0);
  CHECK(probe.huge_page > 0);
  CHECK(std::isfinite(probe.small_pages));
  CHECK(std::isfinite(probe.huge_page));
}

TEST_CASE("heap pages: the input is the regular files the command line names",
          "[unit][heap_pages]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "cfnsplit-heap-pages-test";
  fs::remove_all(dir);
  fs::create_directories(dir / "out");
  const std::string tmpl = (dir / "t.json").string(), manifest = (dir / "m.yaml").string();
  std::ofstream(tmpl) << std::string(1000, 'x');
  std::ofstream(manifest) << std::string(234, 'y');
  const std::string manifest_opt = "--manifest=" + manifest, out = (dir / "out").string();
  std::vector<const char*> argv = {"cfnsplit",  "split",  tmpl.c_str(), manifest_opt.c_str(), "-o",
                                   out.c_str(), "--mode", "exports",    "/no/such/file"};
  CHECK(hp::InputBytes(static_cast<int>(argv.size()), argv.data()) == 1234);
  CHECK(hp::InputBytes(1, argv.data()) == 0);  // the program's own name is not an input
  fs::remove_all(dir);
}

namespace {

// The "timings:   heap: …" line of a run, "" when there is none.
std::string HeapLine(const std::string& err) {
  const std::string prefix = "timings:   heap: ";
  const std::size_t at = err.find(prefix);
  if (at == std::string::npos) return "";
  return err.substr(at + prefix.size(), err.find('\n', at) - at - prefix.size());
}

// A template of `topics` SNS topics (about 100 bytes each).
std::string Topics(int topics) {
  std::string text = "{\"Resources\": {";
  for (int i = 0; i < topics; ++i)
    text += std::string(i ? "," : "") + "\"Topic" + std::to_string(i) +
            "\": {\"Type\": \"AWS::SNS::Topic\", \"Properties\": {\"DisplayName\": \"topic " +
            std::to_string(i) + " of the heap-pages test\"}}";
  return text + "}}";
}

#ifdef CFNSPLIT_EXE_MIMALLOC
// Sets (or unsets) a variable for a scope; the value the run had before comes back after it.
struct ScopedEnv {
  explicit ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* before = getenv(name)) before_ = before;
    if (value)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (before_)
      setenv(name_, before_->c_str(), 1);
    else
      unsetenv(name_);
  }
  const char* name_;
  std::optional<std::string> before_;
};
#endif

}  // namespace

TEST_CASE("heap pages: the executable makes the choice the screen and the probe call for",
          "[unit][heap_pages]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "cfnsplit-heap-pages-cli";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "big.json") << Topics(12000);
  std::ofstream(dir / "small.json") << Topics(3);
  auto run = [&](const std::string& file) {
    return cfnsplit::testing::RunCfnsplit("analyze " + file + " --timings", dir, dir.string());
  };
#ifndef CFNSPLIT_EXE_MIMALLOC
  // Sanitizer builds and builds without libmimalloc-dev: nothing to choose, nothing claimed.
  const std::string err = run("big.json").err;
  CHECK(err.find("timings:   total") != std::string::npos);
  CHECK(HeapLine(err).empty());
#else
  const std::uint64_t big = fs::file_size(dir / "big.json");
  REQUIRE(big >= hp::kMinInputBytes);
  const hp::Machine machine = hp::ReadMachine();
  {
    ScopedEnv unset("MIMALLOC_LARGE_OS_PAGES", nullptr);
    const std::string small_line = HeapLine(run("small.json").err);
    CHECK(small_line == hp::Screen(machine, fs::file_size(dir / "small.json"))->reason);
    const std::string big_line = HeapLine(run("big.json").err);
    INFO(big_line);
    if (machine.thp_mode != "madvise") {
      CHECK(big_line == hp::Screen(machine, big)->reason);
    } else if (big_line != "4 KiB pages: too few free 2 MiB blocks") {
      // Probed (free memory may have changed since this test read it): both figures shown.
      CHECK((big_line.rfind("2 MiB pages: 2 MiB in 4 KiB pages ", 0) == 0 ||
             big_line.rfind("4 KiB pages: 2 MiB in 4 KiB pages ", 0) == 0));
      CHECK(big_line.find(" ms, as one 2 MiB page ") != std::string::npos);
    }
  }
  {
    ScopedEnv off("MIMALLOC_LARGE_OS_PAGES", "0");
    CHECK(HeapLine(run("big.json").err) == "as MIMALLOC_LARGE_OS_PAGES says");
  }
#endif
  fs::remove_all(dir);
}
