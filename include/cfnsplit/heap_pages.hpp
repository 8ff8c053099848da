// Whether a run's heap should use transparent 2 MiB pages: measured on the machine it runs on.
//
// A large split touches hundreds of MiB of fresh memory, one page fault per 4 KiB page. On some
// virtual machines such a fault costs ~10 us (the host backs guest memory on first touch), a
// third to a half of a split's time, and a 2 MiB page faults once for 512 of them. On others a
// 2 MiB fault stalls while the kernel or the host finds and zeroes the page, and costs more than
// the 512 small faults it replaces (docs/bench.md, seventh and twelfth rounds). So before a run
// with a large input the executable times both kinds of fault and asks its allocator for 2 MiB
// pages only where they are clearly cheaper. The decision changes no output, only the time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cfnsplit::heap_pages {

/// What the kernel offers. `thp_mode` is the selected word of
/// /sys/kernel/mm/transparent_hugepage/enabled ("always", "madvise", "never"; "" without THP);
/// `free_huge_bytes` the free memory in blocks of 2 MiB or more (/proc/buddyinfo), which a
/// huge page fault takes without compacting memory first.
struct Machine {
  std::string thp_mode;
  std::uint64_t free_huge_bytes = 0;
};

/// Seconds to touch 2 MiB of fresh memory in 4 KiB pages, and as one 2 MiB page.
struct Probe {
  double small_pages = 0;
  double huge_page = 0;
};

struct Decision {
  bool huge = false;
  std::string reason;  ///< one line for `--timings`
};

/// The run's inputs below this size take too little memory for the probe (~2 ms) to pay.
constexpr std::uint64_t kMinInputBytes = std::uint64_t{1} << 20;
/// Fresh memory a run takes per input byte, rounded up: peak RSS is 14-15x the template at
/// 1,000-10,000 functions (docs/bench.md).
constexpr std::uint64_t kBytesPerInputByte = 16;

/// The bracketed word of the THP "enabled" file ("always [madvise] never" → "madvise").
std::string ThpMode(std::string_view enabled_file);
/// Free bytes in blocks of at least 2 MiB, summed over the zones of /proc/buddyinfo.
std::uint64_t FreeHugeBytes(std::string_view buddyinfo, std::uint64_t page_size);

/// Whether the probe is worth running: THP on request ("madvise": the allocator must ask),
/// an input large enough and free 2 MiB blocks for twice the memory the run will take.
std::optional<Decision> Screen(const Machine& machine, std::uint64_t input_bytes);
/// The choice from the probe: 2 MiB pages when one costs under half of 512 small faults (they
/// also round the heap up, by ~7 % here, and a slower fault later would stall the run).
Decision Choose(const Probe& probe);

/// Reads Machine from /sys and /proc (empty fields where a file is missing).
Machine ReadMachine();
/// Times 4 KiB and 2 MiB faults on fresh mappings, freed again (~2 ms where 4 KiB faults are
/// slow and 2 MiB ones fast).
Probe RunProbe();
/// Sizes of the regular files the command line names (as an argument or after `=`).
std::uint64_t InputBytes(int argc, const char* const* argv);

}  // namespace cfnsplit::heap_pages
