// Where a run's time goes, stage by stage (`--timings` on every command): CPU and wall seconds
// and the growth of resident memory ("+RSS MiB") per stage, exclusive of the stages nested
// inside it, plus peak memory. Off by default, and a scope costs two clock reads and two reads
// of /proc/self/statm when on, so the stages can keep their scopes in release builds.
#pragma once

#include <ostream>
#include <string>

namespace cfnsplit::timings {

/// Turns recording on for this process (the CLI does, for `--timings`).
void Enable();
bool Enabled();

/// Times the enclosing block as `stage`. Scopes nest: a stage's figure excludes the time of the
/// scopes opened inside it, so the rows add up to the total.
class Scope {
 public:
  explicit Scope(const char* stage);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  const char* stage_;
  double cpu_start_ = 0, wall_start_ = 0;
  double child_cpu_ = 0, child_wall_ = 0;
  long rss_start_ = 0, child_rss_ = 0;
  Scope* parent_ = nullptr;
  bool active_ = false;
};

/// The page size the executable chose for the heap and why (cfnsplit/heap_pages.hpp), printed
/// under the table.
void NoteHeapPages(std::string choice);

/// The table: one row per stage in the order stages first ran, then the time outside every
/// stage ("other": option parsing, rules, teardown so far), the total and the peak RSS.
void Print(std::ostream& out);

}  // namespace cfnsplit::timings
