// cfnsplit: a thin shell over the library; every command lives in src/cli/.
#include "cli/cli.hpp"

#ifdef CFNSPLIT_MIMALLOC
#include <mimalloc.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>

namespace {

// Transparent 2 MiB pages for the heap: a large template's model, plan and emitted stacks are
// a few hundred MiB of small nodes, and with 4 KiB pages, page faults and TLB misses took a
// third of a split's time (docs/bench.md). MIMALLOC_LARGE_OS_PAGES, when the user sets it,
// decides instead, as mimalloc documents.
void UseLargePages() {
  if (std::getenv("MIMALLOC_LARGE_OS_PAGES")) return;
  mi_option_enable(mi_option_large_os_pages);  // segments allocated from now on
#if MI_MALLOC_VERSION >= 200 && MI_MALLOC_VERSION < 300
  // The first segment was mapped before main (static initialisers allocate) and would serve
  // the first 32 MiB of the run with small pages. mimalloc 2 segments are 32 MiB, aligned to
  // their size, so the one holding a fresh block is known without reaching into mimalloc.
  constexpr std::uintptr_t kSegment = std::uintptr_t{32} << 20;
  void* probe = mi_malloc(16);
  auto start = reinterpret_cast<std::uintptr_t>(probe) & ~(kSegment - 1);
  madvise(reinterpret_cast<void*>(start), kSegment, MADV_HUGEPAGE);  // advice: failure is fine
  mi_free(probe);
#endif
}

}  // namespace
#endif

int main(int argc, char** argv) {
#ifdef CFNSPLIT_MIMALLOC
  UseLargePages();
#endif
  return cfnsplit::cli::Run(argc, argv);
}
