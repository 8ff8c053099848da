// cfnsplit: a thin shell over the library; every command lives in src/cli/.
//
// The executable links mimalloc when it is found (CMakeLists.txt) with mimalloc's own defaults:
// 4 KiB pages. Transparent 2 MiB pages (mimalloc's large_os_pages, which this file once turned
// on) saved no user time and cost system time: on a virtual machine whose free memory the host
// backs lazily, or where the kernel must compact memory to find a free 2 MiB page, every fresh
// huge page stalls the fault (2,000 functions: 0.14 → 0.74 s of system time, median of 10;
// 10,000: 0.55 → 1.9–4.6 s; docs/bench.md, seventh round). MIMALLOC_LARGE_OS_PAGES=1 still
// turns them on, as mimalloc documents.
#include "cli/cli.hpp"

int main(int argc, char** argv) { return cfnsplit::cli::Run(argc, argv); }
