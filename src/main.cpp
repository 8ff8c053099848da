// cfnsplit: a thin shell over the library; every command lives in src/cli/.
//
// The executable links mimalloc when it is found (CMakeLists.txt), and sets two of its options:
//
// - 2 MiB pages where this machine faults them in faster (cfnsplit/heap_pages.hpp): mimalloc's
//   large_os_pages on a machine where a 4 KiB fault costs ~10 us and a 2 MiB one ~0.2 ms halved
//   a 2,000-function split's CPU time (docs/bench.md, twelfth round); on another, where each
//   fresh 2 MiB page stalled, they cost 0.14 → 0.74 s of system time (seventh round). So the
//   choice is measured per run, for inputs over 1 MiB. MIMALLOC_LARGE_OS_PAGES, when the user
//   sets it, decides instead, as mimalloc documents.
// - No decommit: mimalloc hands the pages of freed segments back to the kernel after a short
//   delay, and a later stage faults them back in, zero-filled — pure cost for a process that
//   ends when its run does (10,000 functions: 147,000 → 134,000 page faults, peak RSS +2 %).
//   MIMALLOC_ALLOW_DECOMMIT=1 turns it back on.
#include <cstdlib>

#include "cfnsplit/heap_pages.hpp"
#include "cfnsplit/timings.hpp"
#include "cli/cli.hpp"

#ifdef CFNSPLIT_WITH_MIMALLOC
#include <mimalloc.h>
#include <sys/mman.h>

#include <cstdint>

namespace {

void UseHugePages() {
  mi_option_enable(mi_option_large_os_pages);  // segments mapped from now on
#if MI_MALLOC_VERSION >= 200 && MI_MALLOC_VERSION < 300
  // The first segment was mapped before main (static initialisers allocate) and would serve
  // the first 32 MiB of the run with small pages. mimalloc 2 segments are 32 MiB, aligned to
  // their size, so the one holding a fresh block is known without reaching into mimalloc.
  constexpr std::uintptr_t kSegment = std::uintptr_t{32} << 20;
  void* block = mi_malloc(16);
  auto start = reinterpret_cast<std::uintptr_t>(block) & ~(kSegment - 1);
  madvise(reinterpret_cast<void*>(start), kSegment, MADV_HUGEPAGE);  // advice: failure is fine
  mi_free(block);
#endif
}

void ChooseHeapPages(int argc, char** argv) {
  using namespace cfnsplit::heap_pages;
  if (std::getenv("MIMALLOC_LARGE_OS_PAGES")) {
    cfnsplit::timings::NoteHeapPages("as MIMALLOC_LARGE_OS_PAGES says");
    return;
  }
  std::optional<Decision> decision = Screen(ReadMachine(), InputBytes(argc, argv));
  if (!decision) decision = Choose(RunProbe());
  if (decision->huge) UseHugePages();
  cfnsplit::timings::NoteHeapPages(decision->reason);
}

}  // namespace
#endif

int main(int argc, char** argv) {
#ifdef CFNSPLIT_WITH_MIMALLOC
  if (std::getenv("MIMALLOC_ALLOW_DECOMMIT") == nullptr)
    mi_option_disable(mi_option_allow_decommit);
  ChooseHeapPages(argc, argv);
#endif
  return cfnsplit::cli::Run(argc, argv);
}
