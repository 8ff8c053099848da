#include "cfnsplit/heap_pages.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <sstream>

#include "cfnsplit/diagnostics.hpp"
#include "cfnsplit/load.hpp"

namespace cfnsplit::heap_pages {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kSmallPage = 4096;
// The 4 KiB probe touches this many pages and scales up to 2 MiB: an eighth of the cost.
constexpr std::size_t kSmallProbePages = 64;

// A small file of /proc or /sys; "" when it cannot be read (no THP, no buddyinfo: nothing to ask).
std::string ReadText(const char* path) {
  std::string text;
  DiagnosticSink quiet;
  return ReadFileText(path, text, quiet) ? text : "";
}

double Now() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Seconds to write one byte in each 4 KiB page of `bytes` of fresh memory, advised for huge
// pages or against them; the mapping is aligned to 2 MiB so a huge page can back it. Every page
// is touched even when huge: if the kernel gives small pages after all, that is what it costs.
double TouchFresh(std::size_t bytes, bool huge) {
  const std::size_t span = bytes + kHugePage;
  void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return 0;
  auto aligned = (reinterpret_cast<std::uintptr_t>(raw) + kHugePage - 1) & ~(kHugePage - 1);
  auto* p = reinterpret_cast<volatile char*>(aligned);
  madvise(const_cast<char*>(p), bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
  const double start = Now();
  for (std::size_t i = 0; i < bytes; i += kSmallPage) p[i] = 1;
  const double seconds = Now() - start;
  munmap(raw, span);
  return seconds;
}

}  // namespace

std::string ThpMode(std::string_view enabled_file) {
  const std::size_t open = enabled_file.find('[');
  const std::size_t close = enabled_file.find(']', open);
  if (open == std::string_view::npos || close == std::string_view::npos) return "";
  return std::string(enabled_file.substr(open + 1, close - open - 1));
}

// Lines read "Node 0, zone   Normal  c0 c1 … c10": ci free blocks of 2^i pages.
std::uint64_t FreeHugeBytes(std::string_view buddyinfo, std::uint64_t page_size) {
  std::uint64_t total = 0;
  std::istringstream lines{std::string(buddyinfo)};
  std::string line;
  while (std::getline(lines, line)) {
    const std::size_t zone = line.find("zone");
    if (zone == std::string::npos) continue;
    std::istringstream fields(line.substr(zone + 4));
    std::string name;
    fields >> name;
    std::uint64_t count = 0;
    for (int order = 0; fields >> count; ++order)
      if ((page_size << order) >= kHugePage) total += count * (page_size << order);
  }
  return total;
}

std::optional<Decision> Screen(const Machine& machine, std::uint64_t input_bytes) {
  if (machine.thp_mode == "always")
    return Decision{false, "2 MiB pages: the kernel gives them unasked (THP always)"};
  if (machine.thp_mode != "madvise")
    return Decision{false, "4 KiB pages: no transparent huge pages"};
  if (input_bytes < kMinInputBytes) return Decision{false, "4 KiB pages: small input"};
  if (machine.free_huge_bytes < 2 * kBytesPerInputByte * input_bytes)
    return Decision{false, "4 KiB pages: too few free 2 MiB blocks"};
  return std::nullopt;
}

Decision Choose(const Probe& probe) {
  char line[160];
  const bool huge = probe.huge_page > 0 && probe.huge_page < 0.5 * probe.small_pages;
  std::snprintf(line, sizeof line, "%s: 2 MiB in 4 KiB pages %.2f ms, as one 2 MiB page %.2f ms",
                huge ? "2 MiB pages" : "4 KiB pages", probe.small_pages * 1e3,
                probe.huge_page * 1e3);
  return Decision{huge, line};
}

Machine ReadMachine() {
  Machine m;
  m.thp_mode = ThpMode(ReadText("/sys/kernel/mm/transparent_hugepage/enabled"));
  const long page = sysconf(_SC_PAGESIZE);
  m.free_huge_bytes = FreeHugeBytes(ReadText("/proc/buddyinfo"),
                                    page > 0 ? static_cast<std::uint64_t>(page) : 4096);
  return m;
}

Probe RunProbe() {
  constexpr std::size_t kScale = kHugePage / (kSmallProbePages * kSmallPage);
  const std::size_t small_bytes = kSmallProbePages * kSmallPage;
  Probe p;
  // Two small samples, the faster kept: the first fault of a mapping may pay for page tables.
  p.small_pages = kScale * std::min(TouchFresh(small_bytes, false), TouchFresh(small_bytes, false));
  p.huge_page = TouchFresh(kHugePage, true);
  // A second 2 MiB sample only when the first was close: one fresh page the host had not backed
  // yet can take 30x the usual (measured here), while a machine whose huge faults stall shows it
  // at once and need not pay twice.
  if (p.huge_page >= 0.5 * p.small_pages && p.huge_page < 2 * p.small_pages)
    p.huge_page = std::min(p.huge_page, TouchFresh(kHugePage, true));
  return p;
}

std::uint64_t InputBytes(int argc, const char* const* argv) {
  std::uint64_t total = 0;
  auto add = [&total](const std::string& path) {
    struct stat st {};
    if (!path.empty() && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
      total += static_cast<std::uint64_t>(st.st_size);
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const std::size_t eq = arg.find('=');
    if (eq == std::string::npos || arg.rfind("--", 0) != 0)
      add(arg);
    else
      add(arg.substr(eq + 1));
  }
  return total;
}

}  // namespace cfnsplit::heap_pages
